"""Paper ballots: two different tellers must enter the same ballot identically before it counts (issue 6 item 5).

A returned paper ballot carries its voter's paper code (printed with a QR); a teller scans or types it and enters the
marks as they are on paper, invalid ones included (a motion marked twice, an election marked for more candidates
than seats). The first entry waits; a second entry by another teller that agrees casts the ballot through
`app.voting.ballots.cast` (channel "paper"); one that disagrees sends both to the mismatch queue, where a third
entry that agrees with either settles it. A voter who voted already (by phone or proxy) keeps that ballot: the
entries are marked "conflict" and shown to the tellers (DOMAIN §8: the first ballot accepted counts).

The paper code is not a secret (the owner's signature on paper is the identification, Zhejiang Art 9): it is the
voter's number in the meeting and a keyed check of four characters, so that a mistyped code is caught.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.privacy import lookup_hash
from app.voting.ballots import INVALID, MOTION_ANSWERS, cast, lock_voter
from app.voting.models import Meeting, MeetingVoter
from app.voting.paper_models import PaperEntry


def paper_code(voter: MeetingVoter) -> str:
    """ "1234-K7QF": the voter's number in the meeting and a keyed check."""
    check = lookup_hash(f"paper:{voter.meeting_id}:{voter.id}")[:4].upper()
    return f"{voter.id}-{check}"


def voter_by_paper_code(meeting: Meeting, code: str) -> MeetingVoter:
    """The voter a paper code names in this meeting, or a DomainError (mistyped, or another meeting's)."""
    number, _, check = code.strip().upper().partition("-")
    voter = (
        db.session.get(MeetingVoter, int(number))
        if number.isascii() and number.isdigit() and len(number) <= 9
        else None
    )
    if voter is None or voter.meeting_id != meeting.id or paper_code(voter) != f"{voter.id}-{check}":
        raise DomainError(
            "invalid_paper_code", _l("This code is not a ballot of this meeting. Check it."), field="code"
        )
    return voter


def check_paper_choices(meeting: Meeting, choices: dict[str, Any]) -> dict[str, Any]:
    """The marks as entered, every matter present: a motion "yes", "no", "abstain", None (blank) or "invalid"; the
    election a list of its candidate ids, or "invalid" (more marks than seats becomes "invalid", DOMAIN §5)."""
    checked: dict[str, Any] = {}
    for matter in meeting.matters:
        mark = choices.get(str(matter.id))
        if matter.kind == "motion":
            if mark is not None and mark not in (*MOTION_ANSWERS, INVALID):
                raise DomainError("invalid_choice", _l("Unknown mark on: %(m)s", m=matter.title))
            checked[str(matter.id)] = mark
            continue
        if mark == INVALID:
            checked[str(matter.id)] = INVALID
            continue
        picked = sorted(set(mark or []))
        if not set(picked) <= {c.id for c in matter.candidates}:
            raise DomainError("invalid_choice", _l("Unknown candidate on: %(m)s", m=matter.title))
        too_many = matter.kind == "election" and len(picked) > matter.marks
        checked[str(matter.id)] = INVALID if too_many else picked
    return checked


def _entries(voter: MeetingVoter) -> list[PaperEntry]:
    return list(
        db.session.scalars(select(PaperEntry).where(PaperEntry.meeting_voter_id == voter.id).order_by(PaperEntry.id))
    )


def record_entry(
    meeting: Meeting, code: str, teller_id: int, choices: dict[str, Any], image: bytes | None = None
) -> PaperEntry:
    """Record one teller's entry; the ballot is cast when two different tellers agree."""
    # shared with other entries, exclusive with counting (app.results.count_runs.start locks the row): an entry is
    # stored before the count starts or refused after, never lost in between
    db.session.flush()  # keep this transaction's changes: refresh reloads the row
    db.session.refresh(meeting, with_for_update={"read": True})
    if meeting.status not in ("open", "closed"):  # ballots returned in time are entered until counting starts
        raise DomainError("meeting_not_open", _l("Paper ballots are entered until counting starts."), status=409)
    if "paper" not in meeting.channels.split(","):
        raise DomainError("no_paper", _l("This meeting does not take paper ballots."), status=409)
    voter = voter_by_paper_code(meeting, code)
    # one teller's entry at a time per ballot (two first entries at once must see each other), in the same lock order
    # as the phone's and the proxy's ballot
    lock_voter(voter)
    marks = check_paper_choices(meeting, choices)
    earlier = _entries(voter)
    if any(e.teller_id == teller_id for e in earlier):
        raise DomainError(
            "same_teller", _l("You entered this ballot already; a different teller enters it again."), status=409
        )
    if any(e.status in ("matched", "conflict") for e in earlier):
        raise DomainError("paper_settled", _l("This ballot has been settled already."), status=409)
    entry = PaperEntry(
        meeting_id=meeting.id,
        meeting_voter_id=voter.id,
        teller_id=teller_id,
        choices=marks,
        image_sha256=hashlib.sha256(image).hexdigest() if image else None,
    )
    db.session.add(entry)
    db.session.flush()
    agreeing = [e for e in earlier if e.choices == marks]
    if agreeing:
        result = cast(voter, marks, "paper")
        status = "matched" if result.stored else "conflict"
        for settled in [entry, *earlier]:
            settled.status = status
    elif earlier:
        for unsettled in [entry, *earlier]:
            unsettled.status = "mismatch"
    db.session.flush()
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(
        "paper.entry",
        "paper_entry",
        entry.id,
        {"meeting": meeting.id, "voter": voter.id, "status": entry.status, "image": entry.image_sha256},
        township_id=community.township_id,
        community_id=community.id,
    )
    return entry


def mismatch_queue(meeting: Meeting) -> list[tuple[MeetingVoter, list[PaperEntry]]]:
    """The ballots whose entries disagree, each with every entry (shown side by side to the tellers)."""
    voter_ids = db.session.scalars(
        select(PaperEntry.meeting_voter_id)
        .where(PaperEntry.meeting_id == meeting.id, PaperEntry.status == "mismatch")
        .distinct()
    ).all()
    return [
        (db.session.get_one(MeetingVoter, vid), _entries(db.session.get_one(MeetingVoter, vid))) for vid in voter_ids
    ]


def pending_count(meeting: Meeting) -> int:
    """Entries still waiting for a second teller or in the mismatch queue (counting waits for them, issue 7)."""
    return len(
        db.session.scalars(
            select(PaperEntry.id).where(
                PaperEntry.meeting_id == meeting.id, PaperEntry.status.in_(("pending", "mismatch"))
            )
        ).all()
    )
