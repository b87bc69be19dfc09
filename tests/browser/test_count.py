"""The count in the background, in headless Chromium at 1280×800 in Chinese (issue 17 item 4): while a meeting is
counted the convener's result page shows a progress bar that follows the chunks stored; when the last chunk is
done the page reloads by itself and shows the signed package and the statement of what is published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.extensions import db
from app.results import closing, count_runs
from app.results.models import CountRun
from tests.browser.conftest import LiveServer
from tests.browser.test_ballot import check_accessibility
from tests.factories import PASSWORD, gen_township
from tests.results.helpers_lifecycle import end_window, gen_voted

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=15_000)


def test_the_convener_watches_the_count_and_the_page_shows_the_result_when_done(
    page: Any, console_errors: list[str], live_server: LiveServer, tmp_path: Path
) -> None:
    with live_server.app.app_context():
        # a township and community of their own: the demo's are left as they are
        voted = gen_voted(share=0.8, township=gen_township("计票测试街道", "339999001"))
        end_window(voted.meeting)
        closing.close(voted.meeting)
        run = count_runs.start(voted.meeting, voted.official.id)
        run.chunk_size, run.chunk_count = 5, -(-run.ballot_count // 5)
        count_runs.plan(run.id)
        meeting_id, run_id, chunks, username = voted.meeting.id, run.id, run.chunk_count, voted.official.username
        db.session.commit()
        db.session.remove()
    assert chunks > 2

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/login")
    page.get_by_label("登录名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.goto(f"/meetings/{meeting_id}/result")
    count = page.locator("#count")
    expect(count.get_by_role("heading", name="正在计票")).to_be_visible()
    bar = count.locator("progress")
    expect(bar).to_have_attribute("value", "2")
    expect(page.get_by_role("button", name="计票并签名")).to_have_count(0)
    check_accessibility(page, "counting")
    page.screenshot(path=str(tmp_path / "1-counting.png"), full_page=True)

    with live_server.app.app_context():  # the worker stores the first chunks: the bar moves without a reload
        for position in range(chunks - 1):
            count_runs.run_chunk(run_id, position)
        moved = db.session.get_one(CountRun, run_id).progress
        db.session.remove()
    expect(count.locator("[data-progress-text]")).to_have_text(f"{moved}%")
    assert int(bar.get_attribute("value") or 0) == moved > 2

    with live_server.app.app_context():  # the last chunk finishes the run: the page reloads by itself
        count_runs.run_chunk(run_id, chunks - 1)
        db.session.remove()
    package = page.locator("#package")
    expect(package).to_be_visible()
    expect(package.locator("[data-published]")).to_contain_text("加密")
    check_accessibility(page, "counted")
    page.screenshot(path=str(tmp_path / "2-counted.png"), full_page=True)
    assert console_errors == []
