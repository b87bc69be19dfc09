"""Candidates for the owners' committee: nomination, profile, eligibility, vetting by the group, review by the
township, withdrawal; and the written arrears demands that bar a candidacy (Shaoxing Arts 13, 17, 22; DOMAIN §6).

Choices made here:
- a second standing nomination of the same owner is recorded, and its "not already nominated" check fails with the
  earlier one as evidence, so that the group sees both and rejects one;
- the list is locked while the township reviews it and once approved; a candidate can still withdraw;
- four eyes: the township official who approves or returns a list is neither the one who submitted it nor one who
  vetted a candidate on it.
Services flush; the request commits. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent, InvalidFormat

from app.audit import services as audit
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.images import reencoded_jpeg
from app.preparation.common import find_owner, owner_by_lookup, owner_by_number, roll_for_candidates, scope, today
from app.preparation.models import ArrearsDemand, Candidate, CandidateCosigner, CandidateListReview, PreparatoryGroup
from app.privacy import lookup_hash
from app.roll.weights import voter_roll
from app.rules import candidates as rules
from app.text import optional_text, required_text
from app.voting.models import Meeting

STANDING = ("nominated", "accepted")
#: a joint nomination needs ten co-signers (Art 13); more lines than this are refused before any look-up
MAX_COSIGNER_LINES = 200
ARREARS_KINDS = ("property_fee", "maintenance_fund")
PHOTO_MAX_SIDE = 600

#: the lists a candidate may stand on when members and alternates are elected separately (DOMAIN §5)
LISTS = ("members", "alternates")


#: whose nominations these are: the preparatory group's for the first meeting, or a later meeting's, convened by a
#: property management committee, an owners' committee or a re-election group (DOMAIN §7 item 7: one pipeline)
Pool = PreparatoryGroup | Meeting


def _community(pool: Pool) -> Community:
    community = db.session.get_one(Community, pool.community_id)
    return community


def in_pool(pool: Pool, model: type[Candidate] | type[CandidateListReview]) -> ColumnElement[bool]:
    """The SQL condition "belongs to this pool" for candidates or list reviews."""
    if isinstance(pool, Meeting):
        return model.meeting_id == pool.id
    return model.group_id == pool.id


def pool_of(candidate: Candidate) -> Pool:
    if candidate.meeting_id is not None:
        return db.session.get_one(Meeting, candidate.meeting_id)
    return db.session.get_one(PreparatoryGroup, candidate.group_id)


def review_pool(review: CandidateListReview) -> Pool:
    if review.meeting_id is not None:
        return db.session.get_one(Meeting, review.meeting_id)
    return db.session.get_one(PreparatoryGroup, review.group_id)


def latest_review(pool: Pool) -> CandidateListReview | None:
    """The pool's latest submission of its list, whatever its decision (None before the first)."""
    return db.session.scalars(
        select(CandidateListReview)
        .where(in_pool(pool, CandidateListReview))
        .order_by(CandidateListReview.id.desc())
        .limit(1)
    ).first()


def pending_or_approved_review(pool: Pool) -> CandidateListReview | None:
    return db.session.scalars(
        select(CandidateListReview)
        .where(in_pool(pool, CandidateListReview), CandidateListReview.decision.in_(("pending", "approved")))
        .order_by(CandidateListReview.id.desc())
        .limit(1)
    ).first()


def approved_candidates(pool: Pool) -> list[Candidate]:
    """The accepted candidates of the pool's approved list, in nomination order (empty without an approved list)."""
    review = pending_or_approved_review(pool)
    if review is None or review.decision != "approved":
        return []
    return list(
        db.session.scalars(
            select(Candidate)
            .where(Candidate.id.in_(review.candidate_ids), Candidate.status == "accepted")
            .order_by(Candidate.id)
        )
    )


def _active(pool: Pool) -> None:
    if isinstance(pool, Meeting):
        if pool.status != "draft":
            raise DomainError("meeting_opened", _l("Voting has opened: the candidates are fixed."), status=409)
        return
    if pool.formed_on is None or pool.dissolved_on is not None:
        raise DomainError(
            "group_not_active", _l("The preparatory group is not formed or has been dissolved."), status=409
        )


def ensure_open(pool: Pool) -> None:
    """Refuse (409) unless the pool takes nominations: active, and its list neither under review nor approved."""
    _active(pool)
    review = pending_or_approved_review(pool)
    if review is not None:
        message = (
            _l("The township is reviewing the candidate list; wait for its decision.")
            if review.decision == "pending"
            else _l("The candidate list has been approved and is locked.")
        )
        raise DomainError("list_locked", message, status=409)


