"""Owners' committees and property management committees: forming them, their officers, filing, members leaving
and alternates moving up (DOMAIN §7; Shaoxing Arts 16–19, 24; issue 8 items 2 and 3).

- A committee is formed from a certified election: its members and alternates in the election's ranking, its seats,
  its term (3 to 5 years; 5 unless the meeting's settings say otherwise). An old committee hands over and is
  dissolved that day; a property management committee goes on until the new committee is filed, then hands over
  and is dissolved (Art 16 ¶3).
- A property management committee is formed when the township converts the preparatory group: the group's members
  become its members, with the duties the township records.
- The committee chooses its chair and vice-chairs at its first meeting, and is filed (备案) within 30 days of its
  election (Civil Code Art 201/203 counting, `filing_due`).
- A member who leaves (resignation, loss of ownership, arrears after a written demand) is replaced by the first
  alternate in vote order; with no alternate left the seat waits for a by-election. Below half the seats the
  township may form a re-election group (app/rules/governance.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.calendar.services import current_calendar, is_provisional
from app.communities.models import Community
from app.db_types import SHANGHAI
from app.errors import DomainError
from app.extensions import db
from app.governance import runoffs
from app.governance.body_models import BodyMember, GoverningBody
from app.preparation.group import MemberInput, check_members
from app.preparation.models import PreparatoryGroup
from app.results.models import Result
from app.rules.calendar import CalendarMissing, deadline
from app.rules.preparation import lacks_residents_committee
from app.text import required_text
from app.voting.models import MatterCandidate, Meeting

DEFAULT_TERM_YEARS = 5
#: a property management committee's term: Shaoxing sets none; Hangzhou Art 41 (for comparison) "一般不超过二年",
#: after which the township re-forms it if no committee was elected; the township is reminded as it ends
PMC_TERM_YEARS = 2
FILING_DAYS = 30
RE_ELECTION_LEAD_DAYS = 60
LEAVING_REASONS = ("resigned", "lost_ownership", "arrears", "removed", "other")


def _record(action: str, body: GoverningBody, summary: dict[str, Any]) -> None:
    community = db.session.get_one(Community, body.community_id)
    audit.record(
        action, "governing_body", body.id, summary, township_id=community.township_id, community_id=community.id
    )


#: the bodies that hold office between meetings; a re-election group only prepares and convenes the re-election
OFFICE_KINDS = ("committee", "pmc")


def in_office(community: Community) -> GoverningBody | None:
    """The owners' committee or property management committee in office (the latest not dissolved), or None."""
    return db.session.scalars(
        select(GoverningBody)
        .where(
            GoverningBody.community_id == community.id,
            GoverningBody.dissolved_on.is_(None),
            GoverningBody.kind.in_(OFFICE_KINDS),
        )
        .order_by(GoverningBody.id.desc())
    ).first()


def re_election_group(community: Community) -> GoverningBody | None:
    """The re-election group at work (Shaoxing Art 24 ¶3), or None."""
    return db.session.scalars(
        select(GoverningBody).where(
            GoverningBody.community_id == community.id,
            GoverningBody.dissolved_on.is_(None),
            GoverningBody.kind == "re_election_group",
        )
    ).first()


def convener(community: Community) -> GoverningBody | None:
    """Who convenes the community's next meeting: the re-election group while it works (the old committee may not,
    Shaoxing Art 24 ¶3, and while its election waits for the run-off), else the committee or property management
    committee in office (DOMAIN §7 items 4, 6)."""
    group = re_election_group(community) if community.governance in ("re_election", "runoff") else None
    if community.governance == "re_election" or group is not None:
        return group
    return in_office(community)


def is_acting(body: GoverningBody, on: date) -> bool:
    """Whether the body's members act for it on ``on``: not dissolved, and within its term (DOMAIN §7 item 10; a
    committee whose term ended without a re-election waits for the township's re-election group)."""
    return body.dissolved_on is None and (body.term_ends_on is None or on <= body.term_ends_on)


def serving(body: GoverningBody, seat: str = "member") -> list[BodyMember]:
    return [m for m in body.members if m.seat == seat and m.left_on is None]


