"""/api/v1 governance: a community's self-governance state, its timeline and its governing body, and the township's
decisions on them (issue 8 items 1–3 and 10), through the same services as the community page.

Whoever sees the community reads its state. Its township's officials (can_manage_community) decide what is the
township's (the conversion, the property management committee's members, the re-election group); the body in office
acts through its own accounts (its members leaving, its officers, its filing, the meetings it convenes: DOMAIN §7 item
10, app.governance.acting). The caller's right is checked before the body is read; a community outside the caller's
scope is "not found".
"""

from __future__ import annotations

import functools
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.common import check_api_auth
from app.api.governance_schemas import (
    ConvenedSchema,
    ConveneInSchema,
    ConversionInSchema,
    ElectionInSchema,
    FilingInSchema,
    GovernanceSchema,
    MemberLeavesInSchema,
    OfficersInSchema,
    PmcMembersInSchema,
    ReElectionGroupInSchema,
)
from app.auth import permissions
from app.communities.models import Community
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.governance import acting, bodies, convening, decisions, runoffs, services
from app.governance.body_models import GoverningBody
from app.preparation.group import MemberInput
from app.results.models import Result
from app.roll.services import today
from app.rules.governance import allowed_events
from app.voting.models import Meeting

blp = Blueprint("api_governance", __name__, description="Self-governance (业主自治): state, timeline, committee")
blp.before_request(check_api_auth)


def governance_view(community: Community) -> dict[str, Any]:
    body = bodies.in_office(community)
    return {
        "community_id": community.id,
        "state": community.governance,
        "state_label": str(services.STATE_LABELS[community.governance]),
        "assembly_established_on": community.assembly_established_on,
        "allowed_events": list(allowed_events(community.governance)),
        "timeline": [
            {
                **{k: getattr(e, k) for k in ("event", "from_state", "to_state", "occurred_on", "reason", "result_id")},
                "event_label": str(services.EVENT_LABELS.get(e.event, e.event)),
            }
            for e in services.timeline(community)
        ],
        "body": None
        if body is None
        else {
            **{k: getattr(body, k) for k in ("id", "kind", "formed_on", "seats", "term_years", "term_ends_on")},
            **{k: getattr(body, k) for k in ("filed_on", "filing_certificate_on", "duties", "members")},
            "re_election_due": bodies.re_election_due(body),
            "filing_due": bodies.known_filing_due(body),
            "filing_due_provisional": bodies.filing_due_is_provisional(body),
        },
    }


def _community(community_id: int) -> Community:
    return permissions.get_community(current_user, community_id)


def _decider(community_id: int) -> Community:
    community = _community(community_id)
    permissions.require_manage_community(current_user, community)
    return community


def officials_only(view: Any) -> Any:
    """Check that the caller is an official of the community's township before the request body is read (so that
    an outsider gets 403/404, never a validation error about a body they may not send)."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _decider(kwargs["community_id"])
        return view(*args, **kwargs)

    return checked


def bodies_only(view: Any) -> Any:
    """Check that the caller acts for the community's body in office (its own accounts) before the body is read."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        community = _community(kwargs["community_id"])
        if not acting.can_act_for_office(current_user, community, chair=True):
            raise Forbidden("forbidden", _l("Only the members of the body in office may do this."))
        return view(*args, **kwargs)

    return checked


def _body(community: Community) -> GoverningBody:
    body = bodies.in_office(community)
    if body is None:
        raise NotFound("body_not_found", _l("The community has no committee in office."))
    return body


@blp.get("/communities/<id:community_id>/governance")
@blp.response(200, GovernanceSchema)
def get_governance(community_id: int) -> Any:
    """The community's state (app/rules/governance.py), the events that may happen next, its timeline, and the body
    in office with its members and alternates, term, filing and re-election dates."""
    return governance_view(_community(community_id))


@blp.post("/communities/<id:community_id>/governance/conversion")
@officials_only
@blp.arguments(ConversionInSchema)
@blp.response(200, GovernanceSchema)
def decide_conversion(data: dict[str, Any], community_id: int) -> Any:
    """Shaoxing Art 16 ¶3 and city policy item 12: convert the preparatory group into a property management committee
    (409 `conversion_is_the_rule` for "decline": the assembly stays established and its group is converted); a
    township official. 409 `not_now` unless the assembly is established without a committee."""
    community = _decider(community_id)
    decisions.decide_conversion(community, data["decision"] == "convert", data["reason"], today(), current_user.id)
    db.session.commit()
    return governance_view(community)


@blp.post("/communities/<id:community_id>/body/leaving")
@bodies_only
@blp.arguments(MemberLeavesInSchema)
@blp.response(200, GovernanceSchema)
def member_leaves(data: dict[str, Any], community_id: int) -> Any:
    """A member leaves; the first alternate in vote order takes the seat, or the seat waits for a by-election."""
    community = _community(community_id)
    body = _body(community)
    member = next((m for m in body.members if m.id == data["member_id"]), None)
    if member is None:
        raise NotFound("member_not_found", _l("No such member."))
    bodies.member_leaves(member, data["left_on"], data["reason"], data["note"], current_user.id)
    db.session.commit()
    return governance_view(community)


