"""Closing a meeting for counting (DOMAIN §8–§9; issue "closing").

- At the end of the window Celery beat closes the meeting (`close_due`); closing twice changes nothing.
- The convener may close before the end only when every voter has voted: the window was announced to the owners
  (Shaoxing Art 9 notices), and closing while anyone can still vote would take their vote away.
- After the close no phone or proxy ballot is taken. Paper ballots returned in time may still be entered by the
  tellers, until the count.
- Counting waits until every paper ballot is settled: entries waiting for a second teller, entries in the mismatch
  queue, and paper ballots in conflict with a ballot cast first by phone or proxy are each either settled or
  explicitly excluded by the convener with a reason (audited; the reason is published in the package).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit import services as audit
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.text import required_text
from app.voting.models import Ballot, Meeting, MeetingVoter
from app.voting.paper_models import PaperEntry

UNSETTLED = ("pending", "mismatch", "conflict")
MAX_REASON = 500


@dataclass(frozen=True)
class Unsettled:
    """A voter's paper entries that keep the meeting from being counted."""

    voter: MeetingVoter
    entries: list[PaperEntry]

    @property
    def status(self) -> str:
        return self.entries[-1].status


def _audit(action: str, meeting: Meeting, summary: dict[str, object], object_type: str = "meeting") -> None:
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(action, object_type, meeting.id, summary, township_id=community.township_id, community_id=community.id)


def everyone_voted(meeting: Meeting) -> bool:
    voters = db.session.scalar(select(func.count(MeetingVoter.id)).where(MeetingVoter.meeting_id == meeting.id))
    ballots = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.meeting_id == meeting.id))
    return bool(voters) and voters == ballots


def close(meeting: Meeting, *, now: datetime | None = None, early: bool = False) -> bool:
    """Close the meeting; False if it was closed already (idempotent). Before the window's end only with `early`
    and only once every voter has voted."""
    now = now or utcnow()
    db.session.flush()  # keep this transaction's changes: refresh reloads the row
    db.session.refresh(meeting, with_for_update=True)  # the button and beat at once: one closes, one finds it closed
    if meeting.status in ("closed", "counting", "counted"):
        return False
    if meeting.status != "open":
        raise DomainError("meeting_not_open", _l("Only a meeting that is voting can be closed."), status=409)
    if now < meeting.closes_at:
        if not early:
            raise DomainError("window_not_over", _l("The voting window has not ended yet."), status=409)
        if not everyone_voted(meeting):
            raise DomainError(
                "voters_left",
                _l("The meeting can close before the announced end only once every voter has voted."),
                status=409,
            )
    meeting.status, meeting.closed_at = "closed", now.replace(microsecond=0)
    _audit("meeting.close", meeting, {"early": now < meeting.closes_at, "closed_at": meeting.closed_at.isoformat()})
    return True


def close_due(now: datetime | None = None) -> list[int]:
    """Close every open meeting whose window has ended (Celery beat); the ids closed now."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Meeting).where(Meeting.status == "open", Meeting.closes_at < now).with_for_update(skip_locked=True)
    ).all()
    return [meeting.id for meeting in due if close(meeting, now=now)]


def unsettled(meeting: Meeting) -> list[Unsettled]:
    """Paper ballots not yet settled, by voter, in the order the voters stand on the roll."""
    entries = db.session.scalars(
        select(PaperEntry)
        .where(PaperEntry.meeting_id == meeting.id, PaperEntry.status.in_(UNSETTLED))
        .order_by(PaperEntry.meeting_voter_id, PaperEntry.id)
    ).all()
    by_voter: dict[int, list[PaperEntry]] = {}
    for entry in entries:
        by_voter.setdefault(entry.meeting_voter_id, []).append(entry)
    return [Unsettled(db.session.get_one(MeetingVoter, voter_id), found) for voter_id, found in by_voter.items()]


def exclude_paper(meeting: Meeting, voter_id: int, reason: str) -> int:
    """Leave a voter's unsettled paper entries out of the count, with the reason; how many entries."""
    if meeting.status != "closed":  # while voting is open a second teller may still come: nothing to give up on
        raise DomainError("meeting_not_closed", _l("Close the meeting before counting."), status=409)
    reason = required_text(reason, "reason", MAX_REASON, multiline=True)
    entries = db.session.scalars(
        select(PaperEntry).where(
            PaperEntry.meeting_id == meeting.id,
            PaperEntry.meeting_voter_id == voter_id,
            PaperEntry.status.in_(UNSETTLED),
        )
    ).all()
    if not entries:
        raise DomainError("nothing_to_exclude", _l("This voter has no unsettled paper ballot."), status=404)
    for entry in entries:
        entry.status, entry.excluded_reason = "excluded", reason
    _audit("paper.exclude", meeting, {"voter": voter_id, "entries": len(entries), "reason": reason})
    return len(entries)


def excluded_list(meeting: Meeting) -> list[dict[str, object]]:
    """The exclusions as the package publishes them: how many entries, and why, per excluded voter, without the
    voter's pseudonym (the tellers know whose paper they set aside: a pseudonym here would tell them that voter's
    ballot in the ledger; issue 16 item 1). Ordered by reason and count, which says nothing about whose it was."""
    rows = db.session.execute(
        select(PaperEntry.excluded_reason, func.count(PaperEntry.id))
        .where(PaperEntry.meeting_id == meeting.id, PaperEntry.status == "excluded")
        .group_by(PaperEntry.meeting_voter_id, PaperEntry.excluded_reason)
    ).all()
    return sorted(
        ({"entries": n, "reason": reason or ""} for reason, n in rows), key=lambda e: (e["reason"], e["entries"])
    )
