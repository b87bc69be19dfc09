"""One community through every body of DOMAIN §7, each step by the account the law gives it (issue 14, done when):
the first meeting fails to adopt the rules → the group's term is extended → a second first meeting adopts them but
elects no committee → the township converts the group (its members confirmed, one replaced) → the property management
committee, through its own account, convenes, nominates, vets and announces; the township reviews the list and
certifies → the committee is filed, its accounts act, the property management committee's are gone → its term ends,
its re-election late → the township's re-election group convenes the re-election → a new committee.

Services only (the pages of each step have their own tests; the browser journey is tests/browser/test_bodies.py).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.auth import permissions
from app.auth.models import RoleGrant, User
from app.communities.models import Community
from app.demo.candidates import declare_and_accept, owners_on_roll
from app.extensions import db
from app.governance import acting, bodies, convening, decisions
from app.governance.body_models import GoverningBody
from app.preparation import candidates
from app.preparation.group import MemberInput
from app.results import certification, closing, count_runs
from app.roll.services import today
from app.voting import ballots, meetings
from app.voting.models import Meeting
from tests.clock import travel_to
from tests.factories import gen_community, gen_official, gen_township
from tests.governance.pipeline import body_account, hold
from tests.governance.test_governance_flow import failed_first_meeting, gen_voted_on
from tests.preparation.helpers import freeze_today, gen_preparation, refused, roll_owners, valid_members
from tests.results.helpers_lifecycle import choices, end_window, owner_voters


def _grant(user: User) -> RoleGrant:
    (grant,) = user.grants
    return grant


def _elect(meeting: Meeting, actor: User, official: User, start: int) -> list[int]:
    """The convening body's account nominates six owners of the roll, checks and vets them; the township approves the
    list (four eyes: not the account that submitted it); the election of 5 and 1 alternate is made from it."""
    community = db.session.get_one(Community, meeting.community_id)
    for name, id_number in owners_on_roll(community, start, 6):
        nominated = candidates.nominate(
            meeting, name=name, id_number=id_number, route="self", nominated_on=today(), user_id=actor.id
        )
        declare_and_accept(nominated, "愿意为业主服务。", actor.id)
    review = candidates.submit_list(meeting, actor.id)
    assert refused(candidates.review_list, review, True, "", actor.id).code == "four_eyes"
    candidates.review_list(review, True, "名单符合条件", official.id)
    election = convening.add_election(meeting, 5, 1, actor.id)
    return [c.id for c in election.candidates]


def _hold(meeting: Meeting, actor: User, official: User, picks: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Held to its certification (`pipeline.hold`): every owner marks five of the six."""
    election = next(m for m in meeting.matters if m.kind == "election")
    hold(meeting, actor, official, lambda n: {str(election.id): picks[:5] if n % 4 else picks[1:6]}, monkeypatch)


def _second_first_meeting_without_a_committee(community: Community, official: User, monkeypatch: pytest.MonkeyPatch):
    voted = gen_voted_on(community, official)
    for voter in owner_voters(voted):  # rules and covenant adopted; nobody marked in the election
        ballots.cast(voter, choices(voted.opened, "yes", picked=0), "phone")
    end_window(voted.meeting)
    closing.close(voted.meeting)
    result = count_runs.count(voted.meeting, official.id)
    certification.publish(result, today(), official.id)
    after = (result.objections_until or today()) + timedelta(days=1)
    freeze_today(monkeypatch, after)
    certification.certify(result, after, voted.other_official.id)


