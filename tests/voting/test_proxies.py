"""Proxies (issue 6 item 6; DOMAIN §8): an owner authorises someone in writing for named matters and the proxy votes
as instructed (Shanghai Art 18); one person represents at most 3 owners unless the rules of procedure say otherwise,
and no property-company staff (Zhoushan Art 17); the proxy has a credential of their own, confirmed by SMS to their
phone; the ballot is the principal's, channel "proxy"; an owner who votes first revokes their unused proxy."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import inspect, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.communities.models import Township
from app.db_types import SHANGHAI
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt, mask_phone
from app.voting import ballots, credentials, proxies
from app.voting.models import Ballot, Credential, MeetingVoter, SmsMessage
from app.voting.proxy_models import Proxy
from tests.factories import confirmed, gen_community, gen_official, gen_township
from tests.preparation.helpers import refused
from tests.voting.helpers import OpenMeeting, gen_open_meeting, issue_for

PHONE = "13900001111"
OTHER_PHONE = "13700002222"
SCAN = b"%PDF-1.4 signed authorisation"
OTP = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def township(app: Flask) -> Township:
    return gen_township()


@pytest.fixture
def official(township: Township) -> User:
    return gen_official(township)


@pytest.fixture
def opened(township: Township, official: User) -> OpenMeeting:
    return gen_open_meeting(gen_community(township), official)


def owners(opened: OpenMeeting) -> list[MeetingVoter]:
    return [v for v in opened.voters if not v.is_developer]


def record(
    opened: OpenMeeting,
    voter: MeetingVoter,
    *,
    phone: str = PHONE,
    matters: list[Any] | None = None,
    directions: dict[Any, Any] | None = None,
    declared: bool = True,
    scan: bytes | None = None,
    user_id: int | None = None,
) -> Proxy:
    """A proxy for ``voter`` covering the two motions unless told otherwise, confirmed by the owner; the scan is the
    owner's own (`scan_of`) unless one is given."""
    return confirmed(
        proxies.record_proxy(
            opened.meeting,
            voter,
            proxy_name="王建军",
            proxy_phone=phone,
            matter_ids=matters if matters is not None else [m.id for m in opened.meeting.matters[:2]],
            directions=directions or {},
            scan=scan_of(voter) if scan is None else scan,
            declared_not_property_staff=declared,
            user_id=user_id,
        )
    )


def scan_of(voter: MeetingVoter) -> bytes:
    """The scan of the owner's own written authorisation: each owner signs their own (a scan twice is refused)."""
    return SCAN + f" of voter {voter.id}".encode()


def blank_except(opened: OpenMeeting, **given: Any) -> dict[str, Any]:
    """Choices keyed by matter id: motion1, motion2, election by name."""
    names = dict(zip(("motion1", "motion2", "election"), opened.meeting.matters, strict=True))
    return {str(names[name].id): value for name, value in given.items()}


def english(error: Exception) -> str:
    """A refusal's message as an English page shows it (the catalogue translates it into Chinese by default)."""
    with force_locale("en"):
        return str(error)


def audit_events(action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def stored_anywhere(text: str) -> list[str]:
    """Every table.column whose stored value contains ``text`` (every row of every table, JSON as text)."""
    db.session.flush()
    existing = set(inspect(db.session.connection()).get_table_names())
    found = []
    for table in [t for t in db.metadata.sorted_tables if t.name in existing]:
        for row in db.session.execute(select(table)).mappings():
            for key, value in row.items():
                shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
                if value is not None and text in shown:
                    found.append(f"{table.name}.{key}")
    return found


def sms_code() -> str:
    message = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id.desc())).first()
    assert message is not None
    found = OTP.search(message.body)
    assert found
    return found.group(1)


# --- recording -------------------------------------------------------------------------------------------------------


def test_record_keeps_the_phone_encrypted_and_the_scan_as_its_hash(opened: OpenMeeting, official: User) -> None:
    voter = owners(opened)[0]
    proxy = record(opened, voter, phone="+86 139-0000-1111", user_id=official.id)
    assert proxy.status == "active"
    assert proxy.principal is voter
    assert decrypt(proxy.proxy_phone_cipher) == PHONE
    assert proxy.proxy_phone_lookup == proxies.phone_lookup(PHONE)
    assert proxy.scan_sha256 == hashlib.sha256(scan_of(voter)).hexdigest()
    assert proxy.matter_ids == sorted(m.id for m in opened.meeting.matters[:2])
    assert proxy.is_declared_not_property_staff
    assert proxy.recorded_by_id == official.id
    [event] = audit_events("proxy.record")
    assert event.summary == {
        "meeting": opened.meeting.id,
        "voter": voter.id,
        "matters": proxy.matter_ids,
        "directed": 0,
        "scan": proxy.scan_sha256,
    }


