"""The administrators' holiday page in Chromium at 360 px: the years and their state, a year typed in from the
State Council's notice, the preview of what it moves; nothing is stored before the confirmation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.calendar.models import HolidayYear
from tests.browser.conftest import LiveServer
from tests.browser.test_pages import assert_fits_phone, in_database, log_in

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect


def test_an_administrator_previews_next_years_arrangement(
    page, console_errors, live_server: LiveServer, tmp_path: Path
) -> None:
    log_in(page, "admin")
    page.get_by_role("link", name="节假日安排").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("节假日安排")
    expect(page.locator('tr[data-year="2026"]')).to_contain_text("正式")
    expect(page.locator('tr[data-year="2027"]')).to_contain_text("暂定")
    assert_fits_phone(page)

    page.get_by_label("年份", exact=True).fill("2027")
    page.get_by_label("依据", exact=True).fill("浏览器测试数据（并非国务院通知）")
    page.get_by_label("放假日期", exact=True).fill("2027-01-01 至 2027-01-03\n2027-02-05 至 2027-02-11")
    page.get_by_label("调休上班日", exact=True).fill("2027-02-20")
    page.get_by_role("button", name="预览", exact=True).click()

    expect(page.get_by_role("heading", name="添加 2027 年前请核对")).to_be_visible()
    expect(page.get_by_role("button", name="添加 2027 年并重新计算")).to_be_visible()
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "holidays_preview.png"), full_page=True)
    assert in_database(live_server, select(func.count()).select_from(HolidayYear)) == 0

    page.get_by_label("放假日期", exact=True).fill("元旦三天")
    page.get_by_role("button", name="预览", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("放假日期第 1 行")
    assert in_database(live_server, select(func.count()).select_from(HolidayYear)) == 0
    assert console_errors == []
