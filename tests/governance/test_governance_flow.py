"""A community's self-governance through the services and the community page (issue 8 item 1 and the start of
item 2): forming a group, a certified first meeting, the township's conversion decision, the timeline, refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.governance import decisions
from app.governance import services as governance
from app.governance.models import GovernanceEvent
from app.results import certification, closing, count_runs
from app.roll.services import today
from app.voting import ballots
from tests.conftest import AuthActions
from tests.factories import gen_member
from tests.preparation.helpers import refused
from tests.results.helpers_lifecycle import Voted, end_window, gen_voted, owner_voters
from tests.voting.helpers import announce_back


def certified_without_committee(voted: Voted) -> None:
    """Rules and covenant pass; each owner marks one candidate, so nobody wins more than half."""
    rules, covenant, election = voted.meeting.matters
    candidates = [c.id for c in election.candidates]
    for number, voter in enumerate(owner_voters(voted)):
        choice = {
            str(rules.id): "yes",
            str(covenant.id): "yes",
            str(election.id): [candidates[number % len(candidates)]],
        }
        ballots.cast(voter, choice, "phone")
    end_window(voted.meeting)
    closing.close(voted.meeting)
    result = count_runs.count(voted.meeting, voted.official.id)
    certification.publish(result, today(), voted.official.id)
    certification.certify(result, (result.objections_until or today()) + timedelta(days=1), voted.other_official.id)


@pytest.fixture
def established(app: Any) -> Voted:
    voted = gen_voted(share=0.0)
    certified_without_committee(voted)
    db.session.commit()
    return voted


def test_a_certified_first_meeting_without_a_committee_awaits_the_townships_decision(established: Voted) -> None:
    community = established.community
    assert community.governance == "established"
    assert community.assembly_established_on is not None
    steps = [(e.event, e.from_state, e.to_state) for e in governance.timeline(community)]
    assert steps == [
        ("form_group", "no_assembly", "preparing"),
        ("first_meeting_certified", "preparing", "established"),
    ]
    certified = governance.timeline(community)[-1]
    assert certified.result_id is not None
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.community_id == community.id)).all()
    assert "governance.first_meeting_certified" in actions


def test_a_refused_transition_changes_nothing(established: Voted) -> None:
    community = established.community
    before = db.session.query(GovernanceEvent).count()
    error = refused(governance.transition, community, "form_group", today())
    assert error.code == "not_now"
    assert community.governance == "established"
    assert db.session.query(GovernanceEvent).count() == before


def group_awaiting_decision() -> tuple[Any, Any]:
    """A community with a formed preparatory group whose first meeting established the assembly, no committee."""
    from tests.factories import gen_community, gen_official, gen_township
    from tests.preparation.helpers import gen_preparation

    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    gen_preparation(community, official, with_candidates=False)
    community.governance = "established"  # as after a certified first meeting without a committee
    db.session.commit()
    return community, official


def test_the_township_converts_the_group_on_the_community_page(
    client: FlaskClient, auth: AuthActions, app: Any
) -> None:
    from app.governance import bodies
    from app.preparation.group import current_group

    community, official = group_awaiting_decision()
    client.get("/lang/en")
    page = f"/communities/{community.id}"
    member = gen_member(community)
    db.session.commit()
    auth.login(member.username)
    assert "Record the decision" not in client.get(page).get_data(as_text=True)
    data = {"decision": "convert", "reason": "筹备组成员熟悉情况，由其组织业主委员会选举"}
    assert auth.post(f"{page}/governance/conversion", data, page).status_code == 403
    auth.post("/logout")
    auth.login(official.username)
    shown = client.get(page).get_data(as_text=True)
    assert 'data-state="established"' in shown
    assert "Record the decision" in shown
    assert auth.post(f"{page}/governance/conversion", {"decision": "convert", "reason": " "}, page).status_code == 302
    db.session.expire_all()
    assert community.governance == "established"  # no reason: refused, nothing changed
    assert auth.post(f"{page}/governance/conversion", data, page).status_code == 302
    db.session.expire_all()
    assert community.governance == "pmc"
    pmc = bodies.in_office(community)
    group = current_group(community)
    assert pmc is not None
    assert group is not None
    assert (pmc.kind, pmc.group_id) == ("pmc", group.id)
    assert [m.name for m in bodies.serving(pmc)] == [m.name for m in group.members]
    timeline = client.get(page).get_data(as_text=True)
    assert 'data-event="convert_to_pmc"' in timeline
    assert "筹备组成员熟悉情况" in timeline

    # the township confirms the members, replacing one who cannot serve (composition checked as the group's)
    from tests.governance.test_body_pages import members_form_data
    from tests.preparation.helpers import roll_owners, valid_members

    members_page = f"{page}/body/members"
    shown = client.get(members_page).get_data(as_text=True)
    assert f'value="{group.members[0].name}"' in shown  # the group's members, as formed
    owners = roll_owners()
    kept = [m for m in valid_members(owners) if m.name != owners[0].name]
    replacement = valid_members(owners[8:])[1]  # owners[8], an owner representative on the roll
    assert auth.post(
        members_page, {**members_form_data([*kept, replacement]), "reason": ""}, members_page
    ).status_code == (302)
    db.session.expire_all()
    assert owners[0].name in [m.name for m in bodies.serving(pmc)]  # no reason: refused, nothing changed
    data = {**members_form_data([*kept, replacement]), "reason": "一名业主代表已出售房屋"}
    assert auth.post(members_page, data, members_page).status_code == 302
    db.session.expire_all()
    serving = [m.name for m in bodies.serving(pmc)]
    assert owners[0].name not in serving
    assert owners[8].name in serving


def test_the_conversion_is_the_rule_and_cannot_be_declined(client: FlaskClient, auth: AuthActions, app: Any) -> None:
    """City policy item 12 (筹备组改设为物业管理委员会), DOMAIN §7 item 4: an established assembly stays established;
    its group is converted, and a request to decline is refused with the reason, changing nothing."""
    from app.preparation.group import current_group

    community, official = group_awaiting_decision()
    client.get("/lang/en")
    auth.login(official.username)
    page = f"/communities/{community.id}"
    assert 'value="decline"' not in client.get(page).get_data(as_text=True)
    data = {"decision": "decline", "reason": "筹备组已无法继续履职"}
    assert auth.post(f"{page}/governance/conversion", data, page).status_code == 302
    db.session.expire_all()
    assert community.governance == "established"
    assert current_group(community) is not None
    assert refused(decisions.decide_conversion, community, False, "不转", today(), official.id).code == (
        "conversion_is_the_rule"
    )


def test_a_failed_first_meeting_extends_the_group_once_then_dissolves_it(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shaoxing Art 16 ¶2: rules and covenant not adopted: 90 more days, once; failing again dissolves the group."""
    from app.preparation.group import current_group
    from tests.factories import gen_community, gen_official, gen_township
    from tests.preparation.helpers import gen_preparation

    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    prep = gen_preparation(community, official, with_candidates=False)
    failed_first_meeting(gen_voted_on(community, official), monkeypatch)
    assert community.governance == "extended"
    assert prep.group.extended_on is not None
    steps = [e.event for e in governance.timeline(community)]
    assert steps == ["form_group", "first_meeting_certified"]
    failed_first_meeting(gen_voted_on(community, official), monkeypatch)
    assert community.governance == "no_assembly"
    assert current_group(community) is None


