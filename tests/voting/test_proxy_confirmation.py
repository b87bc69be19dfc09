"""Issue 16 item 2: owners learn of every ballot cast in their name, and a proxy needs the owner's confirmation.

The convener's way to "代投" for an owner who has not voted (record a proxy with a phone of their choosing, issue its
link, read the code) now needs a code sent to the owner's own phone, or a second staff member's approval; the proxy's
phone may not be a staff member's; and the owner is told by SMS of the proxy's link and of every ballot counted for
them, whatever its channel, of a reissued letter and of a reveal of their ID number. The township sees the ballots
that staff made possible.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import pytest
from flask import Flask
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import GroupRole, Role, User
from app.auth.services import staff_phone_lookup
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt, mask_phone
from app.voting import assisted, ballots, credentials, proxies
from app.voting.models import MeetingVoter, SmsMessage
from app.voting.proxy_models import Proxy
from tests.api.test_voting_api import api_of
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.voting.helpers import OpenMeeting, gen_open_meeting

PROXY_PHONE = "13900001111"


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    township = gen_township()
    community = gen_community(township, "知情小区")
    official = gen_official(township)
    leader = gen_member(community, group_role=GroupRole.LEADER)
    opened = gen_open_meeting(community, official)
    opened.meeting.contact_phone = "0575-88880000"
    db.session.commit()
    return {"official": official, "leader": leader, "opened": opened, "community": community}


def with_phone(opened: OpenMeeting, skip: int = 0) -> MeetingVoter:
    return [v for v in opened.voters if v.phone_cipher is not None and not v.is_developer][skip]


def outbox_of(voter: MeetingVoter) -> list[str]:
    """The messages to the owner's phone on the roll, oldest first."""
    masked = mask_phone(decrypt(voter.phone_cipher or b""))
    return list(
        db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone_masked == masked).order_by(SmsMessage.id))
    )


def record(opened: OpenMeeting, voter: MeetingVoter, user: User, phone: str = PROXY_PHONE) -> Proxy:
    return proxies.record_proxy(
        opened.meeting,
        voter,
        proxy_name="王建军",
        proxy_phone=phone,
        matter_ids=[opened.motion.id],
        directions={},
        scan=f"signed authorisation of voter {voter.id}".encode(),  # one scan per owner: a scan twice is refused
        declared_not_property_staff=True,
        user_id=user.id,
    )


