"""Celery bound to the Flask app: every task runs inside an app context and takes ids, not ORM objects.

The worker and beat start from wsgi.py: `celery -A wsgi:celery worker` and `celery -A wsgi:celery beat`.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.result import AsyncResult
from flask import Flask, current_app

#: modules whose tasks the worker must know
TASK_MODULES = [
    "app.audit.tasks",
    "app.governance.tasks",
    "app.jobs",
    "app.preparation.tasks",
    "app.results.tasks",
    "app.roll.tasks",
    "app.voting.tasks",
]


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for this Flask app (Flask's documented pattern) and make it the default."""

    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask, include=TASK_MODULES)
    celery.config_from_object(app.config["CELERY"])
    celery.conf.beat_schedule = {
        "verify-audit-chain": {
            "task": "app.audit.tasks.verify_audit_chain",
            "schedule": float(app.config["AUDIT_VERIFY_INTERVAL"]),
            "kwargs": {"triggered_by": "beat"},
        },
        "preparation-reminders": {"task": "app.preparation.tasks.send_preparation_reminders", "schedule": 3600.0},
        "purge-expired-letters": {"task": "app.voting.tasks.purge_expired_letters", "schedule": 3600.0},
        "sms-delivery-reports": {"task": "app.voting.sms_aliyun.refresh_deliveries", "schedule": 300.0},
        "close-due-meetings": {"task": "app.results.tasks.close_due_meetings", "schedule": 60.0},
        "reap-silent-jobs": {"task": "app.jobs.reap_silent_jobs", "schedule": 60.0},
        "governance-reminders": {"task": "app.governance.tasks.send_governance_reminders", "schedule": 3600.0},
    }
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def enqueue(task: Any, **kwargs: Any) -> AsyncResult:
    """Send a task through the Celery app of the current Flask app (eager or to the broker, as configured).

    Going through the app's own registry, not the shared task proxy, keeps several Flask apps in one process
    (tests) from sending each other's tasks.
    """
    celery: Celery = current_app.extensions["celery"]
    return celery.tasks[task.name].apply_async(kwargs=kwargs)
