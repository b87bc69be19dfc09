"""Owners acting jointly from their phones (联名; issue 20 items 4–5, DOMAIN §7 item 8): a proposal for an interim
meeting (20% of the heads, Property Management Regulations Art 13), for an audit vote (one fifth, Shaoxing Art 23),
or a joint nomination (ten heads, Shaoxing Art 13 ¶2).

- An owner drafts it; for a proposal the drafter signs first. Owners of the community co-sign from their pages; the
  running count of heads (app.rules.petitions.heads_signed, on the roll version current when it was drafted) is
  shown against the threshold. A signature can be withdrawn, and the drafter can withdraw the petition, until the
  threshold is reached; from then on the signatures are final (they are the evidence).
- A proposal that reaches its threshold starts the clock of the body in office (the owners' committee or the
  property management committee): it must announce the meeting within `CONVENE_DAYS` days (the law says "及时",
  promptly; the platform's choice is 30 days, counted as every "within N days", Civil Code Arts 201 and 203). The
  body records the meeting it announced; the township sees the clock on its pages and is reminded when it runs out
  (app.governance.reminders). Without a body in office there is nobody to convene: a proposal is refused, with why.
- A joint nomination is drafted by the person nominated (their statement and their consent are part of it, as on
  paper); ten owners co-sign; the candidate then submits it, and it enters the vetting through the same service as
  a nomination typed in by the group (app.preparation.candidates.nominate, route "joint"), which checks the
  co-signers again. A self-nomination from the phone goes the same way, route "self".
Every act is audited as the owner's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.governance import bodies
from app.owners.identity import MyCommunity
from app.owners.models import Petition, PetitionSignature
from app.preparation import candidates as nominations
from app.preparation.group import current_group
from app.preparation.models import Candidate
from app.privacy import decrypt, mask_name
from app.roll.models import RollOwner, RollUnit, RollVersion
from app.roll.weights import voter_roll
from app.rules import petitions as rules
from app.rules.calendar import CalendarMissing, deadline
from app.text import optional_text, required_text
from app.voting.models import Matter, Meeting

#: the days the body has to announce the meeting a proposal asks for (module docstring)
CONVENE_DAYS = 30
PROPOSALS = ("interim_meeting", "audit")
KIND_LABELS: dict[str, Any] = {
    "interim_meeting": _l("Proposal for an interim meeting of the assembly (owners holding 20%)"),
    "audit": _l("Proposal for an audit vote (one fifth of owners)"),
    "joint_nomination": _l("Joint nomination of a candidate (ten owners)"),
}
STATUS_LABELS: dict[str, Any] = {
    "collecting": _l("Collecting signatures"),
    "reached": _l("Threshold reached"),
    "convened": _l("Meeting convened"),
    "submitted": _l("Handed in for vetting"),
    "withdrawn": _l("Withdrawn"),
}
#: the attributes a candidate declares (seed item 13; Shaoxing Art 18), as app.preparation.candidates keeps them
ATTRIBUTES = ("party_member", "party_congress_deputy", "peoples_congress_deputy", "cppcc_member")


@dataclass(frozen=True)
class Count:
    heads: int
    needed: int
    total: int

    @property
    def reached(self) -> bool:
        return self.heads >= self.needed


def _scope(community_id: int) -> dict[str, Any]:
    community = db.session.get_one(Community, community_id)
    return {"township_id": community.township_id, "community_id": community.id}


def _voters(version: RollVersion) -> list[frozenset[str]]:
    return [voter.owners for voter in voter_roll(version.units).voters if not voter.is_developer]


def _signers(petition: Petition) -> list[str]:
    return [s.owner_lookup for s in petition.signatures if s.withdrawn_at is None]


def count(petition: Petition) -> Count:
    """The heads the petition's signatures hold on its roll version, against its threshold."""
    version = db.session.get_one(RollVersion, petition.roll_version_id)
    return Count(rules.heads_signed(_voters(version), _signers(petition)), petition.needed_heads, petition.total_heads)


def _refused(code: str, message: Any) -> DomainError:
    return DomainError(code, message, status=409)


def _new(mine: MyCommunity, kind: str, title: str, text: str, details: dict[str, Any]) -> Petition:
    version = mine.roll
    total = len(voter_roll(version.units).voters)
    petition = Petition(
        community_id=mine.community.id,
        kind=kind,
        title=required_text(title, "title", 200),
        text=optional_text(text, "text", 4000, multiline=True),
        drafter_lookup=mine.owner_lookup,
        drafter_name=mine.name,
        roll_version_id=version.id,
        total_heads=total,
        needed_heads=rules.heads_needed(kind, total),
        details=details,
    )
    db.session.add(petition)
    db.session.flush()
    audit.record(
        "petition.draft",
        "petition",
        petition.id,
        {"kind": kind, "needed": petition.needed_heads, "total": total},
        **_scope(mine.community.id),
    )
    return petition


