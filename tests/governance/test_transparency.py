"""The public record (Shaoxing Art 21 ¶3: a decision published within 3 days; Art 23: the list owners consult): the
3-day clock on both sides of its last day, its reminders, the body's own accounts, the public page, the audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask.testing import FlaskClient

from app.audit.models import AuditEvent
from app.errors import DomainError
from app.extensions import db
from app.governance import reminders, transparency
from app.governance.body_models import GoverningBody
from app.governance.reminder_models import GovernanceReminder
from app.governance.transparency_models import Publication
from tests.clock import travel_to
from tests.conftest import AuthActions
from tests.governance.pipeline import body_account
from tests.results.helpers_lifecycle import Voted

#: Wed 2026-12-09: its 3 days end on Sat 12-12, a rest day, so on Mon 12-14 (Civil Code Art 203); the tests run on
#: that day whatever the matrix's (`on_the_day`)
DECIDED = date(2026, 12, 9)
LAST_DAY = date(2026, 12, 14)


@pytest.fixture(autouse=True)
def on_the_day() -> Iterator[None]:
    with travel_to(DECIDED):
        yield


def test_a_decision_is_published_within_3_days_rolled_over_the_weekend(
    elected: tuple[Voted, GoverningBody],
) -> None:
    community = elected[0].community
    on_time = transparency.record(community, "decision", "续签保洁合同", "", DECIDED, None, None)
    late = transparency.record(community, "decision", "调整停车收费", "", DECIDED, None, None)
    assert transparency.due_on(on_time) == LAST_DAY
    assert not transparency.is_late(on_time, LAST_DAY)  # unpublished, still in time on its last day
    assert transparency.is_late(on_time, date(2026, 12, 15))
    transparency.publish(on_time, LAST_DAY, None)
    transparency.publish(late, date(2026, 12, 15), None)
    assert not transparency.is_late(on_time, date(2027, 1, 1))  # published on its last day: on time for good
    assert transparency.is_late(late, date(2026, 12, 15))
    events = db.session.query(AuditEvent).filter(AuditEvent.action == "publication.publish").all()
    assert [e.summary["late"] for e in events] == [False, True]


def test_what_is_refused_changes_nothing(elected: tuple[Voted, GoverningBody]) -> None:
    community = elected[0].community
    for args, code in (
        (("decision", "无日期的决定", "", None, None), "decided_on_missing"),
        (("minutes", "会议纪要", "", None, None), "invalid_category"),
        (("decision", "明天的决定", "", date(2026, 12, 10), None), "date_in_future"),
        (("decision", "先公示后决定", "", DECIDED, date(2026, 12, 8)), "published_before_decided"),
    ):
        with pytest.raises(DomainError) as refused:
            transparency.record(community, *args, None)  # type: ignore[arg-type]
        assert refused.value.code == code
    assert db.session.query(Publication).count() == 0
    published = transparency.record(community, "contract", "物业服务合同", "全文", None, DECIDED, None)
    with pytest.raises(DomainError) as twice:
        transparency.publish(published, DECIDED, None)
    assert twice.value.code == "already_published"


def test_an_unpublished_decision_is_reminded_once_a_day_before_and_once_overdue(
    elected: tuple[Voted, GoverningBody],
) -> None:
    community = elected[0].community
    decision = transparency.record(community, "decision", "更换门禁供应商", "", DECIDED, None, None)
    for day in (date(2026, 12, 13), date(2026, 12, 13), date(2026, 12, 15), date(2026, 12, 16)):
        reminders.send_reminders(day)
    sent = db.session.query(GovernanceReminder).filter_by(clock="publication", subject_id=decision.id).all()
    assert sorted(r.lead for r in sent) == [-1, 1]  # the day before, and overdue: each once
    transparency.publish(decision, date(2026, 12, 16), None)
    assert [c for c in reminders.clocks(community) if c.clock == "publication"] == []


def test_the_committee_publishes_through_its_account_and_owners_read_the_public_page(
    client: FlaskClient, auth: AuthActions, elected: tuple[Voted, GoverningBody]
) -> None:
    voted, body = elected
    community = voted.community
    chair = body_account(community, body, "the-chair")
    db.session.commit()
    page = f"/communities/{community.id}/publications"
    decision = {"category": "decision", "title": "业委会决定：续聘保洁公司", "text": "续聘一年。"}
    draft = {"category": "maintenance_fund", "title": "维修资金使用情况（草稿）", "text": ""}
    auth.login(voted.official.username)
    assert auth.post(page, {**decision, "decided_on": DECIDED.isoformat(), "publish_now": "y"}).status_code == 403
    auth.logout()
    auth.login(chair.username)
    assert auth.post(page, {**decision, "decided_on": DECIDED.isoformat(), "publish_now": "y"}).status_code == 302
    assert auth.post(page, draft).status_code == 302  # recorded, not published
    db.session.expire_all()
    assert community.public_token is not None
    shown = client.get(f"/c/{community.public_token}")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "业委会决定：续聘保洁公司" in html
    assert "草稿" not in html
    assert client.get("/c/not-a-token").status_code == 404
    kept = db.session.query(Publication).filter_by(title="维修资金使用情况（草稿）").one()
    assert auth.post(f"/publications/{kept.id}/publish", {}, page).status_code == 302
    assert "草稿" in client.get(f"/c/{community.public_token}").get_data(as_text=True)
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id) if e.object_type == "publication"]
    assert actions == ["publication.record", "publication.record", "publication.publish"]