@blp.post("/communities/<id:community_id>/body/officers")
@bodies_only
@blp.arguments(OfficersInSchema)
@blp.response(200, GovernanceSchema)
def officers(data: dict[str, Any], community_id: int) -> Any:
    """The chair and vice-chairs chosen at the committee's first meeting."""
    community = _community(community_id)
    bodies.choose_officers(_body(community), data["chair"], list(data["vice_chairs"]), current_user.id)
    db.session.commit()
    return governance_view(community)


@blp.post("/communities/<id:community_id>/body/filing")
@bodies_only
@blp.arguments(FilingInSchema)
@blp.response(200, GovernanceSchema)
def filing(data: dict[str, Any], community_id: int) -> Any:
    """The committee's filing (备案) with the county housing authority (Shaoxing Art 17: within 30 days)."""
    community = _community(community_id)
    bodies.record_filing(_body(community), data["filed_on"], data["certificate_on"], [], current_user.id)
    db.session.commit()
    return governance_view(community)


@blp.post("/communities/<id:community_id>/body/re-election-group")
@officials_only
@blp.arguments(ReElectionGroupInSchema)
@blp.response(200, GovernanceSchema)
def re_election_group(data: dict[str, Any], community_id: int) -> Any:
    """Shaoxing Art 24 ¶3: the township forms a re-election group with its members, composed as a preparatory group
    (422 `invalid_composition` with every reason; 422 `confirm_composition` without a residents' committee member
    unless `reason` says why); 409 `re_election_not_due` unless fewer than half the seats are filled, the
    re-election is late, or the township called a meeting to re-elect the committee."""
    community = _decider(community_id)
    members = [MemberInput(**member) for member in data["members"]]
    decisions.form_re_election_group(community, _body(community), members, data["reason"], today(), current_user.id)
    db.session.commit()
    return governance_view(community)


@blp.post("/communities/<id:community_id>/meetings/convened")
@blp.arguments(ConveneInSchema)
@blp.response(201, ConvenedSchema)
def convene(data: dict[str, Any], community_id: int) -> Any:
    """The convening body (committee or property management committee in office, or the re-election group while it
    works) convenes a meeting through its own accounts (403 for anyone else, the township included); 409
    `no_convener` when the community has none. Its matters, candidates and announcement come next."""
    community = _community(community_id)
    if not acting.can_convene(current_user, community):
        raise Forbidden("forbidden", _l("Only the members of the convening body may convene a meeting."))
    meeting = convening.convene(community, data["title"], data["opens_on"], data["closes_on"], current_user.id)
    db.session.commit()
    return {"meeting_id": meeting.id, "body_id": meeting.body_id}


@blp.post("/results/<id:result_id>/runoff")
@blp.arguments(ConveneInSchema)
@blp.response(201, ConvenedSchema)
def convene_runoff(data: dict[str, Any], result_id: int) -> Any:
    """The run-off (另行选举) of the community's latest certified election whose ties wait for it (DOMAIN §5), one
    matter per waiting tie among the tied candidates; convened by the committee the election formed when in office, else
    by the election's convener while it acts, else by the community's convening body (their chairs; the preparers for
    the group's first meeting; 403 otherwise). A draft run-off that never opened is replaced. 409 `no_runoff_due`,
    `runoff_under_way` (one is open) or `not_certified`. It is announced and opened as any meeting."""
    result = db.session.get(Result, result_id)
    if result is None:
        raise NotFound("result_not_found", _l("No such result."))
    election = db.session.get_one(Meeting, result.meeting_id)
    _community(election.community_id)
    if not acting.can_convene_runoff(current_user, result):
        raise Forbidden("forbidden", _l("Only the convener of the election convenes its run-off."))
    meeting = runoffs.convene_runoff(result, data["title"], data["opens_on"], data["closes_on"], current_user.id)
    db.session.commit()
    return {"meeting_id": meeting.id, "body_id": meeting.body_id}


@blp.post("/meetings/<id:meeting_id>/election")
@blp.arguments(ElectionInSchema)
@blp.response(201, ConvenedSchema)
def add_election(data: dict[str, Any], meeting_id: int) -> Any:
    """The committee's election on a meeting convened by a body, from its approved candidate list (409
    `list_not_approved` before the township approved it; a name typed in is never a candidate)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.body_id is None:
        raise NotFound("meeting_not_found", _l("No such meeting."))
    _community(meeting.community_id)
    acting.require_run(current_user, meeting, chair=True)
    convening.add_election(
        meeting, data["seats"], data["max_alternates"], current_user.id, by_election=data["by_election"]
    )
    db.session.commit()
    return {"meeting_id": meeting.id, "body_id": meeting.body_id}


@blp.post("/communities/<id:community_id>/body/members")
@officials_only
@blp.arguments(PmcMembersInSchema)
@blp.response(200, GovernanceSchema)
def pmc_members(data: dict[str, Any], community_id: int) -> Any:
    """The township adjusts the property management committee's members, with the preparatory group's composition
    checks (Shaoxing Art 12); 422 `invalid_composition` with every reason otherwise."""
    community = _decider(community_id)
    members = [MemberInput(**member) for member in data["members"]]
    bodies.adjust_pmc_members(_body(community), members, data["reason"], today(), current_user.id)
    db.session.commit()
    return governance_view(community)
