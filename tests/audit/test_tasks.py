"""The scheduled verification of the audit chain (Celery beat and the task it runs)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import select

from app.audit import services as audit
from app.audit.models import AuditChainCheck, AuditEvent
from app.extensions import db
from tests.conftest import make_test_app
from tests.factories import gen_community, gen_member, gen_official, gen_township

TASK = "app.audit.tasks.verify_audit_chain"


def beat_entries_for(celery, task_name: str) -> list[dict]:
    return [entry for entry in celery.conf.beat_schedule.values() if entry["task"] == task_name]


def test_beat_runs_the_verification_at_the_configured_interval(app):
    celery = app.extensions["celery"]
    assert TASK in celery.tasks
    [entry] = beat_entries_for(celery, TASK)
    assert entry["schedule"] == app.config["AUDIT_VERIFY_INTERVAL"]
    assert entry["kwargs"] == {"triggered_by": "beat"}


def test_beat_interval_follows_the_configuration(app, tmp_path):
    other = make_test_app("sqlite://", tmp_path, AUDIT_VERIFY_INTERVAL=120)
    try:
        [entry] = beat_entries_for(other.extensions["celery"], TASK)
        assert entry["schedule"] == 120
    finally:
        app.extensions["celery"].set_default()


def _run_task(app) -> int:
    result = app.extensions["celery"].tasks[TASK].apply(kwargs={"triggered_by": "beat"})
    assert result.successful(), result.traceback
    return result.get()


def test_running_the_task_twice_stores_two_good_checks_and_no_events(app):
    township = gen_township()
    gen_official(township)
    gen_member(gen_community(township))
    events = audit.event_count()
    assert events >= 4

    first, second = _run_task(app), _run_task(app)
    assert first != second
    checks = db.session.scalars(
        select(AuditChainCheck).where(AuditChainCheck.id.in_([first, second])).order_by(AuditChainCheck.id)
    ).all()
    assert len(checks) == 2
    for check in checks:
        assert check.is_ok
        assert check.links_checked == events
        assert check.first_broken_seq is None
        assert check.triggered_by == "beat"
    assert audit.event_count() == events
    assert audit.latest_check().id == second


def test_task_stores_a_broken_chain_as_such(app):
    township = gen_township()
    gen_official(township)
    gen_community(township)
    target = db.session.scalar(select(sa.func.max(AuditEvent.seq))) - 1
    db.session.execute(sa.text("UPDATE audit_events SET actor_label = 'intruder' WHERE seq = :seq"), {"seq": target})
    db.session.expire_all()

    check = db.session.get(AuditChainCheck, _run_task(app))
    assert not check.is_ok
    assert check.first_broken_seq == target
    assert check.reason == "hash_mismatch"
