"""The phone ballot through the Flask test client (issue 6 items 2, 4 and 7): the letter's link leaves its token
behind at once; the second factor (ID tail or SMS code) is locked out after 5 wrong answers; the form, the review
page that repeats every choice, the cast, the receipt; one ballot per voter however often it is submitted; the
voting window; refusals that store nothing; the letter's typed code; the token never in a page, a URL or the audit.

Pages are read in English (the msgids) so that the tests do not depend on the catalogue; one test checks that the
pages speak Chinese by default.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.extensions import db
from app.roll.services import today
from app.voting import ballots, credentials, frozen_matters
from app.voting.credentials import format_code
from app.voting.models import Ballot, Credential, MatterAttachment, MeetingVoter, SmsMessage
from app.voting.views_ballot import local_seconds
from tests.conftest import csrf_token_from
from tests.factories import gen_community, gen_official, gen_township
from tests.preparation.helpers import roll_owners
from tests.voting.helpers import OpenMeeting, gen_open_meeting, issue_for


@pytest.fixture
def world(app: Any) -> OpenMeeting:
    township = gen_township()
    return gen_open_meeting(gen_community(township), gen_official(township))


@pytest.fixture
def sms_world(app: Any) -> OpenMeeting:
    township = gen_township()
    return gen_open_meeting(gen_community(township), gen_official(township), second_factor="sms")


def id_tail_of(voter: MeetingVoter) -> str:
    """The last six characters of the ID number of the voter's credential holder (from the demo roll)."""
    numbers = {o.id_number for o in roll_owners() if o.name == voter.holder_name}
    assert len(numbers) == 1, voter.holder_name
    return credentials.id_tail(numbers.pop())


def wrong_tail(right: str) -> str:
    return "000000" if right != "000000" else "111111"


@dataclass
class Voter:
    """A browser of one voter: their client, their letter's secrets, and every page it was shown."""

    client: FlaskClient
    voter: MeetingVoter
    token: str
    code: str
    pages: list[str]

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        self._seen(response)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, csrf_from: str = "/v/code", **kwargs: Any) -> Any:
        payload: dict[str, Any] = dict(data or {})
        payload["csrf_token"] = csrf_token_from(self.client.get(csrf_from).get_data(as_text=True))
        response = self.client.post(url, data=payload, **kwargs)
        self._seen(response)
        return response

    def _seen(self, response: Any) -> None:
        text = response.get_data(as_text=True)
        self.pages.append(text)
        assert self.token not in text
        assert self.token not in response.headers.get("Location", "")

    def open_link(self) -> Any:
        """Open the letter's link as the QR code does: it answers with the voter's page itself (no redirect), whose
        later requests carry the site's origin only as their Referer, never the token."""
        response = self.client.get(f"/v?t={self.token}")
        self._seen(response)
        assert response.status_code in (200, 302)  # a redirect: to the receipt, once voted in this session
        assert response.headers["Referrer-Policy"] == "origin"
        assert response.headers["Cache-Control"] == "no-store"
        return response

    def verify(self, answer: str) -> Any:
        return self.post("/v/verify", {"answer": answer})


def voter_browser(app: Any, voter: MeetingVoter, english: bool = True) -> Voter:
    issued = issue_for(voter)
    db.session.flush()
    client = app.test_client()
    if english:
        client.get("/lang/en")
    return Voter(client, voter, issued.token, issued.code, [])