def _hand_over(community: Community, on: date, reason: str, kinds: tuple[str, ...] = ("committee", "pmc")) -> None:
    """Dissolve the community's bodies of these kinds still in office, with the reason."""
    for current in db.session.scalars(
        select(GoverningBody).where(
            GoverningBody.community_id == community.id,
            GoverningBody.dissolved_on.is_(None),
            GoverningBody.kind.in_(kinds),
        )
    ):
        current.dissolved_on, current.dissolved_reason = on, reason
        _record("body.dissolve", current, {"on": on.isoformat(), "reason": reason})


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def election_day(meeting: Meeting) -> date:
    """The day an election's vote closed (Beijing time): the end of its window, or the earlier close when every voter
    had voted. A committee's term and its 30-day filing clock run from it (Shaoxing Art 19; DOMAIN §5). A window
    ending Fri 2026-12-04 20:00 → 2026-12-04, whenever the result is certified."""
    closed = meeting.closes_at if meeting.closed_at is None else min(meeting.closed_at, meeting.closes_at)
    return closed.astimezone(SHANGHAI).date()


def filing_event(body: GoverningBody) -> date:
    """The day the filing clock starts: the committee's election (`election_day`), else the day it took office."""
    return body.elected_on or body.formed_on


def _nominations(parts: list[dict[str, Any]]) -> dict[str, int | None]:
    """The nomination of each candidate on the ballot of these election parts (package id → Candidate id)."""
    ids = [int(part["id"]) for part in parts]
    return {
        str(c.id): c.candidate_id
        for c in db.session.scalars(select(MatterCandidate).where(MatterCandidate.matter_id.in_(ids)))
    }


def committee_from_result(
    community: Community, result: Result, on: date, user_id: int | None, *, completed_by: Meeting | None = None
) -> GoverningBody:
    """The committee elected by a certified result (with its certified run-offs: ``completed_by`` the last of them),
    members and alternates in the election's ranking (app.rules.completion); candidates still contesting a seat in a
    run-off are ``tied``, alternates whose order waits for one share a rank."""
    package = json.loads(result.package)
    parts = runoffs.election_parts(package)
    if not parts:
        raise DomainError("no_election", _l("This result has no election."), status=409)
    committee = runoffs.committee_of(result)
    names = package["labels"]["candidates"]
    linked = _nominations(parts)
    meeting = db.session.get_one(Meeting, result.meeting_id)
    term = int(meeting.settings.get("term_years", DEFAULT_TERM_YEARS))  # from the rules of procedure
    # the election is complete on the day its last vote closed: its own, or its run-off's
    elected_on = min(election_day(completed_by or meeting), on)  # never after the certification that forms it
    # an old committee hands over now; a property management committee stays until the new one is filed (Art 16 ¶3)
    _hand_over(
        community,
        on,
        "handed over to the committee elected on " + on.isoformat(),
        kinds=("committee", "re_election_group"),
    )
    body = GoverningBody(
        community_id=community.id,
        kind="committee",
        formed_on=on,
        elected_on=elected_on,
        result_id=result.id,
        seats=committee.seats,
        term_years=term,
        term_ends_on=_add_years(elected_on, term) - timedelta(days=1),
        created_by_id=user_id,
    )
    body.members = [
        BodyMember(
            name=str(names.get(s.candidate, s.candidate)),
            candidate_id=linked.get(s.candidate),
            seat=s.seat,
            rank=s.rank,
            joined_on=on,
        )
        for s in committee.standing
    ]
    db.session.add(body)
    db.session.flush()
    _record("body.form", body, {"kind": "committee", "result": result.id, "members": len(committee.members)})
    return body


def apply_runoff(body: GoverningBody, result: Result, on: date) -> None:
    """A certified run-off settles the committee in office elected by ``result``: a candidate who contested a seat
    takes it, becomes an alternate or leaves (not elected); alternates whose order waited take their ranks; a seat left
    vacant goes to the first alternate (app.rules.completion). Members already seated are not moved."""
    committee = runoffs.committee_of(result)
    linked = _nominations(runoffs.election_parts(json.loads(result.package)))
    standing = {linked.get(s.candidate): s for s in committee.standing}
    changed: list[dict[str, Any]] = []
    for row in body.members:
        if row.left_on is not None or row.seat == "member":
            continue
        entry = standing.get(row.candidate_id)
        if entry is None:
            row.left_on, row.left_reason, row.left_note = on, "other", "另行选举未当选"
            changed.append({"name": row.name, "seat": None})
        elif (row.seat, row.rank) != (entry.seat, entry.rank):
            row.seat, row.rank = entry.seat, entry.rank
            changed.append({"name": row.name, "seat": entry.seat, "rank": entry.rank})
    changed.extend({"name": m.name, "seat": "member", "moved_up": True} for m in move_up(body))
    db.session.flush()
    _record("body.runoff", body, {"result": result.id, "changed": changed})


