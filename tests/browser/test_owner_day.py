"""An owner's voting day on a phone, around the ballot (issue 19 item 6), in headless Chromium at 360×740, in Chinese,
on the demo's 梅园小区 (voting open): the letter's link opens the second factor, whose box asks for the number pad and
has an X key of its own; the owner votes and reads on the receipt where and when the result will be published and
how to check that the ballot is in it; the same link opened on another phone shows nothing about that ballot, and
five wrong answers there lead to the lock-out page, which says until when (Beijing time) and whom to call. Every
page is screenshotted and audited with axe-core; the demo is left as it was loaded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.demo.voting import COMMUNITY, letter_of
from app.extensions import db
from app.voting import ballots
from app.voting.models import Ballot, Credential, Meeting, MeetingVoter, SmsMessage
from app.voting.owner_help import help_contact
from app.voting.proxy_models import Proxy
from tests.browser.conftest import LiveServer, phone_tab
from tests.browser.test_ballot import Transfers, check_step
from tests.browser.test_pages import MIN_TOUCH_PX

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=10_000)


@dataclass(frozen=True)
class DemoLetter:
    """A fresh letter of one of 梅园小区's owners who has not voted, and what the pages must show them."""

    token: str
    id_tail: str
    voter_id: int
    meeting_id: int
    community: str
    #: the voting window's close and the help phone, as the pages write them
    closes: str
    help_phone: str
    help_tel: str


@pytest.fixture
def demo_letter(live_server: LiveServer) -> Iterator[DemoLetter]:
    """A new letter for the last owner of 梅园小区 who has not voted, holds a resident ID and has no proxy; afterwards
    their ballot, this letter and its messages are removed and their earlier letters work again."""
    with live_server.app.app_context():
        community = db.session.scalars(select(Community).where(Community.name == COMMUNITY)).one()
        meeting = db.session.scalars(select(Meeting).where(Meeting.community_id == community.id)).one()
        voters = db.session.scalars(
            select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id).order_by(MeetingVoter.id.desc())
        ).all()
        with_proxy = set(db.session.scalars(select(Proxy.meeting_voter_id).where(Proxy.meeting_id == meeting.id)))
        voter = next(
            v
            for v in voters
            if not v.is_developer
            and v.id not in with_proxy
            and v.id_tail_lookup is not None
            and v.holder_document in (None, "resident_id")
            and ballots.existing_ballot(v) is None
        )
        in_force = list(
            db.session.scalars(
                select(Credential.id).where(Credential.meeting_voter_id == voter.id, Credential.revoked_at.is_(None))
            )
        )
        last_message = db.session.scalar(select(SmsMessage.id).order_by(SmsMessage.id.desc()).limit(1)) or 0
        token, tail = letter_of(voter)
        db.session.commit()
        assert len(tail) == 6
        helper = help_contact(meeting)
        letter = DemoLetter(
            token=token,
            id_tail=tail,
            voter_id=voter.id,
            meeting_id=meeting.id,
            community=community.name,
            closes=meeting.closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            help_phone=helper.phone,
            help_tel=helper.tel,
        )
        db.session.remove()
    try:
        yield letter
    finally:
        with live_server.app.app_context():
            db.session.execute(delete(Ballot).where(Ballot.meeting_voter_id == letter.voter_id))
            db.session.execute(
                delete(Credential).where(Credential.meeting_voter_id == letter.voter_id, Credential.id.not_in(in_force))
            )
            for credential in db.session.scalars(select(Credential).where(Credential.id.in_(in_force))):
                credential.revoked_at = None
            db.session.execute(
                delete(SmsMessage).where(SmsMessage.meeting_id == letter.meeting_id, SmsMessage.id > last_message)
            )
            db.session.commit()
            db.session.remove()


def unexpected(errors: list[str]) -> list[str]:
    """Chromium reports a document answered with 422 (a wrong answer) or 429 (the lock-out) as a console error; those,
    and only those, are expected."""
    return [e for e in errors if not ("status of 422" in e or "status of 429" in e)]