def propose(mine: MyCommunity, kind: str, title: str, text: str, today: date) -> Petition:
    """Draft a proposal (interim meeting or audit vote), signed by its drafter."""
    if kind not in PROPOSALS:
        raise DomainError("invalid_kind", _l("Choose what you propose."), field="kind")
    if bodies.in_office(mine.community) is None:
        raise _refused(
            "no_body",
            _l(
                "The community has no owners' committee or property management committee to convene a meeting: "
                "the township leads the preparation of its meetings."
            ),
        )
    petition = _new(mine, kind, title, text, {})
    sign(petition, mine, today)
    return petition


def open_pool(community: Community) -> nominations.Pool | None:
    """Where a nomination goes today: the preparatory group preparing the first meeting, or a later meeting with an
    election still in draft; None when neither takes nominations (its list locked, voting opened, none at all)."""
    group = current_group(community)
    pools: list[nominations.Pool] = [group] if group is not None else []
    pools += list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.community_id == community.id,
                Meeting.group_id.is_(None),
                Meeting.status == "draft",
                Meeting.id.in_(select(Matter.meeting_id).where(Matter.kind == "election")),
            )
            .order_by(Meeting.id.desc())
        )
    )
    for pool in pools:
        try:
            nominations.ensure_open(pool)
        except DomainError:
            continue
        return pool
    return None


def _pool(community: Community) -> nominations.Pool:
    pool = open_pool(community)
    if pool is None:
        raise _refused("no_nominations", _l("No election of this community takes nominations at the moment."))
    return pool


def _id_number(version_id: int, lookup: str) -> str:
    cipher = db.session.scalars(
        select(RollOwner.id_number_cipher)
        .join(RollUnit, RollOwner.roll_unit_id == RollUnit.id)
        .where(RollUnit.roll_version_id == version_id, RollOwner.id_number_lookup == lookup)
        .limit(1)
    ).first()
    if cipher is None:
        raise _refused("not_on_roll", _l("You are not on the roll this is counted on."))
    return decrypt(cipher)


def _candidate_details(statement: str, stands_for: str | None, declared: dict[str, bool]) -> dict[str, Any]:
    return {
        "statement": optional_text(statement, "statement", 2000, multiline=True),
        "stands_for": stands_for or None,
        **{name: bool(declared.get(name)) for name in ATTRIBUTES},
    }


def _nominate(mine: MyCommunity, route: str, details: dict[str, Any], cosigners: list[str], today: date) -> Candidate:
    pool = _pool(mine.community)
    candidate = nominations.nominate(
        pool,
        name=mine.name,
        id_number=_id_number(mine.roll.id, mine.owner_lookup),
        route=route,
        nominated_on=today,
        user_id=None,
        cosigner_id_numbers=cosigners,
        statement=details.get("statement", ""),
        stands_for=details.get("stands_for"),
    )
    for name in ATTRIBUTES:
        setattr(candidate, name, bool(details.get(name)))
    db.session.flush()
    return candidate


def nominate_self(
    mine: MyCommunity, statement: str, stands_for: str | None, declared: dict[str, bool], today: date
) -> Candidate:
    """An owner nominates themself (Art 13 ¶2), into the vetting as the group's typed nominations go."""
    return _nominate(mine, "self", _candidate_details(statement, stands_for, declared), [], today)


def draft_nomination(
    mine: MyCommunity, statement: str, stands_for: str | None, declared: dict[str, bool], today: date
) -> Petition:
    """The person nominated drafts a joint nomination for ten owners to co-sign (module docstring)."""
    pool = _pool(mine.community)
    details = _candidate_details(statement, stands_for, declared)
    details["pool"] = ["meeting" if isinstance(pool, Meeting) else "group", pool.id]
    return _new(mine, "joint_nomination", str(_l("Nomination of %(name)s", name=mask_name(mine.name))), "", details)


def _collecting(petition: Petition) -> None:
    if petition.status != "collecting":
        raise _refused(
            "petition_closed",
            _l("This petition takes no more signatures: it is %(status)s.", status=STATUS_LABELS[petition.status]),
        )


def _on_petition_roll(petition: Petition, mine: MyCommunity) -> None:
    if mine.community.id != petition.community_id:
        raise _refused("not_on_roll", _l("You are not on the roll this is counted on."))
    _id_number(petition.roll_version_id, mine.owner_lookup)


def sign(petition: Petition, mine: MyCommunity, today: date) -> PetitionSignature:
    """Add my signature (again, if I withdrew it); the petition takes effect when the heads reach its threshold."""
    _collecting(petition)
    _on_petition_roll(petition, mine)
    if petition.kind == "joint_nomination" and mine.owner_lookup == petition.drafter_lookup:
        raise _refused("candidate_cosigns", _l("The candidate does not co-sign their own nomination."))
    signature = next((s for s in petition.signatures if s.owner_lookup == mine.owner_lookup), None)
    if signature is not None and signature.withdrawn_at is None:
        raise _refused("already_signed", _l("You have signed this already."))
    labels = "、".join(unit.label for unit in mine.units)[:200]
    if signature is None:
        signature = PetitionSignature(owner_lookup=mine.owner_lookup, name=mine.name, unit_labels=labels)
        petition.signatures.append(signature)
    else:
        signature.withdrawn_at, signature.signed_at, signature.unit_labels = None, utcnow(), labels
    db.session.flush()
    audit.record("petition.sign", "petition", petition.id, {"kind": petition.kind}, **_scope(petition.community_id))
    _check_threshold(petition, today)
    return signature


