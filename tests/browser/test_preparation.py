"""The preparation in headless Chromium on a 360-px phone, on the demo: the township's view with the overdue clock,
an invalid group composition refused with its reason, the candidate list approved, a public notice."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.communities.models import Community
from app.preparation.models import CandidateListReview, Notice, PreparatoryGroup
from tests.browser.conftest import LiveServer
from tests.browser.test_pages import assert_fits_phone, in_database, log_in, section

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect


def test_township_sees_the_overdue_clock_and_approves_the_candidate_list(page, console_errors, live_server):
    log_in(page, "jiyang2")
    page.get_by_role("link", name="江南名邸").first.click()
    preparation = section(page, "首次业主大会会议筹备")
    expect(preparation).to_contain_text("已逾期")
    preparation.get_by_role("link", name="打开筹备工作").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("首次业主大会会议筹备")
    expect(page.get_by_text(re.compile(r"已逾期 \d+ 天"))).to_be_visible()
    assert_fits_phone(page)

    page.get_by_role("link", name="候选人").first.click()
    assert_fits_phone(page)
    page.get_by_role("button", name="审核通过", exact=True).click()
    expect(page.get_by_role("status").first).to_be_visible()
    decision = in_database(
        live_server,
        select(CandidateListReview.decision)
        .join(PreparatoryGroup, PreparatoryGroup.id == CandidateListReview.group_id)
        .join(Community)
        .where(Community.name == "江南名邸"),
    )
    assert decision == "approved"
    assert not console_errors


def test_an_invalid_group_is_refused_with_its_reason(page, console_errors, live_server: LiveServer):
    log_in(page, "jiyang1")
    community_id = in_database(live_server, select(Community.id).where(Community.name == "桃园小区"))
    page.goto(f"/communities/{community_id}/preparation")
    expect(page.get_by_text("待成立筹备组")).to_be_visible()
    page.get_by_role("link", name="成立筹备组").click()
    assert_fits_phone(page)
    page.locator("[name='members-0-name']").fill("陈建国")
    page.locator("[name='members-0-role']").select_option("township")
    page.locator("[name='members-0-is_leader']").check()
    page.locator("[name='members-1-name']").fill("周立新")
    page.locator("[name='members-1-role']").select_option("developer")
    page.get_by_role("button", name="成立筹备组").click()
    expect(page.get_by_role("status").first).to_contain_text("业主代表人数不少于筹备组人数的二分之一")
    formed = in_database(
        live_server,
        select(PreparatoryGroup.formed_on).join(Community).where(Community.name == "桃园小区"),
    )
    assert formed is None
    assert not console_errors


def test_a_notice_is_public_and_readable_on_a_phone(page, console_errors, live_server: LiveServer):
    token = in_database(live_server, select(Notice.token).where(Notice.kind == "members"))
    response = page.goto(f"/notices/{token}")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("业主大会筹备组成员公告")
    assert_fits_phone(page)
    assert not console_errors
