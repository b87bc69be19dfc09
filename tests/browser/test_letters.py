"""The convener makes letters, in headless Chromium at 1280×800 in Chinese (issue 19 item 5): the preparatory group's
leader (not the township) opens the letters page, sets the help phone and where paper ballots are handed in, then
makes a building's letters again. Some voters there hold letters already: the page asks first and says plainly that
those letters stop working once the new ones are ready; a click without ticking the box is refused and nothing is
made; ticked, the letters are made and the PDF downloaded says the phone and the place. Every step passes axe-core,
is screenshotted, and logs no console error."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.auth import services as accounts
from app.auth.models import GroupRole, Role
from app.extensions import db
from app.voting import credentials, letter_batches, letters
from app.voting.letter_batches import LetterBatch
from app.voting.models import Credential, MeetingVoter
from tests.browser.conftest import LiveServer
from tests.browser.test_ballot import check_accessibility
from tests.browser.test_pages import log_in
from tests.factories import gen_community, gen_official, gen_township
from tests.voting.helpers import gen_open_meeting
from tests.voting.test_letters import with_leader

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not letters.font_available(), reason="the letters need Debian's fonts-noto-cjk"),
]

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=15_000)

DESKTOP = {"width": 1280, "height": 800}
PHONE = "0575-87006666"
PLACE = "2幢架空层业主服务点（每天 8:00—17:00）"


@dataclass(frozen=True)
class Reprint:
    """An open meeting of a community of its own, its group leader's account, a building two of whose voters hold
    letters in force (their tokens)."""

    meeting_id: int
    leader: str
    building: str
    voters: int
    tokens: tuple[str, str]


@pytest.fixture
def reprint(live_server: LiveServer) -> Reprint:
    suffix = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        # a township and community of their own: the demo's are left as they are
        township = gen_township("通知书测试街道", f"3399{int(suffix, 16) % 10**5:05d}")
        community = gen_community(township, "通知书小区")
        opened = gen_open_meeting(community, gen_official(township))
        with_leader(opened.meeting)
        leader = accounts.create_community_account(
            community, f"letters-leader-{suffix}", "陈建国", "gongjue-demo", Role.GROUP_MEMBER, GroupRole.LEADER
        )
        building, count = letter_batches.buildings_of(opened.meeting)[0]
        holders = [v for v in opened.voters if v.building == building][:2]
        tokens = tuple(credentials.issue(voter, None).token for voter in holders)
        made = Reprint(opened.meeting.id, leader.username, building, count, (tokens[0], tokens[1]))
        db.session.commit()
        db.session.remove()
    return made


def snapshot(page: Any, tmp_path: Path, step: str) -> None:
    page.wait_for_load_state("load")
    check_accessibility(page, step)
    page.screenshot(path=str(tmp_path / f"{step}.png"), full_page=True)


def batches(live_server: LiveServer, meeting_id: int) -> int:
    with live_server.app.app_context():
        found = db.session.scalar(
            select(func.count()).select_from(LetterBatch).where(LetterBatch.meeting_id == meeting_id)
        )
        db.session.remove()
    return int(found or 0)


def in_force(live_server: LiveServer, tokens: tuple[str, ...]) -> int:
    with live_server.app.app_context():
        found = sum(1 for token in tokens if credentials.find(token=token) is not None)
        db.session.remove()
    return found


def test_the_convener_makes_a_buildings_letters_again_after_confirming(
    page: Any, console_errors: list[str], live_server: LiveServer, reprint: Reprint, tmp_path: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, reprint.leader)
    page.goto(f"/meetings/{reprint.meeting_id}/letters")
    expect(page.get_by_role("heading", level=1, name="投票通知书")).to_be_visible()
    snapshot(page, tmp_path, "1-letters")

    # what every letter says: set the phone and the drop-off place (open, since neither is set)
    help_card = page.locator("#owner-help")
    expect(help_card).to_contain_text("请向筹备组询问")
    help_card.get_by_label("业主咨询电话").fill(PHONE)
    help_card.get_by_label("纸质表决票交回地点").fill(PLACE)
    help_card.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存")).to_be_visible()
    expect(page.locator("#owner-help")).to_contain_text(f"交到：{PLACE}")
    expect(page.locator("#owner-help")).to_contain_text(PHONE)

    # the building whose voters hold letters: no one-click button, a link to the question
    row = page.locator(f'tr[data-building="{reprint.building}"]')
    expect(row.locator("td").nth(2)).to_have_text("2")
    expect(row.get_by_role("button")).to_have_count(0)
    row.get_by_role("link", name=f"重新制作… · {reprint.building}").click()
    expect(page).to_have_url(
        f"{live_server.url}/meetings/{reprint.meeting_id}/letters/again?building={quote(reprint.building)}"
    )
    question = page.locator("#confirm-reprint")
    expect(question.get_by_role("heading")).to_have_text("2 位投票人已持有有效的通知书")
    expect(question).to_contain_text("新通知书制作完成后，这些业主手中的通知书即作废")
    snapshot(page, tmp_path, "2-question")

    # not ticked: refused by the server (the form has no browser validation), back to the question, nothing made
    question.get_by_role("button", name="制作新的通知书").click()
    expect(page.locator("#confirm-reprint")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="请确认")).to_be_visible()
    assert batches(live_server, reprint.meeting_id) == 0
    assert in_force(live_server, reprint.tokens) == 2
    snapshot(page, tmp_path, "3-refused")

    page.get_by_label("我已知晓：新通知书制作完成后，这些业主手中的通知书即作废").check()
    page.get_by_role("button", name="制作新的通知书").click()
    expect(page.get_by_role("heading", name="通知书已制作完成。")).to_be_visible()  # the task ran in the web process
    snapshot(page, tmp_path, "4-ready")
    assert in_force(live_server, reprint.tokens) == 0  # the letters in hand stopped working with the new ones

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    path = tmp_path / "letters.pdf"
    download.value.save_as(path)
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
        flat = "".join(text.decode().split())
        assert flat.count("业主大会投票通知书") == reprint.voters
        assert f"咨询电话：{PHONE}" in flat
        assert "".join(PLACE.split()) in flat
        assert "盖章处" in flat
    with live_server.app.app_context():
        held = db.session.scalar(
            select(func.count())
            .select_from(Credential)
            .join(MeetingVoter, MeetingVoter.id == Credential.meeting_voter_id)
            .where(MeetingVoter.meeting_id == reprint.meeting_id, Credential.revoked_at.is_(None))
        )
        db.session.remove()
    assert held == reprint.voters
    assert console_errors == []