def text(response: Any) -> str:
    """The page's text with tags removed and entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def ballots_of(voter: MeetingVoter) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.meeting_voter_id == voter.id)) or 0


def voter_with_phone(world: OpenMeeting) -> MeetingVoter:
    return next(v for v in world.voters if v.phone_cipher is not None)


def voter_with_unique_name(world: OpenMeeting, skip: int = 0) -> MeetingVoter:
    names = [o.name for o in roll_owners()]
    usable = [v for v in world.voters if not v.is_developer and names.count(v.holder_name) == 1]
    return usable[skip]


def verified(app: Any, world: OpenMeeting, skip: int = 0) -> Voter:
    browser = voter_browser(app, voter_with_unique_name(world, skip))
    browser.open_link()
    assert browser.verify(id_tail_of(browser.voter)).status_code == 200
    return browser


# --- the whole journey -----------------------------------------------------------------------------------------------


def test_link_second_factor_form_review_cast_receipt(app, world: OpenMeeting):
    browser = voter_browser(app, voter_with_unique_name(world))
    motion, covenant, election = world.meeting.matters
    browser.open_link()

    page = browser.get("/v/ballot")
    assert page.status_code == 200
    assert 'data-second-factor="id_last6"' in page.get_data(as_text=True)
    assert "The last six characters of your ID number" in text(page)
    assert "/v/review" not in page.get_data(as_text=True)  # no ballot form before the second factor

    confirmed = browser.verify(id_tail_of(browser.voter).lower())  # an X typed as x is right too
    assert confirmed.status_code == 200  # the ballot form itself, no redirect to it
    assert text(confirmed) == text(browser.get("/v/ballot"))

    form = browser.get("/v/ballot")
    body = text(form)
    assert form.status_code == 200
    for matter in world.meeting.matters:
        assert matter.title in body
    assert "Civil Code Art 278 ¶1, (1) Making and amending the rules of procedure" in body
    assert "Passes with more than half of the participating area and more than half of the participating owners" in body
    assert "A candidate is elected with more than half of the participating area" in body
    assert "Choose at most 5 candidates." in body
    for candidate in election.candidates:
        assert candidate.name in body
        assert f'name="m{election.id}" value="{candidate.id}"' in form.get_data(as_text=True)
    assert browser.voter.units_label in body
    assert browser.voter.holder_name not in body  # masked: 张*华

    chosen = [c.id for c in election.candidates[:3]]
    review = browser.post(
        "/v/review", {f"m{motion.id}": "yes", f"m{covenant.id}": "", f"m{election.id}": chosen}, csrf_from="/v/ballot"
    )
    assert review.status_code == 200
    words = text(review)
    assert "Check your choices" in words
    assert "For" in words
    assert "No choice (blank)" in words
    assert "You chose 3 of at most 5:" in words
    for candidate in election.candidates:
        assert (candidate.name in words) == (candidate.id in chosen)
    hidden = dict(re.findall(r'type="hidden" name="(m\d+)" value="([^"]*)"', review.get_data(as_text=True)))
    assert hidden[f"m{motion.id}"] == "yes"
    assert f"m{covenant.id}" not in hidden  # blank: nothing carried
    assert ballots_of(browser.voter) == 0  # the review stores nothing

    cast = browser.post("/v/cast", {f"m{motion.id}": "yes", f"m{election.id}": chosen}, csrf_from="/v/ballot")
    assert (cast.status_code, cast.headers["Location"]) == (302, "/v/receipt")
    ballot = db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == browser.voter.id)).one()
    assert ballot.channel == "phone"
    assert ballot.choices == {str(motion.id): "yes", str(covenant.id): None, str(election.id): sorted(chosen)}

    receipt = browser.get("/v/receipt")
    words = text(receipt)
    assert receipt.status_code == 200
    assert "Your ballot was received" in words
    assert ballot.receipt_code in words
    assert " ".join(ballot.receipt_sha256[i : i + 8] for i in range(0, 64, 8)) in words
    assert "take a screenshot" in words
    assert "/v/review" not in receipt.get_data(as_text=True)

    # reopening the letter's link lands on the receipt, never on a second form
    browser.open_link()
    again = browser.get("/v/ballot")
    assert (again.status_code, again.headers["Location"]) == (302, "/v/receipt")
    assert ballot.receipt_code in text(browser.get("/v/receipt"))
    assert "/v/review" not in browser.get("/v/receipt").get_data(as_text=True)

    # a double tap on "submit": the same receipt, one ballot, nothing to warn about
    tap = browser.post("/v/cast", {f"m{motion.id}": "yes", f"m{election.id}": chosen}, csrf_from="/v/code")
    assert (tap.status_code, tap.headers["Location"]) == (302, "/v/receipt")
    assert "data-not-counted" not in browser.get("/v/receipt").get_data(as_text=True)
    # other choices sent again (the back button): the first ballot counts, and the owner is told this one did not
    repeat = browser.post("/v/cast", {f"m{motion.id}": "no", f"m{election.id}": chosen[:1]}, csrf_from="/v/code")
    assert (repeat.status_code, repeat.headers["Location"]) == (302, "/v/receipt")
    told = browser.get("/v/receipt").get_data(as_text=True)
    assert 'data-not-counted="phone"' in told
    assert "What you just sent was not counted." in told
    assert "Your ballot from this link was received earlier" in told
    assert ballot.receipt_code in told
    assert "data-not-counted" not in browser.get("/v/receipt").get_data(as_text=True)  # said once
    assert ballots_of(browser.voter) == 1
    db.session.refresh(ballot)
    assert ballot.choices[str(motion.id)] == "yes"  # the first ballot accepted counts

    # the token was in no page, no Location, and in no audit event
    assert all(browser.token not in page for page in browser.pages)
    events = db.session.scalars(select(AuditEvent)).all()
    assert all(browser.token not in str(e.summary) and browser.code not in str(e.summary) for e in events)


def test_wrong_id_tail_counts_down_and_locks_after_five(app, world: OpenMeeting):
    """The lock-out page (issue 19 item 6): until when, to the minute after the lock ends, in Beijing time, and the
    meeting's help phone to tap; the lock shown again when the link is opened, never the form."""
    world.meeting.contact_phone = "0575-87001234"
    browser = voter_browser(app, voter_with_unique_name(world))
    right = id_tail_of(browser.voter)
    browser.open_link()
    for left in (4, 3, 2, 1):
        refused = browser.verify(wrong_tail(right))
        assert refused.status_code == 422
        assert f"That is not right. {left} attempts left." in text(refused)
    locked = browser.verify(wrong_tail(right))
    assert locked.status_code == 429
    credential = db.session.scalars(
        select(Credential).where(Credential.meeting_voter_id == browser.voter.id, Credential.revoked_at.is_(None))
    ).one()
    db.session.refresh(credential)
    assert credential.locked_until is not None
    ends = credential.locked_until.astimezone(SHANGHAI)
    shown = ends.replace(second=0, microsecond=0) + timedelta(minutes=0 if ends.second == ends.microsecond == 0 else 1)
    page = locked.get_data(as_text=True)
    assert 'data-locked="until"' in page
    assert "This link is locked for now" in text(locked)
    assert f"Try again after {shown:%Y-%m-%d %H:%M} (Beijing time)." in text(locked)
    assert 'href="tel:057587001234"' in page
    assert "Need help? Call: 0575-87001234" in text(locked)
    assert 'name="answer"' not in page  # no box to type into while locked

    still_locked = browser.verify(right)  # the right answer is refused while locked
    assert still_locked.status_code == 429
    assert 'data-locked="until"' in still_locked.get_data(as_text=True)
    reopened = browser.get("/v/ballot")
    assert reopened.status_code == 200
    assert 'data-locked="until"' in reopened.get_data(as_text=True)
    assert "/v/review" not in reopened.get_data(as_text=True)
    db.session.refresh(credential)
    assert credential.verified_at is None

    credential.locked_until = utcnow() - timedelta(seconds=1)  # the 15 minutes have passed
    db.session.flush()
    assert browser.verify(right).status_code == 200


def test_a_malformed_answer_is_refused_without_counting(app, world: OpenMeeting):
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()
    refused = browser.verify("12345")
    assert refused.status_code == 422
    assert "Type exactly six characters" in text(refused)
    credential = db.session.scalars(
        select(Credential).where(Credential.meeting_voter_id == browser.voter.id, Credential.revoked_at.is_(None))
    ).one()
    db.session.refresh(credential)
    assert credential.failed_attempts == 0


def test_the_second_factor_is_asked_again_in_a_new_session(app, world: OpenMeeting):
    first = verified(app, world)
    other = app.test_client()
    other.get("/lang/en")
    other.get(f"/v?t={first.token}")
    page = other.get("/v/ballot")
    assert 'data-second-factor="id_last6"' in page.get_data(as_text=True)
    assert "/v/review" not in page.get_data(as_text=True)


# --- refusals that store nothing --------------------------------------------------------------------------------------


