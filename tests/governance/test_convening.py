"""Meetings after the first (issue 8 items 2 and 4): convened by the body in office through the same voting and
certification; the property management committee's election forms the committee, which takes over once filed; no
property-company vote while a re-election group works (Shaoxing Arts 16 ¶3 and 24)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.db_types import utcnow
from app.extensions import db
from app.governance import bodies, convening, decisions, services
from app.governance.body_models import GoverningBody
from app.results import certification, closing, count_runs
from app.roll.services import today
from app.rules.governance import Facts
from app.voting import ballots, meetings
from app.voting.models import Meeting, MeetingVoter
from tests.conftest import AuthActions
from tests.governance.pipeline import approve, body_account, re_election_group
from tests.preparation.helpers import refused
from tests.results.helpers_lifecycle import Voted
from tests.voting.helpers import announce_back


def _open(meeting: Meeting) -> list[MeetingVoter]:
    now = utcnow()  # open now, whatever day the test runs
    meeting.opens_at, meeting.closes_at = now - timedelta(days=1), now + timedelta(days=1)
    announce_back(meeting)
    meetings.open_voting(meeting, today(), None)
    return list(db.session.query(MeetingVoter).filter_by(meeting_id=meeting.id).order_by(MeetingVoter.id))


def _certify(voted: Voted, meeting: Meeting, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.preparation.helpers import freeze_today
    from tests.results.helpers_lifecycle import end_window

    end_window(meeting)
    closing.close(meeting)
    result = count_runs.count(meeting, voted.official.id)
    certification.publish(result, today(), voted.official.id)
    after = (result.objections_until or today()) + timedelta(days=1)
    freeze_today(monkeypatch, after)
    certification.certify(result, after, voted.other_official.id)


def test_only_a_body_in_office_convenes(app: Any) -> None:
    from tests.factories import gen_community, gen_township

    community = gen_community(gen_township())
    error = refused(convening.convene, community, "第二次业主大会会议", date(2026, 12, 1), date(2026, 12, 8), None)
    assert error.code == "no_convener"


def test_the_committee_convenes_a_meeting_on_the_property_company(
    elected: tuple[Voted, GoverningBody], monkeypatch: pytest.MonkeyPatch
) -> None:
    voted, body = elected
    community = voted.community
    meeting = convening.convene(community, "续聘物业服务企业", date(2026, 12, 1), date(2026, 12, 8), None)
    assert meeting.settings["rank_by"] == ["heads", "area"]  # the first meeting's settings
    meetings.add_motion(meeting, 4, "续聘物业服务企业", "续聘某物业公司三年", None)
    voters = _open(meeting)
    for voter in (v for v in voters if not v.is_developer):
        ballots.cast(voter, {str(meeting.matters[0].id): "yes"}, "phone")
    _certify(voted, meeting, monkeypatch)
    assert community.governance == "committee"  # a motion changes no state
    assert bodies.in_office(community) is body
    assert [e.event for e in services.timeline(community)][-1] == "election_certified"


def test_no_joint_decision_but_the_election_while_a_re_election_group_works(
    elected: tuple[Voted, GoverningBody],
) -> None:
    """Shaoxing Art 24 ¶3: 选聘、解聘物业服务人等共同决定事项 — the property company, and every other matter of joint
    decision (the maintenance fund, the covenant …), waits for the new committee; only the election goes ahead."""
    voted, _body = elected
    community = voted.community
    services.transition(community, "form_re_election_group", today(), facts=Facts(township_called=True))
    assert refused(convening.convene, community, "换届选举", date(2026, 12, 1), date(2026, 12, 8), None).code == (
        "no_convener"  # the old committee does not convene its own re-election
    )
    group = re_election_group(community)
    meeting = convening.convene(community, "换届选举", date(2026, 12, 1), date(2026, 12, 8), None)
    assert meeting.body_id == group.id
    for category, title in ((4, "解聘物业"), (5, "使用专项维修资金"), (2, "修改管理规约")):
        assert refused(meetings.add_motion, meeting, category, title, "", None).code == "re_election_under_way"
    assert meeting.matters == []
    approve(meeting, 7)
    convening.add_election(meeting, 5, 2, None)
    assert [m.kind for m in meeting.matters] == ["election"]


def test_the_pmc_elects_the_committee_which_takes_over_once_filed(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.governance.test_governance_flow import group_awaiting_decision
    from tests.results.helpers_lifecycle import choices  # noqa: F401 (documentation of the ballot shape)

    community, official = group_awaiting_decision()
    pmc = decisions.decide_conversion(community, True, "组织选举业主委员会", today(), official.id)
    assert pmc is not None
    meeting = convening.convene(community, "选举第一届业主委员会", date(2026, 12, 1), date(2026, 12, 8), None)
    assert meeting.body_id == pmc.id
    assert refused(convening.add_election, meeting, 5, 1, None).code == "list_not_approved"
    approve(meeting, 6)
    assert refused(convening.add_election, meeting, 4, 0, None).code == "invalid_election_rules"
    election = convening.add_election(meeting, 5, 1, None)
    assert refused(convening.add_election, meeting, 5, 1, None).code == "election_exists"
    voters = _open(meeting)
    picks = [c.id for c in election.candidates]
    for number, voter in enumerate(v for v in voters if not v.is_developer):
        ballots.cast(voter, {str(election.id): picks[:5] if number % 4 else picks[1:6]}, "phone")
    from app.communities.models import Township
    from tests.factories import gen_official

    township = db.session.get_one(Township, community.township_id)
    voted = Voted(None, community, official, gen_official(township))  # type: ignore[arg-type]
    _certify(voted, meeting, monkeypatch)
    assert community.governance == "committee"
    committee = bodies.in_office(community)
    assert committee is not None
    assert committee.kind == "committee"
    assert pmc.dissolved_on is None  # the pmc goes on until the committee is filed
    bodies.record_filing(committee, committee.formed_on, None, [], None)
    assert pmc.dissolved_on == committee.formed_on


def test_the_committee_convenes_from_the_community_page_and_the_township_does_not(
    client: FlaskClient, auth: AuthActions, elected: tuple[Voted, GoverningBody]
) -> None:
    voted, body = elected
    chair = body_account(voted.community, body, "the-chair")
    db.session.commit()
    client.get("/lang/en")
    page = f"/communities/{voted.community.id}"
    data = {"title": "第二次业主大会会议", "opens_on": "2026-12-01", "closes_on": "2026-12-08"}
    auth.login(voted.official.username)
    assert "Convene an assembly meeting" not in client.get(page).get_data(as_text=True)
    assert auth.post(f"{page}/body/meetings", data, page).status_code == 403  # DOMAIN §7 item 10
    auth.logout()
    auth.login(chair.username)
    assert "Convene an assembly meeting" in client.get(page).get_data(as_text=True)
    response = auth.post(f"{page}/body/meetings", data, page)
    assert response.status_code == 302
    assert "/meetings/" in response.headers["Location"]
    meeting = db.session.query(Meeting).filter_by(community_id=voted.community.id, title="第二次业主大会会议").one()
    assert meeting.body_id == body.id


def test_the_election_is_added_on_the_convened_meetings_page_from_the_approved_list(
    client: FlaskClient, auth: AuthActions, elected: tuple[Voted, GoverningBody]
) -> None:
    voted, body = elected
    meeting = convening.convene(voted.community, "换届选举", date(2026, 12, 1), date(2026, 12, 8), None)
    chair = body_account(voted.community, body, "the-chair")
    db.session.commit()
    client.get("/lang/en")
    auth.login(chair.username)
    page = f"/meetings/{meeting.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="add-election"' in html
    assert 'name="candidates"' not in html  # no names typed in
    assert auth.post(f"{page}/election", {"seats": 5, "max_alternates": 1}, page).status_code == 302
    db.session.expire_all()
    assert meeting.matters == []  # no approved list yet
    listed = approve(meeting, 6)
    db.session.commit()
    assert auth.post(f"{page}/election", {"seats": 7, "max_alternates": 0}, page).status_code == 302
    db.session.expire_all()
    assert meeting.matters == []  # more seats than candidates
    assert auth.post(f"{page}/election", {"seats": 5, "max_alternates": 1}, page).status_code == 302
    db.session.expire_all()
    (election,) = meeting.matters
    assert [(c.candidate_id, c.name) for c in election.candidates] == [(c.id, c.name) for c in listed]
    assert 'id="add-election"' not in client.get(page).get_data(as_text=True)
    auth.logout()
    auth.login(voted.official.username)
    assert auth.post(f"{page}/election", {"seats": 5, "max_alternates": 1}, f"/meetings/{meeting.id}").status_code == (
        403
    )


def test_a_by_election_fills_the_vacant_seats_once_no_alternate_is_left(
    elected: tuple[Voted, GoverningBody], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 8 item 3: the first alternate moves up; once none is left the seats wait; a by-election fills them."""
    voted, body = elected
    community = voted.community
    meeting = convening.convene(community, "补选业主委员会委员", date(2026, 12, 1), date(2026, 12, 8), None)
    three = approve(meeting, 3)
    assert refused(convening.add_election, meeting, 1, 0, None, by_election=True).code == "no_by_election"
    for member in bodies.serving(body)[:2]:  # the alternate moves up, then one seat is left vacant
        bodies.member_leaves(member, today(), "resigned", "", None)
    assert convening.vacancies(community) == 1
    assert refused(convening.add_election, meeting, 2, 0, None, by_election=True).code == "invalid_election_rules"
    election = convening.add_election(meeting, 1, 0, None, by_election=True)
    assert (election.seats, election.max_alternates, election.title) == (1, 0, "补选业主委员会委员")
    voters = _open(meeting)
    owners = [v for v in voters if not v.is_developer]
    for number, voter in enumerate(owners):
        ballots.cast(voter, {str(election.id): [election.candidates[0 if number % 4 else 1].id]}, "phone")
    _certify(voted, meeting, monkeypatch)
    assert community.governance == "committee"
    assert bodies.in_office(community) is body  # the same committee, its seat filled
    assert [m.name for m in bodies.serving(body)][-1] == three[0].name
    assert convening.vacancies(community) == 0


