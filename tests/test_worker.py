"""Background work through a real Celery worker: on CELERY_BROKER_URL when set (CI: Redis), otherwise on an
in-memory broker inside this process. Tasks take ids and run in an app context on committed data."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from flask import Flask
from flask_migrate import upgrade

from app.audit.models import AuditChainCheck
from app.audit.tasks import verify_audit_chain
from app.celery_app import enqueue
from app.extensions import db
from tests.conftest import make_test_app
from tests.databases import fresh_database_url
from tests.factories import gen_community, gen_township

pytestmark = pytest.mark.worker

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def worker_app(tmp_path) -> Iterator[Flask]:
    """An app on its own committed database whose tasks go to a real worker, not eager execution."""
    celery_settings = {
        "broker_url": BROKER_URL or "memory://",
        "result_backend": BROKER_URL or "cache+memory://",
        "task_always_eager": False,
        "broker_connection_retry_on_startup": True,
    }
    app = make_test_app(fresh_database_url(tmp_path, "worker"), tmp_path, CELERY=celery_settings)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_real_worker_verifies_the_audit_chain(worker_app):
    celery = worker_app.extensions["celery"]
    assert celery.conf.task_always_eager is False
    gen_community(gen_township())  # two audited changes, committed so that the worker sees them
    db.session.commit()
    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        check_id = enqueue(verify_audit_chain, triggered_by="worker-test").get(timeout=30)
    db.session.expire_all()
    check = db.session.get(AuditChainCheck, check_id)
    assert check is not None
    assert check.triggered_by == "worker-test"
    assert check.is_ok is True
    assert check.links_checked == 2


def test_a_real_worker_counts_a_meeting_a_chunk_per_task(worker_app, monkeypatch):
    """Issue 17 item 4: the count in the worker (app.results.count_runs), chunk tasks through the broker."""
    import json
    import time

    from app.results import closing, count_runs
    from app.results.models import CountRun, Result
    from app.results.tasks import count_meeting
    from app.results.verify import passed, verify_package
    from tests.results.helpers_lifecycle import end_window, gen_voted

    monkeypatch.setattr(count_runs, "MIN_CHUNK", 4)
    monkeypatch.setattr(count_runs, "PROGRESS_STEPS", 1000)
    voted = gen_voted(share=0.8)
    end_window(voted.meeting)
    closing.close(voted.meeting)
    run_id = count_runs.start(voted.meeting, voted.official.id).id
    db.session.commit()
    chunks = db.session.get(CountRun, run_id).chunk_count
    assert chunks > 1
    celery = worker_app.extensions["celery"]
    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        enqueue(count_meeting, run_id=run_id)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            db.session.rollback()  # a new snapshot: the worker commits in its own connection
            run = db.session.get(CountRun, run_id)
            db.session.refresh(run)
            if run.status in ("done", "failed"):
                break
            time.sleep(0.2)
    assert (run.status, run.progress, run.failure) == ("done", 100, None)
    result = db.session.get(Result, run.result_id)
    package = json.loads(result.package)
    assert package["format"] == "gongjue.result-package/2"
    assert passed(verify_package(package))