def test_an_owners_day_on_the_phone(
    page: Any, browser: Any, console_errors: list[str], live_server: LiveServer, demo_letter: DemoLetter, tmp_path: Path
) -> None:
    shots = tmp_path / "owner-day"
    shots.mkdir()
    transfers = Transfers(page)

    # 1. the letter's link: the second factor, on the number pad with an X key
    page.goto(f"/v?t={demo_letter.token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("确认身份")
    link_address = page.url
    answer = page.get_by_label("身份证号码后六位", exact=True)
    assert answer.get_attribute("inputmode") == "numeric"
    assert answer.get_attribute("pattern") == "[0-9]{5}[0-9Xx]"
    x_key = page.get_by_role("button", name="输入字母 X", exact=True)
    expect(x_key).to_be_visible()
    box = x_key.bounding_box()
    assert box is not None
    assert box["height"] >= MIN_TOUCH_PX
    assert box["width"] >= MIN_TOUCH_PX
    answer.fill("1")
    x_key.click()
    expect(answer).to_have_value("1X")
    expect(answer).to_be_focused()  # the number pad stays up
    assert page.url == link_address  # the key submits nothing
    answer.fill(demo_letter.id_tail[:5])
    if demo_letter.id_tail.endswith("X"):
        x_key.click()
    else:
        answer.press_sequentially(demo_letter.id_tail[5])
    expect(answer).to_have_value(demo_letter.id_tail)
    check_step(page, transfers, shots, "1-second-factor")
    page.get_by_role("button", name="确认", exact=True).click()

    # 2. the ballot: whom to call, no empty "住址：" line; then vote
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票")
    if demo_letter.help_phone:
        expect(page.locator("[data-help-phone]")).to_have_text(demo_letter.help_phone)
    for home in page.locator(".ballot-units").all():
        assert home.inner_text().strip() not in ("住址：", "住址:")
    check_step(page, transfers, shots, "2-ballot")
    matters = page.locator("fieldset.ballot-matter")
    matters.nth(0).get_by_label("同意", exact=True).check()
    matters.nth(1).get_by_label("反对", exact=True).check()
    for candidate in matters.nth(2).get_by_role("checkbox").all()[:3]:
        candidate.check()
    page.get_by_role("button", name="下一步：核对选择", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("核对您的选择")
    check_step(page, transfers, shots, "3-review")
    page.get_by_role("button", name="提交选票", exact=True).click()

    # 3. the receipt: where and when the result will be published, and how to check the ballot is in it
    expect(page).to_have_url(live_server.path("/v/receipt"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已收到")
    with live_server.app.app_context():
        receipt_code = db.session.scalars(
            select(Ballot.receipt_code).where(Ballot.meeting_voter_id == demo_letter.voter_id)
        ).one()
        db.session.remove()
    expect(page.locator("[data-receipt-code]")).to_have_text(receipt_code)
    expect(page.locator("[data-result-info]")).to_have_attribute("data-result-info", "later")
    expect(page.locator("[data-result-when]")).to_contain_text(f"投票于 {demo_letter.closes}（北京时间）结束")
    expect(page.locator("[data-result-when]")).to_contain_text("公示至少 5 个工作日")
    expect(page.locator("[data-result-where]")).to_contain_text(f"{demo_letter.community}公告栏")
    expect(page.locator("[data-result-check]")).to_contain_text(receipt_code)
    expect(page.locator("[data-result-check]")).to_contain_text("业主：查询您的选票是否计入")
    check_step(page, transfers, shots, "4-receipt")

    # 4. the same link on another phone: the second factor, and nothing about the ballot just cast
    other = phone_tab(browser, live_server, console_errors)
    other_transfers = Transfers(other)
    try:
        other.goto(f"/v?t={demo_letter.token}")
        expect(other.get_by_role("heading", level=1)).to_have_text("确认身份")
        body = other.locator("main").inner_text()
        assert receipt_code not in body
        assert "已收到" not in body
        assert "回执" not in body
        check_step(other, other_transfers, shots, "5-other-phone")

        # 5. five wrong answers: the lock-out, until when and whom to call
        wrong = "000000" if demo_letter.id_tail != "000000" else "111111"
        for left in (4, 3, 2, 1):
            other.get_by_label("身份证号码后六位", exact=True).fill(wrong)
            other.get_by_role("button", name="确认", exact=True).click()
            expect(other.get_by_role("alert")).to_have_text(f"回答不正确，还可以再试 {left} 次。")
        other.get_by_label("身份证号码后六位", exact=True).fill(wrong)
        other.get_by_role("button", name="确认", exact=True).click()
        expect(other.get_by_role("heading", level=1)).to_have_text("此链接暂时被锁定")
        with live_server.app.app_context():
            locked_until = db.session.scalars(
                select(Credential.locked_until).where(
                    Credential.meeting_voter_id == demo_letter.voter_id, Credential.revoked_at.is_(None)
                )
            ).one()
            db.session.remove()
        assert locked_until is not None
        ends = locked_until.astimezone(SHANGHAI)
        shown = ends.replace(second=0, microsecond=0) + timedelta(
            minutes=0 if ends.second == ends.microsecond == 0 else 1
        )
        assert shown > utcnow().astimezone(SHANGHAI)
        expect(other.locator("[data-locked-until]")).to_have_text(shown.strftime("%Y-%m-%d %H:%M"))
        expect(other.locator(".ballot-unlock")).to_contain_text("（北京时间）")
        assert demo_letter.help_phone, "the demo meeting names no one to call"
        phone = other.locator("[data-locked] [data-help-phone]")
        expect(phone).to_have_text(demo_letter.help_phone)
        assert phone.get_attribute("href") == f"tel:{demo_letter.help_tel}"
        box = phone.bounding_box()
        assert box is not None
        assert box["height"] >= MIN_TOUCH_PX
        expect(other.get_by_label("身份证号码后六位", exact=True)).to_have_count(0)
        check_step(other, other_transfers, shots, "6-locked")
    finally:
        other.context.close()

    for step in ("1-second-factor", "2-ballot", "3-review", "4-receipt", "5-other-phone", "6-locked"):
        assert (shots / f"{step}.png").stat().st_size > 0
    assert unexpected(console_errors) == []
