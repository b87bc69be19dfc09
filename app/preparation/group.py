"""The preparatory group (筹备组): the report or application, formation, members, extension and dissolution.

Shaoxing Arts 11 (the township forms the group within 60 days of the report or application), 12 (composition; members
announced within 3 days) and 16 (first meeting within 90 days; one 90-day extension; then dissolution and a new group).
Services flush; the request commits. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit import services as audit
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.governance import services as governance
from app.preparation.common import find_owner, scope, today
from app.preparation.models import GroupMember, MeetingPlan, PreparatoryGroup
from app.rules.preparation import (
    ROLES,
    CompositionProblem,
    Member,
    check_composition,
    lacks_residents_committee,
    owner_representatives_needed,
)
from app.text import optional_text, required_text

REQUEST_KINDS = ("developer_report", "owners_application")


@dataclass(frozen=True)
class MemberInput:
    """A member as the township enters them; ``id_number`` is needed for owner representatives (to find them on the
    roll) and is not stored."""

    name: str
    role: str
    contact: str = ""
    id_number: str = ""
    is_leader: bool = False


def current_group(community: Community) -> PreparatoryGroup | None:
    """The community's latest preparation that is not dissolved, or None."""
    return db.session.scalars(
        select(PreparatoryGroup)
        .where(PreparatoryGroup.community_id == community.id, PreparatoryGroup.dissolved_on.is_(None))
        .order_by(PreparatoryGroup.number.desc())
        .limit(1)
    ).first()


def _not_dissolved(group: PreparatoryGroup) -> None:
    if group.dissolved_on is not None:
        raise DomainError("group_dissolved", _l("This group has been dissolved already."), status=409)


def _not_future(day: date, field: str) -> date:
    if day > today():
        raise DomainError("date_in_future", _l("This date lies in the future."), field=field)
    return day


def record_request(
    community: Community, kind: str, requested_on: date, note: str, user_id: int | None
) -> PreparatoryGroup:
    """Record the developer's report or the owners' application (Art 11): the 60-day clock to form the group starts."""
    if current_group(community) is not None:
        raise DomainError(
            "preparation_running", _l("A preparation is already under way in this community."), status=409
        )
    if kind not in REQUEST_KINDS:
        raise DomainError("invalid_request_kind", _l("Choose the developer's report or the owners' application."))
    number = (
        db.session.scalar(
            select(func.max(PreparatoryGroup.number)).where(PreparatoryGroup.community_id == community.id)
        )
        or 0
    ) + 1
    group = PreparatoryGroup(
        community_id=community.id,
        number=number,
        request_kind=kind,
        requested_on=_not_future(requested_on, "requested_on"),
        note=optional_text(note, "note", 500),
        created_by_id=user_id,
    )
    db.session.add(group)
    db.session.flush()
    audit.record(
        "preparation.request",
        "preparatory_group",
        group.id,
        {"kind": kind, "requested_on": requested_on.isoformat(), "number": number},
        **scope(community),
    )
    return group


def composition_reasons(rows: list[GroupMember], problems: tuple[CompositionProblem, ...]) -> list[str]:
    """Each reason a composition is refused, in the user's language (one line per problem kind)."""
    owners = sum(1 for m in rows if m.role == "owner_representative")
    off_roll = "、".join(m.name for m in rows if m.role == "owner_representative" and m.owner_lookup is None)
    messages: dict[str, Any] = {
        "no_members": _l("The group has no members."),
        "no_leader": _l("Name a leader: the township's representative leads the group (Shaoxing Art 12)."),
        "leader_not_township": _l("The leader must be the township's representative (Shaoxing Art 12)."),
        "no_township_representative": _l("The group needs a representative of the township (Shaoxing Art 12)."),
        "owner_representative_not_on_roll": _l(
            "Owner representatives must be owners on the roll; not found on it: %(names)s.", names=off_roll
        ),
        "owner_representatives_below_half": _l(
            "Owner representatives must be at least half of the group (Shaoxing Art 12): %(owners)d of %(total)d "
            "members, at least %(needed)d needed.",
            owners=owners,
            total=len(rows),
            needed=owner_representatives_needed(len(rows)),
        ),
    }
    return [str(messages[code]) for code in dict.fromkeys(p.code for p in problems)]


