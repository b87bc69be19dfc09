"""Scheduled and on-demand verification of the audit chain."""

from __future__ import annotations

from celery import shared_task

from app.audit import services
from app.extensions import db


@shared_task(name="app.audit.tasks.verify_audit_chain", ignore_result=False)
def verify_audit_chain(triggered_by: str = "beat") -> int:
    """Verify the chain and store the outcome; returns the id of the AuditChainCheck. Safe to run twice."""
    try:
        check = services.run_verification(triggered_by)
        db.session.commit()
        return check.id
    finally:
        db.session.remove()
