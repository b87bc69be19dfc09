"""SMS reminders to the voters who have not voted yet (issue 6 item 9): a batch with progress, no link in the text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.voting import ballots, reminders
from app.voting.models import SmsMessage
from app.voting.reminder_models import ReminderBatch
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.voting.helpers import OpenMeeting, gen_open_meeting


@pytest.fixture
def opened(app: Any) -> OpenMeeting:
    township = gen_township()
    return gen_open_meeting(gen_community(township, "提醒小区"), gen_official(township, "reminder-official"))


def reminders_sent(opened: OpenMeeting) -> list[SmsMessage]:
    """The reminders in the outbox (the voters who voted were also told their ballot was counted)."""
    sent = db.session.query(SmsMessage).filter_by(meeting_id=opened.meeting.id).all()
    return [m for m in sent if "已计入" not in m.body]


def test_a_round_reminds_every_voter_without_a_ballot_who_has_a_phone(opened: OpenMeeting) -> None:
    voted = opened.voters[:3]
    for voter in voted:
        ballots.cast(voter, {str(opened.motion.id): "yes"}, "phone")
    batch = reminders.start(opened.meeting, None)
    reminders.run(batch.id)
    waiting = [v for v in opened.voters if v not in voted]
    with_phone = [v for v in waiting if v.phone_cipher is not None]
    assert (batch.status, batch.progress) == ("done", 100)
    assert (batch.to_remind, batch.sent, batch.without_phone) == (
        len(waiting),
        len(with_phone),
        len(waiting) - len(with_phone),
    )
    messages = reminders_sent(opened)
    assert len(messages) == len(with_phone)
    assert all("提醒小区" in m.body and "http" not in m.body and "?t=" not in m.body for m in messages)
    again = reminders.run(batch.id)  # a redelivered task sends nothing more
    assert again is batch
    assert len(reminders_sent(opened)) == len(with_phone)


def test_one_round_at_a_time_and_only_while_voting_is_open(opened: OpenMeeting) -> None:
    reminders.start(opened.meeting, None)
    with pytest.raises(DomainError) as caught:
        reminders.start(opened.meeting, None)
    assert caught.value.code == "reminders_running"
    db.session.query(ReminderBatch).delete()
    opened.meeting.closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(DomainError) as closed:
        reminders.start(opened.meeting, None)
    assert closed.value.code == "window_closed"


def test_the_page_starts_a_round_and_shows_its_progress(opened: OpenMeeting, client: Any, auth: Any) -> None:
    db.session.commit()
    auth.login("reminder-official")
    turnout = f"/meetings/{opened.meeting.id}/turnout"
    response = auth.post(f"/meetings/{opened.meeting.id}/reminders", {}, form_page=turnout)
    assert response.status_code == 302
    batch = db.session.query(ReminderBatch).filter_by(meeting_id=opened.meeting.id).one()
    assert batch.status == "done"  # Celery runs eagerly in tests
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert str(batch.sent) in page
    assert client.get(f"/reminder-batches/{batch.id}/status").get_json()["status"] == "done"


def test_an_observer_cannot_send_reminders(opened: OpenMeeting, client: Any, auth: Any) -> None:
    from app.auth.models import Role
    from app.communities.models import Community

    community = db.session.get_one(Community, opened.meeting.community_id)
    gen_member(community, "reminder-observer", role=Role.OBSERVER)
    db.session.commit()
    auth.login("reminder-observer")
    response = auth.post(f"/meetings/{opened.meeting.id}/reminders", {}, form_page="/")
    assert response.status_code == 403
    assert db.session.query(ReminderBatch).count() == 0
