"""The bodies through their own accounts, in Chromium on the demo (issue 14; DOMAIN §7 items 4, 7, 9 and 10):

- 竹林苑: the township records the conversion and invites the property management committee's chair; the chair
  convenes the committee's election, nominates five owners of the roll, vets them and submits the list; the township
  approves it; the chair adds the election from the list and announces it; opening the vote is refused with the day
  it becomes possible, and on that day it opens. The township is refused every act of the body.
- 松涛苑: the committee's chair publishes a decision; owners read it without login.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.communities.models import Community
from app.db_types import SHANGHAI
from app.demo.candidates import owners_on_roll
from app.demo.loader import DEMO_PASSWORD
from app.extensions import db
from app.governance.transparency_models import Publication
from app.voting import announcement
from app.voting.models import Meeting
from tests.browser.conftest import LiveServer
from tests.browser.test_pages import assert_fits_phone, in_database, log_in, log_out

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect


def _community_id(live_server: LiveServer, name: str) -> int:
    found: int = in_database(live_server, select(Community.id).where(Community.name == name))
    return found


def _owners(live_server: LiveServer, community_id: int, count: int) -> list[tuple[str, str]]:
    with live_server.app.app_context():
        return owners_on_roll(db.session.get_one(Community, community_id), 12, count)


def _nominate_and_vet(page: Any, name: str, id_number: str) -> None:
    page.locator("[name=name]").fill(name)
    page.locator("[name=id_number]").fill(id_number)
    page.locator("[name=route]").select_option("self")
    page.locator("[name=statement]").fill("愿意为业主服务。")
    page.locator("form[action$='/candidates'] button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    page.locator("[name=declaration_made]").check()
    page.locator("[name=property_company_tie][value=no]").check()
    page.locator("form[action$='/profile'] button[type=submit]").click()
    page.locator("form[action$='/vet'] button[value=accept]").click()
    expect(page.locator("#vetting .ok")).to_be_visible()


def _announce(page: Any) -> None:
    page.locator("form[action$='/announce'] [name=confirm]").check()
    page.locator("form[action$='/announce'] button").click()
    expect(page.get_by_role("status").first).to_be_visible()


def _open(page: Any) -> None:
    page.locator("form[action$='/open'] [name=confirm]").check()
    page.locator("form[action$='/open'] button").click()
    expect(page.get_by_role("status").first).to_be_visible()


def test_the_property_management_committee_prepares_its_election_through_its_own_account(
    page, console_errors, live_server: LiveServer
) -> None:
    bamboo = _community_id(live_server, "竹林苑")
    home = f"/communities/{bamboo}"

    # the township records the conversion and invites the committee's chair
    log_in(page, "jiyang1")
    page.goto(home)
    page.locator("input[name=decision][value=convert]").check()
    page.locator("[name=reason]").first.fill("由筹备组改设为物业管理委员会，组织选举业主委员会")
    page.locator("form[action$='/governance/conversion'] button").click()
    expect(page.locator("#body[data-kind=pmc]")).to_be_visible()
    expect(page.get_by_role("button", name="召集业主大会会议")).to_have_count(0)  # the township does not convene
    page.get_by_role("link", name="为组织成员开设账号").click()
    page.locator("[name=display_name]").fill("竹林苑物管会主任")
    page.locator("[name=username]").fill("zhulin-pmc")
    page.locator("[name=password]").fill(DEMO_PASSWORD)
    page.locator("[name=role]").select_option("body_member")
    page.locator("[name=body_id]").select_option(index=1)
    page.locator("[name=body_office]").select_option("chair")
    page.get_by_role("button", name="新建账号").click()
    expect(page.get_by_role("status").first).to_contain_text("zhulin-pmc")
    log_out(page)

    # the chair convenes, nominates and vets five owners of the roll, and submits the list
    log_in(page, "zhulin-pmc")
    page.goto(home)
    page.get_by_text("召集业主大会会议").click()
    page.locator("[name=title]").fill("竹林苑业主大会会议（选举业主委员会）")
    day_14 = datetime.now(SHANGHAI).date() + timedelta(days=14)
    page.locator("[name=opens_on]").fill(day_14.isoformat())
    page.locator("[name=closes_on]").fill((day_14 + timedelta(days=7)).isoformat())
    page.locator("form[action$='/body/meetings'] button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("选举业主委员会")
    meeting_url = page.url
    page.get_by_text("添加业主委员会选举").click()
    page.get_by_role("link", name="候选人及资格审查").click()
    expect(page).to_have_url(re.compile(r"/candidates$"))
    assert_fits_phone(page)
    candidates_url = page.url
    for name, id_number in _owners(live_server, bamboo, 5):
        page.goto(candidates_url)
        _nominate_and_vet(page, name, id_number)
    page.goto(candidates_url)
    page.locator("form[action$='/candidates/submit'] button").click()
    expect(page.get_by_role("status").first).to_be_visible()
    log_out(page)

    # the township approves the list
    log_in(page, "jiyang1")
    page.goto(candidates_url)
    page.locator("button[name=decision][value=approve]").click()
    expect(page.get_by_role("status").first).to_be_visible()
    page.goto(meeting_url)
    expect(page.locator("#add-election")).to_have_count(0)  # the convener's form, not the township's
    log_out(page)

    # the chair adds the election from the approved list and announces it; the window opens 14 days after the
    # announcement: refused, naming the first day possible; moved to that day: refused until announced again
    log_in(page, "zhulin-pmc")
    page.goto(meeting_url)
    page.get_by_text("添加业主委员会选举").click()
    page.locator("[name=seats]").fill("5")
    page.locator("[name=max_alternates]").fill("0")
    page.locator("form[action$='/election'] button").click()
    expect(page.locator("article").filter(has_text="选举业主委员会委员")).to_be_visible()
    _announce(page)
    meeting_id = int(meeting_url.rstrip("/").rsplit("/", 1)[1])
    with live_server.app.app_context():
        earliest = announcement.earliest_opening(db.session.get_one(Meeting, meeting_id))
    assert earliest is not None
    assert earliest > day_14
    _open(page)
    expect(page.get_by_role("status").first).to_contain_text(earliest.isoformat())
    assert in_database(live_server, select(Meeting.status).where(Meeting.id == meeting_id)) == "draft"
    page.get_by_text("修改表决期与表决方式").click()
    page.locator("form[action$='/configure'] [name=opens_on]").fill(earliest.isoformat())
    page.locator("form[action$='/configure'] [name=closes_on]").fill((earliest + timedelta(days=7)).isoformat())
    page.locator("form[action$='/configure'] button[type=submit]").click()
    _open(page)
    assert in_database(live_server, select(Meeting.status).where(Meeting.id == meeting_id)) == "draft"
    _announce(page)
    assert_fits_phone(page)
    _open(page)
    expect(page.get_by_role("status").first).to_contain_text("表决已开启")
    assert in_database(live_server, select(Meeting.status).where(Meeting.id == meeting_id)) == "open"
    assert console_errors == []


def test_the_committee_publishes_a_decision_and_owners_read_it(page, console_errors, live_server: LiveServer) -> None:
    pines = _community_id(live_server, "松涛苑")
    log_in(page, "songtao-chair")
    page.goto(f"/communities/{pines}")
    page.get_by_role("link", name="信息公示").first.click()
    page.locator("[name=category]").select_option("decision")
    page.locator("[name=title]").fill("业委会决定：续聘保洁公司一年")
    page.locator("[name=text]").fill("经业主委员会会议决定，续聘保洁公司一年。")
    page.locator("form[action$='/publications'] button[type=submit]").click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert_fits_phone(page)
    token = in_database(live_server, select(Community.public_token).where(Community.id == pines))
    assert token
    log_out(page)

    page.goto(f"/c/{token}")  # an owner, without logging in
    expect(page.get_by_role("heading", level=1)).to_contain_text("松涛苑")
    expect(page.locator("#category-decision")).to_contain_text("续聘保洁公司")
    assert_fits_phone(page)
    published = in_database(live_server, select(Publication.published_on).where(Publication.title.contains("保洁")))
    assert published is not None
    assert console_errors == []
