"""Voters' credentials (issue 6 item 2; DOMAIN §8): a random token of at least 128 bits and a typed fallback code,
stored only as SHA-256; a reissued letter revokes the old one; the second factor — the last six characters of the ID
number or a one-time SMS code — with attempts counted and locked out in the database; everything audited, no secret
in any table or audit event."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from flask import Flask
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.communities.models import Township
from app.db_types import SHANGHAI, utcnow
from app.demo.roll_generator import DemoOwner
from app.errors import DomainError
from app.extensions import db
from app.privacy import mask_phone
from app.voting import credentials
from app.voting.models import Credential, MeetingVoter, SmsMessage
from tests.factories import gen_community, gen_official, gen_township
from tests.preparation.helpers import refused, roll_owners
from tests.voting.helpers import OpenMeeting, gen_meeting, gen_open_meeting, issue_for

URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
OTP = re.compile(r"\b(\d{6})\b")


def english(error: Exception) -> str:
    """A refusal's message as an English page shows it (the catalogue translates it into Chinese by default)."""
    from flask_babel import force_locale

    with force_locale("en"):
        return str(error)


@pytest.fixture
def township(app: Flask) -> Township:
    return gen_township()


@pytest.fixture
def official(township: Township) -> User:
    return gen_official(township)


@pytest.fixture
def opened(township: Township, official: User) -> OpenMeeting:
    """An open meeting whose second factor is the ID number's last six characters."""
    return gen_open_meeting(gen_community(township), official)


@pytest.fixture
def sms_opened(township: Township, official: User) -> OpenMeeting:
    """An open meeting whose second factor is a one-time code by SMS."""
    return gen_open_meeting(gen_community(township), official, second_factor="sms")


def owner_of(voter: MeetingVoter) -> DemoOwner:
    """The roll's owner who holds this voter's credential (names are unique among these owners)."""
    [owner] = [o for o in roll_owners() if o.name == voter.holder_name]
    return owner


def voter_held_by(opened: OpenMeeting, name: str) -> MeetingVoter:
    [voter] = [v for v in opened.voters if v.holder_name == name]
    return voter


def an_owner(opened: OpenMeeting) -> MeetingVoter:
    return next(v for v in opened.voters if not v.is_developer)