def pmc_from_group(
    community: Community, group: PreparatoryGroup, on: date, duties: str, user_id: int | None
) -> GoverningBody:
    """The property management committee converted from the preparatory group (Art 16 ¶3): its members are the
    group's, its duties as the township records them."""
    _hand_over(community, on, "converted into a property management committee")
    body = GoverningBody(
        community_id=community.id,
        kind="pmc",
        formed_on=on,
        group_id=group.id,
        seats=len(group.members),
        duties=duties,
        term_years=PMC_TERM_YEARS,
        term_ends_on=_add_years(on, PMC_TERM_YEARS) - timedelta(days=1),
        created_by_id=user_id,
    )
    body.members = [
        BodyMember(name=m.name, seat="member", rank=rank, joined_on=on) for rank, m in enumerate(group.members, start=1)
    ]
    db.session.add(body)
    db.session.flush()
    _record("body.form", body, {"kind": "pmc", "group": group.id, "members": len(group.members)})
    return body


def form_re_election_group(
    community: Community, members: list[MemberInput], reason: str, on: date, user_id: int | None
) -> GoverningBody:
    """The township's re-election group (Shaoxing Art 24 ¶3: 参照本条例第十二条、第十三条): composed as a preparatory
    group (owner representatives at least half, the township's representative leading, `check_members`); without a
    residents' committee member (Art 12 ¶1 names it) the township confirms the composition with ``reason``. It
    prepares and convenes the re-election, and is dissolved when the new committee takes office."""
    if re_election_group(community) is not None:
        raise DomainError("group_exists", _l("The re-election group has been formed already."), status=409)
    rows = check_members(community, members)
    if lacks_residents_committee(row.role for row in rows) and not reason.strip():
        raise DomainError(
            "confirm_composition",
            _l(
                "The re-election group has no residents' committee member (Shaoxing Art 12 ¶1, applied by Art 24): "
                "give the reason for this composition to confirm it."
            ),
            field="reason",
        )
    body = GoverningBody(
        community_id=community.id, kind="re_election_group", formed_on=on, seats=len(rows), created_by_id=user_id
    )
    body.members = [
        BodyMember(name=row.name, seat="member", rank=rank, joined_on=on, office="chair" if row.is_leader else None)
        for rank, row in enumerate(rows, start=1)
    ]
    db.session.add(body)
    db.session.flush()
    _record(
        "body.form",
        body,
        {"kind": "re_election_group", "members": len(rows), "composition_reason": reason.strip()[:500] or None},
    )
    return body


def choose_officers(body: GoverningBody, chair_id: int, vice_chair_ids: list[int], user_id: int | None) -> None:
    """The chair and vice-chairs chosen among the serving members at the committee's first meeting."""
    members = {m.id: m for m in serving(body)}
    chosen = [chair_id, *vice_chair_ids]
    if body.kind != "committee" or not set(chosen) <= set(members) or len(set(chosen)) != len(chosen):
        raise DomainError("invalid_officers", _l("Choose the chair and vice-chairs among the serving members."))
    for member in body.members:
        member.office = None
    members[chair_id].office = "chair"
    for member_id in vice_chair_ids:
        members[member_id].office = "vice_chair"
    _record("body.officers", body, {"chair": members[chair_id].name, "vice_chairs": len(vice_chair_ids)})


def filing_due(body: GoverningBody) -> date:
    """The last day to file the committee (within 30 days of its election; Civil Code Arts 201 and 203)."""
    return deadline(current_calendar(), filing_event(body), FILING_DAYS)


def known_filing_due(body: GoverningBody) -> date | None:
    """`filing_due` of a committee, or None: a property management committee is not filed, and a deadline in a year
    the holiday calendar does not cover yet is unknown (shown and reminded once the year is added)."""
    if body.kind != "committee":
        return None
    try:
        return filing_due(body)
    except CalendarMissing:
        return None


def filing_due_is_provisional(body: GoverningBody) -> bool:
    """Whether the committee's filing deadline was reckoned on a year without the official holiday arrangement."""
    due = known_filing_due(body)
    return due is not None and is_provisional(filing_event(body) + timedelta(days=FILING_DAYS), due)


def re_election_due(body: GoverningBody) -> date | None:
    """The day a committee's re-election must be organised: 60 days before the term ends (None for a pmc)."""
    if body.kind != "committee" or body.term_ends_on is None:
        return None
    return body.term_ends_on - timedelta(days=RE_ELECTION_LEAD_DAYS)