def test_one_person_represents_at_most_three_owners(opened: OpenMeeting) -> None:
    """Zhoushan Art 17 practice, default cap 3: the 4th authorisation to the same number is refused, however the
    number is written; another person is not affected; a revoked proxy frees a place."""
    first, second, third, fourth, fifth = owners(opened)[:5]
    held = [
        record(opened, v, phone=p) for v, p in ((first, PHONE), (second, "139 0000 1111"), (third, "+8613900001111"))
    ]
    error = refused(record, opened, fourth)
    assert error.code == "proxy_cap"
    assert "3 owners already" in english(error)
    assert record(opened, fourth, phone=OTHER_PHONE).status == "active"
    proxies.revoke_proxy(held[0], "业主书面撤回委托", None)
    assert record(opened, fifth).status == "active"


def test_a_used_proxy_still_counts_towards_the_cap(opened: OpenMeeting) -> None:
    voters = owners(opened)[:4]
    held = [record(opened, v) for v in voters[:3]]
    proxies.cast_as_proxy(held[0], blank_except(opened, motion1="yes"))
    assert refused(record, opened, voters[3]).code == "proxy_cap"


def test_the_cap_follows_the_rules_of_procedure(opened: OpenMeeting) -> None:
    opened.meeting.settings = {**opened.meeting.settings, "max_proxies_per_person": 1}
    first, second = owners(opened)[:2]
    record(opened, first)
    error = refused(record, opened, second)
    assert error.code == "proxy_cap"
    assert "1 owners already" in english(error)
    assert proxies.max_principals(opened.meeting) == 1
    opened.meeting.settings = {**opened.meeting.settings, "max_proxies_per_person": "many"}
    assert proxies.max_principals(opened.meeting) == proxies.DEFAULT_MAX_PER_PERSON


def test_property_company_staff_may_not_act_as_proxies(opened: OpenMeeting) -> None:
    error = refused(record, opened, owners(opened)[0], declared=False)
    assert (error.code, error.field) == ("property_staff_not_declared", "declared_not_property_staff")
    assert "property company" in english(error)
    assert db.session.scalars(select(Proxy)).first() is None


def test_no_proxy_for_an_owner_who_has_voted(opened: OpenMeeting) -> None:
    voter = owners(opened)[0]
    ballots.cast(voter, blank_except(opened, motion1="no"), "phone")
    error = refused(record, opened, voter)
    assert (error.code, error.status) == ("principal_voted", 409)


def test_one_proxy_in_force_per_owner(opened: OpenMeeting) -> None:
    voter = owners(opened)[0]
    first = record(opened, voter)
    assert refused(record, opened, voter, phone=OTHER_PHONE).code == "proxy_exists"
    proxies.revoke_proxy(first, "换人代理", None)
    assert record(opened, voter, phone=OTHER_PHONE).status == "active"


def test_the_matters_must_be_of_the_meeting(opened: OpenMeeting, township: Township, official: User) -> None:
    other = gen_open_meeting(gen_community(township, "别的小区"), official)
    voter = owners(opened)[0]
    assert refused(record, opened, voter, matters=[other.motion.id]).code == "unknown_matter"
    assert refused(record, opened, voter, matters=[opened.motion.id, other.motion.id]).code == "unknown_matter"
    assert refused(record, opened, voter, matters=["x"]).code == "unknown_matter"
    assert refused(record, opened, voter, matters=[]).code == "no_matters"
    assert refused(record, opened, other.voters[0]).code == "unknown_unit"  # a voter of another meeting


