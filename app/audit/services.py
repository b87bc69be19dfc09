"""Recording audit events and verifying the chain.

Every state-changing service call records exactly one event through `record()`, in the same transaction as
the change, so that a change and its event are committed together or not at all. Events form a hash chain
(crypto.hashchain): each event's hash covers its content and the previous event's hash.

Concurrency: on PostgreSQL a transaction-scoped advisory lock serialises appends, so several gunicorn workers
never extend the same link; the unique `seq` is the last line of defence on every database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import func, select, text

from app.audit.models import AuditChainCheck, AuditEvent
from app.db_types import utcnow
from app.extensions import db
from crypto.hashchain import GENESIS_HASH, ChainLink, ChainVerification, link_hash, verify_chain

#: pg_advisory_xact_lock key of the audit chain ("GJAU" as a number), paired with the schema's: the chain is the
#: schema's own, so databases sharing a server (the test suite's processes, each in its schema) never wait for each
#: other's chain
_CHAIN_LOCK_KEY = 0x474A4155


def _format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_payload(event: Any) -> dict[str, Any]:
    """The part of an event that its hash covers (everything but the id and the two hashes)."""
    return {
        "seq": event.seq,
        "occurred_at": _format_time(event.occurred_at),
        "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "township_id": event.township_id,
        "community_id": event.community_id,
        "summary": event.summary,
        "ip_address": event.ip_address,
    }


def _actor() -> tuple[int | None, str, Any]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username, current_user
    if has_request_context() and g.get("audit_owner"):
        return None, str(g.audit_owner), None
    return None, "system", None


def _acting_role(user: Any, township_id: int | None, community_id: int | None) -> str:
    """The role under which `user` acted on this scope (the most specific grant that covers it)."""
    if user is None:
        return "system"
    grants = list(user.grants)
    for grant in grants:
        if community_id is not None and grant.community_id == community_id:
            return str(grant.role)
    for grant in grants:
        if township_id is not None and grant.township_id == township_id and grant.community_id is None:
            return str(grant.role)
    for grant in grants:
        if grant.role == "admin":
            return "admin"
    return str(grants[0].role) if grants else "none"


def _lock_chain() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"), {"key": _CHAIN_LOCK_KEY}
        )


def record(
    action: str,
    object_type: str,
    object_id: Any = None,
    summary: dict[str, Any] | None = None,
    *,
    township_id: int | None = None,
    community_id: int | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event for the current actor (or the system) to the chain, in the current transaction."""
    user_id, label, user = _actor()
    _lock_chain()
    last = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        occurred_at=utcnow(),
        actor_user_id=user_id,
        actor_label=actor_label or label,
        actor_role="owner" if user_id is None and label != "system" else _acting_role(user, township_id, community_id),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        township_id=township_id,
        community_id=community_id,
        summary=summary or {},
        ip_address=request.remote_addr if has_request_context() else None,
        previous_hash=last[1] if last else GENESIS_HASH,
    )
    event.hash = link_hash(event.previous_hash, event_payload(event))
    db.session.add(event)
    db.session.flush()
    return event


def _links(batch_size: int = 5000) -> Iterator[ChainLink]:
    """Every event as a chain link, in order, streamed in batches of plain rows (the log can be long)."""
    table = AuditEvent.__table__
    last_seq = 0
    while True:
        rows = db.session.execute(
            select(table).where(table.c.seq > last_seq).order_by(table.c.seq).limit(batch_size)
        ).all()
        if not rows:
            return
        for row in rows:
            yield ChainLink(seq=row.seq, previous_hash=row.previous_hash, hash=row.hash, payload=event_payload(row))
        last_seq = rows[-1].seq


def verify() -> ChainVerification:
    """Walk the whole chain and report the first broken event, if any."""
    return verify_chain(_links())


def _head() -> tuple[int, str] | None:
    row = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else None


def _previous_head_is_still_there(previous: AuditChainCheck | None) -> bool:
    """A chain that verifies can still have lost its last events; the head seen by the last good check must
    still be in the chain, unchanged (the chain alone cannot show a cut at its end)."""
    if previous is None or previous.head_seq is None:
        return True
    stored = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == previous.head_seq))
    return stored == previous.head_hash


def run_verification(triggered_by: str) -> AuditChainCheck:
    """Verify the chain and store the outcome as an AuditChainCheck (not itself an audit event)."""
    previous = db.session.scalars(
        select(AuditChainCheck).where(AuditChainCheck.is_ok.is_(True)).order_by(AuditChainCheck.id.desc()).limit(1)
    ).first()
    outcome = verify()
    is_ok, first_broken = outcome.ok, outcome.first_broken_seq
    reason: str | None = outcome.reason
    if is_ok and previous is not None and not _previous_head_is_still_there(previous):
        is_ok, first_broken, reason = False, previous.head_seq, "truncated"
    head = _head()
    check = AuditChainCheck(
        is_ok=is_ok,
        links_checked=outcome.links_checked,
        first_broken_seq=first_broken,
        reason=reason,
        triggered_by=triggered_by,
        head_seq=head[0] if head and is_ok else None,
        head_hash=head[1] if head and is_ok else None,
    )
    db.session.add(check)
    db.session.flush()
    return check


def latest_check() -> AuditChainCheck | None:
    return db.session.scalars(select(AuditChainCheck).order_by(AuditChainCheck.id.desc()).limit(1)).first()


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