def test_a_member_records_nominations_and_only_the_chair_binds_the_body(
    client: FlaskClient, auth: AuthActions, elected: tuple[Voted, GoverningBody]
) -> None:
    """Rights by office (app.governance.acting): a member records a nomination; convening, submitting the list and
    announcing are the chair's."""
    from app.demo.candidates import owners_on_roll
    from app.preparation.models import Candidate

    voted, body = elected
    community = voted.community
    meeting = convening.convene(community, "换届选举", date(2026, 12, 1), date(2026, 12, 8), None)
    member = body_account(community, body, "a-member", office="member")
    db.session.commit()
    auth.login(member.username)
    home = f"/communities/{community.id}"
    convene = {"title": "第三次业主大会会议", "opens_on": "2026-12-20", "closes_on": "2026-12-27"}
    assert auth.post(f"{home}/body/meetings", convene, home).status_code == 403
    ((name, id_number),) = owners_on_roll(community, 10, 1)
    nomination = {"name": name, "id_number": id_number, "route": "self", "nominated_on": today().isoformat()}
    pool = f"/meetings/{meeting.id}/candidates"
    assert auth.post(pool, nomination, pool).status_code == 302
    assert db.session.query(Candidate).filter_by(meeting_id=meeting.id).count() == 1
    assert auth.post(f"{pool}/submit", {}, pool).status_code == 403
    announce = {"starts_on": today().isoformat(), "confirm": "y"}
    assert auth.post(f"/meetings/{meeting.id}/announce", announce, pool).status_code == 403
    assert meeting.announced_on is None
