"""A community's stage, one source for the township's dashboard, its exports, the community page and the API (issue 19
item 1; app/dashboard/stage.py).

One meeting is walked through every stage with the services: voting (with its live turnout), window ended, counted,
published for objections, an objection open after the notice, answered, certified (the stage then is the legal
state). The demo is read as the township sees it: 梅园小区 voting with its turnout, 荷花苑 waiting for its count,
柳岸花园's unanswered objection in the township's list, and the groups' objections to their notices not in it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from app.auth import services as accounts
from app.auth.models import User
from app.communities.models import Community, Township
from app.dashboard.stage import community_stage, current_meeting
from app.dashboard.township import township_dashboard
from app.demo.loader import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.preparation import notices
from app.preparation.group import current_group
from app.results import certification, closing, count_runs
from app.roll.services import today
from app.rules.turnout import Participation
from tests.conftest import AuthActions
from tests.results.helpers_lifecycle import end_window, gen_voted


def test_a_meeting_goes_through_every_stage(app: Any) -> None:
    voted = gen_voted(share=0.5)
    community, meeting = voted.community, voted.meeting
    stage = community_stage(community, today())
    assert (stage.code, stage.meeting, stage.result) == ("voting", meeting, None)
    owners = [v for v in voted.opened.voters if not v.is_developer]
    assert stage.turnout is not None
    assert stage.turnout.voted_heads == round(len(owners) * 0.5)
    assert stage.turnout.total_heads == len(voted.opened.voters)
    assert not stage.turnout.meets_quorum
    assert str(stage.label) == "表决进行中"

    end_window(meeting)
    stage = community_stage(community, today())
    assert stage.code == "window_ended"
    assert stage.turnout is not None  # the final turnout, shown until the count

    closing.close(meeting)
    result = count_runs.count(meeting, voted.official.id)
    stage = community_stage(community, today())
    assert (stage.code, stage.result, stage.turnout) == ("counted", result, None)

    certification.publish(result, today(), voted.official.id)
    assert community_stage(community, today()).code == "objections"
    after_notice = result.objections_until + timedelta(days=1)
    assert community_stage(community, after_notice).code == "to_certify"

    objection = certification.record_objection(result, "张三", "计票有误", today(), None)
    db.session.expire(result)  # as the next request reads it
    assert community_stage(community, after_notice).code == "objections"  # the notice is over, the objection open
    waiting = township_dashboard(community.township, after_notice).waiting
    assert [(item.code, item.result) for item in waiting if item.community == community] == [
        ("result_objections", result)
    ]

    certification.answer_objection(objection, "已复核，计票无误。", voted.official.id)
    assert community_stage(community, after_notice).code == "to_certify"
    waiting = township_dashboard(community.township, after_notice).waiting
    assert [item.code for item in waiting if item.community == community] == ["certify_result"]

    certification.certify(result, after_notice, voted.other_official.id)
    stage = community_stage(community, after_notice)
    assert (stage.code, stage.meeting) == (community.governance, None)  # the legal state the result moved it to
    assert community.governance == "extended"  # half the owners took part: below 2/3, the group's term is extended


def test_a_community_without_a_meeting_shows_its_preparation_or_its_state(app: Any) -> None:
    voted = gen_voted(share=0.1)
    other = Community(
        township_id=voted.community.township_id, name="无会议小区", address="某路1号", developer_name="某"
    )
    other.total_floor_area_centi = 100
    db.session.add(other)
    db.session.flush()
    stage = community_stage(other, today())
    assert (stage.code, stage.meeting, stage.preparation) == ("no_assembly", None, None)
    assert str(stage.label) == "尚未成立业主大会"


# --- the demo, as the township sees it ------------------------------------------------------------------------------


def _demo_township() -> Township:
    load_demo()
    db.session.commit()
    return db.session.scalars(select(Township).where(Township.admin_code == "330681001")).one()


def _community(name: str) -> Community:
    return db.session.scalars(select(Community).where(Community.name == name)).one()


def test_the_demo_dashboard_tells_the_truth(app: Any, client: Any) -> None:
    township = _demo_township()
    dashboard = township_dashboard(township, today())
    stages = {row.community.name: row.stage.code for row in dashboard.rows}
    assert stages["梅园小区"] == "voting"
    assert stages["荷花苑"] == "window_ended"
    assert stages["柳岸花园"] == "objections"
    assert stages["江南名邸"] == "list_under_review"
    assert stages["桃园小区"] == "awaiting_group"
    assert stages["松涛苑"] == "committee"
    voting = {row.community.name: row.stage.turnout for row in dashboard.voting}
    assert set(voting) == {"梅园小区", "荷花苑"}
    meiyuan = voting["梅园小区"]
    assert isinstance(meiyuan, Participation)
    assert meiyuan.voted_heads == 20  # the demo's 20 phone ballots; the 2 paper ballots wait for a second teller
    # a meeting under way shows no preparation clock: nothing "overdue" about announcing members while voting
    row = next(row for row in dashboard.rows if row.community.name == "梅园小区")
    assert row.preparation is None
    assert not row.overdue
    waiting = {(item.community.name, item.code) for item in dashboard.waiting}
    assert ("柳岸花园", "result_objections") in waiting
    assert ("江南名邸", "review_list") in waiting
    assert all(code != "answer_objections" for _name, code in waiting)

    AuthActions(client).login("jiyang1", DEMO_PASSWORD)
    page = client.get(f"/townships/{township.id}/dashboard").get_data(as_text=True)
    voting_section = page.split('id="voting"', 1)[1].split("</section>", 1)[0]
    assert "梅园小区" in voting_section
    assert "荷花苑" in voting_section
    assert "人数 39.2%（20 / 51）" in voting_section  # rounded down, as on the meeting's turnout page
    assert 'data-row="梅园小区"' in voting_section  # its row of the turnout chart
    assert "公示中的表决结果有异议待答复" in page.split('id="waiting"', 1)[1].split("</section>", 1)[0]
    assert "筹备组成员待公告" not in page  # 梅园's group announced its members; its meeting is what counts now

    community_page = client.get(f"/communities/{_community('梅园小区').id}").get_data(as_text=True)
    assert 'data-stage="voting"' in community_page
    assert "人数 39.2%（20 / 51）" in community_page

    book = load_workbook(BytesIO(client.get(f"/townships/{township.id}/dashboard.xlsx").data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_name["梅园小区"]["阶段"] == "表决进行中"
    assert (by_name["梅园小区"]["已表决人数"], by_name["梅园小区"]["业主人数"]) == (20, 51)
    assert by_name["梅园小区"]["已表决面积（平方米）"] == "2984.19"
    assert by_name["梅园小区"]["已达三分之二"] == "否"

    pdf = client.get(f"/townships/{township.id}/dashboard.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")

    official = db.session.scalars(select(User).where(User.username == "jiyang1")).one()
    headers = {"Authorization": f"Bearer {accounts.create_api_token(official, '测试').secret}"}
    db.session.commit()
    document = client.get(f"/api/v1/townships/{township.id}/dashboard", headers=headers).get_json()
    stage = next(c["stage"] for c in document["communities"] if c["name"] == "梅园小区")
    assert (stage["code"], stage["turnout"]["voted_heads"], stage["turnout"]["voted_area"]) == ("voting", 20, "2984.19")
    assert "result_objections" in {item["code"] for item in document["waiting"]}
    one = client.get(f"/api/v1/communities/{_community('荷花苑').id}", headers=headers).get_json()
    assert one["stage"]["code"] == "window_ended"
    assert one["stage"]["turnout"]["meets_quorum"] is True


def test_the_groups_objections_to_its_notices_are_not_the_townships(app: Any, client: Any) -> None:
    township = _demo_township()
    large = _community("江南名邸")
    group = current_group(large)
    assert group is not None
    notice = notices.publish(group, "other", today(), None, title="补充公告", body="内容")
    notices.record_objection(notice, "张三", "1幢101", "有异议", None)
    db.session.commit()
    row = next(row for row in township_dashboard(township, today()).rows if row.community == large)
    assert row.preparation is not None
    assert row.preparation.open_objections == 1
    assert [item.code for item in row.waiting] == ["review_list"]
    AuthActions(client).login("jiyang1", DEMO_PASSWORD)
    page = client.get(f"/townships/{township.id}/dashboard").get_data(as_text=True)
    assert re.search(r"公告有 1 条异议待答复（由筹备组答复）", page)


def test_objections_to_a_bodys_result_are_the_bodys_to_answer(app: Any) -> None:
    """枫林湾's election was convened by its property management committee: an objection to its result is the body's
    to answer (DOMAIN §7 item 10), so it is not on the township's list; the row's stage says objections are open."""
    township = _demo_township()
    fenglin = _community("枫林湾")
    under_way = current_meeting(fenglin)
    assert under_way is not None
    meeting, result = under_way
    assert meeting.body_id is not None
    assert result is not None
    certification.record_objection(result, "李四", "选票有误", result.objections_until, None)  # its last day
    db.session.expire(result)
    dashboard = township_dashboard(township, today())
    assert not [item for item in dashboard.waiting if item.community == fenglin]
    assert community_stage(fenglin, today()).code == "objections"