def adjust_pmc_members(
    body: GoverningBody, members: list[MemberInput], reason: str, on: date, user_id: int | None
) -> None:
    """The township adjusts the property management committee's members, with the preparatory group's composition
    checks (Shaoxing Art 12: owner representatives at least half, the township's representative leading); the
    members who go leave on ``on``, the new list serves from then."""
    if body.kind != "pmc":
        raise DomainError(
            "not_a_pmc", _l("Only a property management committee's members are adjusted so."), status=409
        )
    community = db.session.get_one(Community, body.community_id)
    rows = check_members(community, members)
    reason = required_text(reason, "reason", 500)
    for member in serving(body):
        member.left_on, member.left_reason, member.left_note = on, "other", reason
    body.members.extend(
        BodyMember(name=row.name, seat="member", rank=len(body.members) + rank, joined_on=on)
        for rank, row in enumerate(rows, start=1)
    )
    body.seats = len(rows)
    _record("body.members_change", body, {"reason": reason, "members": [row.name for row in rows]})


def document_fingerprints(files: Iterable[tuple[str, bytes]]) -> list[dict[str, str]]:
    """The filed documents as the record keeps them: each name (at most 200 characters) and its SHA-256; the scans
    themselves stay with the committee and the housing authority."""
    return [{"name": name.strip()[:200], "sha256": hashlib.sha256(data).hexdigest()} for name, data in files]


def record_filing(
    body: GoverningBody,
    filed_on: date,
    certificate_on: date | None,
    documents: list[dict[str, str]],
    user_id: int | None,
) -> None:
    if body.kind != "committee":
        raise DomainError("not_a_committee", _l("Only an owners' committee is filed."), status=409)
    if filed_on < body.formed_on or (certificate_on is not None and certificate_on < filed_on):
        raise DomainError(
            "invalid_filing_dates",
            _l("The filing cannot come before the election, nor the certificate before the filing."),
        )
    body.filed_on, body.filing_certificate_on, body.filing_documents = filed_on, certificate_on, documents
    community = db.session.get_one(Community, body.community_id)
    _hand_over(community, filed_on, "the owners' committee is filed: handed over and dissolved", kinds=("pmc",))
    due = known_filing_due(body)
    late = None if due is None else filed_on > due  # unknown, not refused, without the deadline's calendar
    _record("body.filing", body, {"filed_on": filed_on.isoformat(), "late": late})


def move_up(body: GoverningBody) -> list[BodyMember]:
    """Fill the body's vacant seats with its first alternates in vote order (Shaoxing Art 18), as long as the first is
    certain: not while candidates tied for a seat or alternates tied for that place wait for their run-off (DOMAIN
    §5; nobody is picked by ballot order or id). Returns who moved up."""
    moved: list[BodyMember] = []
    vacant = body.seats - len(serving(body))
    alternates = sorted(serving(body, "alternate"), key=lambda m: m.rank)
    if serving(body, "tied"):
        return moved
    while vacant > 0 and alternates and (len(alternates) == 1 or alternates[1].rank != alternates[0].rank):
        first = alternates.pop(0)
        first.seat = "member"
        moved.append(first)
        vacant -= 1
    return moved


def member_leaves(member: BodyMember, on: date, reason: str, note: str, user_id: int | None) -> BodyMember | None:
    """The member leaves; the first alternate in vote order takes the seat (returned), or None: a by-election."""
    if reason not in LEAVING_REASONS:
        raise DomainError("invalid_reason", _l("Choose why the member leaves."), field="reason")
    if member.left_on is not None:
        raise DomainError("already_left", _l("This member has left already."), status=409)
    member.left_on, member.left_reason = on, reason
    member.left_note = required_text(note, "note", 500) if note.strip() else ""
    moved = move_up(member.body) if member.seat == "member" else []
    _record(
        "body.member_leaves",
        member.body,
        {"member": member.name, "reason": reason, "replaced_by": moved[0].name if moved else None},
    )
    return moved[0] if moved else None


def fill_vacancies(community: Community, result: Result, on: date, user_id: int | None) -> list[BodyMember]:
    """A certified by-election's winners take the committee's vacant seats, in the election's ranking."""
    package = json.loads(result.package)
    election = next((m for m in package["matters"] if m["type"] == "election" and m.get("by_election")), None)
    body = in_office(community)
    if election is None or body is None or body.kind != "committee":
        return []
    names = package["labels"]["candidates"]
    elected = package["tally"]["matters"][str(election["id"])]["members"]
    start = max((m.rank for m in body.members), default=0)
    added = [
        BodyMember(name=str(names.get(cid, cid)), seat="member", rank=start + rank, joined_on=on)
        for rank, cid in enumerate(elected, start=1)
    ]
    body.members.extend(added)
    db.session.flush()
    _record("body.by_election", body, {"result": result.id, "elected": [m.name for m in added]})
    return added