def test_more_candidates_than_seats_is_refused_on_the_form_and_nothing_stored(app, world: OpenMeeting):
    browser = verified(app, world)
    motion, _covenant, election = world.meeting.matters
    every = [c.id for c in election.candidates]  # 6 candidates for 5 seats
    refused = browser.post("/v/review", {f"m{motion.id}": "no", f"m{election.id}": every}, csrf_from="/v/ballot")
    assert refused.status_code == 422
    words = text(refused)
    assert f"Choose at most 5 candidates on: {election.title}" in words
    assert "Nothing has been submitted yet." in words
    page = refused.get_data(as_text=True)
    assert page.count(f'name="m{election.id}" value="') == 6
    assert len(re.findall(rf'name="m{election.id}" value="\d+" checked', page)) == 6  # the choices are kept
    assert re.search(rf'name="m{motion.id}" value="no" checked', page)

    direct = browser.post("/v/cast", {f"m{election.id}": every}, csrf_from="/v/ballot")  # skipping the review
    assert direct.status_code == 422
    assert f"Choose at most 5 candidates on: {election.title}" in text(direct)
    assert ballots_of(browser.voter) == 0


def test_a_forged_choice_is_refused_and_nothing_stored(app, world: OpenMeeting):
    browser = verified(app, world)
    motion, _covenant, election = world.meeting.matters
    refused = browser.post("/v/cast", {f"m{motion.id}": "maybe", f"m{election.id}": ["x"]}, csrf_from="/v/ballot")
    assert refused.status_code == 422
    assert f"Choose yes, no or abstain on: {motion.title}" in text(refused)
    assert f"Choose among the candidates of: {election.title}" in text(refused)
    assert ballots_of(browser.voter) == 0


def test_change_goes_back_to_the_form_with_the_choices_kept(app, world: OpenMeeting):
    browser = verified(app, world)
    motion, covenant, election = world.meeting.matters
    back = browser.post(
        "/v/ballot",
        {f"m{motion.id}": "abstain", f"m{election.id}": [election.candidates[1].id]},
        csrf_from="/v/ballot",
    )
    page = back.get_data(as_text=True)
    assert back.status_code == 200
    assert re.search(rf'name="m{motion.id}" value="abstain" checked', page)
    assert not re.search(rf'name="m{covenant.id}" value="\w+" checked', page)
    assert re.search(rf'name="m{election.id}" value="{election.candidates[1].id}" checked', page)
    assert len(re.findall(rf'name="m{election.id}" value="\d+" checked', page)) == 1


def test_posts_without_a_csrf_token_are_refused(app, world: OpenMeeting):
    browser = verified(app, world)
    motion = world.meeting.matters[0]
    response = browser.client.post("/v/cast", data={f"m{motion.id}": "yes"})
    assert response.status_code == 400
    assert ballots_of(browser.voter) == 0


# --- the link, the letter's code, a new letter --------------------------------------------------------------------


def test_unknown_and_revoked_links_are_refused_and_a_new_letter_works(app, world: OpenMeeting):
    """An unknown link says to use the latest letter and call the number on it; a replaced one says that a newer
    letter replaced it and names the meeting's help phone (issue 19 item 6), on the link and in the session."""
    world.meeting.contact_phone = "0575-87001234"
    browser = voter_browser(app, voter_with_unique_name(world))
    unknown = browser.client.get("/v?t=not-a-token")
    assert unknown.status_code == 404
    assert "This link is not valid" in text(unknown)
    assert "A newer letter replaces the older ones" in text(unknown)
    assert "call the help number printed on your letter" in text(unknown)
    assert unknown.headers["Referrer-Policy"] == "no-referrer"
    assert browser.client.get("/v").status_code == 404

    browser.open_link()  # the old letter was opened on this phone …
    new = issue_for(browser.voter)  # … then the group printed a new one
    db.session.flush()
    revoked = browser.client.get(f"/v?t={browser.token}")
    assert revoked.status_code == 404
    assert revoked.headers["Referrer-Policy"] == "no-referrer"
    assert 'data-ballot-invalid="replaced"' in revoked.get_data(as_text=True)
    assert "A newer letter was issued for you, and it replaces this one" in text(revoked)
    assert "Need help? Call: 0575-87001234" in text(revoked)
    in_session = browser.client.get("/v/ballot")  # the session's credential is gone, and the page says why
    assert in_session.status_code == 404
    assert 'data-ballot-invalid="replaced"' in in_session.get_data(as_text=True)
    typed = browser.post("/v/code", {"code": browser.code})  # the old letter's typed code: the same answer
    assert typed.status_code == 404
    assert 'data-ballot-invalid="replaced"' in typed.get_data(as_text=True)

    browser.token = new.token
    browser.open_link()
    assert 'data-second-factor="id_last6"' in browser.get("/v/ballot").get_data(as_text=True)