def cosigner_messages(problems: Sequence[rules.NominationProblem]) -> list[str]:
    """Why a joint nomination is refused, line by line, in the user's language."""
    messages = []
    for problem in problems:
        args = dict(problem.args)
        if problem.code == "candidate_cosigns":
            messages.append(_("Line %(line)d is the candidate, who cannot co-sign their own nomination.", **args))
        elif problem.code == "duplicate_cosigner":
            messages.append(_("Line %(line)d repeats an earlier co-signer.", **args))
        elif problem.code == "cosigner_not_on_roll":
            messages.append(_("Line %(line)d is not an owner on the roll.", **args))
        else:
            messages.append(
                _(
                    "A joint nomination needs at least %(needed)d owners on the roll, counted in heads: the "
                    "co-owners of one unit count once (Shaoxing Art 13); %(valid)d found.",
                    **args,
                )
            )
    return messages


def nominate(
    pool: Pool,
    *,
    name: str,
    id_number: str,
    route: str,
    nominated_on: date,
    user_id: int | None,
    cosigner_id_numbers: Sequence[str] = (),
    statement: str = "",
    stands_for: str | None = None,
) -> Candidate:
    """Record a nomination (Art 13 ¶2): an owner's self-nomination, the residents' committee's, or ten or more owners'
    jointly (each co-signer an owner on the roll; the list of ID numbers is checked line by line and not stored).
    ``pool``: the preparatory group (first meeting), or the draft meeting whose election the nomination is for.
    With separate lists a candidate stands on one of them, ``stands_for`` "members" or "alternates" (DOMAIN §5)."""
    ensure_open(pool)
    community = _community(pool)
    if not separate_lists(pool):
        stands_for = None
    elif stands_for not in LISTS:
        raise DomainError(
            "choose_list",
            _l("The election rules elect members and alternates on separate lists: choose the candidate's list."),
            field="stands_for",
        )
    if route not in rules.ROUTES:
        raise DomainError("invalid_route", _l("Choose how the candidate was nominated."), field="route")
    if nominated_on > today():
        raise DomainError("date_in_future", _l("This date lies in the future."), field="nominated_on")
    id_number = required_text(id_number, "id_number", 32)
    owner = find_owner(community, id_number)
    key = owner.lookup if owner is not None else lookup_hash(id_number)
    cosigners: list[CandidateCosigner] = []
    if route == "joint":
        if len(cosigner_id_numbers) > MAX_COSIGNER_LINES:
            raise DomainError(
                "too_many_cosigners",
                _l("At most %(n)d co-signers' lines; ten are enough.", n=MAX_COSIGNER_LINES),
                field="cosigners",
            )
        version = roll_for_candidates(community)
        # the lines as typed, blank ones skipped but counted, so that a problem names the line the group sees
        lines = [(number, line) for number, line in enumerate(cosigner_id_numbers, start=1) if line.strip()]
        found = [owner_by_number(version, line) if version is not None else None for _, line in lines]
        keys = [f.lookup if f is not None else lookup_hash(line) for f, (_, line) in zip(found, lines, strict=True)]
        problems = tuple(
            replace(p, args={**p.args, "line": lines[p.args["line"] - 1][0]}) if "line" in p.args else p
            for p in rules.check_joint_nomination(
                key,
                [rules.Cosigner(k, f is not None) for k, f in zip(keys, found, strict=True)],
                [voter.owners for voter in voter_roll(version.units).voters] if version is not None else None,
            )
        )
        if problems:
            raise DomainError("invalid_joint_nomination", " ".join(cosigner_messages(problems)), field="cosigners")
        cosigners = [
            CandidateCosigner(position=i, owner_lookup=f.lookup, name=f.name, unit_labels=f.units_text)
            for i, f in enumerate((f for f in found if f is not None), start=1)
        ]
    candidate = Candidate(
        group_id=pool.id if isinstance(pool, PreparatoryGroup) else None,
        meeting_id=pool.id if isinstance(pool, Meeting) else None,
        owner_lookup=key,
        name=required_text(name, "name", 64),
        unit_labels=owner.units_text if owner else "",
        route=route,
        nominated_on=nominated_on,
        statement=optional_text(statement, "statement", 2000, multiline=True),
        stands_for=stands_for,
        recorded_by_id=user_id,
        cosigners=cosigners,
        birth_date=birth_date_of(id_number),
    )
    db.session.add(candidate)
    db.session.flush()
    audit.record(
        "candidate.nominate",
        "candidate",
        candidate.id,
        {"route": route, "on_roll": owner is not None, "cosigners": len(cosigners), "list": stands_for},
        **scope(community),
    )
    return candidate


