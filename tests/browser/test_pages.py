"""Real journeys in headless Chromium on a 360-px phone: login, a township official's community, the language
switch, an administrator's form with a wrong value, and no console error or CSP violation anywhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.auth.models import GroupRole, Role, RoleGrant, User
from app.communities.models import Community, Township
from app.demo.loader import DEMO_PASSWORD
from app.extensions import db
from app.roll.models import RollUnit, RollVersion
from tests.browser.conftest import VIEWPORT, LiveServer

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=10_000)

PHONE_WIDTH = VIEWPORT["width"]
#: the smallest comfortable touch target (WCAG 2.5.5, Apple HIG), in CSS pixels
MIN_TOUCH_PX = 44


# --- helpers --------------------------------------------------------------------------------


def log_in(page: Any, username: str) -> None:
    """Log in through the Chinese login form and wait for the dashboard."""
    page.goto("/login")
    page.get_by_label("登录名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")


def log_out(page: Any) -> None:
    page.get_by_role("button", name=re.compile(r"^退出")).click()
    expect(page.get_by_role("heading", level=1, name="登录")).to_be_visible()


def assert_fits_phone(page: Any) -> None:
    """Nothing sticks out sideways: the page never scrolls horizontally at 360 px.

    Measured once the page has loaded: a caller may have just clicked a link, and a document mid-navigation has
    no root element to measure.
    """
    page.wait_for_load_state("load")
    scroll_width = page.wait_for_function(
        "() => document.readyState === 'complete' && document.documentElement"
        " ? document.documentElement.scrollWidth : null"
    ).json_value()
    assert scroll_width <= PHONE_WIDTH, f"{page.url} is {scroll_width} px wide on a {PHONE_WIDTH}-px phone"


def section(page: Any, heading: str) -> Any:
    """The card whose heading is `heading`."""
    return page.locator("section.card", has=page.get_by_role("heading", name=heading, exact=True))


def in_database(live_server: LiveServer, query: Any) -> Any:
    """One value from the live server's database (in the test thread's own app context and session)."""
    with live_server.app.app_context():
        return db.session.scalar(query)


# --- journeys -------------------------------------------------------------------------------


def test_login_page_is_chinese_and_fits_a_phone(page, console_errors, tmp_path: Path):
    response = page.goto("/login")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]

    expect(page).to_have_title(re.compile("^登录"))
    expect(page.get_by_role("heading", level=1, name="登录")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert_fits_phone(page)

    button = page.get_by_role("button", name="登录", exact=True)
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= MIN_TOUCH_PX, f"the login button is {box['height']} px tall"
    for label in ("登录名", "密码"):
        field_box = page.get_by_label(label, exact=True).bounding_box()
        assert field_box is not None
        assert field_box["height"] >= MIN_TOUCH_PX, f"the {label} field is {field_box['height']} px tall"
    body_font_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_font_px >= 16

    page.screenshot(path=str(tmp_path / "login.png"), full_page=True)
    assert (tmp_path / "login.png").stat().st_size > 0
    assert console_errors == []


def test_township_official_opens_a_community_and_creates_a_group_member(
    page, console_errors, live_server: LiveServer, tmp_path: Path
):
    community_id = in_database(live_server, select(Community.id).where(Community.name == "江南名邸"))
    units = in_database(
        live_server,
        select(func.count())
        .select_from(RollUnit)
        .join(RollVersion, RollUnit.roll_version_id == RollVersion.id)
        .where(RollVersion.community_id == community_id),
    )
    assert units == 1200  # the demo's large roll

    log_in(page, "jiyang1")
    expect(page.get_by_role("heading", level=1)).to_have_text("陈建国，您好")
    your_communities = section(page, "您负责的小区")
    expect(your_communities.get_by_role("link", name="江南名邸")).to_be_visible()
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    your_communities.get_by_role("link", name="江南名邸").click()
    expect(page).to_have_url(live_server.path(f"/communities/{community_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("江南名邸")
    expect(section(page, "业主名册")).to_contain_text(f"共 {units} 个专有部分")
    accounts = section(page, "本小区账号")
    for login in ("group-leader", "group-owner", "teller", "observer"):
        expect(accounts.get_by_role("listitem").filter(has_text=login)).to_have_count(1)
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "community.png"), full_page=True)

    accounts.get_by_role("link", name="新建账号").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("为江南名邸新建账号")
    assert_fits_phone(page)
    page.get_by_label("姓名", exact=True).fill("刘晓燕")
    page.get_by_label("登录名", exact=True).fill("browser-owner")
    page.get_by_label("初始密码", exact=True).fill("a-long-initial-password")
    page.get_by_label("角色", exact=True).select_option(label="筹备组成员")
    page.get_by_label("在筹备组中的身份", exact=True).select_option(label="业主代表")
    page.screenshot(path=str(tmp_path / "account_new.png"), full_page=True)
    page.get_by_role("button", name="新建账号").click()

    expect(page).to_have_url(live_server.path(f"/communities/{community_id}"))
    expect(page.get_by_role("status")).to_have_text("已创建账号：browser-owner。")
    new_row = section(page, "本小区账号").get_by_role("listitem").filter(has_text="browser-owner")
    expect(new_row).to_contain_text("刘晓燕")
    expect(new_row).to_contain_text("筹备组成员")
    expect(new_row).to_contain_text("业主代表")
    grant_of_new = in_database(
        live_server, select(RoleGrant).join(RoleGrant.user).where(User.username == "browser-owner")
    )
    assert (grant_of_new.role, grant_of_new.group_role, grant_of_new.community_id) == (
        Role.GROUP_MEMBER,
        GroupRole.OWNER_REPRESENTATIVE,
        community_id,
    )

    log_out(page)
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="登录")).to_be_visible()  # logged out for real
    assert console_errors == []


def test_official_cannot_open_another_townships_page(page, console_errors, live_server: LiveServer, tmp_path):
    own_id = in_database(live_server, select(Township.id).where(Township.name == "暨阳街道"))
    other_id = in_database(live_server, select(Township.id).where(Township.name == "浣东街道"))
    log_in(page, "jiyang1")

    response = page.goto(f"/townships/{own_id}")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("暨阳街道")
    expect(page.get_by_role("table")).to_contain_text("江南名邸")
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "township.png"), full_page=True)

    response = page.goto(f"/townships/{other_id}")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("此页面不存在，或您无权查看。")
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    expect(page.get_by_text("浣东街道")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert_fits_phone(page)
    # Chromium reports the 404 of the document itself as a console error; that one, and only it, is expected.
    refused = live_server.path(f"/townships/{other_id}")
    assert [error for error in console_errors if not error.endswith(f"({refused})")] == []


def test_language_switch_to_english_and_back(page, console_errors):
    page.goto("/login")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    log_in(page, "jiyang1")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, 陈建国")
    expect(page.get_by_role("navigation").get_by_role("link", name="Townships")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Log out"))).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("陈建国，您好")
    expect(page.get_by_role("navigation").get_by_role("link", name="街道", exact=True)).to_be_visible()
    assert console_errors == []


def test_admin_creates_a_township_after_correcting_a_bad_code(
    page, console_errors, live_server: LiveServer, tmp_path: Path
):
    name = "枫桥镇"
    townships_named = select(func.count()).select_from(Township).where(Township.name == name)
    assert in_database(live_server, townships_named) == 0
    log_in(page, "admin")
    page.get_by_role("link", name="新建街道").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建街道")
    assert_fits_phone(page)

    page.get_by_label("街道名称", exact=True).fill(name)
    code = page.get_by_label("行政区划代码", exact=True)
    code.fill("33068")
    page.get_by_role("button", name="新建", exact=True).click()

    code_field = page.locator(".field", has=page.get_by_label("行政区划代码", exact=True))
    expect(code_field.get_by_role("alert")).to_have_text("行政区划代码应为 9 位或 12 位数字。")
    expect(code_field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.get_by_label("街道名称", exact=True)).to_have_value(name)  # what was typed is kept
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "township_new_error.png"), full_page=True)
    assert in_database(live_server, townships_named) == 0

    code.fill("330681105")
    page.get_by_role("button", name="新建", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"已创建街道：{name}。")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    assert in_database(live_server, townships_named) == 1
    assert in_database(live_server, select(Township.admin_code).where(Township.name == name)) == "330681105"
    assert console_errors == []


def test_inline_script_is_refused_and_reported_as_a_console_error(page, console_errors):
    """The detector the other tests rely on: a CSP violation shows up in `console_errors`."""
    page.goto("/login")
    assert console_errors == []
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => {
                const script = document.createElement('script');
                script.textContent = 'window.inlineScriptRan = true;';
                document.body.appendChild(script);
            }"""
        )
    assert page.evaluate("window.inlineScriptRan === undefined")
    assert any("Content Security Policy" in error for error in console_errors), console_errors