def test_the_letters_typed_code_leads_to_the_same_ballot(app, world: OpenMeeting):
    browser = voter_browser(app, voter_with_unique_name(world))
    assert browser.get("/v/ballot").headers["Location"] == "/v/code"  # no link opened yet
    form = browser.get("/v/code")
    assert form.status_code == 200
    assert "The code printed on your letter" in text(form)

    wrong = browser.post("/v/code", {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 422
    assert "This code is not valid" in text(wrong)

    typed = format_code(browser.code).lower().replace("-", " ")  # "abcd efgh jkmn", as people type it
    right = browser.post("/v/code", {"code": typed})
    assert (right.status_code, right.headers["Location"]) == (302, "/v/ballot")
    assert browser.verify(id_tail_of(browser.voter)).status_code == 200
    assert "/v/review" in browser.get("/v/ballot").get_data(as_text=True)
    assert all(browser.code not in page and format_code(browser.code) not in page for page in browser.pages)


def test_wrong_codes_are_limited_per_address(app, world: OpenMeeting):
    browser = voter_browser(app, voter_with_unique_name(world))
    for _ in range(20):
        assert browser.post("/v/code", {"code": "AAAA-BBBB-CCCC"}).status_code == 422
    limited = browser.post("/v/code", {"code": browser.code})
    assert limited.status_code == 429


# --- the SMS factor --------------------------------------------------------------------------------------------------


def test_sms_code_from_the_outbox_passes_the_second_factor(app, sms_world: OpenMeeting):
    browser = voter_browser(app, voter_with_phone(sms_world))
    browser.open_link()
    page = browser.get("/v/ballot")
    assert 'data-second-factor="sms"' in page.get_data(as_text=True)
    assert "Send me a code" in text(page)
    assert re.search(r"1\d\d\*{4}\d{4}", text(page))  # the roll's phone, masked

    wrong_before_sending = browser.verify("123456")
    assert wrong_before_sending.status_code == 422

    sent = browser.post("/v/send-code", csrf_from="/v/ballot")
    assert (sent.status_code, sent.headers["Location"]) == (302, "/v/ballot")
    assert "A code was sent to" in text(browser.get("/v/ballot"))
    message = db.session.scalars(
        select(SmsMessage).where(SmsMessage.meeting_id == sms_world.meeting.id).order_by(SmsMessage.id.desc())
    ).first()
    assert message is not None
    code = re.search(r"\d{6}", message.body)
    assert code is not None

    assert browser.verify(code.group(0)).status_code == 200
    assert "/v/review" in browser.get("/v/ballot").get_data(as_text=True)


def test_sms_codes_are_limited_per_voter(app, sms_world: OpenMeeting):
    browser = voter_browser(app, voter_with_phone(sms_world))
    browser.open_link()
    for _ in range(5):
        assert browser.post("/v/send-code", csrf_from="/v/ballot").status_code == 302
    assert browser.post("/v/send-code", csrf_from="/v/ballot").status_code == 429


# --- the window ------------------------------------------------------------------------------------------------------


def test_before_the_window_the_page_says_when_voting_opens(app, world: OpenMeeting):
    browser = verified(app, world)
    world.meeting.opens_at = utcnow() + timedelta(days=2)
    db.session.flush()
    page = browser.get("/v/ballot")
    assert 'data-window="before"' in page.get_data(as_text=True)
    assert "Voting has not started" in text(page)
    assert "Beijing time" in text(page)
    assert "/v/review" not in page.get_data(as_text=True)
    motion = world.meeting.matters[0]
    refused = browser.post("/v/cast", {f"m{motion.id}": "yes"}, csrf_from="/v/code")
    assert refused.headers["Location"] == "/v/ballot"
    assert ballots_of(browser.voter) == 0


def test_after_the_window_the_page_says_voting_has_closed(app, world: OpenMeeting):
    browser = verified(app, world)
    world.meeting.opens_at = utcnow() - timedelta(days=8)
    world.meeting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    page = browser.get("/v/ballot")
    assert 'data-window="after"' in page.get_data(as_text=True)
    assert "Voting has closed" in text(page)
    motion = world.meeting.matters[0]
    refused = browser.post("/v/review", {f"m{motion.id}": "yes"}, csrf_from="/v/code")
    assert refused.headers["Location"] == "/v/ballot"
    assert browser.post("/v/cast", {f"m{motion.id}": "yes"}, csrf_from="/v/code").headers["Location"] == "/v/ballot"
    assert ballots_of(browser.voter) == 0


def test_a_voter_who_voted_sees_the_receipt_after_the_close(app, world: OpenMeeting):
    browser = verified(app, world)
    assert browser.post("/v/cast", {}, csrf_from="/v/ballot").status_code == 302
    world.meeting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    browser.open_link()
    assert browser.get("/v/ballot").headers["Location"] == "/v/receipt"
    assert "Your ballot was received" in text(browser.get("/v/receipt"))


# --- the receipt in a new session, attachments, Chinese ---------------------------------------------------------------


def test_a_new_session_learns_nothing_about_the_ballot_before_the_second_factor(app, world: OpenMeeting):
    """Issue 19 item 6: the letter's link reopened in a new session (another phone, a lost one, a family member's)
    shows the second factor exactly as to an owner who has not voted: not that, nor when, the owner voted; not even
    a redirect differs. After it, the receipt."""
    first = verified(app, world)
    first.post("/v/cast", {}, csrf_from="/v/ballot")
    ballot = db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == first.voter.id)).one()
    not_voted = voter_browser(app, voter_with_unique_name(world, skip=1))
    not_voted.open_link()

    later = Voter(app.test_client(), first.voter, first.token, first.code, [])
    later.client.get("/lang/en")
    later.open_link()
    page, other = later.get("/v/ballot"), not_voted.get("/v/ballot")
    assert (page.status_code, other.status_code) == (200, 200)
    assert 'data-second-factor="id_last6"' in page.get_data(as_text=True)
    words = text(page)
    for told in (
        "received",
        "Received",
        ballot.receipt_code,
        local_seconds(ballot.cast_at)[:10] + " " + local_seconds(ballot.cast_at)[11:16],
    ):
        assert told not in words
    assert words.replace(first.voter.shown_name, "").replace(first.voter.units_label, "") == text(other).replace(
        not_voted.voter.shown_name, ""
    ).replace(not_voted.voter.units_label, "")
    for url in ("/v/receipt", "/v/review", "/v/cast"):  # the same answers as for an owner who has not voted
        mine = later.get(url) if url == "/v/receipt" else later.post(url, {}, csrf_from="/v/code")
        theirs = not_voted.get(url) if url == "/v/receipt" else not_voted.post(url, {}, csrf_from="/v/code")
        assert (mine.status_code, mine.headers.get("Location")) == (theirs.status_code, theirs.headers.get("Location"))
        assert mine.headers.get("Location") == "/v/ballot"
    assert ballots_of(not_voted.voter) == 0

    assert later.verify(id_tail_of(first.voter)).headers["Location"] == "/v/receipt"  # the second factor passed
    assert later.get("/v/ballot").headers["Location"] == "/v/receipt"
    receipt = text(later.get("/v/receipt"))
    assert "Your ballot was received" in receipt
    assert ballot.receipt_code in receipt


