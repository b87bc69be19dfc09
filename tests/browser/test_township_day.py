"""A township official's day on the demo in headless Chromium at 1280×800, in Chinese (issue 19 item 1: a dashboard
that tells the truth). jiyang1 opens the township's dashboard: 梅园小区 is listed as voting with its live turnout
against the 2/3 line, 荷花苑 as waiting for its count; 柳岸花园's unanswered objection waits for the township and
leads to its result page, which says to answer it before deciding; 枫林湾's result is ready to certify and its page
offers the decision; no community whose meeting is under way shows an overdue preparation clock; 梅园小区's own page
shows the same stage. Each step is screenshotted, audited with axe-core, and logs no console error. Nothing is
changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_ballot import check_accessibility
from tests.browser.test_pages import log_in

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=10_000)

DESKTOP = {"width": 1280, "height": 800}


def shown(page: Any, tmp_path: Path, name: str) -> None:
    """A screenshot of the whole page and the accessibility audit."""
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    check_accessibility(page, name)


def test_the_township_sees_what_is_true_and_what_waits_for_it(
    page: Any, tmp_path: Path, console_errors: list[str]
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, "jiyang1")
    page.get_by_role("link", name="暨阳街道数据看板", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("暨阳街道")
    shown(page, tmp_path, "1-dashboard")

    voting = page.locator("#voting")
    meiyuan = voting.locator("li[data-voting]", has_text="梅园小区")
    expect(meiyuan).to_contain_text("表决进行中")
    expect(meiyuan).to_contain_text("人数 39.2%（20 / 51）")
    expect(meiyuan).to_contain_text("未达三分之二")
    expect(voting.locator("li[data-voting]", has_text="荷花苑")).to_contain_text("表决已结束")
    expect(voting.locator("[data-row='梅园小区']")).to_be_visible()

    row = page.locator("#communities tr", has_text="梅园小区")
    expect(row.locator("[data-stage]")).to_have_text("表决进行中")
    expect(row).not_to_contain_text("已逾期")  # its meeting is what counts now, not the group's old clocks

    waiting = page.locator("#waiting")
    expect(waiting.locator("li", has_text="柳岸花园")).to_contain_text("有异议待答复")
    expect(waiting.locator("li", has_text="枫林湾")).to_contain_text("待确认")
    expect(waiting).not_to_contain_text("公告有")  # objections to a group's notices are the group's

    waiting.locator("li", has_text="柳岸花园").get_by_role("link").click()
    expect(page.locator("#decision")).to_contain_text("所有异议答复后")
    expect(page.get_by_role("button", name="确认结果")).to_have_count(0)
    shown(page, tmp_path, "2-objection-open")

    page.go_back()
    page.locator("#waiting li", has_text="枫林湾").get_by_role("link").click()
    expect(page.locator("#decision form")).to_have_count(2)  # certify, or refuse with the reasons
    shown(page, tmp_path, "3-ready-to-certify")

    page.goto("/")
    page.get_by_role("link", name="梅园小区").first.click()
    expect(page.locator("#stage [data-stage]")).to_have_text("表决进行中")
    expect(page.locator("#stage")).to_contain_text("人数 39.2%（20 / 51）")
    shown(page, tmp_path, "4-community")
    assert console_errors == []
