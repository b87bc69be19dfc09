"""A committee certified in December shows its filing deadline (issue 13): 30 days from its election reach a year
whose holiday arrangement is not published, so the deadline is shown at the earliest it can be, marked provisional,
on the community page, the township's dashboard and the API; adding the year recomputes and records it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.calendar.recompute import add_year_and_recompute
from app.extensions import db
from app.governance import bodies
from app.governance.body_models import GoverningBody
from tests.api.test_preparation_api import api_of
from tests.clock import travel_to
from tests.results.helpers_lifecycle import Voted

#: a FICTIONAL 2027 arrangement for tests (not the State Council's): New Year's Day and the weekend after it off
TEST_2027 = {
    "year": 2027,
    "source": "test data, not the State Council's notice",
    "days_off": [["2027-01-01", "2027-01-03"]],
    "adjusted_working_days": [],
}


@pytest.fixture
def december() -> Iterator[None]:
    """The clock on Wed 2026-12-02 (asked for before ``elected``, so the whole election happens in December)."""
    with travel_to(date(2026, 12, 2)):
        yield


def test_a_committee_certified_in_december_shows_its_filing_deadline(
    december: None, elected: tuple[Voted, GoverningBody], client, auth
) -> None:
    voted, body = elected
    # voted until Wed 12-02 (the election's day: the clock runs from it, Shaoxing Art 19), published the same day, the
    # 5 working days end Wed 12-09, certified Thu 12-10. 30 days from the election is Fri 2027-01-01, New Year's Day;
    # Sat 01-02 could be a working day in exchange for a bridge, so the deadline is shown on it, provisional
    assert (body.elected_on, body.formed_on) == (date(2026, 12, 2), date(2026, 12, 10))
    due = bodies.known_filing_due(body)
    assert due == date(2027, 1, 2)
    assert bodies.filing_due_is_provisional(body)

    auth.login(voted.official.username)
    page = client.get(f"/communities/{voted.community.id}").get_data(as_text=True)
    assert f"{due}" in page
    assert "暂定：该年节假日安排尚未公布" in page
    dashboard = client.get(f"/townships/{voted.community.township_id}/dashboard").get_data(as_text=True)
    assert f"{due}" in dashboard
    shown = api_of(client, voted.official).get(f"/communities/{voted.community.id}/governance").get_json()
    assert shown["body"]["filing_due"] == due.isoformat()
    assert shown["body"]["filing_due_provisional"] is True

    moves = add_year_and_recompute(TEST_2027, date(2026, 12, 20), None)
    db.session.flush()
    # with the arrangement, 01-01 to 01-03 are days off: the deadline moves to Mon 2027-01-04
    assert bodies.known_filing_due(body) == date(2027, 1, 4)
    assert not bodies.filing_due_is_provisional(body)
    assert [(m.subject, m.before, m.after) for m in moves if m.community_id == body.community_id] == [
        ("filing", date(2027, 1, 2), date(2027, 1, 4))
    ]
    recorded = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.recompute")).all()
    assert [e.summary for e in recorded if e.community_id == body.community_id] == [
        {"year": 2027, "subject": "filing", "before": "2027-01-02", "after": "2027-01-04"}
    ]