def test_directions_only_on_covered_matters_and_valid_answers(opened: OpenMeeting) -> None:
    voter = owners(opened)[0]
    motion1, motion2, election = opened.meeting.matters
    only_first = [motion1.id]
    error = refused(record, opened, voter, matters=only_first, directions={str(motion2.id): "yes"})
    assert error.code == "direction_not_covered"
    assert refused(record, opened, voter, directions={str(motion1.id): "maybe"}).code == "invalid_direction"
    too_many = [c.id for c in election.candidates]  # 6 candidates for 5 seats
    error = refused(record, opened, voter, matters=[election.id], directions={str(election.id): too_many})
    assert error.code == "invalid_direction"
    assert "at most 5" in english(error)
    proxy = record(
        opened,
        voter,
        matters=[motion1.id, election.id],
        directions={motion1.id: "abstain", str(election.id): too_many[2::-1], str(motion2.id): None},
    )
    assert proxy.directions == {str(motion1.id): "abstain", str(election.id): sorted(too_many[:3])}


def test_the_proxys_phone_must_be_a_mainland_mobile_and_the_scan_is_required(opened: OpenMeeting) -> None:
    voter = owners(opened)[0]
    for phone in ("0575-87001234", "1390000111", "12345678901", ""):
        assert refused(record, opened, voter, phone=phone).code == "invalid_proxy_phone", phone
    assert refused(record, opened, voter, scan=b"").code == "no_scan"


def test_proxies_are_recorded_while_the_meeting_is_open(opened: OpenMeeting) -> None:
    opened.meeting.status = "closed"
    error = refused(record, opened, owners(opened)[0])
    assert (error.code, error.status) == ("meeting_not_open", 409)


def test_the_principal_is_found_by_a_unit_as_written(opened: OpenMeeting) -> None:
    voter = proxies.voter_by_unit(opened.meeting, " 1幢1单元101 ")
    assert "1幢1单元101" in voter.units_label.split("、")
    assert refused(proxies.voter_by_unit, opened.meeting, "1幢1单元10").code == "unknown_unit"
    assert refused(proxies.voter_by_unit, opened.meeting, "").code == "unknown_unit"
    assert refused(proxies.voter_by_unit, opened.meeting, "%").code == "unknown_unit"


# --- the proxy's credential ----------------------------------------------------------------------------------------


def test_the_proxy_gets_a_credential_of_their_own(opened: OpenMeeting, official: User) -> None:
    voter = owners(opened)[0]
    owners_link = issue_for(voter)
    proxy = record(opened, voter)
    issued = proxies.issue_proxy_credential(proxy, official.id)
    credential = issued.credential
    assert (credential.meeting_voter_id, credential.proxy_id, credential.issued_by_id) == (
        voter.id,
        proxy.id,
        official.id,
    )
    assert credential.token_sha256 == credentials.sha256_hex(issued.token)
    assert credential.code_sha256 == credentials.sha256_hex(issued.code)
    assert len(issued.token) >= 22
    assert set(issued.code) <= set(credentials.CODE_ALPHABET)
    assert credentials.find(token=issued.token) is credential
    assert proxies.proxy_for(credential) is proxy
    assert proxies.proxy_for(owners_link.credential) is None
    assert owners_link.credential.revoked_at is None  # the owner's own link keeps working
    again = proxies.issue_proxy_credential(proxy, official.id)
    assert credential.revoked_at is not None  # the proxy's older link stops
    assert credentials.find(token=again.token) is again.credential
    assert owners_link.credential.revoked_at is None
    events = audit_events("proxy.credential_issue")
    assert [e.summary for e in events] == [
        {"meeting": opened.meeting.id, "proxy": proxy.id, "voter": voter.id, "revoked": 0},
        {"meeting": opened.meeting.id, "proxy": proxy.id, "voter": voter.id, "revoked": 1},
    ]
    for secret in (issued.token, issued.code, again.token, again.code):
        assert stored_anywhere(secret) == []


def test_the_proxys_second_factor_is_a_code_sent_to_the_proxys_phone(opened: OpenMeeting) -> None:
    """Whatever the meeting's identity check (here the owner's ID number), the proxy confirms with an SMS code."""
    assert opened.meeting.second_factor == "id_last6"
    voter = owners(opened)[0]
    credential = proxies.issue_proxy_credential(record(opened, voter), None).credential
    proxies.send_code(credential)
    # the owner was told of the proxy's link (issue 16 item 2); the code went to the proxy
    told, message = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id)).all()
    assert "代理人" in told.body
    assert told.phone_masked != mask_phone(PHONE)
    assert message.phone_masked == mask_phone(PHONE)
    code = sms_code()
    with pytest.raises(DomainError) as wrong:
        proxies.verify(credential, "000000" if code != "000000" else "111111")
    assert wrong.value.code == "second_factor_wrong"
    assert credential.failed_attempts == 1
    assert proxies.verify(credential, code).verified_at is not None
    assert credential.failed_attempts == 0
    with pytest.raises(DomainError):  # a code works once
        proxies.verify(credential, code)