def test_attachments_only_for_the_voters_meeting(app, world: OpenMeeting):
    attachment = MatterAttachment(
        matter_id=world.motion.id, filename="议事规则草案.pdf", sha256="0" * 64, data=b"%PDF-1.4 test"
    )
    db.session.add(attachment)
    db.session.flush()
    stranger = app.test_client()
    assert stranger.get(f"/v/attachments/{attachment.id}").status_code == 404

    browser = verified(app, world)
    assert f"/v/attachments/{attachment.id}" in browser.get("/v/ballot").get_data(as_text=True)
    response = browser.get(f"/v/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == b"%PDF-1.4 test"

    township = gen_township()
    other = gen_open_meeting(gen_community(township), gen_official(township))
    foreign = MatterAttachment(matter_id=other.motion.id, filename="x.pdf", sha256="1" * 64, data=b"%PDF")
    db.session.add(foreign)
    db.session.flush()
    assert browser.get(f"/v/attachments/{foreign.id}").status_code == 404


def test_pages_speak_chinese_by_default(app, world: OpenMeeting):
    """Needs the Chinese of /tmp/zh-ballot.po in app/translations/zh."""
    browser = voter_browser(app, voter_with_unique_name(world), english=False)
    invalid = browser.client.get("/v?t=nothing")
    assert '<html lang="zh-CN">' in invalid.get_data(as_text=True)
    assert "链接无效" in text(invalid)
    browser.open_link()
    page = browser.get("/v/ballot")
    assert "身份证号码后六位" in text(page)
    browser.verify(id_tail_of(browser.voter))
    words = text(browser.get("/v/ballot"))
    for word in ("同意", "反对", "弃权", "最多选 5 人", "过半数"):
        assert word in words


def test_a_proxy_votes_through_their_own_link_with_a_code_to_their_phone(app, world: OpenMeeting):
    """Issue 6 item 6: the proxy's link, an SMS code to the proxy's phone (whatever the meeting's check), the
    principal's ballot cast with channel "proxy"; the owner's own letter then shows the receipt."""
    from app.voting import proxies
    from app.voting.models import Ballot
    from tests.factories import confirmed

    principal = voter_with_unique_name(world)
    proxy = proxies.record_proxy(
        world.meeting,
        principal,
        proxy_name="王建军",
        proxy_phone="13900001111",
        matter_ids=[m.id for m in world.meeting.matters if m.kind == "motion"],
        directions={},
        scan=b"signed authorisation",
        declared_not_property_staff=True,
        user_id=None,
    )
    issued = proxies.issue_proxy_credential(confirmed(proxy), None)
    db.session.commit()
    client = app.test_client()
    client.get("/lang/en")
    browser = Voter(client, principal, issued.token, issued.code, [])
    browser.open_link()
    page = browser.get("/v/ballot")
    assert 'data-second-factor="sms"' in page.get_data(as_text=True)  # not the owner's ID tail
    assert "139****1111" in text(page)
    browser.post("/v/send-code", csrf_from="/v/ballot")
    message = db.session.scalars(
        select(SmsMessage).where(SmsMessage.meeting_id == world.meeting.id).order_by(SmsMessage.id.desc())
    ).first()
    assert message is not None
    assert message.phone_masked == "139****1111"
    code = re.search(r"\d{6}", message.body)
    assert code is not None
    assert browser.verify(code.group(0)).status_code == 200
    form = browser.get("/v/ballot").get_data(as_text=True)
    assert "data-proxy-ballot" in form
    election = world.meeting.matters[2]
    assert form.count("data-not-covered") == 1  # the election is not in the authorisation
    assert f'name="m{election.id}"' not in form
    motion = world.meeting.matters[0]
    cast = browser.post("/v/cast", {f"m{motion.id}": "yes"}, csrf_from="/v/ballot")
    assert cast.status_code == 302, text(cast)
    stored = db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == principal.id)).one()
    assert stored.channel == "proxy"
    assert proxy.status == "used"


def test_a_phone_submission_after_the_paper_ballot_was_entered_is_told_it_did_not_count(app, world: OpenMeeting):
    """Issue 18 item 4: the owner whose paper ballot was entered first sees that their phone's ballot was not
    counted, when and how the counted one came, and its receipt; not "your ballot was received" alone."""
    browser = verified(app, world)
    motion, _covenant, _election = world.meeting.matters
    paper = ballots.cast(browser.voter, {str(motion.id): "no"}, "paper").ballot
    db.session.commit()
    sent = browser.post("/v/cast", {f"m{motion.id}": "yes"}, csrf_from="/v/code")
    assert (sent.status_code, sent.headers["Location"]) == (302, "/v/receipt")
    told = browser.get("/v/receipt").get_data(as_text=True)
    assert 'data-not-counted="paper"' in told
    assert "on a paper ballot, and it is the one that counts" in told
    assert paper.receipt_code in told
    assert ballots_of(browser.voter) == 1


# --- issue 19 item 6: the owner's pages around the ballot ----------------------------------------------------------


def test_the_id_tail_box_opens_the_number_pad_with_its_own_x_key(app, world: OpenMeeting):
    """A resident ID ends in six digits or in five and X: the box asks for the number pad (inputmode numeric, the
    pattern of digits and a final X), with an X key beside it that the script shows (hidden without it, where a
    link opens the same box with the letter keyboard). Another document's tail may hold letters anywhere: the letter
    keyboard, no X key."""
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()
    page = browser.get("/v/ballot").get_data(as_text=True)
    box = re.search(r"<input [^>]*name=\"answer\"[^>]*>", page)
    assert box is not None
    assert 'inputmode="numeric"' in box.group(0)
    assert 'pattern="[0-9]{5}[0-9Xx]"' in box.group(0)
    assert 'autocomplete="off"' in box.group(0)
    key = re.search(r"<button [^>]*data-type-x=\"answer\"[^>]*>X</button>", page)
    assert key is not None
    assert 'type="button"' in key.group(0)  # never a submit: the Enter key still confirms
    assert " hidden" in key.group(0)  # shown by the script only
    assert 'aria-label="Type the letter X"' in key.group(0)
    assert "/static/id_tail.js?v=" in page
    assert page.index('data-type-x="answer"') < page.index('type="submit"')
    assert "If it ends with the letter X, press the X key." in text(browser.get("/v/ballot"))
    assert "<noscript>" in page
    assert 'href="/v/ballot?keyboard=letters"' in page
    with browser.client.get("/static/id_tail.js") as script:  # closed: a static file is sent from an open file
        assert script.status_code == 200
        assert "data-type-x" in script.get_data(as_text=True)

    letters = browser.get("/v/ballot?keyboard=letters").get_data(as_text=True)
    box = re.search(r"<input [^>]*name=\"answer\"[^>]*>", letters)
    assert box is not None
    assert 'inputmode="text"' in box.group(0)
    assert 'name="keyboard" value="letters"' in letters  # a refusal keeps the letter keyboard
    assert "data-type-x" not in letters
    refused = browser.post("/v/verify", {"answer": "12345", "keyboard": "letters"}, csrf_from="/v/ballot")
    assert 'inputmode="text"' in refused.get_data(as_text=True)

    browser.voter.holder_document = "passport"
    db.session.flush()
    passport = browser.get("/v/ballot").get_data(as_text=True)
    assert 'inputmode="text"' in passport
    assert "data-type-x" not in passport
    assert "The last six characters of your document number" in passport

    assert browser.verify(id_tail_of(browser.voter)).status_code == 200  # the holder's answer is unchanged