def _members(community: Community, members: list[MemberInput]) -> list[GroupMember]:
    rows: list[GroupMember] = []
    for position, spec in enumerate(members, start=1):
        if spec.role not in ROLES:
            raise DomainError("invalid_role", _l("Unknown member role."), field="members")
        name = required_text(spec.name, "name", 64)
        owner = find_owner(community, spec.id_number) if spec.role == "owner_representative" else None
        rows.append(
            GroupMember(
                position=position,
                name=name,
                role=spec.role,
                is_leader=spec.is_leader,
                contact=optional_text(spec.contact, "contact", 64),
                owner_lookup=owner.lookup if owner else None,
                unit_labels=owner.units_text if owner else "",
            )
        )
    return rows


def check_members(community: Community, members: list[MemberInput]) -> list[GroupMember]:
    """The member rows, or a DomainError "invalid_composition" listing every reason (Shaoxing Art 12)."""
    rows = _members(community, members)
    leaders = [i for i, m in enumerate(rows) if m.is_leader]
    if len(leaders) > 1:
        raise DomainError("invalid_composition", _l("Name one leader only."), field="members")
    problems = check_composition(
        [Member(m.role, m.owner_lookup is not None) for m in rows], leaders[0] if leaders else None
    )
    if problems:
        reasons = " ".join(composition_reasons(rows, problems))
        raise DomainError(
            "invalid_composition", _l("The group cannot be formed: %(reasons)s", reasons=reasons), field="members"
        )
    return rows


def form_group(
    group: PreparatoryGroup, formed_on: date, members: list[MemberInput], user_id: int | None
) -> PreparatoryGroup:
    """The township forms the group with these members (Art 12); the 3-day and 90-day clocks start on ``formed_on``.

    A composition that breaks Art 12 is refused with every reason, and nothing is stored.
    """
    community = db.session.get_one(Community, group.community_id)
    _not_dissolved(group)
    if group.formed_on is not None:
        raise DomainError("group_formed", _l("This group has been formed already."), status=409)
    if formed_on < group.requested_on:
        raise DomainError(
            "formed_before_request",
            _l("The group cannot be formed before the report or application."),
            field="formed_on",
        )
    rows = check_members(community, members)
    group.formed_on = _not_future(formed_on, "formed_on")
    group.members = rows
    group.plan = MeetingPlan()
    db.session.flush()
    audit.record(
        "preparation.form",
        "preparatory_group",
        group.id,
        {"formed_on": formed_on.isoformat(), "members": _member_summary(rows)},
        **scope(community),
    )
    governance.transition(community, "form_group", formed_on, reason=f"第 {group.number} 个筹备组", user_id=user_id)
    return group


def replace_members(
    group: PreparatoryGroup, members: list[MemberInput], reason: str, user_id: int | None
) -> PreparatoryGroup:
    """Change the members of a formed group (e.g. after owners' objections, Art 12 ¶2: the township resolves them),
    with the same composition checks; the old and new lists are both in the audit log."""
    community = db.session.get_one(Community, group.community_id)
    _not_dissolved(group)
    if group.formed_on is None:
        raise DomainError("group_not_formed", _l("Form the group first."), status=409)
    reason = required_text(reason, "reason", 500)
    before = _member_summary(group.members)
    rows = check_members(community, members)
    group.members.clear()
    db.session.flush()
    group.members.extend(rows)
    group.composition_confirmed_at = None  # a confirmation is of one composition: a new one is confirmed anew
    db.session.flush()
    audit.record(
        "preparation.members_change",
        "preparatory_group",
        group.id,
        {"reason": reason, "before": before, "after": _member_summary(rows)},
        **scope(community),
    )
    return group