def audit_events(action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def stored_anywhere(secret: str) -> list[str]:
    """Every table.column whose stored value contains ``secret`` (every row of every table)."""
    db.session.flush()
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            found += [
                f"{table.name}.{key}" for key, value in row.items() if value is not None and secret in as_text(value)
            ]
    return found


def in_audit_summaries(secret: str) -> bool:
    return any(secret.upper() in json.dumps(e.summary, ensure_ascii=False).upper() for e in audit_events())


def wrong_answer(right: str) -> str:
    return "000000" if right != "000000" else "111111"


# --- issuing ---------------------------------------------------------------------------------------------------------


def test_issue_makes_a_128_bit_token_and_a_typed_code(opened: OpenMeeting, official: User) -> None:
    voter = an_owner(opened)
    issued = credentials.issue(voter, official.id)
    assert len(issued.token) >= 22
    assert URL_SAFE.fullmatch(issued.token)
    assert len(issued.code) == credentials.CODE_LENGTH
    assert set(issued.code) <= set(credentials.CODE_ALPHABET)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", credentials.format_code(issued.code))
    credential = issued.credential
    assert credential.token_sha256 == credentials.sha256_hex(issued.token)
    assert credential.code_sha256 == credentials.sha256_hex(issued.code)
    assert (credential.meeting_voter_id, credential.issued_by_id, credential.revoked_at) == (
        voter.id,
        official.id,
        None,
    )
    assert credentials.find(token=issued.token) is credential
    other = credentials.issue(opened.voters[-1], official.id)
    assert other.token != issued.token
    assert other.code != issued.code


def test_the_token_and_the_code_are_stored_nowhere_in_clear(opened: OpenMeeting) -> None:
    issued = [issue_for(voter) for voter in opened.voters[:3]]
    assert stored_anywhere(issued[0].credential.token_sha256) == ["credentials.token_sha256"]  # the scan sees it all
    for one in issued:
        for secret in (one.token, one.code, credentials.format_code(one.code)):
            assert stored_anywhere(secret) == []
            assert not in_audit_summaries(secret)


def test_issue_is_audited_without_a_secret(opened: OpenMeeting, official: User) -> None:
    voter = an_owner(opened)
    first = credentials.issue(voter, official.id)
    second = credentials.issue(voter, official.id)
    events = audit_events("credential.issue")
    assert [(e.object_id, e.summary) for e in events] == [
        (str(first.credential.id), {"meeting": opened.meeting.id, "voter": voter.id, "revoked": 0}),
        (str(second.credential.id), {"meeting": opened.meeting.id, "voter": voter.id, "revoked": 1}),
    ]


def test_a_reissued_letter_revokes_the_old_one(opened: OpenMeeting) -> None:
    voter = an_owner(opened)
    old = issue_for(voter)
    new = issue_for(voter)
    assert old.credential.revoked_at is not None
    assert new.credential.revoked_at is None
    assert credentials.find(token=old.token) is None
    assert credentials.find(code=old.code) is None
    assert credentials.find(token=new.token) is new.credential
    assert credentials.find(code=new.code) is new.credential
    # another voter's letter is untouched
    neighbour = issue_for(opened.voters[-1])
    issue_for(voter)
    assert credentials.find(token=neighbour.token) is neighbour.credential


def test_find_by_the_typed_code_however_it_is_typed(opened: OpenMeeting) -> None:
    issued = issue_for(an_owner(opened))
    printed = credentials.format_code(issued.code)
    for typed in (issued.code, printed, printed.lower(), f"  {printed.lower()} ", printed.replace("-", " ")):
        assert credentials.find(code=typed) is issued.credential, typed


def test_find_finds_nothing_for_an_unknown_or_empty_secret(opened: OpenMeeting) -> None:
    issued = issue_for(an_owner(opened))
    assert credentials.find() is None
    assert credentials.find(token="") is None
    assert credentials.find(token=issued.token + "x") is None
    assert credentials.find(token=issued.code) is None  # a code is not a token
    assert credentials.find(code=issued.token) is None
    assert credentials.find(token=credentials.sha256_hex(issued.token)) is None  # the stored hash opens nothing


def test_no_letter_before_voting_opens(township: Township, official: User) -> None:
    meeting = gen_meeting(gen_community(township), official)
    voter = MeetingVoter(
        meeting_id=meeting.id,
        voter_key="k" * 32,
        unit_key="1幢/1单元/101",
        units_label="1幢1单元101",
        building="1幢",
        area_centi=10000,
        holder_name="张三",
    )
    db.session.add(voter)
    db.session.flush()
    error = refused(credentials.issue, voter, official.id)
    assert (error.code, error.status) == ("meeting_not_open", 409)
    assert db.session.scalars(select(Credential)).all() == []


# --- the last six characters of the ID number -----------------------------------------------------------------------


def test_the_id_tail_verifies(opened: OpenMeeting) -> None:
    voter = an_owner(opened)
    credential = issue_for(voter).credential
    tail = owner_of(voter).id_number[-6:]
    assert credentials.verify(credential, f" {tail} ") is credential
    assert credential.verified_at is not None
    assert credential.failed_attempts == 0
    [event] = audit_events("credential.verified")
    assert (event.object_id, event.summary) == (str(credential.id), {})
    assert not in_audit_summaries(tail)


def test_an_x_check_character_may_be_typed_in_lower_case(opened: OpenMeeting) -> None:
    voter = voter_held_by(opened, "熊佳怡")
    tail = owner_of(voter).id_number[-6:]
    assert tail.endswith("X")
    credential = issue_for(voter).credential
    credentials.verify(credential, tail.lower())
    assert credential.verified_at is not None


def test_a_co_owned_unit_is_verified_with_its_representatives_id(opened: OpenMeeting) -> None:
    voter = voter_held_by(opened, "李涛")  # 1幢1单元401, co-owned with 林春梅
    [co_owner] = [o for o in roll_owners() if o.name == "林春梅"]
    credential = issue_for(voter).credential
    error = refused(credentials.verify, credential, co_owner.id_number[-6:])
    assert error.code == "second_factor_wrong"
    credentials.verify(credential, owner_of(voter).id_number[-6:])
    assert credential.verified_at is not None


@pytest.mark.parametrize("answer", ["", "12345", "1234567", "abcdef"])
def test_a_malformed_answer_is_a_wrong_answer(opened: OpenMeeting, answer: str) -> None:
    credential = issue_for(an_owner(opened)).credential
    assert refused(credentials.verify, credential, answer).code == "second_factor_wrong"
    assert credential.failed_attempts == 1
    assert credential.verified_at is None


def test_another_owners_tail_is_wrong(opened: OpenMeeting) -> None:
    voter, other = [v for v in opened.voters if not v.is_developer][:2]
    credential = issue_for(voter).credential
    error = refused(credentials.verify, credential, owner_of(other).id_number[-6:])
    assert (error.code, error.status, error.field) == ("second_factor_wrong", 422, "answer")
    assert credential.verified_at is None
    assert credential.failed_attempts == 1


def test_five_wrong_answers_lock_the_credential_for_fifteen_minutes(opened: OpenMeeting) -> None:
    voter = an_owner(opened)
    issued = issue_for(voter)
    credential = issued.credential
    tail = owner_of(voter).id_number[-6:]
    wrong = wrong_answer(tail)
    left = []
    for _ in range(credentials.MAX_ATTEMPTS - 1):
        error = refused(credentials.verify, credential, wrong)
        assert (error.code, error.status) == ("second_factor_wrong", 422)
        left.append(english(error))
    assert left == [f"That is not right. {n} attempts left." for n in (4, 3, 2, 1)]
    assert not credentials.is_locked(credential)

    error = refused(credentials.verify, credential, wrong)
    assert (error.code, error.status) == ("credential_locked", 429)
    expected = utcnow() + timedelta(minutes=credentials.LOCK_MINUTES)
    assert credential.locked_until is not None
    assert abs((credential.locked_until - expected).total_seconds()) < 60

    # the lock lives in the database, not in this process: a fresh load of the row is locked too
    db.session.expire_all()
    reloaded = credentials.find(token=issued.token)
    assert reloaded is not None
    assert credentials.is_locked(reloaded)
    error = refused(credentials.verify, reloaded, tail)  # even the right answer
    assert (error.code, error.status) == ("credential_locked", 429)
    assert reloaded.verified_at is None

    reloaded.locked_until = utcnow() - timedelta(seconds=1)  # fifteen minutes later
    credentials.verify(reloaded, tail)
    assert reloaded.verified_at is not None

    failures = audit_events("credential.second_factor_failed")
    assert [e.summary for e in failures] == [{"locked": False, "held": False}] * 4 + [{"locked": True, "held": False}]
    assert {e.object_id for e in failures} == {str(credential.id)}
    assert not in_audit_summaries(wrong)
    assert not in_audit_summaries(tail)
    assert len(audit_events("credential.verified")) == 1


def test_after_a_lock_expires_the_count_starts_again(opened: OpenMeeting) -> None:
    voter = an_owner(opened)
    credential = issue_for(voter).credential
    wrong = wrong_answer(owner_of(voter).id_number[-6:])
    for _ in range(credentials.MAX_ATTEMPTS):
        with pytest.raises(DomainError):
            credentials.verify(credential, wrong)
    credential.locked_until = utcnow() - timedelta(seconds=1)
    assert english(refused(credentials.verify, credential, wrong)) == "That is not right. 4 attempts left."


def test_a_right_answer_resets_the_count(opened: OpenMeeting) -> None:
    voter = an_owner(opened)
    credential = issue_for(voter).credential
    tail = owner_of(voter).id_number[-6:]
    for _ in range(credentials.MAX_ATTEMPTS - 1):
        with pytest.raises(DomainError):
            credentials.verify(credential, wrong_answer(tail))
    credentials.verify(credential, tail)
    assert credential.failed_attempts == 0
    assert english(refused(credentials.verify, credential, wrong_answer(tail))) == "That is not right. 4 attempts left."


# --- a one-time code by SMS ------------------------------------------------------------------------------------------


def outbox(opened: OpenMeeting) -> list[SmsMessage]:
    return list(
        db.session.scalars(select(SmsMessage).where(SmsMessage.meeting_id == opened.meeting.id).order_by(SmsMessage.id))
    )


def code_in(message: SmsMessage) -> str:
    [code] = OTP.findall(message.body)
    return code


def test_send_code_puts_one_masked_message_in_the_outbox(sms_opened: OpenMeeting) -> None:
    voter = an_owner(sms_opened)
    credential = issue_for(voter).credential
    credentials.send_code(credential)
    [message] = outbox(sms_opened)
    phone = owner_of(voter).phone
    assert (message.phone_masked, message.backend) == (mask_phone(phone), "console")
    assert phone not in message.body
    assert stored_anywhere(phone) == []  # the number itself is only stored encrypted
    code = code_in(message)
    assert credential.otp_lookup is not None
    assert code not in credential.otp_lookup
    expected = utcnow() + timedelta(minutes=credentials.OTP_MINUTES)
    assert credential.otp_expires_at is not None
    assert abs((credential.otp_expires_at - expected).total_seconds()) < 60
    [event] = audit_events("credential.sms_sent")
    assert (event.object_id, event.summary) == (str(credential.id), {})
    assert not in_audit_summaries(code)


def test_the_sms_code_verifies_once(sms_opened: OpenMeeting) -> None:
    credential = issue_for(an_owner(sms_opened)).credential
    credentials.send_code(credential)
    code = code_in(outbox(sms_opened)[0])
    credentials.verify(credential, code)
    assert credential.verified_at is not None
    assert (credential.otp_lookup, credential.otp_expires_at) == (None, None)
    assert refused(credentials.verify, credential, code).code == "second_factor_wrong"
    assert not in_audit_summaries(code)


def test_the_sms_code_expires_after_ten_minutes(sms_opened: OpenMeeting) -> None:
    credential = issue_for(an_owner(sms_opened)).credential
    credentials.send_code(credential)
    code = code_in(outbox(sms_opened)[0])
    credential.otp_expires_at = utcnow() - timedelta(seconds=1)
    assert refused(credentials.verify, credential, code).code == "second_factor_wrong"
    assert credential.verified_at is None
    assert credential.failed_attempts == 1


def test_a_new_sms_code_replaces_the_old_one(sms_opened: OpenMeeting) -> None:
    credential = issue_for(an_owner(sms_opened)).credential
    credentials.send_code(credential)
    first = code_in(outbox(sms_opened)[-1])
    second = first
    while second == first:  # one chance in a million that the codes are equal
        credentials.send_code(credential)
        second = code_in(outbox(sms_opened)[-1])
    assert refused(credentials.verify, credential, first).code == "second_factor_wrong"
    credentials.verify(credential, second)
    assert credential.verified_at is not None


def test_a_code_sent_for_one_credential_does_not_open_another(sms_opened: OpenMeeting) -> None:
    voter, other = [v for v in sms_opened.voters if not v.is_developer][:2]
    mine, theirs = issue_for(voter).credential, issue_for(other).credential
    credentials.send_code(mine)
    my_code = code_in(outbox(sms_opened)[-1])
    their_code = my_code
    while their_code == my_code:  # one chance in a million that the codes are equal
        credentials.send_code(theirs)
        their_code = code_in(outbox(sms_opened)[-1])
    assert refused(credentials.verify, theirs, my_code).code == "second_factor_wrong"
    assert theirs.verified_at is None


def test_the_id_tail_does_not_pass_an_sms_meeting(sms_opened: OpenMeeting) -> None:
    voter = an_owner(sms_opened)
    credential = issue_for(voter).credential
    credentials.send_code(credential)
    assert refused(credentials.verify, credential, owner_of(voter).id_number[-6:]).code == "second_factor_wrong"


def test_a_meeting_with_the_id_tail_sends_no_sms(opened: OpenMeeting) -> None:
    credential = issue_for(an_owner(opened)).credential
    error = refused(credentials.send_code, credential)
    assert (error.code, error.status) == ("no_sms", 409)
    assert outbox(opened) == []
    assert audit_events("credential.sms_sent") == []


def test_no_sms_to_a_locked_credential(sms_opened: OpenMeeting) -> None:
    credential = issue_for(an_owner(sms_opened)).credential
    credential.locked_until = utcnow() + timedelta(minutes=5)
    assert refused(credentials.send_code, credential).code == "credential_locked"
    assert outbox(sms_opened) == []


def test_no_sms_without_a_phone_on_the_roll(sms_opened: OpenMeeting) -> None:
    [developer] = [v for v in sms_opened.voters if v.is_developer]
    credential = issue_for(developer).credential
    error = refused(credentials.send_code, credential)
    assert (error.code, error.status) == ("no_phone", 409)
    assert outbox(sms_opened) == []


class RecordingBackend:
    """A provider plug-in named by GONGJUE_SMS_BACKEND ("package.module:ClassName")."""

    name = "recording"
    sent: ClassVar[list[tuple[int, str, str]]] = []

    def send(self, meeting_id: int, phone: str, body: str, *, limited: bool = True) -> None:
        RecordingBackend.sent.append((meeting_id, phone, body))


def test_a_provider_plug_in_receives_the_message(
    sms_opened: OpenMeeting, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SMS_BACKEND", f"{__name__}:RecordingBackend")
    monkeypatch.setattr(RecordingBackend, "sent", [])
    voter = an_owner(sms_opened)
    credential = issue_for(voter).credential
    credentials.send_code(credential)
    [(meeting_id, phone, body)] = RecordingBackend.sent
    assert (meeting_id, phone) == (sms_opened.meeting.id, owner_of(voter).phone)
    assert outbox(sms_opened) == []  # the console outbox is not used
    [code] = OTP.findall(body)
    credentials.verify(credential, code)
    assert credential.verified_at is not None


def test_repeated_lock_outs_hold_the_link_until_staff_reissue_it(opened: OpenMeeting) -> None:
    """Issue 15 item 5: each lock-out says until when and whom to call; after `MAX_LOCKOUTS` the link waits for a
    new letter, even once the time has passed; the new letter works."""
    meeting = opened.meeting
    meeting.contact_phone = "0575-87001234"
    voter = an_owner(opened)
    credential = issue_for(voter).credential
    tail = owner_of(voter).id_number[-6:]
    wrong = wrong_answer(tail)
    for round_ in range(1, credentials.MAX_LOCKOUTS + 1):
        for _ in range(credentials.MAX_ATTEMPTS):
            error = refused(credentials.verify, credential, wrong)
        assert credential.lockouts == round_
        assert "0575-87001234" in english(error)
        if round_ < credentials.MAX_LOCKOUTS:
            until = credential.locked_until.astimezone(SHANGHAI).strftime("%H:%M")  # type: ignore[union-attr]
            assert f"Try again after {until} (Beijing time)" in english(error)
            credential.locked_until = utcnow() - timedelta(seconds=1)  # the fifteen minutes pass
    assert credentials.is_held(credential)
    assert "blocked after repeated wrong attempts" in english(error)
    credential.locked_until = utcnow() - timedelta(seconds=1)
    assert refused(credentials.verify, credential, tail).code == "credential_locked"  # time does not unlock it
    renewed = issue_for(voter).credential  # the convener reissues the letter
    credentials.verify(renewed, tail)
    assert renewed.verified_at is not None
    held = [e.summary["held"] for e in audit_events("credential.second_factor_failed")]
    assert held.count(True) == 1


def test_the_voters_without_a_second_factor_are_listed_before_the_letters(opened: OpenMeeting) -> None:
    """The developer has no ID number on the roll: its letter could not open; with SMS, an owner without a phone."""
    stranded = credentials.without_second_factor(opened.meeting)
    assert [v.is_developer for v in stranded] == [True]
    opened.meeting.second_factor = "sms"
    no_phone = [v for v in opened.voters if v.phone_cipher is None]
    assert {v.id for v in credentials.without_second_factor(opened.meeting)} == {v.id for v in no_phone}
