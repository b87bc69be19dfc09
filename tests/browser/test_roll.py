"""The owner roll in headless Chromium on a 360-px phone, in Chinese: the demo's group leader downloads the
template, uploads a file with mistakes and reads the problems, uploads a correct file, watches the import end,
opens the new version and publishes it. No console error anywhere."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import delete, select

from app.communities.models import Community
from app.extensions import db
from app.roll.models import RollImport, RollVersion
from app.roll.template import template_headers
from tests.browser.conftest import LiveServer
from tests.browser.test_pages import assert_fits_phone, in_database, log_in
from tests.roll_flow.helpers import CJK, csv_bytes, small_roll_rows, unit_row

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=10_000)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID = "33068119900305011"  # 17 digits; the check character is added below


def _id(body17: str) -> str:
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


#: three rows with a mistake each: an area of zero, an unknown status, a wrong check character
BAD_ROWS = [
    unit_row(room="101", area="0", owners=[("张三华", _id(ID), "")]),
    unit_row(room="102", status="已出租", owners=[("李建国", _id("33232519680805013"), "")]),
    unit_row(room="103", owners=[("王秀英", _id("33232519701120024")[:17] + "0", "")]),
]


@pytest.fixture
def jiangnan(live_server: LiveServer) -> Iterator[int]:
    """江南名邸's id; the versions and uploads a test adds are removed afterwards, so the demo stays as loaded
    for the other browser tests (test_pages counts its 1,200 units)."""
    community_id = in_database(live_server, select(Community.id).where(Community.name == "江南名邸"))
    with live_server.app.app_context():
        versions = set(db.session.scalars(select(RollVersion.id).where(RollVersion.community_id == community_id)))
        imports = set(db.session.scalars(select(RollImport.id).where(RollImport.community_id == community_id)))
        db.session.remove()
    try:
        yield community_id
    finally:
        with live_server.app.app_context():
            db.session.execute(
                delete(RollImport).where(RollImport.community_id == community_id, RollImport.id.not_in(imports))
            )
            for version in db.session.scalars(
                select(RollVersion).where(RollVersion.community_id == community_id, RollVersion.id.not_in(versions))
            ):
                db.session.delete(version)
            db.session.commit()
            db.session.remove()


def _upload(page: Any, path: Path, reason: str) -> None:
    page.get_by_label("名册文件（XLSX 或 CSV）", exact=True).set_input_files(str(path))
    page.get_by_label("制作此版本的原因", exact=True).fill(reason)
    page.get_by_role("button", name="上传并检查", exact=True).click()


def test_group_leader_checks_uploads_and_publishes_a_roll_on_a_phone(
    page, console_errors, live_server: LiveServer, jiangnan: int, tmp_path: Path
):
    log_in(page, "group-leader")
    page.goto(f"/communities/{jiangnan}/roll")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("业主名册")
    expect(page.get_by_role("heading", name="上传业主名册", exact=True)).to_be_visible()
    expect(page.locator("[data-total-heads]").first).to_be_visible()
    assert_fits_phone(page)

    # the template: an XLSX workbook whose first row is the import's headers
    link = page.get_by_role("link", name="模板（XLSX）", exact=True)
    href = link.get_attribute("href")
    assert href == f"/communities/{jiangnan}/roll/template.xlsx"
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"PK\x03\x04")
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    first_row = next(workbook.worksheets[0].iter_rows(min_row=1, max_row=1, values_only=True))
    assert [cell for cell in first_row if cell] == template_headers()
    workbook.close()
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == XLSX

    # a file with mistakes: every problem listed, in Chinese, nothing imported
    bad = tmp_path / "名册-有误.csv"
    bad.write_bytes(csv_bytes(BAD_ROWS))
    _upload(page, bad, "第一次上传")
    expect(page).to_have_url(re.compile(r"/roll/imports/\d+$"))
    expect(page.get_by_role("heading", level=2).filter(has_text="问题")).to_have_text("发现 3 个问题，文件未导入。")
    problems = page.locator("table[data-problems] tbody tr")
    expect(problems).to_have_count(3)
    expected = [("2", "面积"), ("3", "状态"), ("4", "业主1证件号码")]
    for index, (row, column) in enumerate(expected):
        cells = problems.nth(index).locator("td")
        expect(cells.nth(0)).to_have_text(row)
        expect(cells.nth(1)).to_have_text(column)
        message = cells.nth(3).inner_text()
        assert CJK.search(message), message
    page.screenshot(path=str(tmp_path / "import_failed.png"), full_page=True)
    assert_fits_phone(page)

    # a correct file: the progress page ends in "done" (it reloads itself while the import runs)
    page.get_by_role("link", name=re.compile("业主名册")).first.click()
    good = tmp_path / "名册.csv"
    good.write_bytes(csv_bytes(small_roll_rows()))
    _upload(page, good, "第二次上传：更正后的名册")
    expect(page).to_have_url(re.compile(r"/roll/imports/\d+$"))
    expect(page.locator("h2.ok")).to_have_text("已导入 7 个专有部分。", timeout=30_000)
    expect(page.locator("[data-progress-url]")).to_have_count(0)
    assert_fits_phone(page)
    import_id = int(page.url.rsplit("/", 1)[1])
    with live_server.app.app_context():
        roll_import = db.session.get(RollImport, import_id)
        assert roll_import is not None
        assert (roll_import.status, roll_import.file_data) == ("done", None)
        version_id = roll_import.roll_version_id
        db.session.remove()

    # the new version, published from a day of 2026
    page.get_by_role("link", name="打开新版本", exact=True).click()
    expect(page).to_have_url(live_server.path(f"/roll/versions/{version_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"业主名册第 \d+ 版"))
    expect(page.locator("[data-total-heads]").first).to_have_text("5")
    expect(page.locator("[data-total-area]").first).to_have_text("574.03")
    # This page is wider than the phone and its 公示 button cannot be tapped (a bug: see
    # test_the_version_page_fits_a_phone_and_publish_can_be_tapped); the date is submitted with the keyboard's
    # Enter ("前往" on a phone keyboard) instead.
    date_field = page.get_by_label("公示开始日期", exact=True)
    date_field.fill("2026-09-17")
    date_field.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("2026-09-23")
    expect(page.get_by_role("link", name="公示页面", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("PDF"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "version_published.png"), full_page=True)
    with live_server.app.app_context():
        version = db.session.get(RollVersion, version_id)
        assert version is not None
        assert str(version.notice_ends_on) == "2026-09-23"
        db.session.remove()
    assert console_errors == []


# --- layout bugs on a 360-px phone ----------------------------------------------------------------------------


def test_the_version_page_fits_a_phone_and_publish_can_be_tapped(page, live_server: LiveServer, jiangnan: int):
    from app.demo.roll_generator import demo_small_roll
    from app.roll.versions import create_version

    with live_server.app.app_context():  # a new, unpublished version (the demo's roll is published already)
        community = db.session.get_one(Community, jiangnan)
        version_id = create_version(community, demo_small_roll()[:20], "布局测试", None, "import").id
        db.session.commit()
        db.session.remove()
    log_in(page, "group-leader")
    page.goto(f"/roll/versions/{version_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"业主名册第 \d+ 版"))
    publish = page.get_by_role("button", name="公示", exact=True)
    publish.click(trial=True, timeout=3_000)  # actionability only: nothing is published
    assert_fits_phone(page)


def test_the_public_notice_fits_a_phone(page, live_server: LiveServer, jiangnan: int):
    from datetime import date

    from app.demo.roll_generator import demo_small_roll
    from app.roll import services
    from app.roll.versions import create_version

    with live_server.app.app_context():
        community = db.session.get_one(Community, jiangnan)
        version = create_version(community, demo_small_roll()[:20], "布局测试", None, "import")
        services.publish_version(version, date(2026, 9, 17), None)
        token = version.notice_token
        db.session.commit()
        db.session.remove()
    response = page.goto(f"/notices/roll/{token}")  # anonymous, as an owner opens it
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("江南名邸")
    assert_fits_phone(page)
