"""The township's dashboard and the city's view (issue 8 items 5 and 6): the measures equal a direct count on a world
built with the services, their trend across months, the XLSX's cells, the PDF, who may see what, the pages in English.

The world (`township_world`), one township with seven communities whose history spans 2026:

- A: the developer's report recorded 01-20, group formed 02-02; first meeting certified in May: committee (5 members,
  1 alternate; the first three elected declared: party member; party member and deputy; CPPCC member); not filed;
- B: the report recorded 02-20, group formed 03-02; first meeting certified in June without a committee; converted
  into a property management committee on 07-01; a second result published 20 days ago and ready to certify;
- C: form_group 01-05, committee 04-01 (transitions only), re-election group on 10-20;
- D: form_group 01-05, established 02-10, property management committee 02-20, committee 09-30 (transitions only);
- E: form_group 04-01, established 08-01: waits for the township's conversion decision;
- F: the developer's report recorded 08-03, no group formed: its 60-day clock is overdue;
- G: nothing recorded (it does not meet the conditions as far as the records know).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.communities.models import Community, Township
from app.extensions import db
from app.governance import bodies, measures
from app.governance import services as governance
from app.governance.body_models import BodyMember, GoverningBody
from app.preparation import candidates as nominations
from app.preparation import group as groups
from app.preparation.models import Candidate
from app.results import certification, closing, count_runs
from app.results.models import Result
from app.roll.services import today
from app.rules.governance import Facts
from app.voting import ballots, meetings
from app.voting.models import Ballot, Meeting, MeetingVoter
from tests.factories import gen_admin, gen_community, gen_member, gen_official, gen_township
from tests.preparation.helpers import load_roll, roll_owners, valid_members
from tests.results.helpers_lifecycle import end_window
from tests.voting.helpers import announce_back, gen_meeting

#: the day the trend is read on in the services' tests (the pages read it on the real today)
ON = date(2026, 11, 27)


@dataclass
class TownshipWorld:
    township: Township
    official: User
    other_official: User
    communities: dict[str, Community]
    results: dict[str, Result]
    certified_on: dict[str, date]


def _meeting_voted(community: Community, official: User, *, committee: bool, voters: int) -> Meeting:
    """A first meeting (rules, covenant, election of 5 among 6) where ``voters`` owners vote by phone: all six
    candidates win more than half (five members, one alternate) when ``committee``, else nobody does."""
    meeting = gen_meeting(community, official)
    announce_back(meeting)
    meetings.open_voting(meeting, today(), official.id)
    rules, covenant, election = meeting.matters
    ids = [c.id for c in election.candidates]
    owners = [
        v
        for v in db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id)).all()
        if not v.is_developer
    ]
    left_out = [2, 3, 3, 4, 4, 4, 5, 5, 5, 5]
    for number, voter in enumerate(owners[:voters]):
        picked = [c for i, c in enumerate(ids) if i != left_out[number % 10]] if committee else [ids[number % 6]]
        ballots.cast(voter, {str(rules.id): "yes", str(covenant.id): "yes", str(election.id): picked}, "phone")
    end_window(meeting)
    closing.close(meeting)
    return meeting


def _certified(meeting: Meeting, world: TownshipWorld, published_on: date) -> tuple[Result, date]:
    result = count_runs.count(meeting, world.official.id)
    certification.publish(result, published_on, world.official.id)
    assert result.objections_until is not None
    decided = result.objections_until + timedelta(days=1)
    certification.certify(result, decided, world.other_official.id)
    return result, decided


def _formed_group(community: Community, official: User, requested_on: date, formed_on: date) -> Any:
    load_roll(community, official)
    group = groups.record_request(community, "developer_report", requested_on, "", official.id)
    return groups.form_group(group, formed_on, valid_members(roll_owners()), official.id)


def _transitions(community: Community, steps: list[tuple[str, date, Facts]]) -> None:
    for event, on, facts in steps:
        governance.transition(community, event, on, facts=facts, reason="测试")


def build_world() -> TownshipWorld:
    township = gen_township("仪表街道")
    official, other_official = gen_official(township), gen_official(township)
    names = {key: f"仪表小区{key}" for key in "ABCDEFG"}
    communities = {key: gen_community(township, name) for key, name in names.items()}
    world = TownshipWorld(township, official, other_official, communities, {}, {})
    a, b, c, d, e, f, _g = (communities[key] for key in "ABCDEFG")

    # A: a group, three declared candidates, a certified committee in May
    group_a = _formed_group(a, official, date(2026, 1, 20), date(2026, 2, 2))
    owners = roll_owners()
    declared = [(True, False, False), (True, True, False), (False, False, True)]
    nominated = []
    for owner, (party, deputy, cppcc) in zip(owners[4:7], declared, strict=True):
        candidate = nominations.nominate(
            group_a,
            name=owner.name,
            id_number=owner.id_number,
            route="self",
            nominated_on=date(2026, 3, 1),
            user_id=official.id,
        )
        nominations.update_profile(
            candidate,
            statement="愿为业主服务。",
            party_member=party,
            peoples_congress_deputy=deputy,
            cppcc_member=cppcc,
            declaration_made=True,
            declared_acts=(),
            property_company_tie=False,
            user_id=official.id,
        )
        nominated.append(candidate)
    meeting_a = _meeting_voted(a, official, committee=True, voters=27)
    for matter_candidate, candidate in zip(meeting_a.matters[2].candidates, nominated, strict=False):
        matter_candidate.candidate_id = candidate.id  # the meeting's candidates are the vetted list's
    world.results["A"], world.certified_on["A"] = _certified(meeting_a, world, date(2026, 5, 6))

    # B: certified without a committee in June, converted on 07-01; a later result ready to certify
    group_b = _formed_group(b, official, date(2026, 2, 20), date(2026, 3, 2))
    meeting_b = _meeting_voted(b, official, committee=False, voters=25)
    world.results["B"], world.certified_on["B"] = _certified(meeting_b, world, date(2026, 6, 8))
    governance.transition(b, "convert_to_pmc", date(2026, 7, 1), reason="转为物业管理委员会", user_id=official.id)
    bodies.pmc_from_group(b, group_b, date(2026, 7, 1), "组织选举业主委员会", official.id)
    later = _meeting_voted(b, official, committee=False, voters=5)
    pending = count_runs.count(later, official.id)
    certification.publish(pending, today() - timedelta(days=20), official.id)
    world.results["B-pending"] = pending

    _transitions(
        c,
        [
            ("form_group", date(2026, 1, 5), Facts()),
            ("first_meeting_certified", date(2026, 4, 1), Facts(outcome="committee")),
            ("form_re_election_group", date(2026, 10, 20), Facts(township_called=True)),
        ],
    )
    _transitions(
        d,
        [
            ("form_group", date(2026, 1, 5), Facts()),
            ("first_meeting_certified", date(2026, 2, 10), Facts(outcome="established")),
            ("convert_to_pmc", date(2026, 2, 20), Facts()),
            ("election_certified", date(2026, 9, 30), Facts(outcome="committee")),
        ],
    )
    _transitions(
        e,
        [
            ("form_group", date(2026, 4, 1), Facts()),
            ("first_meeting_certified", date(2026, 8, 1), Facts(outcome="established")),
        ],
    )
    groups.record_request(f, "developer_report", date(2026, 8, 3), "", official.id)
    db.session.flush()
    return world


@pytest.fixture
def township_world(app: Any) -> TownshipWorld:
    return build_world()


def committee_a(world: TownshipWorld) -> GoverningBody:
    body = bodies.in_office(world.communities["A"])
    assert body is not None
    assert body.kind == "committee"
    return body


# --- the direct counts ---------------------------------------------------------------------------------------------


def direct_counts(township: Township) -> dict[str, Any]:
    """The figures counted straight from the tables, without app.governance.measures."""
    from app.governance.models import GovernanceEvent
    from app.preparation.models import PreparatoryGroup

    communities = db.session.scalars(select(Community).where(Community.township_id == township.id)).all()
    ids = [c.id for c in communities]
    recorded = set(
        db.session.scalars(select(PreparatoryGroup.community_id).where(PreparatoryGroup.community_id.in_(ids)))
    ) | set(db.session.scalars(select(GovernanceEvent.community_id).where(GovernanceEvent.community_id.in_(ids))))
    with_committee = [c for c in communities if c.id in recorded and c.governance in ("committee", "re_election")]
    serving = db.session.execute(
        select(Candidate.party_member, Candidate.peoples_congress_deputy, Candidate.cppcc_member)
        .select_from(BodyMember)
        .join(GoverningBody, GoverningBody.id == BodyMember.body_id)
        .outerjoin(Candidate, Candidate.id == BodyMember.candidate_id)
        .where(
            GoverningBody.community_id.in_(ids),
            GoverningBody.kind == "committee",
            GoverningBody.dissolved_on.is_(None),
            BodyMember.seat == "member",
            BodyMember.left_on.is_(None),
        )
    ).all()
    heads, area = [], []
    certified = db.session.scalars(
        select(Meeting)
        .join(Result, Result.meeting_id == Meeting.id)
        .where(Meeting.community_id.in_(ids), Result.status == "certified")
    ).all()
    for meeting in certified:
        voters = db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id)).all()
        cast = set(db.session.scalars(select(Ballot.meeting_voter_id).where(Ballot.meeting_id == meeting.id)))
        voted = [v for v in voters if v.id in cast]
        heads.append(Fraction(len(voted), len(voters)))
        area.append(Fraction(sum(v.area_centi for v in voted), sum(v.area_centi for v in voters)))
    return {
        "communities": len(communities),
        "eligible": len(recorded),
        "with_committee": len(with_committee),
        "pmcs": sum(1 for c in communities if c.governance == "pmc"),
        "members": len(serving),
        "party": sum(1 for row in serving if row[0]),
        "deputies": sum(1 for row in serving if row[1]),
        "cppcc": sum(1 for row in serving if row[2]),
        "votes": len(certified),
        "heads": sum(heads, Fraction(0)) / len(heads),
        "area": sum(area, Fraction(0)) / len(area),
    }


def test_the_measures_now_equal_a_direct_count(township_world: TownshipWorld) -> None:
    world = township_world
    counted = direct_counts(world.township)
    now = measures.measures(measures.load([world.township.id], ON))
    assert (now.communities, now.establishment.whole, now.establishment.part) == (7, 6, 3)
    assert (now.establishment.part, now.establishment.whole) == (counted["with_committee"], counted["eligible"])
    assert now.establishment.value == Fraction(1, 2)
    assert now.pmcs.acting == counted["pmcs"] == 1
    assert (
        (now.members.members, now.members.party_members, now.members.deputies, now.members.cppcc_members)
        == (counted["members"], counted["party"], counted["deputies"], counted["cppcc"])
        == (5, 2, 1, 1)
    )
    assert now.participation.votes == counted["votes"] == 2
    assert now.participation.heads.value == counted["heads"]
    assert now.participation.area.value == counted["area"]
    assert now.states == {"committee": 2, "re_election": 1, "pmc": 1, "established": 1, "no_assembly": 2}


def test_property_management_committees_and_how_long_they_lasted(township_world: TownshipWorld) -> None:
    world = township_world
    pmcs = measures.property_management_committees(measures.load([world.township.id], ON))
    spans = {span.community_id: span for span in pmcs.spans}
    b, d = world.communities["B"].id, world.communities["D"].id
    assert (spans[d].started_on, spans[d].ended_on, spans[d].days) == (date(2026, 2, 20), date(2026, 9, 30), 222)
    assert (spans[b].started_on, spans[b].ended_on, spans[b].days) == (
        date(2026, 7, 1),
        None,
        (ON - date(2026, 7, 1)).days,
    )
    assert pmcs.acting == 1
    assert pmcs.average_days == spans[b].days == pmcs.longest_days


def test_the_trend_rebuilds_each_month_end_from_the_history(township_world: TownshipWorld) -> None:
    world = township_world
    assert world.certified_on["A"].month == 5
    assert world.certified_on["B"].month == 6
    # a member of A (party member and deputy) leaves in August: the alternate, who declared nothing, moves up
    body = committee_a(world)
    deputy = db.session.scalar(select(Candidate.id).where(Candidate.peoples_congress_deputy.is_(True)))
    leaving = next(m for m in bodies.serving(body) if m.candidate_id == deputy)
    bodies.member_leaves(leaving, date(2026, 8, 10), "resigned", "", world.official.id)
    records = measures.load([world.township.id], ON)
    points = {point.on: point for point in measures.trend(records, ON)}
    assert list(points) == measures.month_ends(ON)
    assert next(iter(points)) == date(2025, 12, 31)
    assert list(points)[-1] == ON
    rates = {day.month: (p.establishment.part, p.establishment.whole) for day, p in points.items() if day.year == 2026}
    assert rates == {
        1: (0, 3),
        2: (0, 4),
        3: (0, 4),
        4: (1, 5),
        5: (2, 5),
        6: (2, 5),
        7: (2, 5),
        8: (2, 6),
        9: (3, 6),
        10: (3, 6),
        11: (3, 6),
    }
    assert points[date(2025, 12, 31)].establishment.value is None
    acting = {day.month: p.pmcs.acting for day, p in points.items() if day.year == 2026}
    assert acting == {1: 0, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 1, 10: 1, 11: 1}
    shares = {
        day.month: (p.members.members, p.members.party_members, p.members.deputies)
        for day, p in points.items()
        if day.year == 2026
    }
    assert shares[4] == (0, 0, 0)
    assert shares[5] == shares[7] == (5, 2, 1)
    assert shares[8] == shares[11] == (5, 1, 0)
    votes = {day.month: p.participation.votes for day, p in points.items() if day.year == 2026}
    assert (votes[4], votes[5], votes[6], votes[11]) == (0, 1, 2, 2)
    # the last point agrees with the measures now
    now = measures.measures(records)
    assert points[ON].establishment == now.establishment
    assert points[ON].members == now.members
    assert points[ON].participation == now.participation


# --- the township's dashboard -------------------------------------------------------------------------------------


def test_the_dashboard_lists_every_community_overdue_first_and_what_waits(township_world: TownshipWorld) -> None:
    from app.dashboard.township import township_dashboard

    world = township_world
    dashboard = township_dashboard(world.township, today())
    names = {c.id: key for key, c in world.communities.items()}
    order = [names[row.community.id] for row in dashboard.rows]
    assert sorted(order) == list("ABCDEFG")
    overdue = {names[row.community.id] for row in dashboard.rows if row.overdue}
    assert overdue == {"A", "F"}  # A not filed within 30 days; F's group not formed within 60 days
    assert set(order[:2]) == overdue
    waiting = {(names[item.community.id], item.code) for item in dashboard.waiting}
    assert waiting == {
        ("A", "file_committee"),
        ("B", "certify_result"),
        ("E", "decide_conversion"),
        ("F", "form_group"),
    }
    row_b = next(row for row in dashboard.rows if names[row.community.id] == "B")
    assert row_b.pmc_days == (today() - date(2026, 7, 1)).days
    certify = next(item for item in dashboard.waiting if item.code == "certify_result")
    assert certify.result is world.results["B-pending"]


def test_re_election_due_and_below_half_wait_for_the_township(township_world: TownshipWorld) -> None:
    from app.dashboard.township import township_dashboard

    world = township_world
    body = committee_a(world)
    body.term_ends_on = today() + timedelta(days=30)  # a committee elected five years ago
    for member in bodies.serving(body)[:4]:
        bodies.member_leaves(member, today(), "resigned", "", world.official.id)
    assert len(bodies.serving(body)) == 2  # the alternate moved up once; 2 of 5 seats
    dashboard = township_dashboard(world.township, today())
    codes = {item.code for item in dashboard.waiting if item.community.id == world.communities["A"].id}
    assert {"re_election_due", "below_half", "file_committee"} <= codes


def test_an_overdue_order_to_correct_a_decision_waits_for_the_township(township_world: TownshipWorld) -> None:
    from app.dashboard.township import township_dashboard
    from app.governance import supervision

    world = township_world
    a = world.communities["A"]
    day = today()
    order = supervision.order_correction(
        a,
        "续聘物业服务企业的决定",
        day - timedelta(days=30),
        "未经业主大会表决",
        day - timedelta(days=5),
        world.official.id,
        on=day - timedelta(days=20),
    )
    dashboard = township_dashboard(world.township, day)
    row = next(row for row in dashboard.rows if row.community.id == a.id)
    correction = next(clock for clock in row.clocks if clock.code == "correction")
    assert correction.due == day - timedelta(days=5)
    assert correction.overdue
    assert "order_overdue" in {item.code for item in row.waiting}
    supervision.record_compliance(order, day - timedelta(days=6), "已改正", world.official.id)
    row = next(row for row in township_dashboard(world.township, today()).rows if row.community.id == a.id)
    assert "correction" not in {clock.code for clock in row.clocks}
    assert "order_overdue" not in {item.code for item in row.waiting}


# --- the pages, the files, who sees them --------------------------------------------------------------------------


def login(client: Any, auth: Any, user: User) -> None:
    client.get("/lang/en")
    assert auth.login(user.username).status_code == 302


def test_the_township_page_renders_in_english(client: Any, auth: Any, township_world: TownshipWorld) -> None:
    world = township_world
    login(client, auth, world.official)
    response = client.get(f"/townships/{world.township.id}/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Self-governance in 仪表街道",
        "Waiting for the township",
        "The committee was not filed within 30 days",
        "A published result is ready to certify",
        "Trend over the last 12 months",
        "仪表小区G",
        "communities have a committee",
    ):
        assert text in html, text
    assert "<svg" in html
    assert "<script" not in html
    assert html.index("仪表小区F") < html.index("仪表小区G")  # overdue first
    start = client.get("/").get_data(as_text=True)
    assert f"/townships/{world.township.id}/dashboard" in start


def test_the_xlsx_export_holds_the_exact_figures(client: Any, auth: Any, township_world: TownshipWorld) -> None:
    world = township_world
    login(client, auth, world.official)
    response = client.get(f"/townships/{world.township.id}/dashboard.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Communities", "Measures", "Trend"]
    communities = list(book["Communities"].iter_rows(values_only=True))
    assert communities[0][:3] == ("Community", "State", "Stage")
    by_name = {row[0]: dict(zip(communities[0], row, strict=True)) for row in communities[1:]}
    assert set(by_name) == {f"仪表小区{key}" for key in "ABCDEFG"}
    assert by_name["仪表小区F"]["Overdue"] == "yes"
    assert by_name["仪表小区G"]["Overdue"] == "no"
    assert by_name["仪表小区B"]["State"] == "Property management committee"
    assert by_name["仪表小区B"]["Stage"] == "Notice over: the result waits for the township's decision"
    assert by_name["仪表小区C"]["Since"].date() == date(2026, 10, 20)
    assert "ready to certify" in by_name["仪表小区B"]["Waiting for the township"]
    assert by_name["仪表小区A"]["Serving committee members"] == 5
    measures_rows = {row[0]: row[1:] for row in book["Measures"].iter_rows(min_row=2, values_only=True)}
    rate = next(value for name, value in measures_rows.items() if name.startswith("Committee establishment rate"))
    assert rate == (3, 6, 0.5)
    party = measures_rows["Party members among serving committee members"]
    assert party == (2, 5, 0.4)
    assert measures_rows["Property management committees acting"][0] == 1
    counted = direct_counts(world.township)
    heads = measures_rows["Average participation of the owners in certified votes"][2]
    assert heads == pytest.approx(float(counted["heads"]))
    trend = list(book["Trend"].iter_rows(min_row=2, values_only=True))
    expected = measures.trend(measures.load([world.township.id], today()), today())
    assert [row[0].date() for row in trend] == [point.on for point in expected]
    assert [(row[1], row[2]) for row in trend] == [(p.establishment.part, p.establishment.whole) for p in expected]
    assert book["Measures"]["D3"].number_format == "0.0%"


def test_the_printable_summary_is_a_pdf(client: Any, auth: Any, township_world: TownshipWorld) -> None:
    world = township_world
    login(client, auth, world.official)
    response = client.get(f"/townships/{world.township.id}/dashboard.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_another_townships_official_sees_nothing(client: Any, auth: Any, township_world: TownshipWorld) -> None:
    world = township_world
    outsider = gen_official(gen_township("别的街道"))
    login(client, auth, outsider)
    for suffix in ("", ".xlsx", ".pdf"):
        response = client.get(f"/townships/{world.township.id}/dashboard{suffix}")
        assert response.status_code == 404, suffix
        assert "仪表" not in response.get_data(as_text=True)
    assert client.get("/city/dashboard").status_code == 403
    assert client.get("/city/dashboard.xlsx").status_code == 403
    own = client.get(f"/townships/{outsider.grants[0].township_id}/dashboard")
    assert own.status_code == 200
    assert "仪表" not in own.get_data(as_text=True)


def test_observers_see_the_dashboard_and_community_accounts_do_not(
    client: Any, auth: Any, township_world: TownshipWorld
) -> None:
    world = township_world
    observer = gen_official(world.township, role=Role.OBSERVER)
    login(client, auth, observer)
    assert client.get(f"/townships/{world.township.id}/dashboard").status_code == 200
    client.post("/logout", data={"csrf_token": auth.csrf("/")})
    member = gen_member(world.communities["A"])
    assert auth.login(member.username).status_code == 302
    assert client.get(f"/townships/{world.township.id}/dashboard").status_code == 403


def test_the_city_view_ranks_townships_for_administrators(
    client: Any, auth: Any, township_world: TownshipWorld
) -> None:
    world = township_world
    weaker = gen_township("较弱街道")
    weak = gen_community(weaker, "较弱小区")
    governance.transition(weak, "form_group", date(2026, 3, 1))
    gen_township("空白街道")
    from app.dashboard.city import city_ranking

    ranked, total = city_ranking(measures.load(None, today()))
    order = [row.township.name for row in ranked]
    assert order.index("仪表街道") < order.index("较弱街道") < order.index("空白街道")
    mine = next(row for row in ranked if row.township.id == world.township.id)
    assert (mine.measures.establishment.part, mine.measures.establishment.whole) == (3, 6)
    assert total.communities == db.session.scalar(select(func.count()).select_from(Community))

    admin = gen_admin()
    login(client, auth, admin)
    response = client.get("/city/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Self-governance across the townships" in html
    assert "City total" in html
    assert html.index("仪表街道") < html.index("较弱街道")
    assert "3 / 6 (50.0%)" in html
    book = load_workbook(BytesIO(client.get("/city/dashboard.xlsx").data))
    rows = list(book["Townships"].iter_rows(min_row=2, values_only=True))
    mine_row = next(row for row in rows if row[1] == "仪表街道")
    assert mine_row[4:7] == (6, 3, 0.5)
    assert rows[-1][1] == "City total"
    assert "/city/dashboard" in client.get("/").get_data(as_text=True)


# --- the measures' small parts ------------------------------------------------------------------------------------


def test_percent_text_rounds_half_up_only_for_display() -> None:
    assert measures.percent_text(Fraction(2, 3)) == "66.7"
    assert measures.percent_text(Fraction(1, 8)) == "12.5"
    assert measures.percent_text(Fraction(1, 1600)) == "0.1"
    assert measures.percent_text(Fraction(1)) == "100.0"
    assert measures.percent_text(None) == "–"


def test_month_ends() -> None:
    assert measures.month_ends(date(2026, 11, 27), 3) == [date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 27)]
    assert measures.month_ends(date(2026, 3, 31), 3) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert measures.month_ends(date(2027, 1, 5), 2) == [date(2026, 12, 31), date(2027, 1, 5)]


def test_serving_members_follow_the_ranking_when_alternates_move_up() -> None:
    seat = measures.Seat
    joined = date(2026, 5, 1)
    committee = measures.Committee(
        community_id=1,
        formed_on=joined,
        dissolved_on=None,
        elected_members=3,
        seats=(
            seat(1, "member", joined, None, True, False, False),
            seat(2, "member", joined, date(2026, 6, 10), True, True, False),
            seat(3, "member", joined, None, False, False, False),
            seat(4, "member", joined, None, False, False, False),  # the alternate who moved up on 06-10
            seat(5, "alternate", joined, None, False, False, False),
        ),
    )
    assert [s.rank for s in measures.serving_members(committee, date(2026, 5, 31))] == [1, 2, 3]
    assert [s.rank for s in measures.serving_members(committee, date(2026, 6, 30))] == [1, 3, 4]
    assert [s.rank for s in measures.serving_members(committee, None)] == [1, 3, 4]


def test_package_figures() -> None:
    package = {
        "matters": [{"id": 7, "type": "election"}],
        "tally": {
            "participation": {"heads": 20, "area": "1800.00"},
            "totals": {"heads": 30, "area": "2700.50"},
            "matters": {"7": {"members": ["1", "2", "3", "4", "5"]}},
        },
    }
    assert measures.package_figures(json.loads(json.dumps(package))) == (20, 30, 180000, 270050, 5)
