"""An owner is signed in to their own pages from a letter whose second factor their browser passed (issue 20 item
1), when they first open those pages rather than at the second factor (issue 21 item 2): the ballot itself makes no
owner session, cookie or audit event; the session lasts the letter's 8 hours from the second factor; once per
letter, so that an owner who signs out stays out; never for a browser that did not pass the second factor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.db_types import utcnow
from app.extensions import db
from app.owners import sign_in
from app.owners.models import OwnerSession
from app.owners.web import COOKIE
from app.voting.models import Credential
from tests.conftest import csrf_token_from
from tests.factories import gen_community, gen_official, gen_township
from tests.voting.helpers import OpenMeeting, gen_open_meeting
from tests.voting.test_ballot_pages import Voter, id_tail_of, verified, voter_browser, voter_with_unique_name


@pytest.fixture
def world(app: Any) -> OpenMeeting:
    township = gen_township()
    return gen_open_meeting(gen_community(township), gen_official(township))


def owner_sessions() -> list[OwnerSession]:
    return list(db.session.scalars(select(OwnerSession).order_by(OwnerSession.id)))


def sign_in_events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "owner.sign_in"))


def owner_cookie(response: Any) -> str | None:
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")), None)


def test_the_ballot_opens_no_owner_session_and_the_owners_pages_open_one_from_the_letter(app, world: OpenMeeting):
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()
    passed = browser.verify(id_tail_of(browser.voter))
    assert passed.status_code == 200
    assert owner_cookie(passed) is None
    assert owner_sessions() == []
    assert sign_in_events() == 0

    home = browser.client.get("/owner")
    assert home.status_code == 302
    assert "/owner/communities/" in home.headers["Location"]
    cookie = owner_cookie(home)
    assert cookie is not None
    assert "HttpOnly" in cookie
    assert "Max-Age" not in cookie
    [session] = owner_sessions()
    credential = db.session.get_one(Credential, _credential_id(browser))
    assert session.method == "letter"
    assert session.expires_at == credential.verified_at + sign_in.LETTER_SESSION
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "owner.sign_in")).one()
    assert event.community_id == world.meeting.community_id  # the community's chain, not the platform's
    assert browser.client.get(home.headers["Location"]).status_code == 200

    browser.client.get("/owner")
    assert len(owner_sessions()) == 1
    assert sign_in_events() == 1


def _credential_id(browser: Voter) -> int:
    return db.session.scalars(
        select(Credential.id).where(Credential.meeting_voter_id == browser.voter.id, Credential.revoked_at.is_(None))
    ).one()


def test_an_owner_who_signs_out_stays_out(app, world: OpenMeeting):
    browser = verified(app, world)
    assert browser.client.get("/owner").status_code == 302
    page = browser.client.get("/owner/sessions")
    out = browser.client.post("/owner/sign-out", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert out.status_code == 302
    again = browser.client.get("/owner")
    assert again.status_code == 302
    assert "/owner/sign-in" in again.headers["Location"]
    assert len(owner_sessions()) == 1


def test_no_owner_session_without_the_second_factor(app, world: OpenMeeting):
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()  # the link alone is one factor
    refused = browser.client.get("/owner")
    assert refused.status_code == 302
    assert "/owner/sign-in" in refused.headers["Location"]
    assert owner_sessions() == []
    assert sign_in_events() == 0


def test_no_owner_session_once_the_letters_eight_hours_are_over(app, world: OpenMeeting):
    browser = verified(app, world)
    with time_machine.travel(utcnow() + sign_in.LETTER_SESSION + timedelta(minutes=1)):
        refused = browser.client.get("/owner")
    assert refused.status_code == 302
    assert "/owner/sign-in" in refused.headers["Location"]
    assert owner_sessions() == []