def refused(call: Any, *args: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


def test_a_proxy_without_the_owners_confirmation_gets_no_link_and_casts_nothing(world: dict[str, Any]) -> None:
    opened, leader = world["opened"], world["leader"]
    proxy = record(opened, with_phone(opened), leader)
    assert refused(proxies.issue_proxy_credential, proxy, leader.id).code == "proxy_unconfirmed"
    assert refused(proxies.cast_as_proxy, proxy, {str(opened.motion.id): "yes"}).code == "proxy_unconfirmed"
    assert ballots.existing_ballot(proxy.principal) is None


def test_the_owner_confirms_with_a_code_sent_to_their_own_phone(world: dict[str, Any]) -> None:
    opened, leader = world["opened"], world["leader"]
    owner = with_phone(opened)
    proxy = record(opened, owner, leader)
    proxies.send_owner_code(proxy, leader.id)
    [message] = outbox_of(owner)
    assert "王*军" in message
    assert "0575-88880000" in message
    code = re.search(r"确认码 (\d{6})", message)
    assert code is not None
    assert not db.session.scalars(select(SmsMessage).where(SmsMessage.phone_masked == mask_phone(PROXY_PHONE))).all()

    wrong = "000000" if code.group(1) != "000000" else "111111"
    assert refused(proxies.confirm_with_owner_code, proxy, wrong, leader.id).code == "wrong_confirmation"
    assert proxy.confirmed_at is None
    proxies.confirm_with_owner_code(proxy, code.group(1), leader.id)
    assert (proxy.confirmed_via, proxy.confirmed_by_id) == ("owner_sms", leader.id)

    issued = proxies.issue_proxy_credential(proxy, leader.id)
    assert "代您投票的链接" in outbox_of(owner)[-1]  # the owner is told of the proxy's link
    proxies.cast_as_proxy(proxy, {str(opened.motion.id): "yes"}, issued.credential)
    assert "代理人选票" in outbox_of(owner)[-1]  # … and of the ballot counted in their name
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert {"proxy.confirm_sent", "proxy.confirm_failed", "proxy.confirm"} <= set(actions)


def test_five_wrong_codes_void_the_code(world: dict[str, Any]) -> None:
    opened, leader = world["opened"], world["leader"]
    owner = with_phone(opened)
    proxy = record(opened, owner, leader)
    proxies.send_owner_code(proxy, leader.id)
    code = re.search(r"确认码 (\d{6})", outbox_of(owner)[-1])
    assert code is not None
    wrong = "000000" if code.group(1) != "000000" else "111111"
    for _ in range(proxies.CONFIRM_ATTEMPTS):
        refused(proxies.confirm_with_owner_code, proxy, wrong, leader.id)
    assert refused(proxies.confirm_with_owner_code, proxy, code.group(1), leader.id).code == "wrong_confirmation"
    assert proxy.confirmed_at is None
    # a new code does not reset the count: the owner's code path is closed, a second staff member approves
    assert refused(proxies.send_owner_code, proxy, leader.id).code == "too_many_wrong_codes"


def test_a_second_staff_member_approves_but_not_the_one_who_recorded(world: dict[str, Any]) -> None:
    opened, leader, official = world["opened"], world["leader"], world["official"]
    proxy = record(opened, with_phone(opened), leader)
    assert refused(proxies.approve_by_second_staff, proxy, leader.id).code == "same_staff"
    proxies.approve_by_second_staff(proxy, official.id)
    assert (proxy.confirmed_via, proxy.confirmed_by_id) == ("second_staff", official.id)
    assert refused(proxies.approve_by_second_staff, proxy, official.id).code == "proxy_confirmed"


def test_a_staff_members_phone_cannot_be_a_proxys(world: dict[str, Any]) -> None:
    opened, leader, official = world["opened"], world["leader"], world["official"]
    official.phone_lookup = staff_phone_lookup(PROXY_PHONE)
    db.session.flush()
    assert refused(record, opened, with_phone(opened), leader).code == "proxy_is_staff"
    official.is_active = False  # a former staff member's number is an owner's like any other
    db.session.flush()
    assert record(opened, with_phone(opened), leader).status == "active"


@pytest.mark.parametrize("channel", ["phone", "paper"])
def test_the_owner_is_told_of_every_ballot_counted_in_their_name(world: dict[str, Any], channel: str) -> None:
    opened = world["opened"]
    owner = with_phone(opened)
    ballots.cast(owner, {str(opened.motion.id): "yes"}, channel)
    [message] = outbox_of(owner)
    assert {"phone": "手机", "paper": "纸质"}[channel] + "选票" in message
    assert "0575-88880000" in message
    assert "yes" not in message
    assert "赞成" not in message
    ballots.cast(owner, {str(opened.motion.id): "no"}, channel)  # a repeat stores nothing, tells nothing
    assert len(outbox_of(owner)) == 1


class LimitRecorder:
    """A provider plug-in that records whether each message was subject to the per-number limit."""

    name = "limit-recorder"
    sent: ClassVar[list[tuple[str, bool]]] = []

    def send(self, meeting_id: int, phone: str, body: str, *, limited: bool = True) -> None:
        LimitRecorder.sent.append((body, limited))


def test_notices_to_owners_are_not_held_back_by_the_per_number_limit(
    world: dict[str, Any], app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notice dropped because the owner asked for a code a minute earlier would be the one that mattered."""
    monkeypatch.setitem(app.config, "SMS_BACKEND", f"{__name__}:LimitRecorder")
    monkeypatch.setattr(LimitRecorder, "sent", [])
    opened, leader = world["opened"], world["leader"]
    proxy = record(opened, with_phone(opened), leader)
    proxies.send_owner_code(proxy, leader.id)  # a code: limited
    ballots.cast(with_phone(opened, 1), {str(opened.motion.id): "yes"}, "phone")  # a notice: not limited
    assert [(("确认码" in body), limited) for body, limited in LimitRecorder.sent] == [(True, True), (False, False)]


def test_a_reissued_letter_is_told_to_the_owner(world: dict[str, Any]) -> None:
    opened, official = world["opened"], world["official"]
    owner = with_phone(opened)
    credentials.issue(owner, official.id)
    assert outbox_of(owner) == []  # the first letter revokes nothing
    credentials.issue(owner, official.id)
    [message] = outbox_of(owner)
    assert "重新制作投票通知书" in message


def test_without_sms_the_ballot_counts_and_the_owner_not_told_is_audited(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, app: Flask
) -> None:
    monkeypatch.setitem(app.config, "SMS_BACKEND", "none")
    opened = world["opened"]
    owner = with_phone(opened)
    assert ballots.cast(owner, {str(opened.motion.id): "yes"}, "phone").stored
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "owner_notice.unsent")).all()
    assert event.summary == {
        "meeting": opened.meeting.id,
        "kind": "ballot_counted",
        "voter": owner.id,
        "reason": "no_sms",
    }


def test_a_reveal_of_the_id_number_is_told_to_the_owner(world: dict[str, Any], app: Flask) -> None:
    from app.roll.models import RollOwner

    official = world["official"]
    owner = db.session.scalars(select(RollOwner).where(RollOwner.phone_cipher.is_not(None))).first()
    assert owner is not None
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(official.username)
    response = client.post(f"/roll/owners/{owner.id}/reveal", data={"csrf_token": auth.csrf()})
    assert response.status_code == 200
    masked = mask_phone(decrypt(owner.phone_cipher or b""))
    bodies = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone_masked == masked)).all()
    assert any("完整证件号码" in body for body in bodies)


def test_the_township_lists_the_ballots_that_staff_made_possible(world: dict[str, Any], app: Flask) -> None:
    opened, leader, official = world["opened"], world["leader"], world["official"]
    by_proxy, reissued, plain = with_phone(opened, 0), with_phone(opened, 1), with_phone(opened, 2)
    proxy = record(opened, by_proxy, leader)
    proxies.approve_by_second_staff(proxy, official.id)
    issued = proxies.issue_proxy_credential(proxy, leader.id)
    proxies.cast_as_proxy(proxy, {str(opened.motion.id): "yes"}, issued.credential)
    credentials.issue(reissued, leader.id)
    second = credentials.issue(reissued, leader.id)
    ballots.cast(reissued, {str(opened.motion.id): "no"}, "phone", second.credential)
    first = credentials.issue(plain, leader.id)
    ballots.cast(plain, {str(opened.motion.id): "no"}, "phone", first.credential)
    db.session.commit()

    rows = assisted.assisted_ballots(opened.meeting)
    assert sorted((row.voter.id, row.kind) for row in rows) == sorted(
        [(by_proxy.id, "proxy"), (reissued.id, "reissue")]
    )
    [proxy_row] = [row for row in rows if row.kind == "proxy"]
    assert (proxy_row.confirmed_via, proxy_row.confirmed_by) == ("second_staff", official.display_name)

    page_url = f"/meetings/{opened.meeting.id}/assisted-ballots"
    township = app.test_client()
    AuthActions(township).login(official.username)
    page = township.get(page_url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count('data-kind="proxy"') == 1
    assert text.count('data-kind="reissue"') == 1
    assert plain.units_label not in text
    group = app.test_client()
    AuthActions(group).login(leader.username)
    assert group.get(page_url).status_code == 403

    listed = api_of(app.test_client(), official).get(f"/meetings/{opened.meeting.id}/assisted-ballots")
    assert listed.status_code == 200
    assert sorted((row["voter_id"], row["kind"]) for row in listed.get_json()) == sorted(
        [(by_proxy.id, "proxy"), (reissued.id, "reissue")]
    )
    assert "choices" not in listed.get_data(as_text=True)
    refused = api_of(app.test_client(), leader).get(f"/meetings/{opened.meeting.id}/assisted-ballots")
    assert refused.status_code == 403


def test_a_teller_cannot_see_the_list(world: dict[str, Any], app: Flask) -> None:
    teller = gen_member(world["community"], role=Role.TELLER)
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(teller.username)
    assert client.get(f"/meetings/{world['opened'].meeting.id}/assisted-ballots").status_code == 403


def test_the_pages_send_the_code_take_it_back_and_approve(world: dict[str, Any], app: Flask) -> None:
    opened, leader, official = world["opened"], world["leader"], world["official"]
    owner, other = with_phone(opened, 0), with_phone(opened, 1)
    by_code, by_approval = record(opened, owner, leader), record(opened, other, leader, "13900002222")
    db.session.commit()
    group = app.test_client()
    auth = AuthActions(group)
    auth.login(leader.username)
    listing = group.get(f"/meetings/{opened.meeting.id}/proxies").get_data(as_text=True)
    assert listing.count("data-confirmation") == 2
    assert f"/proxies/{by_code.id}/credential" not in listing  # no link before the owner's confirmation

    group.post(f"/proxies/{by_code.id}/confirmation", data={"csrf_token": auth.csrf()})
    code = re.search(r"确认码 (\d{6})", outbox_of(owner)[-1])
    assert code is not None
    wrong = "000000" if code.group(1) != "000000" else "111111"
    group.post(f"/proxies/{by_code.id}/confirm", data={"csrf_token": auth.csrf(), "code": wrong})
    db.session.expire_all()
    assert db.session.get_one(Proxy, by_code.id).confirm_failures == 1  # the wrong answer is kept
    group.post(f"/proxies/{by_code.id}/confirm", data={"csrf_token": auth.csrf(), "code": code.group(1)})
    db.session.expire_all()
    assert db.session.get_one(Proxy, by_code.id).confirmed_via == "owner_sms"

    group.post(f"/proxies/{by_approval.id}/approve", data={"csrf_token": auth.csrf()})  # the recorder: refused
    db.session.expire_all()
    assert db.session.get_one(Proxy, by_approval.id).confirmed_at is None
    township = app.test_client()
    second = AuthActions(township)
    second.login(official.username)
    township.post(f"/proxies/{by_approval.id}/approve", data={"csrf_token": second.csrf()})
    db.session.expire_all()
    assert db.session.get_one(Proxy, by_approval.id).confirmed_via == "second_staff"
    listing = group.get(f"/meetings/{opened.meeting.id}/proxies").get_data(as_text=True)
    assert "data-confirmation" not in listing
    assert f"/proxies/{by_code.id}/credential" in listing
