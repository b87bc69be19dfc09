"""An owner signs in by the number on the roll and a text-message code, or from a letter (issue 20 item 1)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.owners import sign_in
from app.owners.models import OwnerSession, OwnerSignInCode
from app.voting.models import SmsMessage
from tests.conftest import csrf_token_from
from tests.owners.helpers import gen_owner_world, sign_in_as


def _code_sent() -> str:
    message = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id.desc())).first()
    assert message is not None
    assert message.meeting_id is None  # a platform message, not a meeting's
    found = re.search(r"\d{6}", message.body)
    assert found
    return found.group(0)


def _post(client, url, data):
    page = client.get(url)
    return client.post(url, data={**data, "csrf_token": csrf_token_from(page.get_data(as_text=True))})


@pytest.fixture
def world(app):
    return gen_owner_world()


def test_an_owner_signs_in_by_sms_and_sees_both_communities(client, world):
    phone = world.shared.phone
    response = _post(client, "/owner/sign-in", {"phone": phone})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/owner/sign-in/code")
    response = _post(client, "/owner/sign-in/code", {"code": _code_sent()})
    assert response.status_code == 302
    assert "gongjue_owner=" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/owner").get_data(as_text=True)
    assert world.first.name in page
    assert world.second.name in page
    assert page.count("data-my-unit") == 2
    session = db.session.scalars(select(OwnerSession)).one()
    assert session.method == "sms"
    assert session.owner_lookups == [world.shared.lookup]
    events = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("owner.%")))]
    assert events == ["owner.code_sent", "owner.sign_in"]
    signed_in = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "owner.sign_in")).one()
    assert signed_in.actor_role == "owner"
    assert world.shared.name not in signed_in.actor_label  # masked


def test_a_number_on_no_roll_is_told_how_to_have_it_recorded_and_nothing_is_sent(client, world):
    response = _post(client, "/owner/sign-in", {"phone": "13911112222"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "data-no-phone" in page
    assert db.session.scalars(select(SmsMessage)).first() is None
    assert db.session.scalars(select(OwnerSignInCode)).first() is None


def test_a_malformed_number_is_refused_in_words(client, world):
    response = _post(client, "/owner/sign-in", {"phone": "12345"})
    assert response.status_code == 422
    assert "11" in response.get_data(as_text=True)
    assert db.session.scalars(select(OwnerSignInCode)).first() is None


def test_wrong_codes_count_and_the_fifth_ends_the_code(client, world):
    _post(client, "/owner/sign-in", {"phone": world.shared.phone})
    right = _code_sent()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(sign_in.MAX_CODE_ATTEMPTS):
        assert _post(client, "/owner/sign-in/code", {"code": wrong}).status_code == 422
    assert db.session.scalars(select(OwnerSignInCode)).one().attempts == sign_in.MAX_CODE_ATTEMPTS
    response = _post(client, "/owner/sign-in/code", {"code": right})
    assert response.status_code == 422  # the right code no longer opens: a new one is needed
    assert db.session.scalars(select(OwnerSession)).first() is None


def test_a_second_code_within_the_minute_is_refused(client, world):
    assert _post(client, "/owner/sign-in", {"phone": world.shared.phone}).status_code == 302
    response = _post(client, "/owner/sign-in", {"phone": world.shared.phone})
    assert response.status_code == 429
    assert len(db.session.scalars(select(OwnerSignInCode)).all()) == 1


def test_signing_out_everywhere_ends_the_other_sessions(client, app, world):
    other = app.test_client()
    sign_in_as(other, world.shared.lookup)
    sign_in_as(client, world.shared.lookup)
    assert other.get("/owner?all=1").status_code == 200
    page = client.get("/owner/sessions").get_data(as_text=True)
    assert page.count("data-session") == 2
    response = client.post("/owner/sign-out", data={"everywhere": "y", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert other.get("/owner?all=1").status_code == 302  # back to the sign-in page
    assert client.get("/owner?all=1").status_code == 302


def test_an_expired_session_is_no_session(client, world, pinned_clock):
    sign_in_as(client, world.shared.lookup)
    assert client.get("/owner?all=1").status_code == 200
    pinned_clock.shift(31 * 86400)
    assert client.get("/owner?all=1").status_code == 302


def test_the_console_backends_sign_in_codes_are_read_by_an_administrator_only(client, auth, world):
    from tests.factories import gen_admin

    gen_admin("the-admin")
    db.session.commit()
    _post(client, "/owner/sign-in", {"phone": world.shared.phone})
    code = _code_sent()
    auth.login("owner-official")
    assert client.get("/owner-messages").status_code == 403
    auth.logout()
    auth.login("the-admin")
    page = client.get("/owner-messages").get_data(as_text=True)
    assert code in page
    assert world.shared.phone not in page  # the number masked


def test_a_number_recorded_for_many_owners_signs_nobody_in(client, world):
    from app.privacy import phone_lookup
    from app.roll.models import RollOwner, RollUnit
    from tests.owners.helpers import latest_roll

    version = latest_roll(world.first)
    rows = db.session.scalars(
        select(RollOwner)
        .join(RollUnit, RollOwner.roll_unit_id == RollUnit.id)
        .where(RollUnit.roll_version_id == version.id)
    ).all()
    for owner in rows[: sign_in.MAX_OWNERS_PER_NUMBER + 2]:  # the property office's number, typed for everyone
        owner.phone_lookup = phone_lookup("13900000000")
    db.session.commit()
    response = _post(client, "/owner/sign-in", {"phone": "13900000000"})
    assert response.status_code == 409
    assert db.session.scalars(select(OwnerSignInCode)).first() is None


def test_a_session_ends_when_its_number_leaves_the_roll(client, world, pinned_clock):
    from app.roll.models import RollOwner

    _post(client, "/owner/sign-in", {"phone": world.shared.phone})
    _post(client, "/owner/sign-in/code", {"code": _code_sent()})
    assert client.get("/owner?all=1").status_code == 200
    for owner in db.session.scalars(select(RollOwner).where(RollOwner.id_number_lookup == world.shared.lookup)):
        owner.phone_lookup = None  # the group corrected the number on the roll
    db.session.commit()
    pinned_clock.shift(sign_in.SEEN_EVERY.total_seconds() + 1)
    assert client.get("/owner?all=1").status_code == 302  # checked again: signed out
    db.session.expire_all()
    assert db.session.scalars(select(OwnerSession)).one().revoked_at is not None


def test_a_letters_session_is_short_and_ends_with_the_browser(world):
    signed = sign_in.open_session("letter", ["x"], "业主")
    assert signed.session.expires_at - signed.session.created_at == sign_in.LETTER_SESSION
