"""The public result on a 360-px phone, in Chinese (issue 19 items 3 and 4), for the demo's 柳岸花园 (published for
objections, nobody elected) and 松涛苑 (certified, five members elected):

- the outcome is on the first screen (its box starts above 640 px), before any hash;
- a candidate's name takes one line (the table becomes a card per candidate), never a character per line;
- every word of a chart is at least 14 px as rendered, and the same size on a 1280-px desktop (no text scaled with
  its drawing), with no SVG text at all;
- a bar is green only when its line is reached, and says ✓ or ✗;
- the page fits the phone, passes axe-core without serious or critical violations, logs no console error, and is
  screenshotted (full page, and the first screen).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.communities.models import Community
from app.results.models import Result
from app.voting.models import Meeting
from tests.browser.conftest import LiveServer
from tests.browser.test_ballot import check_accessibility
from tests.browser.test_pages import assert_fits_phone, in_database

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=10_000)

#: the first screen of the phone the pages are designed for (740 px tall, less the browser's own bars)
FIRST_SCREEN_PX = 640
#: the smallest chart text we accept on a phone, in CSS pixels as rendered
MIN_CHART_TEXT_PX = 14
GREEN = "rgb(27, 110, 32)"

#: every element of the charts that holds text of its own: its computed size and its rendered height
CHART_TEXTS = """() => [...document.querySelectorAll('figure.chart *')]
  .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .filter(el => el.getClientRects().length > 0)
  .map(el => ({text: el.textContent.trim().slice(0, 40), size: parseFloat(getComputedStyle(el).fontSize),
               tag: el.tagName}))"""
#: every candidate's name cell: its height and its line height
NAME_CELLS = """() => [...document.querySelectorAll('table.candidates .name')].map(el => ({
  name: el.textContent.trim(), height: el.getBoundingClientRect().height,
  line: parseFloat(getComputedStyle(el).lineHeight)}))"""
#: every bar: whether its line is reached, its fill as drawn and its words
BARS = """() => [...document.querySelectorAll('.result-chart .bar-row')].map(row => ({
  met: row.dataset.met, words: row.querySelector('.bar-label').textContent.trim(),
  fill: getComputedStyle(row.querySelector('rect:not(.bar-track)')).fill}))"""


def digest_of(live_server: LiveServer, community: str) -> str:
    meeting_id = in_database(
        live_server,
        select(Meeting.id)
        .join(Community, Community.id == Meeting.community_id)
        .where(Community.name == community)
        .order_by(Meeting.id),
    )
    return str(in_database(live_server, select(Result.package_sha256).where(Result.meeting_id == meeting_id)))


@pytest.mark.parametrize(
    ("community", "status", "elected"),
    [("柳岸花园", "初步结果，公示中（接受异议）", False), ("松涛苑", "已经镇（街道）确认", True)],
)
def test_the_public_result_reads_on_a_phone(
    page: Any,
    browser: Any,
    console_errors: list[str],
    live_server: LiveServer,
    tmp_path: Path,
    community: str,
    status: str,
    elected: bool,
) -> None:
    digest = digest_of(live_server, community)
    page.goto(f"/r/{digest}")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_text(status).first).to_be_visible()
    page.screenshot(path=str(tmp_path / f"{community}-first-screen.png"))
    page.screenshot(path=str(tmp_path / f"{community}-full.png"), full_page=True)

    # the outcome first: its card and the verdict of the first matter on the first screen, no hash there
    outcome = page.locator("#outcome")
    expect(outcome.get_by_role("heading", name="表决结果")).to_be_visible()
    assert outcome.bounding_box()["y"] < FIRST_SCREEN_PX
    first_verdict = outcome.locator(".outcome-item .verdict").first
    expect(first_verdict).to_have_text("✓ 通过")
    assert first_verdict.bounding_box()["y"] < FIRST_SCREEN_PX
    expect(page.locator("code", has_text=digest)).to_be_hidden()  # the hash waits in the technical detail
    if elected:
        expect(outcome.locator('[data-elected="member"]')).to_contain_text("当选委员：")

    # a candidate's name on one line, not a character per line
    cells = page.evaluate(NAME_CELLS)
    assert len(cells) >= 5
    for cell in cells:
        assert len(cell["name"]) >= 2
        assert cell["height"] < 1.5 * cell["line"], f"{cell['name']} wraps: {cell['height']} px tall"

    # chart words: at least 14 px on the phone, none of them SVG text
    assert page.locator("figure.chart svg text").count() == 0
    phone = page.evaluate(CHART_TEXTS)
    assert phone
    small = [t for t in phone if t["size"] < MIN_CHART_TEXT_PX]
    assert small == [], small
    label = page.locator(".result-chart .bar-label").first
    assert label.bounding_box()["height"] >= MIN_CHART_TEXT_PX

    # colours that agree with the words
    for bar in page.evaluate(BARS):
        assert (bar["fill"] == GREEN) == (bar["met"] == "true"), bar
        assert bar["words"].startswith("✓" if bar["met"] == "true" else "✗"), bar

    assert_fits_phone(page)
    check_accessibility(page, f"public result of {community}")
    assert console_errors == []

    # on a desktop the same words keep their size: nothing grows with the width of the drawing
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url)
    try:
        wide = desktop.new_page()
        wide.goto(f"/r/{digest}")
        sizes = {(t["tag"], t["text"]): t["size"] for t in wide.evaluate(CHART_TEXTS)}
        for text in phone:
            assert sizes.get((text["tag"], text["text"])) == text["size"], text
        wide.screenshot(path=str(tmp_path / f"{community}-desktop.png"), full_page=True)
    finally:
        desktop.close()
