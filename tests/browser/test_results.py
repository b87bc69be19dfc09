"""The public result pages in headless Chromium at 360×740, in Chinese (issue 7 items 5, 7 and 8): the published
result of the demo's 柳岸花园 with its charts, the verification of its signed package, and an owner's check of their
own ballot by its receipt code. Each page fits the phone, passes axe-core without serious or critical violations,
logs no console error, and is screenshotted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.communities.models import Community
from app.results.models import Result
from app.voting.ballots import receipt_code
from app.voting.models import Ballot, Meeting
from tests.browser.conftest import LiveServer
from tests.browser.test_ballot import check_accessibility
from tests.browser.test_pages import assert_fits_phone, in_database

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=10_000)


def published(live_server: LiveServer) -> tuple[str, str]:
    """The package hash of 柳岸花园's published result and the receipt code of one of its ballots."""
    meeting_id = in_database(
        live_server,
        select(Meeting.id).join(Community, Community.id == Meeting.community_id).where(Community.name == "柳岸花园"),
    )
    digest = in_database(live_server, select(Result.package_sha256).where(Result.meeting_id == meeting_id))
    receipt = in_database(live_server, select(Ballot.receipt_sha256).where(Ballot.meeting_id == meeting_id))
    return digest, receipt_code(receipt)


def check(page: Any, tmp_path: Path, step: str) -> None:
    page.wait_for_load_state("load")
    assert_fits_phone(page)
    check_accessibility(page, step)
    page.screenshot(path=str(tmp_path / f"{step}.png"), full_page=True)


def test_anyone_reads_verifies_and_checks_their_ballot_on_a_phone(
    page: Any, console_errors: list[str], live_server: LiveServer, tmp_path: Path
) -> None:
    digest, code = published(live_server)

    page.goto(f"/r/{digest}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_text("初步结果，公示中（接受异议）").first).to_be_visible()
    expect(page.locator("figure.result-chart").first).to_be_visible()
    expect(page.locator("#outcome")).to_be_visible()
    check(page, tmp_path, "1-public-result")

    page.get_by_role("link", name="核验已签名的结果包").click()
    expect(page.locator("#checks")).to_have_attribute("data-ok", "true")
    expect(page.get_by_role("heading", name="✓ 全部核验通过。")).to_be_visible()
    expect(page.get_by_text("结果由平台签名。")).to_be_visible()
    expect(page.locator("[data-check]").first).to_be_hidden()  # the technical names wait in the detail
    check(page, tmp_path, "2-verification")

    page.goto(f"/r/{digest}")
    page.get_by_role("link", name="业主：查询您的选票是否计入").click()
    page.get_by_label("回执码或回执哈希").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#found")).to_have_attribute("data-ballot-verified", "true")
    expect(page.locator("#found")).to_have_attribute("data-roll-verified", "true")
    expect(page.locator("[data-cast]")).to_contain_text("投票方式：")
    check(page, tmp_path, "3-owner-check")
    assert console_errors == []
