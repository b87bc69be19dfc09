"""A tie for the fifth of five seats settled by a run-off, in Chromium on the demo (issue 15, done when; DOMAIN §5):
桂花苑's first meeting left two candidates tied for the fifth seat and the community waits for its run-off; the
township convenes it from the result page, announces and opens it; an owner votes on a phone, the others have voted;
it is closed, counted and published; another official certifies it, and the committee is formed with the run-off's
winner as the fifth member and the loser as the first alternate."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.demo.voting import letter_of
from app.extensions import db
from app.governance import bodies
from app.results.models import Result
from app.voting import announcement, ballots
from app.voting.models import Meeting, MeetingVoter
from tests.browser.conftest import LiveServer
from tests.browser.test_bodies import _announce, _open
from tests.browser.test_pages import assert_fits_phone, in_database, log_in, log_out

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect


def _the_fifteen_days_pass(live_server: LiveServer, meeting_id: int) -> None:
    """The run-off was announced 30 days ago and its window is open now (the page announced it today)."""
    with live_server.app.app_context():
        meeting = db.session.get_one(Meeting, meeting_id)
        now = utcnow()
        meeting.opens_at, meeting.closes_at = now - timedelta(hours=1), now + timedelta(days=1)
        day = datetime.now(SHANGHAI).date() - timedelta(days=30)
        announcement.announce(meeting, day, None, recorded_on=day)
        db.session.commit()
        db.session.remove()


def _owners_vote(live_server: LiveServer, meeting_id: int) -> tuple[str, str, str, str]:
    """Every voter but one (the developer's included) votes: 7 in 10 for the second tied candidate. Returns the last
    owner's letter (token, ID tail) and the two candidates' names (the second, then the first)."""
    with live_server.app.app_context():
        meeting = db.session.get_one(Meeting, meeting_id)
        (contest,) = meeting.matters
        first, second = contest.candidates
        everyone = select(MeetingVoter).where(MeetingVoter.meeting_id == meeting_id).order_by(MeetingVoter.id)
        voters = sorted(db.session.scalars(everyone), key=lambda v: not v.is_developer)  # an owner last
        for number, voter in enumerate(voters[:-1]):
            ballots.cast(voter, {str(contest.id): [(first if number % 10 < 3 else second).id]}, "phone")
        token, tail = letter_of(voters[-1])
        names = second.name, first.name
        db.session.commit()
        db.session.remove()
    return token, tail, *names


def _notice_over(live_server: LiveServer, meeting_id: int) -> None:
    with live_server.app.app_context():
        result = db.session.scalars(select(Result).where(Result.meeting_id == meeting_id)).one()
        today = datetime.now(SHANGHAI).date()
        result.published_on, result.objections_until = today - timedelta(days=10), today - timedelta(days=1)
        db.session.commit()
        db.session.remove()


def test_a_tie_for_the_fifth_seat_is_settled_by_a_runoff_and_forms_the_committee(
    page, console_errors, live_server: LiveServer
) -> None:
    osmanthus: int = in_database(live_server, select(Community.id).where(Community.name == "桂花苑"))
    election: int = in_database(live_server, select(Meeting.id).where(Meeting.community_id == osmanthus))

    # the community waits for the run-off; the result page names the tie and offers to convene it
    log_in(page, "jiyang1")
    page.goto(f"/communities/{osmanthus}")
    expect(page.locator("[data-state=runoff]").first).to_be_visible()
    page.goto(f"/meetings/{election}/result")
    tie = page.locator("#runoff")
    expect(tie).to_contain_text("另行选举决定委员名额")
    assert_fits_phone(page)
    today = datetime.now(SHANGHAI).date()
    tie.locator("[name=title]").fill("桂花苑业主大会会议（另行选举第五名委员）")
    tie.locator("[name=opens_on]").fill((today + timedelta(days=16)).isoformat())
    tie.locator("[name=closes_on]").fill((today + timedelta(days=18)).isoformat())
    tie.get_by_role("button", name="召集另行选举").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("另行选举第五名委员")
    expect(page.locator("#matters")).to_contain_text("对并列候选人另行选举：产生委员 1 名、候补委员 1 名")
    expect(page.locator("#matters")).to_contain_text("每张选票最多选 1 人")
    runoff = int(page.url.rstrip("/").rsplit("/", 1)[1])
    _announce(page)

    # fifteen days later it opens; the owners vote, the last on a phone
    _the_fifteen_days_pass(live_server, runoff)
    page.goto(f"/meetings/{runoff}")
    _open(page)
    expect(page.get_by_role("status").first).to_contain_text("表决已开启")
    token, tail, winner, loser = _owners_vote(live_server, runoff)
    log_out(page)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/v?t={token}")
    page.get_by_label("身份证号码后六位", exact=True).fill(tail)
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator("fieldset")).to_contain_text("最多选 1 人")
    page.get_by_role("checkbox", name=winner).first.check()
    page.get_by_role("button", name="下一步：核对选择", exact=True).click()
    page.get_by_role("button", name="提交选票", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已收到")
    page.set_viewport_size({"width": 1280, "height": 900})

    # closed (everyone voted), counted and published by the township that leads the group's work
    log_in(page, "jiyang1")
    page.goto(f"/meetings/{runoff}/result")
    page.locator("#closing button").click()
    page.get_by_role("button", name="计票并签名").click()
    page.get_by_role("button", name="公示初步结果，接受异议").click()
    expect(page.get_by_role("status").first).to_be_visible()
    log_out(page)

    # after the notice another official certifies it: the committee is formed
    _notice_over(live_server, runoff)
    log_in(page, "jiyang2")
    page.goto(f"/meetings/{runoff}/result")
    page.get_by_role("button", name="确认结果").click()
    expect(page.get_by_role("status").first).to_be_visible()
    page.goto(f"/communities/{osmanthus}")
    expect(page.locator("[data-state=committee]").first).to_be_visible()
    with live_server.app.app_context():
        committee = bodies.in_office(db.session.get_one(Community, osmanthus))
        assert committee is not None
        members = [m.name for m in bodies.serving(committee)]
        alternates = [m.name for m in bodies.serving(committee, "alternate")]
        db.session.remove()
    assert len(members) == 5
    assert members[-1] == winner
    assert alternates[0] == loser
    expect(page.locator("#body")).to_contain_text(winner)
    assert console_errors == []
