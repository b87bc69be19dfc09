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
