"""Paper ballots: two different tellers must enter the same ballot identically before it counts (issue 6 item 5).

A returned paper ballot carries its voter's paper code (printed with a QR); a teller scans or types it and enters the
marks as they are on paper, invalid ones included (a motion marked twice, an election marked for more candidates
than seats). The first entry waits; a second entry by another teller that agrees casts the ballot through
`app.voting.ballots.cast` (channel "paper"); one that disagrees sends both to the mismatch queue, where a further
entry that agrees with one made by someone else settles it. A voter who voted already (by phone or proxy) keeps that
ballot: the entries are marked "conflict" and shown to the tellers (DOMAIN §8: the first ballot accepted counts), and
the convener sets them aside with a reason before the count (app.results.closing).

Who enters (`may_enter`): the community's tellers, its preparatory group and its township, and the meeting's
convener. Nobody enters a ballot twice, with one exception that keeps a two-teller community from getting stuck
(issue 19 item 2): the convener may name, for one ballot in the mismatch queue, the account that makes its next entry
(`designate`), even one of the two tellers who entered it, sent back to the paper. The named account makes one entry,
and like every entry it settles the ballot only when it agrees with an entry made by someone else: one person never
agrees with themselves into a count. Everything is checked here, in `record_entry`, whatever page or API calls it.

The paper code is not a secret (the owner's signature on paper is the identification, Zhejiang Art 9): it is the
voter's number in the meeting and a keyed check of four characters, so that a mistyped code is caught.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.auth import permissions
from app.auth.models import Role, RoleGrant, User
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.privacy import lookup_hash
from app.voting.ballots import INVALID, MOTION_ANSWERS, cast, existing_ballot, lock_voter
from app.voting.models import Meeting, MeetingVoter
from app.voting.paper_models import PaperDesignation, PaperEntry

#: the states of a ballot's entries that end its entry: counted, in conflict with a ballot cast first, set aside
SETTLED = ("matched", "conflict", "excluded")
#: the states of a ballot still waiting for an entry: a second (pending) or a further one (mismatch)
WAITING = ("pending", "mismatch")


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


# --- who enters ------------------------------------------------------------------------------------------------------


def _community(meeting: Meeting) -> Community:
    return db.session.get_one(Community, meeting.community_id)


def is_teller(user: User, community: Community) -> bool:
    return any(g.role == Role.TELLER and g.community_id == community.id for g in user.grants)


def may_enter(user: User, meeting: Meeting) -> bool:
    """Who enters the meeting's paper ballots and reads their queue (issue 6 item 5): the community's tellers, its
    preparatory group and its township (Shaoxing Arts 11–13), and the meeting's convener (a later meeting's body)."""
    from app.governance.acting import can_run  # acting reads results, which read paper entries

    community = _community(meeting)
    return is_teller(user, community) or permissions.can_prepare_community(user, community) or can_run(user, meeting)


def _accounts(meeting: Meeting) -> tuple[list[User], list[User]]:
    """The community's active accounts that enter paper ballots: its tellers, and the convener's own accounts (the
    preparatory group's members for a first meeting, the convening body's for a later one), each once."""
    community = _community(meeting)
    grants = db.session.scalars(
        select(RoleGrant)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.community_id == community.id, User.is_active.is_(True))
        .order_by(RoleGrant.id)
    ).all()
    tellers: dict[int, User] = {}
    conveners: dict[int, User] = {}
    for grant in grants:
        if grant.role == Role.TELLER:
            tellers.setdefault(grant.user_id, grant.user)
        elif permissions.grant_in_force(grant) and (
            (grant.role == Role.GROUP_MEMBER and meeting.body_id is None)
            or (grant.role == Role.BODY_MEMBER and meeting.body_id is not None and grant.body_id == meeting.body_id)
        ):
            conveners.setdefault(grant.user_id, grant.user)
    return list(tellers.values()), [u for uid, u in conveners.items() if uid not in tellers]


def designees(meeting: Meeting) -> list[User]:
    """The accounts the convener may name to make a ballot's next entry: the community's tellers and the convener's
    own accounts (the township's officials enter ballots themselves, without being named)."""
    tellers, conveners = _accounts(meeting)
    return [*tellers, *conveners]


@dataclass(frozen=True)
class NextEntry:
    """Who may make the next entry of a waiting ballot, for the page and for a refusal (issue 19 item 2): the account
    the convener named (not used yet), the tellers and the convener's accounts who have not entered it, and the
    township's officials."""

    named: User | None
    tellers: list[User]
    conveners: list[User]
    township: str
    #: the convener's own meeting (a body's) or the first meeting (the preparatory group's)
    by_body: bool

    def words(self) -> list[str]:
        """Each in words: "范晓东 (named by the convener)", "金美玲 (teller)" … "the officials of 暨阳街道"."""
        found = []
        if self.named is not None:
            found.append(str(_l("%(name)s (named by the convener)", name=self.named.display_name)))
        found += [str(_l("%(name)s (teller)", name=user.display_name)) for user in self.tellers]
        role = _l("convening body") if self.by_body else _l("preparatory group")
        found += [str(_l("%(name)s (%(role)s)", name=user.display_name, role=role)) for user in self.conveners]
        found.append(str(_l("the officials of %(township)s (the township)", township=self.township)))
        return found

    def sentence(self) -> str:
        return " / ".join(self.words())


@dataclass
class EntryMakers:
    """The meeting's accounts that enter paper ballots, looked up once for a page of waiting ballots."""

    meeting: Meeting
    tellers: list[User] = field(default_factory=list)
    conveners: list[User] = field(default_factory=list)
    township: str = ""

    @classmethod
    def of(cls, meeting: Meeting) -> EntryMakers:
        tellers, conveners = _accounts(meeting)
        return cls(meeting, tellers, conveners, _community(meeting).township.name)

    def next_entry(self, teller_ids: list[int], status: str, designation: PaperDesignation | None) -> NextEntry:
        """Who may enter a ballot entered by ``teller_ids``, whose entries stand at ``status``."""
        entered = set(teller_ids)
        named = (
            db.session.get(User, designation.user_id)
            if designation is not None and designation.entry_id is None and status == "mismatch"
            else None
        )
        others = {named.id} if named is not None else set()
        return NextEntry(
            named=named,
            tellers=[u for u in self.tellers if u.id not in entered | others],
            conveners=[u for u in self.conveners if u.id not in entered | others],
            township=self.township,
            by_body=self.meeting.body_id is not None,
        )


# --- entering --------------------------------------------------------------------------------------------------------


def _entries(voter: MeetingVoter) -> list[PaperEntry]:
    return list(
        db.session.scalars(select(PaperEntry).where(PaperEntry.meeting_voter_id == voter.id).order_by(PaperEntry.id))
    )


def designation_of(voter: MeetingVoter) -> PaperDesignation | None:
    return db.session.scalars(select(PaperDesignation).where(PaperDesignation.meeting_voter_id == voter.id)).first()


def counted_channel(voter: MeetingVoter) -> str | None:
    """How the ballot that counts for this voter came ("phone", "proxy", "paper"), or None: a teller is told at the
    first entry of a paper ballot whose owner has voted already (issue 19 item 2), never what that ballot says."""
    ballot = existing_ballot(voter)
    return ballot.channel if ballot is not None else None


def _check_open(meeting: Meeting) -> None:
    if meeting.status not in ("open", "closed"):  # ballots returned in time are entered until counting starts
        raise DomainError("meeting_not_open", _l("Paper ballots are entered until counting starts."), status=409)
    if "paper" not in meeting.channels.split(","):
        raise DomainError("no_paper", _l("This meeting does not take paper ballots."), status=409)


def record_entry(
    meeting: Meeting, code: str, teller_id: int, choices: dict[str, Any], image: bytes | None = None
) -> PaperEntry:
    """Record one teller's entry; the ballot is cast when two different tellers agree. Refused: an account that does
    not enter paper ballots (`may_enter`), a settled ballot, and a second entry by the same account, unless the
    convener named them for this ballot in the mismatch queue (one entry, `designate`)."""
    # shared with other entries, exclusive with counting (app.results.count_runs.start locks the row): an entry is
    # stored before the count starts or refused after, never lost in between
    db.session.flush()  # keep this transaction's changes: refresh reloads the row
    db.session.refresh(meeting, with_for_update={"read": True})
    teller = db.session.get(User, teller_id)
    if teller is None or not teller.is_active or not may_enter(teller, meeting):
        raise Forbidden(
            "forbidden", _l("Only the community's tellers, its convener and its township enter paper ballots.")
        )
    _check_open(meeting)
    voter = voter_by_paper_code(meeting, code)
    # one teller's entry at a time per ballot (two first entries at once must see each other), in the same lock order
    # as the phone's and the proxy's ballot
    lock_voter(voter)
    marks = check_paper_choices(meeting, choices)
    earlier = _entries(voter)
    if any(e.status == "excluded" for e in earlier):
        raise DomainError("paper_excluded", _l("The convener has set this ballot aside from the count."), status=409)
    if any(e.status in SETTLED for e in earlier):
        raise DomainError("paper_settled", _l("This ballot has been settled already."), status=409)
    queued = bool(earlier) and earlier[-1].status == "mismatch"
    designation = designation_of(voter) if queued else None
    named = designation is not None and designation.user_id == teller_id and designation.entry_id is None
    if any(e.teller_id == teller_id for e in earlier) and not named:
        if queued:
            tellers = [e.teller_id for e in earlier]
            who = EntryMakers.of(meeting).next_entry(tellers, "mismatch", designation).sentence()
            raise DomainError(
                "same_teller",
                _l("You entered this ballot already. Its next entry is made by: %(who)s.", who=who),
                status=409,
            )
        raise DomainError(
            "same_teller", _l("You entered this ballot already; a different teller enters it again."), status=409
        )
    entry = PaperEntry(
        meeting_id=meeting.id,
        meeting_voter_id=voter.id,
        teller_id=teller_id,
        choices=marks,
        image_sha256=hashlib.sha256(image).hexdigest() if image else None,
    )
    db.session.add(entry)
    db.session.flush()
    if named and designation is not None:
        designation.entry_id = entry.id
    # agreeing with someone else: an account that enters again (named) never agrees with itself into a count
    agreeing = [e for e in earlier if e.choices == marks and e.teller_id != teller_id]
    if agreeing:
        result = cast(voter, marks, "paper")
        status = "matched" if result.stored else "conflict"
        for settled in [entry, *earlier]:
            settled.status = status
    elif earlier:
        for unsettled in [entry, *earlier]:
            unsettled.status = "mismatch"
    db.session.flush()
    community = _community(meeting)
    audit.record(
        "paper.entry",
        "paper_entry",
        entry.id,
        {
            "meeting": meeting.id,
            "voter": voter.id,
            "status": entry.status,
            "image": entry.image_sha256,
            **({"named": designation.id} if named and designation is not None else {}),
        },
        township_id=community.township_id,
        community_id=community.id,
    )
    return entry


def designate(meeting: Meeting, voter: MeetingVoter, user_id: int, by_user_id: int) -> PaperDesignation:
    """The convener names the account that makes the next entry of a ballot in the mismatch queue (issue 19 item 2):
    one of `designees`, even a teller who entered it already. Naming again replaces the name; each naming is audited.
    Only an account that acts for the convener names (app.governance.acting.can_run), checked here where the act
    happens."""
    from app.governance.acting import require_run

    require_run(db.session.get_one(User, by_user_id), meeting)
    db.session.flush()
    db.session.refresh(meeting, with_for_update={"read": True})
    _check_open(meeting)
    if voter.meeting_id != meeting.id:
        raise DomainError("invalid_voter", _l("This ballot is not of this meeting."), field="voter_id")
    lock_voter(voter)
    entries = _entries(voter)
    if not entries or entries[-1].status != "mismatch":
        raise DomainError(
            "not_in_queue", _l("This ballot is not in the mismatch queue: there is nothing to settle."), status=409
        )
    if user_id not in {user.id for user in designees(meeting)}:
        raise DomainError(
            "invalid_user_id",
            _l("Name one of the community's tellers or one of the convener's own accounts."),
            field="user_id",
        )
    designation = designation_of(voter)
    previous = None if designation is None else designation.user_id
    if designation is None:
        designation = PaperDesignation(meeting_id=meeting.id, meeting_voter_id=voter.id, user_id=user_id)
        db.session.add(designation)
    designation.user_id, designation.designated_by_id = user_id, by_user_id
    designation.designated_at, designation.entry_id = utcnow(), None
    db.session.flush()
    community = _community(meeting)
    audit.record(
        "paper.designate",
        "paper_designation",
        designation.id,
        {"meeting": meeting.id, "voter": voter.id, "user": user_id, "previous": previous},
        township_id=community.township_id,
        community_id=community.id,
    )
    return designation


# --- what waits ------------------------------------------------------------------------------------------------------


def mismatch_queue(meeting: Meeting) -> list[tuple[MeetingVoter, list[PaperEntry]]]:
    """The ballots whose entries disagree, each with every entry (shown side by side to the tellers)."""
    voter_ids = db.session.scalars(
        select(PaperEntry.meeting_voter_id)
        .where(PaperEntry.meeting_id == meeting.id, PaperEntry.status == "mismatch")
        .distinct()
        .order_by(PaperEntry.meeting_voter_id)
    ).all()
    return [
        (db.session.get_one(MeetingVoter, vid), _entries(db.session.get_one(MeetingVoter, vid))) for vid in voter_ids
    ]


@dataclass(frozen=True)
class Waiting:
    """A ballot entered and not settled: waiting for a second entry ("pending") or a further one ("mismatch"). Who
    entered it and when, never what: a teller does not learn an entry's marks before making their own."""

    voter: MeetingVoter
    code: str
    status: str
    teller_ids: list[int]
    last_entered_at: datetime
    designation: PaperDesignation | None


def waiting(meeting: Meeting) -> list[Waiting]:
    """Every ballot of the meeting still waiting for an entry, in the order of the voters (issue 19 item 2)."""
    entries = db.session.scalars(
        select(PaperEntry)
        .where(PaperEntry.meeting_id == meeting.id, PaperEntry.status.in_(WAITING))
        .order_by(PaperEntry.meeting_voter_id, PaperEntry.id)
    ).all()
    by_voter: dict[int, list[PaperEntry]] = {}
    for entry in entries:
        by_voter.setdefault(entry.meeting_voter_id, []).append(entry)
    designations = {
        d.meeting_voter_id: d
        for d in db.session.scalars(
            select(PaperDesignation).where(PaperDesignation.meeting_voter_id.in_(list(by_voter)))
        )
    }
    found = []
    for voter_id, its in by_voter.items():
        voter = db.session.get_one(MeetingVoter, voter_id)
        found.append(
            Waiting(
                voter=voter,
                code=paper_code(voter),
                status=its[-1].status,
                teller_ids=[e.teller_id for e in its],
                last_entered_at=its[-1].entered_at,
                designation=designations.get(voter_id),
            )
        )
    return found


def pending_count(meeting: Meeting) -> int:
    """Entries still waiting for a second teller or in the mismatch queue (counting waits for them, issue 7)."""
    return len(
        db.session.scalars(
            select(PaperEntry.id).where(PaperEntry.meeting_id == meeting.id, PaperEntry.status.in_(WAITING))
        ).all()
    )