def update_profile(
    candidate: Candidate,
    *,
    statement: str,
    party_member: bool,
    peoples_congress_deputy: bool,
    cppcc_member: bool,
    declaration_made: bool,
    declared_acts: Sequence[int],
    property_company_tie: bool | None,
    user_id: int | None,
    party_congress_deputy: bool = False,
    under_guardianship: bool = False,
    stands_for: str | None = None,
) -> Candidate:
    """The candidate's statement, voluntary declarations (seed item 13: party member, 党代表, deputy, CPPCC member),
    the signed declaration on Art 22, whether the person is under guardianship (full civil capacity, DOMAIN §6), and
    with separate lists the list they stand on (``stands_for``; None keeps it)."""
    pool = pool_of(candidate)
    ensure_open(pool)
    if stands_for is not None and separate_lists(pool):
        if stands_for not in LISTS:
            raise DomainError("choose_list", _l("Choose the candidate's list."), field="stands_for")
        candidate.stands_for = stands_for
    if candidate.status != "nominated":
        raise DomainError("already_vetted", _l("This candidate has been vetted; the profile is fixed."), status=409)
    acts = sorted(set(declared_acts))
    if any(act not in rules.PROHIBITED_ACTS for act in acts):
        raise DomainError("invalid_declared_acts", _l("Unknown item of Shaoxing Art 22."), field="declared_acts")
    if acts and not declaration_made:
        raise DomainError(
            "declaration_missing", _l("Declared acts need the signed declaration."), field="declared_acts"
        )
    candidate.statement = optional_text(statement, "statement", 2000, multiline=True)
    candidate.party_member, candidate.peoples_congress_deputy = party_member, peoples_congress_deputy
    candidate.cppcc_member, candidate.declaration_made = cppcc_member, declaration_made
    candidate.party_congress_deputy, candidate.under_guardianship = party_congress_deputy, under_guardianship
    candidate.declared_acts, candidate.property_company_tie = acts, property_company_tie
    db.session.flush()
    audit.record(
        "candidate.profile",
        "candidate",
        candidate.id,
        {
            "declaration_made": declaration_made,
            "declared_acts": acts,
            "property_company_tie": property_company_tie,
            "under_guardianship": under_guardianship,
        },
        **scope(_community(pool)),
    )
    return candidate


def set_photo(candidate: Candidate, data: bytes, user_id: int | None) -> Candidate:
    """Keep an optional photo, re-encoded as a JPEG of at most 600 px without its metadata (EXIF can hold a
    location)."""
    pool = pool_of(candidate)
    _active(pool)
    if candidate.status not in STANDING:
        raise DomainError("not_standing", _l("This candidate is no longer standing."), status=409)
    candidate.photo, candidate.photo_type = reencoded_jpeg(data, PHOTO_MAX_SIDE), "image/jpeg"
    db.session.flush()
    audit.record(
        "candidate.photo", "candidate", candidate.id, {"bytes": len(candidate.photo)}, **scope(_community(pool))
    )
    return candidate


def facts_of(candidate: Candidate) -> rules.CandidateFacts:
    """What the eligibility checks need, read from the roll, the demands and the other nominations."""
    pool = pool_of(candidate)
    community = _community(pool)
    version = roll_for_candidates(community)
    owner = owner_by_lookup(version, candidate.owner_lookup) if version is not None else None
    demands = db.session.scalars(
        select(ArrearsDemand).where(
            ArrearsDemand.community_id == community.id, ArrearsDemand.owner_lookup == candidate.owner_lookup
        )
    ).all()
    earlier = db.session.scalars(
        select(Candidate.id).where(
            Candidate.group_id == pool.id,
            Candidate.owner_lookup == candidate.owner_lookup,
            Candidate.status.in_(STANDING),
            Candidate.id < candidate.id,
        )
    ).all()
    return rules.CandidateFacts(
        units=owner.unit_labels if owner else (),
        roll_version=version.number if version is not None else None,
        demands=tuple(
            rules.ArrearsDemand(d.kind, d.amount_fen, d.demanded_on, d.paid_on)  # type: ignore[arg-type]
            for d in demands
        ),
        declaration_made=candidate.declaration_made,
        declared_acts=tuple(candidate.declared_acts or ()),
        property_company_tie=candidate.property_company_tie,
        other_nominations=tuple(earlier),
        birth_date=candidate.birth_date,
        checked_on=candidate.vetted_at.astimezone(SHANGHAI).date() if candidate.vetted_at else today(),
        under_guardianship=candidate.under_guardianship,
        arrears_bar=arrears_bar(pool),
    )