def test_a_candidate_without_a_home_on_the_roll_shows_no_empty_home_line(app, world: OpenMeeting):
    election = world.election
    election.candidates[0].unit_labels = ""
    db.session.flush()
    browser = verified(app, world)
    page = browser.get("/v/ballot").get_data(as_text=True)
    assert text(browser.get("/v/ballot")).count("Home:") == len(election.candidates) - 1
    first = page.split(f'value="{election.candidates[0].id}"', 1)[1].split("</label>", 1)[0]
    assert "ballot-units" not in first
    assert "Home: 1幢" not in first


def test_every_page_names_whom_to_call(app, world: OpenMeeting):
    """The meeting's help number, else the preparatory group leader's contact, else whom to ask; a dialable number
    is a link to tap. Shown on the second factor, the ballot and a closed window."""
    from app.preparation.models import GroupMember, PreparatoryGroup
    from app.voting.owner_help import help_contact

    meeting = world.meeting
    assert help_contact(meeting).phone == ""
    assert help_contact(meeting).leader == ""
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()
    assert "Need help? Ask the preparatory group or the residents' committee of your community." in text(
        browser.get("/v/ballot")
    )

    group = PreparatoryGroup(community_id=meeting.community_id, request_kind="developer_report", requested_on=today())
    db.session.add(group)
    db.session.flush()
    db.session.add(GroupMember(group_id=group.id, position=1, name="陈建国", role="township", is_leader=True))
    db.session.flush()
    assert "Need help? Ask 陈建国, the leader of the preparatory group" in text(browser.get("/v/ballot"))
    leader = db.session.scalars(select(GroupMember).where(GroupMember.group_id == group.id)).one()
    leader.contact = "0575-87001234"
    db.session.flush()
    page = browser.get("/v/ballot")
    assert "Need help? Call 陈建国, the leader of the preparatory group: 0575-87001234" in text(page)
    assert 'href="tel:057587001234"' in page.get_data(as_text=True)

    meeting.contact_phone = "138 0000 1234"
    db.session.flush()
    assert "Need help? Call: 138 0000 1234" in text(browser.get("/v/ballot"))
    assert help_contact(meeting).phone == "138 0000 1234"

    assert browser.verify(id_tail_of(browser.voter)).status_code == 200
    assert 'href="tel:13800001234"' in browser.get("/v/ballot").get_data(as_text=True)
    meeting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert "Need help? Call: 138 0000 1234" in text(browser.get("/v/ballot"))


def test_a_blocked_link_says_a_new_letter_or_paper_and_whom_to_call(app, world: OpenMeeting):
    world.meeting.contact_phone = "0575-87001234"
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()
    credential = db.session.scalars(
        select(Credential).where(Credential.meeting_voter_id == browser.voter.id, Credential.revoked_at.is_(None))
    ).one()
    credential.lockouts = credentials.MAX_LOCKOUTS
    db.session.flush()
    page = browser.get("/v/ballot")
    assert 'data-locked="held"' in page.get_data(as_text=True)
    words = text(page)
    assert "This link is blocked" in words
    assert "ask for a new letter" in words
    assert "You can also vote on a paper ballot." in words
    assert "Need help? Call: 0575-87001234" in words
    assert 'name="answer"' not in page.get_data(as_text=True)


def test_after_the_close_a_new_session_asks_the_second_factor_alike_for_everyone(app, world: OpenMeeting):
    """After the window, an unverified session sees that voting has closed and the second factor, whether the owner
    voted or not; after it, the receipt or the closed page."""
    voted = verified(app, world)
    voted.post("/v/cast", {}, csrf_from="/v/ballot")
    world.meeting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    pages = []
    for skip, voter in ((0, voted.voter), (1, voter_with_unique_name(world, skip=1))):
        later = Voter(app.test_client(), voter, issue_for(voter).token if skip else voted.token, "", [])
        later.client.get("/lang/en")
        later.open_link()
        page = later.get("/v/ballot")
        assert page.status_code == 200
        assert 'data-window="after"' in page.get_data(as_text=True)
        assert "To see the receipt of a ballot you cast, confirm who you are." in text(page)
        pages.append(later)
    db.session.flush()
    assert pages[0].verify(id_tail_of(pages[0].voter)).headers["Location"] == "/v/receipt"
    assert pages[0].get("/v/ballot").headers["Location"] == "/v/receipt"
    assert pages[1].verify(id_tail_of(pages[1].voter)).status_code == 200
    assert "Voting has closed" in text(pages[1].get("/v/ballot"))


def test_the_receipt_says_where_and_when_the_result_is_published_and_how_to_check(app, world: OpenMeeting):
    browser = verified(app, world)
    browser.post("/v/cast", {}, csrf_from="/v/ballot")
    ballot = db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == browser.voter.id)).one()
    receipt = browser.get("/v/receipt")
    page = receipt.get_data(as_text=True)
    assert 'data-result-info="later"' in page
    closes = world.meeting.closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    words = text(receipt)
    assert f"Voting closes on {closes} (Beijing time)." in words
    assert "published for objections for at least 5 working days" in words
    community = db.session.get_one(Community, world.meeting.community_id)
    assert f"Where: on the notice board of {community.name}, and online." in words
    assert f"asks for your receipt code {ballot.receipt_code}" in words
    assert "never how you voted" in words