def test_wrong_codes_lock_the_proxys_credential(opened: OpenMeeting) -> None:
    credential = proxies.issue_proxy_credential(record(opened, owners(opened)[0]), None).credential
    proxies.send_code(credential)
    code = sms_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(credentials.MAX_ATTEMPTS - 1):
        with pytest.raises(DomainError):
            proxies.verify(credential, wrong)
    with pytest.raises(DomainError) as locked:
        proxies.verify(credential, wrong)
    assert (locked.value.code, locked.value.status) == ("credential_locked", 429)
    assert credentials.is_locked(credential)
    with pytest.raises(DomainError) as still:
        proxies.verify(credential, code)
    assert still.value.code == "credential_locked"
    with pytest.raises(DomainError):
        proxies.send_code(credential)


def test_an_owners_own_credential_is_not_a_proxys(opened: OpenMeeting) -> None:
    issued = issue_for(owners(opened)[0])
    assert refused(proxies.send_code, issued.credential).code == "not_a_proxy"
    assert refused(proxies.verify, issued.credential, "123456").code == "not_a_proxy"


# --- casting the principal's ballot ------------------------------------------------------------------------------


def test_the_proxy_casts_the_principals_ballot(opened: OpenMeeting) -> None:
    """Covered: both motions, directed "yes" on the first; the election is not covered and stays blank."""
    voter = owners(opened)[0]
    motion1, _motion2, _election = opened.meeting.matters
    proxy = record(opened, voter, directions={str(motion1.id): "yes"})
    result = proxies.cast_as_proxy(proxy, blank_except(opened, motion1="yes", motion2="no", election=[]))
    assert result.stored
    ballot = result.ballot
    assert (ballot.meeting_voter_id, ballot.channel) == (voter.id, "proxy")
    assert ballot.choices == blank_except(opened, motion1="yes", motion2="no", election=[])
    assert (proxy.status, proxy.used_at is not None) == ("used", True)
    [event] = audit_events("proxy.use")
    assert event.summary == {"meeting": opened.meeting.id, "voter": voter.id}  # no receipt: the package has it
    again = proxies.cast_as_proxy(proxy, blank_except(opened, motion1="yes"))  # a double tap: the same receipt
    assert (again.stored, again.ballot.receipt_sha256) == (False, ballot.receipt_sha256)
    assert len(db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == voter.id)).all()) == 1
    assert proxies.revoke_unused_for(voter) == 0  # the proxy's own ballot revokes nothing
    assert proxy.status == "used"


def test_the_proxy_may_not_vote_on_matters_not_covered(opened: OpenMeeting) -> None:
    proxy = record(opened, owners(opened)[0], matters=[opened.motion.id])
    error = refused(proxies.cast_as_proxy, proxy, blank_except(opened, motion1="yes", motion2="no"))
    assert error.code == "matter_not_covered"
    assert opened.meeting.matters[1].title in english(error)
    picked = [c.id for c in opened.election.candidates[:2]]
    assert refused(proxies.cast_as_proxy, proxy, blank_except(opened, election=picked)).code == "matter_not_covered"
    assert proxy.status == "active"
    assert ballots.existing_ballot(proxy.principal) is None
    result = proxies.cast_as_proxy(proxy, blank_except(opened, motion1="no", motion2=None, election=[]))
    assert result.ballot.choices == blank_except(opened, motion1="no", motion2=None, election=[])