def separate_lists(pool: Pool) -> bool:
    """Whether the election rules elect members and alternates on separate lists (DOMAIN §5): the group's plan, or the
    meeting's settings."""
    if isinstance(pool, Meeting):
        return pool.settings.get("alternates_list") == "separate"
    return pool.plan is not None and pool.plan.alternates_list == "separate"


def arrears_bar(pool: Pool) -> bool:
    """Whether the rules of procedure bar a candidacy for unpaid fees after a written demand (DOMAIN §6): the group's
    rules as planned, or the meeting's settings (copied from the community's last meeting); on by default."""
    if isinstance(pool, Meeting):
        return bool(pool.settings.get("arrears_bar", True))
    return pool.plan.arrears_bar if pool.plan is not None else True


def birth_date_of(id_number: str) -> date | None:
    """The birth date a mainland resident ID number carries (digits 7–14), or None for another document."""
    try:
        born: date = ric.get_birth_date(ric.compact(id_number))
    except (ValueError, TypeError, InvalidFormat, InvalidComponent):
        return None
    return born


def eligibility(candidate: Candidate) -> tuple[rules.Check, ...]:
    return rules.check_eligibility(facts_of(candidate))


def vet(candidate: Candidate, accept: bool, reason: str, user_id: int | None) -> Candidate:
    """The group's decision on a nomination (Art 13 ¶2: 资格审查与确定). Accepting needs every eligibility check to
    pass; rejecting needs a reason. Both stay on record."""
    pool = pool_of(candidate)
    ensure_open(pool)
    if candidate.status != "nominated":
        raise DomainError("already_vetted", _l("This candidate has been vetted already."), status=409)
    checks = eligibility(candidate)
    if accept and not rules.is_eligible(checks):
        failing = [c.code for c in checks if c.outcome != "pass"]
        raise DomainError(
            "not_eligible",
            _l(
                "Every eligibility check must pass before the candidate is accepted; not passed: %(checks)s.",
                checks=", ".join(str(CHECK_LABELS[c]) for c in failing),
            ),
            status=409,
        )
    candidate.vetting_reason = optional_text(reason, "reason", 500) if accept else required_text(reason, "reason", 500)
    candidate.status = "accepted" if accept else "rejected"
    candidate.vetted_by_id, candidate.vetted_at = user_id, utcnow()
    db.session.flush()
    audit.record(
        "candidate.vet",
        "candidate",
        candidate.id,
        {
            "decision": candidate.status,
            "reason": candidate.vetting_reason,
            "checks": {c.code: c.outcome for c in checks},
        },
        **scope(_community(pool)),
    )
    return candidate


def withdraw(candidate: Candidate, reason: str, user_id: int | None) -> Candidate:
    """The candidate withdraws (at any time before the vote); recorded by the group for them."""
    pool = pool_of(candidate)
    _active(pool)
    if candidate.status not in STANDING:
        raise DomainError("not_standing", _l("This candidate is no longer standing."), status=409)
    candidate.status, candidate.withdrawal_reason = "withdrawn", required_text(reason, "reason", 500)
    candidate.withdrawn_at = utcnow()
    db.session.flush()
    audit.record(
        "candidate.withdraw",
        "candidate",
        candidate.id,
        {"reason": candidate.withdrawal_reason},
        **scope(_community(pool)),
    )
    return candidate


def submit_list(pool: Pool, user_id: int | None) -> CandidateListReview:
    """Send the accepted candidates to the township for review (seed item 13); every nomination must be vetted."""
    ensure_open(pool)
    standing = db.session.scalars(select(Candidate).where(in_pool(pool, Candidate)).order_by(Candidate.id)).all()
    if any(c.status == "nominated" for c in standing):
        raise DomainError("unvetted_candidates", _l("Vet every nomination before submitting the list."), status=409)
    accepted = [c.id for c in standing if c.status == "accepted"]
    if not accepted:
        raise DomainError("empty_list", _l("No candidate has been accepted."), status=409)
    without = [c.name for c in standing if c.status == "accepted" and c.stands_for is None]
    if separate_lists(pool) and without:
        raise DomainError(
            "list_not_chosen",
            _l("Separate lists: choose the list of %(names)s on their pages.", names="、".join(without)),
            status=409,
        )
    review = CandidateListReview(
        group_id=pool.id if isinstance(pool, PreparatoryGroup) else None,
        meeting_id=pool.id if isinstance(pool, Meeting) else None,
        candidate_ids=accepted,
        submitted_by_id=user_id,
    )
    db.session.add(review)
    db.session.flush()
    audit.record(
        "candidate_list.submit",
        "candidate_list_review",
        review.id,
        {"candidates": accepted},
        **scope(_community(pool)),
    )
    return review