def test_the_receipt_of_a_published_result_names_its_days_and_links_the_result_and_the_check(app):
    from app.results import certification, closing, count_runs
    from tests.results.helpers_lifecycle import choices, end_window, gen_voted

    voted = gen_voted(share=0.0)
    browser = verified(app, voted.opened)
    ballot = ballots.cast(browser.voter, choices(voted.opened), "phone").ballot
    end_window(voted.meeting)
    closing.close(voted.meeting)
    result = count_runs.count(voted.meeting, voted.official.id)
    certification.publish(result, today())
    db.session.commit()
    receipt = browser.get("/v/receipt")
    page = receipt.get_data(as_text=True)
    assert 'data-result-info="published"' in page
    assert (
        f"The result was published on {result.published_on.isoformat()}. Objections can be made until "
        f"{result.objections_until.isoformat()}, in writing to the convener" in text(receipt)
    )
    assert f'href="/r/{result.package_sha256}"' in page
    assert f'href="/r/{result.package_sha256}/check?receipt={ballot.receipt_sha256}"' in page


def test_revoked_proxy_links_say_why(app, world: OpenMeeting):
    """A proxy's link that no longer opens says why (issue 19 item 6), never "a newer letter replaces the older
    ones": a newer link issued to the proxy, the proxy revoked by the convener, or the owner having voted
    themselves; with whom to call. In the session too, and on the proxy's typed code."""
    from app.voting import proxies
    from tests.factories import confirmed

    world.meeting.contact_phone = "0575-87001234"
    owners = [v for v in world.voters if not v.is_developer]

    def proxy_link(voter: MeetingVoter, phone: str) -> tuple[Any, credentials.IssuedCredential]:
        proxy = proxies.record_proxy(
            world.meeting,
            voter,
            proxy_name="王建军",
            proxy_phone=phone,
            matter_ids=[world.motion.id],
            directions={},
            scan=f"authorisation of {voter.id}".encode(),
            declared_not_property_staff=True,
            user_id=None,
        )
        return proxy, proxies.issue_proxy_credential(confirmed(proxy), None)

    def opened(issued: credentials.IssuedCredential, voter: MeetingVoter) -> Voter:
        client = app.test_client()
        client.get("/lang/en")
        browser = Voter(client, voter, issued.token, issued.code, [])
        browser.open_link()
        return browser

    # a newer link for the same proxy
    replaced, first = proxy_link(owners[0], "13900001111")
    newer = proxies.issue_proxy_credential(replaced, None)
    db.session.flush()
    page = app.test_client().get(f"/v?t={first.token}")
    assert page.status_code == 404
    assert 'data-ballot-invalid="proxy_replaced"' in page.get_data(as_text=True)
    assert credentials.find(token=newer.token) is not None

    # the convener revoked it: on the link, in the open session, and on the typed code
    revoked, issued = proxy_link(owners[1], "13900002222")
    browser = opened(issued, owners[1])
    proxies.revoke_proxy(revoked, "业主书面撤回委托", None)
    db.session.flush()
    for response in (
        browser.client.get(f"/v?t={issued.token}"),
        browser.get("/v/ballot"),
        browser.post("/v/code", {"code": issued.code}),
    ):
        words = text(response)
        assert response.status_code == 404
        assert 'data-ballot-invalid="proxy_ended"' in response.get_data(as_text=True)
        assert "This proxy has ended" in words
        assert "The proxy was revoked" in words
        assert "A newer letter" not in words
        assert "业主书面撤回委托" not in words  # the convener's own words stay on the convener's pages
        assert "Need help? Call: 0575-87001234" in words

    # the owner voted themselves: the proxy's open session learns on its next page that the proxy ended, in the same
    # words as a revocation (the page comes before the second factor: it must not tell that the owner voted)
    used, issued = proxy_link(owners[2], "13900003333")
    browser = opened(issued, owners[2])
    assert 'data-second-factor="sms"' in browser.get("/v/ballot").get_data(as_text=True)
    ballots.cast(owners[2], {str(world.motion.id): "no"}, "phone")
    db.session.flush()
    assert used.status == "revoked"
    for response in (browser.get("/v/ballot"), browser.client.get(f"/v?t={issued.token}")):
        words = text(response)
        assert 'data-ballot-invalid="proxy_ended"' in response.get_data(as_text=True)
        assert "The proxy was revoked" in words
        assert "voted themselves" not in words
        assert "A newer letter" not in words


def test_a_proxy_choice_against_the_owners_direction_is_flagged_on_review(app, world: OpenMeeting):
    """The review step refuses a proxy's choice against the written direction next to its matter, before anything
    is submitted (issue 19); as directed, the review repeats the choices."""
    from app.voting import proxies
    from tests.factories import confirmed

    principal = voter_with_unique_name(world)
    motion, covenant, _election = world.meeting.matters
    proxy = proxies.record_proxy(
        world.meeting,
        principal,
        proxy_name="王建军",
        proxy_phone="13900001111",
        matter_ids=[motion.id, covenant.id],
        directions={str(motion.id): "no"},
        scan=b"signed authorisation",
        declared_not_property_staff=True,
        user_id=None,
    )
    issued = proxies.issue_proxy_credential(confirmed(proxy), None)
    db.session.commit()
    client = app.test_client()
    client.get("/lang/en")
    browser = Voter(client, principal, issued.token, issued.code, [])
    browser.open_link()
    browser.post("/v/send-code", csrf_from="/v/ballot")
    message = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id.desc())).first()
    assert message is not None
    found = re.search(r"\d{6}", message.body)
    assert found is not None
    assert browser.verify(found.group(0)).status_code == 200

    review = browser.post("/v/review", {f"m{motion.id}": "yes", f"m{covenant.id}": "abstain"}, csrf_from="/v/ballot")
    assert review.status_code == 422
    page = review.get_data(as_text=True)
    assert "data-ballot-errors" in page
    assert f"The owner instructed another answer on: {motion.title}" in text(review)
    assert "Nothing has been submitted yet." in text(review)
    assert f'id="matter-{motion.id}-error"' in page  # next to its matter
    assert f'id="matter-{covenant.id}-error"' not in page
    assert re.search(rf'name="m{covenant.id}" value="abstain" checked', page)  # the choices are kept
    assert ballots_of(principal) == 0

    directed = browser.post("/v/review", {f"m{motion.id}": "no", f"m{covenant.id}": "abstain"}, csrf_from="/v/ballot")
    assert directed.status_code == 200
    assert "Check your choices" in text(directed)


