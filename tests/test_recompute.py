"""Adding a year recomputes every open period stored with a provisional end: the roll's notice and a published
result's objection period too (the preparation notice and the filing clock: tests/preparation/test_provisional_dates.py
and tests/governance/test_provisional_filing.py); a period already over, or a frozen roll, keeps its date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.calendar.recompute import add_year_and_recompute
from app.demo.roll_generator import demo_small_roll
from app.extensions import db
from app.results import certification, closing, count_runs
from app.roll import services as roll
from app.roll.versions import create_version
from tests.clock import travel_to
from tests.factories import gen_community, gen_official, gen_township
from tests.results.helpers_lifecycle import end_window, gen_voted

#: a FICTIONAL 2027 arrangement for tests (not the State Council's): New Year's Day off, Sun 2027-01-03 worked
FICTIONAL_2027 = {
    "year": 2027,
    "source": "test data, not the State Council's notice",
    "days_off": [["2027-01-01", "2027-01-01"]],
    "adjusted_working_days": ["2027-01-03"],
}


def test_the_roll_notice_and_the_objection_period_are_recomputed(app) -> None:
    with travel_to(date(2026, 12, 28)):
        voted = gen_voted()
        end_window(voted.meeting)
        closing.close(voted.meeting)
        result = count_runs.count(voted.meeting, voted.official.id)
        certification.publish(result, date(2026, 12, 28), voted.official.id)
        township = gen_township()
        official = gen_official(township)
        community = gen_community(township)
        version = create_version(community, demo_small_roll()[:6], "测试名册", official.id, "import")
        roll.publish_version(version, date(2026, 12, 28), official.id)
        assert (result.objections_until, version.notice_ends_on) == (date(2027, 1, 5), date(2027, 1, 5))

        moves = add_year_and_recompute(FICTIONAL_2027, date(2026, 12, 29), None)

    assert {(m.subject, m.before, m.after) for m in moves} >= {
        ("result_notice", date(2027, 1, 5), date(2027, 1, 4)),
        ("roll_notice", date(2027, 1, 5), date(2027, 1, 4)),
    }
    assert (result.objections_until, version.notice_ends_on) == (date(2027, 1, 4), date(2027, 1, 4))
    recorded = {
        (e.community_id, e.summary["subject"])
        for e in select_events("calendar.recompute")
        if e.summary["subject"] in ("result_notice", "roll_notice")
    }
    assert recorded == {(voted.community.id, "result_notice"), (community.id, "roll_notice")}


def test_a_period_over_under_both_reckonings_keeps_its_date(app) -> None:
    with travel_to(date(2026, 12, 28)):
        township = gen_township()
        official = gen_official(township)
        community = gen_community(township)
        version = create_version(community, demo_small_roll()[:6], "测试名册", official.id, "import")
        roll.publish_version(version, date(2026, 12, 28), official.id)
    # added in February 2027: the notice ended in January under either reckoning
    moves = add_year_and_recompute(FICTIONAL_2027, date(2027, 2, 1), None)
    assert [m for m in moves if m.community_id == community.id] == []
    assert version.notice_ends_on == date(2027, 1, 5)


def select_events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