def withdraw_signature(petition: Petition, mine: MyCommunity) -> None:
    """Take my signature back, while the threshold is not reached."""
    _collecting(petition)
    signature = next(
        (s for s in petition.signatures if s.owner_lookup == mine.owner_lookup and s.withdrawn_at is None), None
    )
    if signature is None:
        raise _refused("not_signed", _l("You have not signed this."))
    signature.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("petition.unsign", "petition", petition.id, {"kind": petition.kind}, **_scope(petition.community_id))


def withdraw(petition: Petition, mine: MyCommunity) -> None:
    """The drafter withdraws the petition, while the threshold is not reached."""
    _collecting(petition)
    if mine.owner_lookup != petition.drafter_lookup:
        raise _refused("not_drafter", _l("Only the owner who drafted it can withdraw it."))
    petition.status, petition.withdrawn_at = "withdrawn", utcnow()
    db.session.flush()
    audit.record("petition.withdraw", "petition", petition.id, {"kind": petition.kind}, **_scope(petition.community_id))


def convene_due(reached_on: date) -> date | None:
    """The last day to announce the meeting a proposal asks for, or None in a year without a holiday calendar."""
    try:
        return deadline(current_calendar(), reached_on, CONVENE_DAYS)
    except CalendarMissing:
        return None


def _check_threshold(petition: Petition, today: date) -> None:
    counted = count(petition)
    if not counted.reached:
        return
    petition.status, petition.reached_on = "reached", today
    if petition.kind in PROPOSALS:
        body = bodies.in_office(db.session.get_one(Community, petition.community_id))
        petition.body_id = body.id if body is not None else None
        petition.convene_by = convene_due(today)
    db.session.flush()
    audit.record(
        "petition.reached",
        "petition",
        petition.id,
        {"kind": petition.kind, "heads": counted.heads, "total": counted.total, "convene_by": str(petition.convene_by)},
        **_scope(petition.community_id),
    )


def submit_nomination(petition: Petition, mine: MyCommunity, today: date) -> Candidate:
    """The candidate hands a joint nomination that reached ten heads to the vetting (the co-signers checked again)."""
    if petition.kind != "joint_nomination" or mine.owner_lookup != petition.drafter_lookup:
        raise _refused("not_drafter", _l("Only the candidate hands in their nomination."))
    if petition.status != "reached":
        raise _refused("not_reached", _l("The nomination needs ten co-signing owners first."))
    cosigners = [_id_number(petition.roll_version_id, lookup) for lookup in _signers(petition)]
    candidate = _nominate(mine, "joint", petition.details, cosigners, today)
    petition.status, petition.candidate_id = "submitted", candidate.id
    db.session.flush()
    audit.record(
        "petition.submit", "petition", petition.id, {"candidate": candidate.id}, **_scope(petition.community_id)
    )
    return candidate


def record_convened(petition: Petition, meeting: Meeting, user_id: int | None) -> None:
    """The body records the meeting it announced in answer to a proposal that reached its threshold."""
    if petition.kind not in PROPOSALS or petition.status != "reached":
        raise _refused("not_reached", _l("Only a proposal that reached its threshold is answered by a meeting."))
    if (
        meeting.community_id != petition.community_id
        or meeting.announced_on is None
        or (petition.reached_on is not None and meeting.announced_on < petition.reached_on)
    ):
        raise DomainError(
            "meeting_not_announced",
            _l("Choose a meeting of this community announced since the proposal reached its threshold."),
            field="meeting_id",
        )
    petition.status, petition.convened_meeting_id, petition.convened_on = "convened", meeting.id, meeting.announced_on
    db.session.flush()
    audit.record("petition.convened", "petition", petition.id, {"meeting": meeting.id}, **_scope(petition.community_id))


def of_community(community: Community, *, open_only: bool = False) -> list[Petition]:
    query = select(Petition).where(Petition.community_id == community.id)
    if open_only:
        query = query.where(Petition.status.in_(("collecting", "reached")))
    return list(db.session.scalars(query.order_by(Petition.id.desc())))


def overdue(petition: Petition, today: date) -> bool:
    return petition.status == "reached" and petition.convene_by is not None and today > petition.convene_by


def locked(petition_id: int) -> Petition | None:
    """The petition, its row locked until the transaction ends (on PostgreSQL): two last signers, or a signature and a
    withdrawal at once, are counted one after the other; a double press hands a nomination in once."""
    return db.session.get(Petition, petition_id, with_for_update=True, populate_existing=True)


def may_see_signers(user: Any, community: Community) -> bool:
    """Who signed is shown to those who act on it: the preparatory group and its township, the body in office."""
    from app.auth import permissions
    from app.governance import acting

    return permissions.can_prepare_community(user, community) or acting.can_act_for_office(user, community)