def test_too_many_typed_codes_say_when_to_try_again_and_whom_to_call(app, world: OpenMeeting):
    world.meeting.contact_phone = "0575-87001234"
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()
    for _ in range(20):
        assert browser.post("/v/code", {"code": "AAAA-BBBB-CCCC"}).status_code == 422
    limited = browser.post("/v/code", {"code": "AAAA-BBBB-CCCC"})
    assert limited.status_code == 429
    page = limited.get_data(as_text=True)
    assert 'data-owner-error="429"' in page
    retry = re.search(r"data-retry-at>(\d{4}-\d\d-\d\d \d\d:\d\d)<", page)
    assert retry is not None
    now = utcnow().astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert now < retry.group(1)
    assert "Need help? Call: 0575-87001234" in text(limited)


def test_the_ballot_form_reads_each_kind_of_list_once_whatever_the_number_of_matters(app, world: OpenMeeting):
    """The matters' candidates and attachments come in one statement each, not one per matter, and only on a worker's
    first page of the opened meeting: the later pages find them kept (app.voting.frozen_matters; issue 21 item 2)."""
    for matter in world.meeting.matters:
        db.session.add(MatterAttachment(matter_id=matter.id, filename="附件.pdf", sha256="0" * 64, data=b"%PDF"))
    db.session.flush()
    browser = verified(app, world)
    frozen_matters.forget_all()  # a worker that has not shown this meeting yet
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    def read(table: str) -> int:
        return sum(1 for s in statements if re.search(rf"\bFROM {table}\b", s))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        first = browser.get("/v/ballot")
        on_first = {table: read(table) for table in ("matter_attachments", "matter_candidates", "matters")}
        statements.clear()
        again = browser.get("/v/ballot")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert first.status_code == again.status_code == 200
    assert text(first).count("附件.pdf") == text(again).count("附件.pdf") == len(world.meeting.matters)
    assert again.get_data(as_text=True).count(' name="m') == first.get_data(as_text=True).count(' name="m') > 0
    assert on_first == {"matter_attachments": 1, "matter_candidates": 1, "matters": 1}
    assert read("matter_attachments") + read("matter_candidates") + read("matters") == 0


def _matters_of(page: Any) -> str:
    """The ballot form's matters: the form without its CSRF token."""
    form = re.search(r"<form[^>]*ballot-form.*?</form>", page.get_data(as_text=True), re.S)
    assert form is not None
    return re.sub(r'name="csrf_token" value="[^"]*"', "", form.group(0))


def test_the_fresh_ballot_form_is_kept_per_language_and_the_same_as_rendered_anew(app, world: OpenMeeting):
    """An owner's fresh form (no choice yet) is rendered once per worker and language (app.voting.frozen_matters
    .kept_rendering): what it shows is exactly what rendering it again shows, in the owner's own language."""
    english = verified(app, world)
    chinese = voter_browser(app, voter_with_unique_name(world, 1), english=False)
    chinese.open_link()
    assert chinese.verify(id_tail_of(chinese.voter)).status_code == 200
    kept_english, kept_chinese = english.get("/v/ballot"), chinese.get("/v/ballot")
    assert "Choose at most" in _matters_of(kept_english)
    assert "Choose at most" not in _matters_of(kept_chinese)
    assert "最多选 5 人" in _matters_of(kept_chinese)
    frozen_matters.forget_all()
    assert _matters_of(english.get("/v/ballot")) == _matters_of(kept_english)
    assert _matters_of(chinese.get("/v/ballot")) == _matters_of(kept_chinese)


def test_kept_matters_spoiled_by_a_session_call_on_their_meeting_are_read_again(app, world: OpenMeeting):
    """A refresh of a meeting that holds the kept matters expires them too (``Meeting.matters`` cascades "all"): the
    next page reads them again instead of failing (app.voting.frozen_matters._intact)."""
    browser = verified(app, world)
    db.session.expire(world.meeting, ["matters"])
    frozen_matters.load(world.meeting)
    kept = list(world.meeting.matters)
    ids, titles = [matter.id for matter in kept], [matter.title for matter in kept]
    db.session.refresh(world.meeting)  # cascades to the kept matters: they are now expired
    assert any(sa.inspect(matter).expired_attributes for matter in kept)
    review = browser.post("/v/review", {f"m{ids[0]}": "yes"}, csrf_from="/v/ballot")  # reads every matter
    assert review.status_code == 200
    assert f'name="m{ids[0]}" value="yes"' in review.get_data(as_text=True)
    assert all(title in text(review) for title in titles)


def test_a_letter_replaced_while_its_second_factor_is_checked_opens_nothing(app, world: OpenMeeting, monkeypatch):
    """The answer's page is made from what the request read before the second factor; a credential revoked before
    its commit (a new letter issued meanwhile) is told so, as the next page would, not shown a ballot form."""
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()
    checked = credentials.verify

    def replaced_meanwhile(credential: Credential, answer: str) -> Credential:
        checked(credential, answer)
        credential.revoked_at = utcnow()
        return credential

    monkeypatch.setattr(credentials, "verify", replaced_meanwhile)
    answer = browser.verify(id_tail_of(browser.voter))
    assert answer.status_code == 404
    assert "ballot-form" not in answer.get_data(as_text=True)
    assert browser.get("/v/ballot").status_code == 404  # the session's credential is the ended one


def test_a_ballot_stored_while_the_second_factor_is_checked_leads_to_the_receipt(app, world: OpenMeeting, monkeypatch):
    """Should a ballot be stored for the voter (a teller's paper entry) between this request's first read and its
    commit, the right answer leads to the receipt, not to a fresh ballot form."""
    browser = voter_browser(app, voter_with_unique_name(world))
    browser.open_link()
    checked = credentials.verify

    def paper_meanwhile(credential: Credential, answer: str) -> Credential:
        checked(credential, answer)
        ballots.cast(browser.voter, {}, "paper")
        return credential

    monkeypatch.setattr(credentials, "verify", paper_meanwhile)
    answer = browser.verify(id_tail_of(browser.voter))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/v/receipt")
