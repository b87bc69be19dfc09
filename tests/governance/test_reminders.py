"""The governance clocks' reminders (issue 8 item 8): written by beat at 7 days, 1 day and overdue, each once, to
whoever must act, and shown on the community page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient

from app.extensions import db
from app.governance import bodies, reminders
from app.governance.body_models import GoverningBody
from app.governance.reminder_models import GovernanceReminder
from tests.conftest import AuthActions
from tests.results.helpers_lifecycle import Voted


def written(clock: str) -> list[tuple[int, str]]:
    rows = db.session.query(GovernanceReminder).filter_by(clock=clock).order_by(GovernanceReminder.id)
    return [(r.lead, r.addressee) for r in rows]


def test_the_filing_clock_reminds_at_7_days_1_day_and_overdue_each_once(elected: tuple[Voted, GoverningBody]) -> None:
    _voted, body = elected
    body.formed_on = date(2026, 9, 1)  # due 8 October 2026, in the shipped calendar
    due = bodies.filing_due(body)
    assert reminders.send_reminders(due - timedelta(days=10)) == 0
    reminders.send_reminders(due - timedelta(days=6))
    reminders.send_reminders(due - timedelta(days=5))  # the same bucket: nothing new
    reminders.send_reminders(due)
    reminders.send_reminders(due + timedelta(days=1))
    reminders.send_reminders(due + timedelta(days=2))
    assert written("filing") == [(7, "committee"), (1, "committee"), (-1, "committee")]
    bodies.record_filing(body, due, None, [], None)
    before = len(written("filing"))
    reminders.send_reminders(due + timedelta(days=40))
    assert len(written("filing")) == before  # filed: the clock stopped


def test_an_overdue_re_election_is_the_townships(elected: tuple[Voted, GoverningBody]) -> None:
    _voted, body = elected
    body.filed_on = body.formed_on
    due = bodies.re_election_due(body)
    assert due is not None
    reminders.send_reminders(due + timedelta(days=3))
    assert written("re_election") == [(-1, "township")]


def test_reminders_show_on_the_community_page(
    client: FlaskClient, auth: AuthActions, elected: tuple[Voted, GoverningBody], app: Any
) -> None:
    voted, body = elected
    body.formed_on = date(2026, 9, 1)
    reminders.send_reminders(bodies.filing_due(body) + timedelta(days=1))
    db.session.commit()
    client.get("/lang/en")
    auth.login(voted.official.username)
    page = client.get(f"/communities/{voted.community.id}").get_data(as_text=True)
    assert 'data-clock="filing" data-lead="-1"' in page
