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
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.db_types import utcnow
from app.extensions import db
from app.voting import ballots, credentials
from app.voting.credentials import format_code
from app.voting.models import Ballot, Credential, MatterAttachment, MeetingVoter, SmsMessage
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
        """Open the letter's link as the QR code does; the token must not survive the redirect."""
        response = self.client.get(f"/v?t={self.token}")
        assert response.status_code == 302
        assert response.headers["Location"] == "/v/ballot"
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
    assert browser.verify(id_tail_of(browser.voter)).status_code == 302
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
    assert (confirmed.status_code, confirmed.headers["Location"]) == (302, "/v/ballot")

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
    browser = voter_browser(app, voter_with_unique_name(world))
    right = id_tail_of(browser.voter)
    browser.open_link()
    for left in (4, 3, 2, 1):
        refused = browser.verify(wrong_tail(right))
        assert refused.status_code == 422
        assert f"That is not right. {left} attempts left." in text(refused)
    locked = browser.verify(wrong_tail(right))
    assert locked.status_code == 429
    assert "Too many wrong attempts. Try again after" in text(locked)
    assert "(Beijing time)" in text(locked)

    still_locked = browser.verify(right)  # the right answer is refused while locked
    assert still_locked.status_code == 429
    assert "Too many wrong attempts" in text(still_locked)
    assert "/v/review" not in browser.get("/v/ballot").get_data(as_text=True)
    credential = db.session.scalars(
        select(Credential).where(Credential.meeting_voter_id == browser.voter.id, Credential.revoked_at.is_(None))
    ).one()
    db.session.refresh(credential)
    assert credential.verified_at is None
    assert credential.locked_until is not None

    credential.locked_until = utcnow() - timedelta(seconds=1)  # the 15 minutes have passed
    db.session.flush()
    assert browser.verify(right).status_code == 302


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
    browser = voter_browser(app, voter_with_unique_name(world))
    unknown = browser.client.get("/v?t=not-a-token")
    assert unknown.status_code == 404
    assert "This link is not valid" in text(unknown)
    assert "A newer letter replaces the older ones" in text(unknown)
    assert unknown.headers["Referrer-Policy"] == "no-referrer"
    assert browser.client.get("/v").status_code == 404

    browser.open_link()  # the old letter was opened on this phone …
    new = issue_for(browser.voter)  # … then the group printed a new one
    db.session.flush()
    revoked = browser.client.get(f"/v?t={browser.token}")
    assert revoked.status_code == 404
    assert "This link is not valid" in text(revoked)
    assert browser.client.get("/v/ballot").headers["Location"] == "/v/code"  # the session's credential is gone

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
    assert browser.verify(id_tail_of(browser.voter)).status_code == 302
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

    assert browser.verify(code.group(0)).status_code == 302
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


def test_a_new_session_sees_that_the_ballot_was_received_and_the_code_after_the_second_factor(app, world: OpenMeeting):
    first = verified(app, world)
    first.post("/v/cast", {}, csrf_from="/v/ballot")
    ballot = db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == first.voter.id)).one()

    later = Voter(app.test_client(), first.voter, first.token, first.code, [])
    later.client.get("/lang/en")
    later.open_link()
    assert later.get("/v/ballot").headers["Location"] == "/v/receipt"
    receipt = later.get("/v/receipt")
    assert "Your ballot was received" in text(receipt)
    assert ballot.receipt_code not in text(receipt)  # not before the second factor
    assert "confirm who you are" in text(receipt)
    assert later.verify(id_tail_of(first.voter)).headers["Location"] == "/v/ballot"
    assert ballot.receipt_code in text(later.get("/v/receipt"))


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
    assert browser.verify(code.group(0)).status_code == 302
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