def test_the_same_scan_is_refused_for_another_owners_proxy(
    opened: OpenMeeting, township: Township, official: User
) -> None:
    """Issue 19: one signed authorisation, one owner's proxy. The scan another owner's proxy was recorded with is
    refused (compared by its SHA-256, the only thing kept), in this meeting or another, with a message that says
    why and what to attach, and nothing is stored; the same owner's scan again after their proxy was revoked (a
    wrong phone typed, say) is accepted."""
    first, second = owners(opened)[:2]
    earlier = record(opened, first, scan=SCAN)
    error = refused(record, opened, second, scan=SCAN, phone=OTHER_PHONE)
    assert (error.code, error.status, error.field) == ("scan_recorded", 409, "scan")
    day = earlier.recorded_at.astimezone(SHANGHAI).date().isoformat()
    assert english(error) == (
        f"This scan was recorded on {day} for another owner's proxy: the same document cannot authorise two "
        "proxies. Attach the scan of this owner's own signed authorisation."
    )
    assert db.session.scalars(select(Proxy).where(Proxy.meeting_voter_id == second.id)).first() is None
    assert len(audit_events("proxy.record")) == 1
    assert record(opened, second, scan=SCAN + b" ", phone=OTHER_PHONE).status == "active"  # another file: fine

    proxies.revoke_proxy(earlier, "手机号码登记错误", None)  # even revoked, it stays another owner's document
    assert refused(record, opened, owners(opened)[2], scan=SCAN).code == "scan_recorded"
    assert record(opened, first, scan=SCAN, phone=OTHER_PHONE).status == "active"  # the same owner again

    elsewhere = gen_open_meeting(gen_community(township), official)
    assert refused(record, elsewhere, owners(elsewhere)[0], scan=SCAN).code == "scan_recorded"


def test_choices_against_the_authorisation_are_listed_matter_by_matter(opened: OpenMeeting) -> None:
    """`direction_errors` (what the review page shows next to each matter) refuses what `cast_as_proxy` refuses: a
    choice against the owner's direction, a directed matter left blank, a choice on a matter not covered."""
    motion1, motion2, election = opened.meeting.matters
    proxy = record(opened, owners(opened)[0], matters=[motion1.id, motion2.id], directions={str(motion1.id): "no"})
    picked = [c.id for c in election.candidates[:2]]
    errors = proxies.direction_errors(proxy, opened.meeting, blank_except(opened, motion1="yes", election=picked))
    assert set(errors) == {motion1.id, election.id}
    with force_locale("en"):
        again = proxies.direction_errors(proxy, opened.meeting, blank_except(opened, motion1="yes", election=picked))
    assert again[motion1.id] == f"The owner instructed another answer on: {motion1.title}"
    assert again[election.id] == f"The authorisation does not cover this matter; leave it blank: {election.title}"
    assert set(proxies.direction_errors(proxy, opened.meeting, blank_except(opened, motion2="yes"))) == {motion1.id}
    fine = blank_except(opened, motion1="no", motion2="abstain", election=[])
    assert proxies.direction_errors(proxy, opened.meeting, fine) == {}
    assert proxies.cast_as_proxy(proxy, fine).stored


def test_the_proxy_votes_as_the_owner_directed(opened: OpenMeeting) -> None:
    motion1, _motion2, election = opened.meeting.matters
    picked = [c.id for c in election.candidates[:3]]
    proxy = record(
        opened,
        owners(opened)[0],
        matters=[m.id for m in opened.meeting.matters],
        directions={str(motion1.id): "no", str(election.id): picked},
    )
    for choices in (
        blank_except(opened, motion1="yes", election=picked),  # against the direction
        blank_except(opened, motion1=None, election=picked),  # a directed matter left blank
        blank_except(opened, motion1="no", election=picked[:2]),
        blank_except(opened, motion1="no", election=[*picked, election.candidates[3].id]),
    ):
        error = refused(proxies.cast_as_proxy, proxy, choices)
        assert error.code == "against_directions", choices
    assert ballots.existing_ballot(proxy.principal) is None
    # as directed (the candidates in any order); the undirected motion is the proxy's choice
    result = proxies.cast_as_proxy(proxy, blank_except(opened, motion1="no", motion2="abstain", election=picked[::-1]))
    assert result.ballot.choices == blank_except(opened, motion1="no", motion2="abstain", election=sorted(picked))


def test_the_owner_voting_first_revokes_the_unused_proxy(opened: OpenMeeting) -> None:
    """DOMAIN §8 decision. `ballots.cast` calls `revoke_unused_for` when it stores the owner's ballot (paper or
    phone); it revokes the proxy and its links."""
    voter = owners(opened)[0]
    proxy = record(opened, voter)
    link = proxies.issue_proxy_credential(proxy, None)
    assert proxies.revoke_unused_for(voter) == 0  # no ballot yet
    ballots.cast(voter, blank_except(opened, motion1="yes"), "phone")
    assert proxies.revoke_unused_for(voter) == 0  # revoked already, by the cast
    assert (proxy.status, proxy.revoke_reason, proxy.revoked_by_id) == ("revoked", proxies.OWNER_VOTED, None)
    assert link.credential.revoked_at is not None
    assert credentials.find(token=link.token) is None
    [event] = audit_events("proxy.revoke")
    assert event.summary == {
        "meeting": opened.meeting.id,
        "voter": voter.id,
        "reason": proxies.OWNER_VOTED,
        "links_revoked": 1,
    }
    assert (
        refused(proxies.cast_as_proxy, proxy, blank_except(opened, motion1="no")).code == "owner_voted"
    )  # the reason is said


