"""A teller's double entry in headless Chromium at 360×740, in Chinese (issue 6 items 5 and 11): two different
tellers, each on their own phone, enter the same returned paper ballot by its code; after the first the page says
the ballot waits for a second teller, after the second that it is counted, and a paper ballot is stored. Every step
is screenshotted, fits the phone without sideways scrolling, and logs no console error."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from app.auth import services as accounts
from app.auth.models import Role, User
from app.communities.models import Community
from app.demo.loader import DEMO_PASSWORD
from app.demo.roll_generator import demo_small_roll
from app.extensions import db
from app.roll import services as roll_services
from app.roll.models import RollVersion
from app.roll.versions import create_version
from app.voting import meetings, paper
from app.voting.models import Ballot, Credential, Meeting, MeetingVoter, SmsMessage
from app.voting.paper_models import PaperEntry
from tests.browser.conftest import LiveServer
from tests.browser.test_pages import assert_fits_phone, log_in, log_out
from tests.voting.helpers import announce_back, gen_meeting

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=10_000)

#: the roll of the test's meeting: the first 30 units of the small demo roll (as in test_ballot)
ROLL_UNITS = 30
#: the outcome words, in Chinese once the catalog has them (English before: the test follows the data attribute)
COUNTED = re.compile(r"^(已计入|Counted)")
WAITING = re.compile(r"^(等待|Waiting)")


@dataclass(frozen=True)
class PaperBallot:
    """An open meeting taking paper ballots, one voter's paper code, and two tellers of the community."""

    meeting_id: int
    voter_id: int
    code: str
    motion_ids: list[int]
    election_id: int
    candidate_ids: list[int]
    tellers: tuple[str, str]


@pytest.fixture
def returned(live_server: LiveServer) -> Iterator[PaperBallot]:
    """An open meeting of 桃园小区 on a new, frozen roll version and two new tellers; the meeting, its roll version and
    its paper entries removed afterwards (the tellers are deactivated: the audit log names them)."""
    suffix = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        community = db.session.scalars(select(Community).where(Community.name == "桃园小区")).one()
        official = db.session.scalars(select(User).where(User.username == "jiyang1")).one()
        version = create_version(community, demo_small_roll()[:ROLL_UNITS], "纸质票测试", official.id, "import")
        roll_services.publish_version(version, date(2026, 8, 10), official.id)
        meeting = gen_meeting(community, official)
        announce_back(meeting)
        meetings.open_voting(meeting, date(2026, 9, 1), official.id)
        voter = db.session.scalars(
            select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id).order_by(MeetingVoter.id)
        ).first()
        assert voter is not None
        tellers = tuple(
            accounts.create_community_account(
                community, f"paper-teller-{n}-{suffix}", name, DEMO_PASSWORD, Role.TELLER
            ).username
            for n, name in ((1, "钱计票"), (2, "孙计票"))
        )
        election = next(m for m in meeting.matters if m.kind == "election")
        result = PaperBallot(
            meeting_id=meeting.id,
            voter_id=voter.id,
            code=paper.paper_code(voter),
            motion_ids=[m.id for m in meeting.matters if m.kind == "motion"],
            election_id=election.id,
            candidate_ids=[c.id for c in election.candidates],
            tellers=(tellers[0], tellers[1]),
        )
        version_id = version.id
        db.session.commit()
        db.session.remove()
    try:
        yield result
    finally:
        with live_server.app.app_context():
            voter_ids = select(MeetingVoter.id).where(MeetingVoter.meeting_id == result.meeting_id)
            db.session.execute(delete(PaperEntry).where(PaperEntry.meeting_id == result.meeting_id))
            db.session.execute(delete(Ballot).where(Ballot.meeting_id == result.meeting_id))
            db.session.execute(delete(Credential).where(Credential.meeting_voter_id.in_(voter_ids)))
            db.session.execute(delete(SmsMessage).where(SmsMessage.meeting_id == result.meeting_id))
            db.session.execute(delete(MeetingVoter).where(MeetingVoter.meeting_id == result.meeting_id))
            db.session.delete(db.session.get_one(Meeting, result.meeting_id))
            db.session.flush()
            db.session.delete(db.session.get_one(RollVersion, version_id))
            for user in db.session.scalars(select(User).where(User.username.in_(result.tellers))):
                user.is_active = False
            db.session.commit()
            db.session.remove()


def snapshot(page: Any, tmp_path: Path, step: str) -> None:
    """Every step fits the phone; a full-page screenshot of it."""
    page.wait_for_load_state("load")
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / f"{step}.png"), full_page=True)


def enter_ballot(page: Any, ballot: PaperBallot) -> None:
    """Type the code and mark what the paper shows: for, against, three candidates; then record."""
    form = page.locator("form#entry")
    form.locator("input[name=code]").fill(ballot.code)
    first, second = ballot.motion_ids
    form.locator(f"input[name=m{first}][value=yes]").check()
    form.locator(f"input[name=m{second}][value=no]").check()
    for candidate in ballot.candidate_ids[:3]:
        form.locator(f"input[name=m{ballot.election_id}][value='{candidate}']").check()
    form.locator("button[type=submit]").click()


def test_two_tellers_enter_the_same_ballot_and_it_counts(
    page, console_errors, live_server: LiveServer, returned: PaperBallot, tmp_path: Path
):
    entry_path = f"/meetings/{returned.meeting_id}/paper"

    # 1. the first teller opens the entry form on a phone
    log_in(page, returned.tellers[0])
    page.goto(entry_path)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("form#entry input[name=code]")).to_be_visible()
    expect(page.locator("form#entry fieldset")).to_have_count(len(returned.motion_ids) + 1)
    snapshot(page, tmp_path, "1-entry-form")

    # 2. the first entry waits for a second teller; nothing counts yet
    enter_ballot(page, returned)
    outcome = page.locator("#outcome")
    expect(outcome).to_have_attribute("data-outcome", "pending")
    expect(outcome.locator("[data-outcome-words]")).to_have_text(WAITING)
    expect(outcome).to_contain_text(returned.code)
    snapshot(page, tmp_path, "2-first-entry")
    with live_server.app.app_context():
        assert db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == returned.voter_id)).first() is None
        db.session.remove()
    log_out(page)

    # 3. a second teller enters the same ballot the same way: counted
    log_in(page, returned.tellers[1])
    page.goto(entry_path)
    snapshot(page, tmp_path, "3-second-form")
    enter_ballot(page, returned)
    outcome = page.locator("#outcome")
    expect(outcome).to_have_attribute("data-outcome", "matched")
    expect(outcome.locator("[data-outcome-words]")).to_have_text(COUNTED)
    snapshot(page, tmp_path, "4-counted")
    with live_server.app.app_context():
        ballot = db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == returned.voter_id)).one()
        assert ballot.channel == "paper"
        db.session.remove()

    # 4. the queue: nothing waits, one ballot counted
    page.locator("[data-queue-link]").click()
    expect(page.locator("[data-count=matched]")).to_have_text("1")
    expect(page.locator("[data-count=mismatch]")).to_have_text("0")
    snapshot(page, tmp_path, "5-queue")

    for step in ("1-entry-form", "2-first-entry", "3-second-form", "4-counted", "5-queue"):
        assert (tmp_path / f"{step}.png").stat().st_size > 0
    assert console_errors == []