def review_list(review: CandidateListReview, approve: bool, reasons: str, user_id: int | None) -> CandidateListReview:
    """The township approves the list, or returns it with reasons (then the group may vet again and resubmit)."""
    pool = review_pool(review)
    _active(pool)
    if review.decision != "pending":
        raise DomainError("review_decided", _l("This list has been decided already."), status=409)
    vetters = set(
        db.session.scalars(select(Candidate.vetted_by_id).where(Candidate.id.in_(review.candidate_ids))).all()
    )
    if user_id is not None and (user_id == review.submitted_by_id or user_id in vetters):
        raise DomainError("four_eyes", _l("Another official must review a list you submitted or vetted."), status=403)
    review.reasons = (
        optional_text(reasons, "reasons", 2000, multiline=True)
        if approve
        else required_text(reasons, "reasons", 2000, multiline=True)
    )
    review.decision = "approved" if approve else "returned"
    review.decided_by_id, review.decided_at = user_id, utcnow()
    if not approve:
        for candidate in db.session.scalars(select(Candidate).where(Candidate.id.in_(review.candidate_ids))):
            if candidate.status == "accepted":
                candidate.status = "nominated"
    db.session.flush()
    audit.record(
        "candidate_list.review",
        "candidate_list_review",
        review.id,
        {"decision": review.decision, "reasons": review.reasons},
        **scope(_community(pool)),
    )
    return review


def record_demand(
    community: Community,
    *,
    id_number: str,
    kind: str,
    amount_fen: int,
    demanded_on: date,
    user_id: int | None,
) -> ArrearsDemand:
    """Record a written demand for unpaid fees to an owner on the roll (evidence for Art 17 ¶2 (3))."""
    owner = find_owner(community, required_text(id_number, "id_number", 32))
    if owner is None:
        raise DomainError("not_on_roll", _l("No owner with this ID number on the roll."), field="id_number")
    if kind not in ARREARS_KINDS:
        raise DomainError("invalid_kind", _l("Choose property fees or maintenance fund."), field="kind")
    if amount_fen <= 0:
        raise DomainError("invalid_amount", _l("Enter the amount demanded."), field="amount")
    if demanded_on > today():
        raise DomainError("date_in_future", _l("This date lies in the future."), field="demanded_on")
    demand = ArrearsDemand(
        community_id=community.id,
        owner_lookup=owner.lookup,
        owner_name=owner.name,
        unit_labels=owner.units_text,
        kind=kind,
        amount_fen=amount_fen,
        demanded_on=demanded_on,
        recorded_by_id=user_id,
    )
    db.session.add(demand)
    db.session.flush()
    audit.record(
        "arrears.demand",
        "arrears_demand",
        demand.id,
        {"kind": kind, "amount_fen": amount_fen, "demanded_on": demanded_on.isoformat()},
        **scope(community),
    )
    return demand


def record_payment(demand: ArrearsDemand, paid_on: date, user_id: int | None) -> ArrearsDemand:
    """The owner paid what the demand asked for."""
    community = db.session.get_one(Community, demand.community_id)
    if demand.paid_on is not None:
        raise DomainError("already_paid", _l("This demand has been paid already."), status=409)
    if paid_on < demand.demanded_on or paid_on > today():
        raise DomainError("invalid_paid_on", _l("The payment date lies between the demand and today."), field="paid_on")
    demand.paid_on = paid_on
    db.session.flush()
    audit.record("arrears.paid", "arrears_demand", demand.id, {"paid_on": paid_on.isoformat()}, **scope(community))
    return demand


CHECK_LABELS: dict[str, Any] = {
    "on_roll": _l("An owner on the roll"),
    "full_civil_capacity": _l("Full civil capacity (18 or older, not under guardianship)"),
    "no_arrears_after_demand": _l("No unpaid fees after a written demand"),
    "no_prohibited_act": _l("No prohibited act (Shaoxing Art 22)"),
    "no_property_company_tie": _l("No tie with the property company"),
    "single": _l("Not already nominated"),
}
