"""The township's governance decisions, shared by the pages and the API (Shaoxing Arts 16 ¶3 and 24)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from app.communities.models import Community
from app.errors import DomainError
from app.governance import bodies, services
from app.governance.body_models import GoverningBody
from app.preparation.group import MemberInput, current_group
from app.rules.governance import Facts


def decide_conversion(community: Community, convert: bool, reason: str, on: date, user_id: int) -> GoverningBody | None:
    """After a certified first meeting that established the assembly without a committee, the township converts the
    preparatory group into a property management committee (its members become the committee's; a member who cannot
    serve is replaced afterwards, `bodies.adjust_pmc_members`). The conversion is the rule in Zhuji (city policy item
    12: 筹备组改设为物业管理委员会; Shaoxing Art 16 ¶3 allows it) and the assembly stays established: declining is
    refused (``convert`` false → `conversion_is_the_rule`)."""
    if community.governance != "established":
        raise DomainError("not_now", services.REFUSALS["not_now"], status=409)
    group = current_group(community)
    if group is None:
        raise DomainError("no_group", _l("The community has no preparatory group."), status=409)
    if not convert:
        raise DomainError(
            "conversion_is_the_rule",
            _l(
                "The established assembly keeps its preparatory group as the property management committee (city "
                "policy item 12; Shaoxing Art 16 ¶3): record the conversion; a member who cannot serve is replaced "
                "afterwards."
            ),
            status=409,
        )
    services.transition(community, "convert_to_pmc", on, reason=reason, user_id=user_id)
    return bodies.pmc_from_group(community, group, on, reason, user_id)


def re_election_facts(body: GoverningBody, on: date) -> Facts:
    """What Art 24 looks at: the serving members against the seats, and whether the re-election is late."""
    due = bodies.re_election_due(body)
    return Facts(members=len(bodies.serving(body)), seats=body.seats, re_election_overdue=due is not None and on > due)


def form_re_election_group(
    community: Community, body: GoverningBody, members: list[MemberInput], reason: str, on: date, user_id: int
) -> GoverningBody:
    """Art 24: the township forms a re-election group with its members (refused unless the committee is below half,
    its re-election is late, or the township called a meeting to re-elect it, `app.governance.supervision`, which
    moved the community to ``re_election`` already and leaves the group's members to this step)."""
    if community.governance != "re_election":
        services.transition(community, "form_re_election_group", on, facts=re_election_facts(body, on), user_id=user_id)
    return bodies.form_re_election_group(community, members, reason, on, user_id)