def gen_voted_on(community: Any, official: Any) -> Voted:
    """An open first meeting on a community whose roll is loaded (tests/voting/helpers.gen_meeting)."""
    from app.communities.models import Township
    from app.voting import meetings
    from app.voting.models import MeetingVoter
    from tests.factories import gen_official
    from tests.voting.helpers import OpenMeeting, gen_meeting

    meeting = gen_meeting(community, official)
    announce_back(meeting)
    meetings.open_voting(meeting, today(), official.id)
    voters = list(db.session.query(MeetingVoter).filter_by(meeting_id=meeting.id).order_by(MeetingVoter.id))
    other = gen_official(db.session.get_one(Township, community.township_id))
    return Voted(OpenMeeting(meeting, voters), community, official, other)


def failed_first_meeting(voted: Voted, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every owner rejects the rules of procedure; closed, counted, published and certified after the notice (the
    preparation's services are told that day is today: they refuse dates in the future)."""
    from tests.preparation.helpers import freeze_today
    from tests.results.helpers_lifecycle import choices

    rules = voted.meeting.matters[0]
    for voter in owner_voters(voted):
        ballots.cast(voter, {**choices(voted.opened), str(rules.id): "no"}, "phone")
    end_window(voted.meeting)
    closing.close(voted.meeting)
    result = count_runs.count(voted.meeting, voted.official.id)
    certification.publish(result, today(), voted.official.id)
    after = (result.objections_until or today()) + timedelta(days=1)
    freeze_today(monkeypatch, after)
    certification.certify(result, after, voted.other_official.id)


def test_the_township_adjusts_the_pmcs_members_with_the_groups_composition_checks(app: Any, client: Any) -> None:
    from app.governance import bodies, decisions
    from app.preparation.group import MemberInput
    from tests.api.test_voting_api import api_of
    from tests.preparation.helpers import roll_owners

    community, official = group_awaiting_decision()
    pmc = decisions.decide_conversion(community, True, "组织选举", today(), official.id)
    assert pmc is not None
    assert pmc.term_ends_on is not None  # two years (Hangzhou Art 41, for comparison)
    owners = roll_owners()
    lopsided = [
        MemberInput("街道代表", "township", "", None, True),
        MemberInput("居委会代表", "residents_committee", ""),
        MemberInput("开发商代表", "developer", ""),
        MemberInput(owners[0].name, "owner_representative", "", owners[0].id_number),
    ]
    assert refused(bodies.adjust_pmc_members, pmc, lopsided, "调整", today(), None).code == "invalid_composition"
    api = api_of(client, official)
    body = {
        "reason": "一名业主代表已出售房屋",
        "members": [
            {"name": "街道代表", "role": "township", "is_leader": True},
            *({"name": o.name, "role": "owner_representative", "id_number": o.id_number} for o in owners[1:4]),
            {"name": "居委会代表", "role": "residents_committee"},
        ],
    }
    changed = api.post(f"/communities/{community.id}/body/members", body)
    assert changed.status_code == 200, changed.get_json()
    serving = [m["name"] for m in changed.get_json()["body"]["members"] if m["left_on"] is None]
    assert serving == ["街道代表", *(o.name for o in owners[1:4]), "居委会代表"]