def test_a_proxy_whose_owner_voted_is_revoked_when_it_is_next_used(opened: OpenMeeting) -> None:
    """Once the owner has voted, the proxy is revoked (by the cast) and every later use is refused."""
    first, second = owners(opened)[:2]
    proxy_a, proxy_b = record(opened, first), record(opened, second, phone=OTHER_PHONE)
    link = proxies.issue_proxy_credential(proxy_b, None)
    ballots.cast(first, blank_except(opened, motion1="yes"), "paper")
    ballots.cast(second, blank_except(opened, motion1="no"), "phone")
    assert (proxy_a.status, proxy_a.revoke_reason) == ("revoked", proxies.OWNER_VOTED)
    assert refused(proxies.issue_proxy_credential, proxy_a, None).code == "owner_voted"
    assert refused(proxies.cast_as_proxy, proxy_b, blank_except(opened, motion1="yes")).code == "owner_voted"
    assert proxy_b.status == "revoked"
    assert link.credential.revoked_at is not None
    assert refused(proxies.send_code, link.credential).code == "owner_voted"
    ballot = ballots.existing_ballot(second)
    assert ballot is not None
    assert (ballot.channel, ballot.choices[str(opened.motion.id)]) == ("phone", "no")  # the owner's ballot counts


def test_revoking_a_proxy(opened: OpenMeeting, official: User) -> None:
    proxy = record(opened, owners(opened)[0])
    link = proxies.issue_proxy_credential(proxy, None)
    assert refused(proxies.revoke_proxy, proxy, "  ", official.id).code == "invalid_reason"
    proxies.revoke_proxy(proxy, "业主书面撤回委托", official.id)
    assert (proxy.status, proxy.revoke_reason, proxy.revoked_by_id) == ("revoked", "业主书面撤回委托", official.id)
    assert link.credential.revoked_at is not None
    assert refused(proxies.revoke_proxy, proxy, "again", official.id).code == "proxy_revoked"
    assert refused(proxies.issue_proxy_credential, proxy, None).code == "proxy_revoked"
    assert refused(proxies.cast_as_proxy, proxy, {}).code == "proxy_revoked"


def test_a_used_proxy_cannot_be_revoked_or_reissued(opened: OpenMeeting) -> None:
    proxy = record(opened, owners(opened)[0])
    proxies.cast_as_proxy(proxy, blank_except(opened, motion1="yes"))
    assert refused(proxies.revoke_proxy, proxy, "太迟了", None).code == "proxy_used"
    assert refused(proxies.issue_proxy_credential, proxy, None).code == "proxy_used"


# --- personal data -------------------------------------------------------------------------------------------------


def test_no_phone_number_in_clear_in_any_table_or_audit_summary(opened: OpenMeeting, official: User) -> None:
    voter = owners(opened)[0]
    proxy = record(opened, voter, phone="+86 139 0000 1111", user_id=official.id)
    credential = proxies.issue_proxy_credential(proxy, official.id).credential
    proxies.send_code(credential)
    proxies.verify(credential, sms_code())
    proxies.cast_as_proxy(proxy, blank_except(opened, motion1="yes"))
    second = record(opened, owners(opened)[1], phone=PHONE)
    proxies.revoke_proxy(second, "业主书面撤回委托", official.id)
    for text in (PHONE, "139 0000 1111", PHONE[-8:], "王建军"):
        assert stored_anywhere(text) == ([] if text != "王建军" else ["proxies.proxy_name", "proxies.proxy_name"])
    summaries = json.dumps([e.summary for e in audit_events()], ensure_ascii=False)
    assert PHONE[-8:] not in summaries
    assert "王建军" not in summaries
    assert db.session.scalars(select(Credential).where(Credential.proxy_id == proxy.id)).one() is credential