def test_one_community_through_every_body(app: object, monkeypatch: pytest.MonkeyPatch) -> None:
    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    prep = gen_preparation(community, official, with_candidates=False)

    # the first meeting fails to adopt the rules: the group's term is extended once (Shaoxing Art 16 ¶2)
    failed_first_meeting(gen_voted_on(community, official), monkeypatch)
    assert community.governance == "extended"
    assert prep.group.extended_on is not None

    # the extended group's second first meeting adopts them but elects nobody: established, no committee
    _second_first_meeting_without_a_committee(community, official, monkeypatch)
    assert community.governance == "established"
    assert community.assembly_established_on is not None

    # the township records the conversion (never declined) and replaces a member who cannot serve
    assert refused(decisions.decide_conversion, community, False, "", today(), official.id).code == (
        "conversion_is_the_rule"
    )
    pmc = decisions.decide_conversion(community, True, "组织选举业主委员会", today(), official.id)
    assert pmc is not None
    members = [m for m in valid_members(roll_owners()) if m.name != roll_owners()[3].name]
    members.append(MemberInput(roll_owners()[8].name, "owner_representative", "", roll_owners()[8].id_number))
    bodies.adjust_pmc_members(pmc, members, "一名业主代表已迁出", today(), official.id)
    assert roll_owners()[8].name in [m.name for m in bodies.serving(pmc)]

    # the property management committee acts through its own account; the township invites it, and does not act
    pmc_chair = body_account(community, pmc, "pmc-chair")
    assert acting.can_convene(pmc_chair, community)
    assert not acting.can_convene(official, community)
    election_meeting = convening.convene(
        community, "选举业主委员会", date(2026, 12, 1), date(2026, 12, 8), pmc_chair.id
    )
    assert election_meeting.body_id == pmc.id
    assert acting.can_run(pmc_chair, election_meeting)
    assert not acting.can_run(official, election_meeting)
    picks = _elect(election_meeting, pmc_chair, official, start=10)
    _hold(election_meeting, pmc_chair, official, picks, monkeypatch)
    assert community.governance == "committee"
    committee = bodies.in_office(community)
    assert committee is not None
    assert committee.kind == "committee"
    assert len(bodies.serving(committee)) == 5

    # the committee's own account files it; the property management committee hands over, its account loses its rights
    chair = body_account(community, committee, "committee-chair")
    assert permissions.grant_in_force(_grant(pmc_chair))
    bodies.record_filing(committee, committee.formed_on, None, [], chair.id)
    assert pmc.dissolved_on == committee.formed_on
    assert not permissions.grant_in_force(_grant(pmc_chair))
    assert permissions.grant_in_force(_grant(chair))
    assert acting.can_act_for_office(chair, community)

    _the_term_ends_and_the_re_election_group_elects_the_next(community, committee, chair, official, monkeypatch)


def _the_term_ends_and_the_re_election_group_elects_the_next(
    community: Community,
    committee: GoverningBody,
    chair: User,
    official: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert committee.term_ends_on is not None
    with travel_to(committee.term_ends_on + timedelta(days=1)):
        monkeypatch.undo()  # the preparation's `today` follows the clock again
        # the term has ended and no re-election was organised: the committee's accounts have no rights left
        assert not permissions.grant_in_force(_grant(chair))
        assert not acting.can_convene(chair, community)
        group = decisions.form_re_election_group(
            community, committee, valid_members(roll_owners()), "", today(), official.id
        )
        assert community.governance == "re_election"
        assert bodies.in_office(community) is committee  # until the new committee exists
        leader = body_account(community, group, "group-leader-2")
        assert acting.can_convene(leader, community)
        meeting = convening.convene(community, "换届选举", today(), today() + timedelta(days=7), leader.id)
        assert meeting.body_id == group.id
        assert refused(meetings.add_motion, meeting, 4, "解聘物业", "", leader.id).code == "re_election_under_way"
        picks = _elect(meeting, leader, official, start=20)
        _hold(meeting, leader, official, picks, monkeypatch)
        assert community.governance == "committee"
        successor = bodies.in_office(community)
        assert successor is not None
        assert successor is not committee
        assert committee.dissolved_on is not None
        assert group.dissolved_on is not None
        assert not permissions.grant_in_force(_grant(leader))
        assert successor.elected_on is not None
        assert successor.term_ends_on is not None
        assert successor.term_ends_on > committee.term_ends_on