def _member_summary(rows: list[GroupMember]) -> list[dict[str, Any]]:
    return [
        {"name": m.name, "role": m.role, "leader": m.is_leader, "on_roll": m.owner_lookup is not None} for m in rows
    ]


def needs_composition_confirmation(group: PreparatoryGroup) -> bool:
    """A formed group without a residents' committee member that the township has not confirmed yet (Shaoxing Art
    12 ¶1; `app.rules.preparation.lacks_residents_committee`)."""
    return (
        group.formed_on is not None
        and group.dissolved_on is None
        and group.composition_confirmed_at is None
        and lacks_residents_committee(m.role for m in group.members)
    )


def confirm_composition(group: PreparatoryGroup, reason: str, user_id: int | None) -> PreparatoryGroup:
    """The township confirms a group without a residents' committee member, with its reason (audited)."""
    community = db.session.get_one(Community, group.community_id)
    if not needs_composition_confirmation(group):
        raise DomainError(
            "nothing_to_confirm", _l("The group has a residents' committee member, or was confirmed."), status=409
        )
    reason = required_text(reason, "reason", 500)
    group.composition_confirmed_at = utcnow()
    db.session.flush()
    audit.record(
        "preparation.confirm_composition", "preparatory_group", group.id, {"reason": reason}, **scope(community)
    )
    return group


def extend_term(group: PreparatoryGroup, extended_on: date, reason: str, user_id: int | None) -> PreparatoryGroup:
    """The first meeting did not adopt the rules of procedure and covenant: the group's term runs 90 more days, once
    (Art 16 ¶2)."""
    community = db.session.get_one(Community, group.community_id)
    _not_dissolved(group)
    if group.formed_on is None:
        raise DomainError("group_not_formed", _l("Form the group first."), status=409)
    if group.extended_on is not None:
        raise DomainError(
            "already_extended",
            _l(
                "The term has been extended once already; the group is dissolved and a new one formed "
                "(Shaoxing Art 16)."
            ),
            status=409,
        )
    reason = required_text(reason, "reason", 500)
    group.extended_on = _not_future(extended_on, "extended_on")
    unscheduled = group.plan is not None and group.plan.scheduled_at is not None
    if group.plan is not None:  # the first meeting is over: the next one is prepared and scheduled anew
        group.plan.scheduled_at, group.plan.scheduled_by_id = None, None
    db.session.flush()
    audit.record(
        "preparation.extend",
        "preparatory_group",
        group.id,
        {"extended_on": extended_on.isoformat(), "reason": reason, **({"unscheduled": True} if unscheduled else {})},
        **scope(community),
    )
    return group


def dissolve(
    group: PreparatoryGroup, dissolved_on: date, reason: str, user_id: int | None, *, record_transition: bool = True
) -> PreparatoryGroup:
    """Dissolve the group (its term ran out, Art 16 ¶2); the township may then record a new request and form a new
    group."""
    community = db.session.get_one(Community, group.community_id)
    if group.dissolved_on is not None:
        raise DomainError("group_dissolved", _l("This group has been dissolved already."), status=409)
    reason = required_text(reason, "reason", 500)
    group.dissolved_on = _not_future(dissolved_on, "dissolved_on")
    db.session.flush()
    audit.record(
        "preparation.dissolve",
        "preparatory_group",
        group.id,
        {"dissolved_on": dissolved_on.isoformat(), "reason": reason},
        **scope(community),
    )
    # a request withdrawn before any group was formed changes no state; a certified second failure has already
    # moved the community (app.results.certification), so it asks for no transition of its own
    if group.formed_on is not None and record_transition:
        governance.transition(community, "dissolve_group", dissolved_on, reason=reason, user_id=user_id)
    return group


__all__ = [
    "REQUEST_KINDS",
    "MemberInput",
    "check_members",
    "composition_reasons",
    "confirm_composition",
    "current_group",
    "dissolve",
    "extend_term",
    "form_group",
    "needs_composition_confirmation",
    "owner_representatives_needed",
    "record_request",
    "replace_members",
]
