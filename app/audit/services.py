"""Recording audit events and verifying the chain.

Every state-changing service call records exactly one event through `record()`, in the same transaction as
the change, so that a change and its event are committed together or not at all. Events form hash chains
(crypto.hashchain): each event's hash covers its content and the previous event's hash in its chain.

One chain per community (issue 21 item 3): an event with a community extends that community's chain, any other the
platform's (chain 0). On PostgreSQL a transaction-scoped advisory lock of the chain serialises its appends, so that
two workers never extend the same link, while communities voting at once never wait for each other; a sequence
numbers the events (`seq`, their order on the platform). The unique (chain, chain_seq) is the last line of defence on
every database. Events written when the log was one chain keep it (``chain`` None) and are verified as before.

Each verification (`run_verification`, by beat every GONGJUE_AUDIT_VERIFY_INTERVAL seconds, or asked for) walks every
chain, then anchors every chain's head together: the heads and their Merkle root (crypto.merkle, RFC 9162) are kept
with the check, and the next check finds each head again, so that events cut off the end of any chain show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event as sa_event
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session, SessionTransaction

from app.audit.models import AuditChainCheck, AuditEvent
from app.db_types import utcnow
from app.extensions import db
from crypto.canonical import canonical_json
from crypto.hashchain import GENESIS_HASH, ChainLink, ChainVerification, link_hash, verify_chain
from crypto.merkle import root_hex

#: the chain of the platform's events (those of no community)
PLATFORM_CHAIN = 0
#: a chain's append lock on PostgreSQL: a 64-bit hash of the schema and the chain
CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '/audit/' || :chain, 0))")


def _format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_payload(event: Any) -> dict[str, Any]:
    """The part of an event that its hash covers (everything but the id and the two hashes; its chain and place in
    it for an event of the chains per community)."""
    placed = {} if event.chain is None else {"chain": event.chain, "chain_seq": event.chain_seq}
    return {
        **placed,
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
    """Who acts: on an owner's own pages the owner (even if the same browser holds a staff login: a committee member
    signing a petition signs as an owner), else the logged-in account, else the system."""
    if has_request_context() and g.get("audit_owner"):
        return None, str(g.audit_owner), None
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username, current_user
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


def _is_postgresql() -> bool:
    return bool(db.session.get_bind().dialect.name == "postgresql")


def _lock_chain(chain: int) -> None:
    """On PostgreSQL, hold the chain's advisory lock until the transaction ends: the schema's own (databases sharing a
    server, as the test suite's processes do, never wait for each other) and the chain's (communities never wait for
    each other). SQLite writes one transaction at a time."""
    if _is_postgresql():
        db.session.execute(CHAIN_LOCK, {"chain": str(chain)})


#: the chain's last link and the event's number on the platform, in one statement once the chain's lock is held
HEAD_AND_SEQ = text(
    "SELECT nextval('audit_event_seq'), last.chain_seq, last.hash FROM (SELECT 1) AS one LEFT JOIN "
    "(SELECT chain_seq, hash FROM audit_events WHERE chain = :chain ORDER BY chain_seq DESC LIMIT 1) AS last ON true"
)
#: where a session keeps, for its transaction, the last event it appended to each chain (and its connection's count)
HEADS_KEY = "audit_chain_heads"
#: where a database connection counts the events appended through it
APPENDS_KEY = "audit_appends"


def _next_seq() -> int:
    """The event's number on the platform: PostgreSQL's sequence (no lock), else the next after the last."""
    if _is_postgresql():
        return int(db.session.scalar(text("SELECT nextval('audit_event_seq')")))
    return int(db.session.scalar(select(func.max(AuditEvent.seq))) or 0) + 1


def _place(chain: int) -> tuple[int, int, str]:
    """The new event's number on the platform, and the place and hash of the chain's last link.

    The first event of a transaction in a chain takes the chain's lock, then reads its head with the number, in one
    statement. On PostgreSQL the transaction's later events in the same chain extend the event it appended last,
    which it still holds the lock behind: no second read. That event is not trusted once the transaction ends, nor
    if a savepoint's rollback took it away (it is then no longer persistent in the session), nor if anything else
    appended an event through the same database connection meanwhile (the tests' sessions share one connection, whose
    lock then excludes none of them): the connection counts its appends. SQLite (the demo, the tests) reads the head
    every time."""
    if _is_postgresql():
        mine = db.session.info.get(HEADS_KEY, {}).get(chain)
        if mine is not None and inspect(mine[0]).persistent and _appends() == mine[1]:
            return _next_seq(), mine[0].chain_seq or 0, mine[0].hash
        _lock_chain(chain)
        seq, place, digest = db.session.execute(HEAD_AND_SEQ, {"chain": chain}).one()
        return int(seq), place or 0, digest or GENESIS_HASH
    last = db.session.execute(
        select(AuditEvent.chain_seq, AuditEvent.hash)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.chain_seq.desc())
        .limit(1)
    ).first()
    return _next_seq(), last.chain_seq if last else 0, last.hash if last else GENESIS_HASH


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_heads(session: Session, transaction: SessionTransaction) -> None:
    """A transaction's heads are its own: forgotten when its outermost transaction ends (the locks go with it)."""
    if transaction.parent is None:
        session.info.pop(HEADS_KEY, None)


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
    chain = community_id if community_id is not None else PLATFORM_CHAIN
    seq, place, previous = _place(chain)
    event = AuditEvent(
        seq=seq,
        chain=chain,
        chain_seq=place + 1,
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
        previous_hash=previous,
    )
    event.hash = link_hash(event.previous_hash, event_payload(event))
    db.session.add(event)
    db.session.flush()
    if _is_postgresql():
        appends = db.session.connection().info
        appends[APPENDS_KEY] = appends.get(APPENDS_KEY, 0) + 1
        db.session.info.setdefault(HEADS_KEY, {})[chain] = (event, appends[APPENDS_KEY])
    return event


def _appends() -> int:
    """How many events were appended through this session's database connection, by any session."""
    return int(db.session.connection().info.get(APPENDS_KEY, 0))


def _chains() -> list[int | None]:
    """Every chain of the log: the first, single one (None) if it has events, then the chains by number."""
    numbers = sorted(n for n in db.session.scalars(select(AuditEvent.chain).distinct()) if n is not None)
    legacy = db.session.scalar(select(AuditEvent.id).where(AuditEvent.chain.is_(None)).limit(1))
    chains: list[int | None] = [None] if legacy is not None else []
    return chains + list(numbers)


def _links(chain: int | None, batch_size: int = 5000) -> Iterator[tuple[int, ChainLink]]:
    """A chain's events as links, in order, streamed in batches of plain rows (the log can be long): each with its
    number on the platform, the link numbered by its place in the chain (``seq`` for the first, single chain)."""
    table = AuditEvent.__table__
    place = table.c.seq if chain is None else table.c.chain_seq
    in_chain = table.c.chain.is_(None) if chain is None else table.c.chain == chain
    last = 0
    while True:
        rows = db.session.execute(select(table).where(in_chain, place > last).order_by(place).limit(batch_size)).all()
        if not rows:
            return
        for row in rows:
            position = row.seq if chain is None else row.chain_seq
            yield (
                row.seq,
                ChainLink(seq=position, previous_hash=row.previous_hash, hash=row.hash, payload=event_payload(row)),
            )
        last = rows[-1].seq if chain is None else rows[-1].chain_seq


@dataclass(frozen=True)
class Verification:
    """The outcome of walking every chain: ``first_broken_seq`` is the platform number of the first broken event
    (of the broken events of all chains, the earliest written), with its chain's ``reason``."""

    ok: bool
    links_checked: int
    first_broken_seq: int | None
    reason: str | None


def _verify_chain(chain: int | None) -> tuple[ChainVerification, int | None]:
    numbers: dict[int, int] = {}

    def links() -> Iterator[ChainLink]:
        for number, link in _links(chain):
            numbers[link.seq] = number
            yield link

    outcome = verify_chain(links())
    broken = numbers.get(outcome.first_broken_seq) if outcome.first_broken_seq is not None else None
    return outcome, broken


def verify() -> Verification:
    """Walk every chain and report the first broken event, if any."""
    checked, failures = 0, []
    for chain in _chains():
        outcome, broken = _verify_chain(chain)
        checked += outcome.links_checked
        if not outcome.ok and broken is not None:
            failures.append((broken, outcome.reason))
    if not failures:
        return Verification(True, checked, None, None)
    first, reason = min(failures)
    return Verification(False, checked, first, reason)


def _heads() -> list[dict[str, Any]]:
    """Every chain's last event: {chain, chain_seq, seq, hash}, chains in order (the first, single one first)."""
    table = AuditEvent.__table__
    heads: list[dict[str, Any]] = []
    legacy = db.session.execute(
        select(table.c.seq, table.c.hash).where(table.c.chain.is_(None)).order_by(table.c.seq.desc()).limit(1)
    ).first()
    if legacy is not None:
        heads.append({"chain": None, "chain_seq": legacy.seq, "seq": legacy.seq, "hash": legacy.hash})
    last = (
        select(table.c.chain, func.max(table.c.chain_seq).label("chain_seq"))
        .where(table.c.chain.is_not(None))
        .group_by(table.c.chain)
        .subquery()
    )
    for row in db.session.execute(
        select(table.c.chain, table.c.chain_seq, table.c.seq, table.c.hash)
        .join(last, (last.c.chain == table.c.chain) & (last.c.chain_seq == table.c.chain_seq))
        .order_by(table.c.chain)
    ):
        heads.append({"chain": row.chain, "chain_seq": row.chain_seq, "seq": row.seq, "hash": row.hash})
    return heads


def heads_root(heads: list[dict[str, Any]]) -> str:
    """The Merkle root (RFC 9162) of the chains' heads, each as canonical JSON, in their order."""
    return root_hex([canonical_json(head) for head in heads])


def _missing_head(previous: AuditChainCheck | None) -> tuple[int, str] | None:
    """A head anchored by the last good check that is no longer in its chain as it was: its number and why. The
    chains alone cannot show events cut off their ends; the anchor can. A check made when the log was one chain
    anchored its head alone (``head_seq``)."""
    if previous is None:
        return None
    if previous.heads is None:
        heads = (
            [] if previous.head_seq is None else [{"chain": None, "seq": previous.head_seq, "hash": previous.head_hash}]
        )
    elif previous.root != heads_root(previous.heads):
        return (0, "anchor_altered")
    else:
        heads = previous.heads
    table = AuditEvent.__table__
    for head in heads:
        where = (
            table.c.seq == head["seq"]
            if head["chain"] is None
            else (table.c.chain == head["chain"]) & (table.c.chain_seq == head["chain_seq"])
        )
        if db.session.scalar(select(table.c.hash).where(where)) != head["hash"]:
            return (cast(int, head["seq"]), "truncated")
    return None


def run_verification(triggered_by: str) -> AuditChainCheck:
    """Verify every chain, check the last anchor, anchor the heads anew, and store the outcome as an AuditChainCheck
    (not itself an audit event)."""
    previous = db.session.scalars(
        select(AuditChainCheck).where(AuditChainCheck.is_ok.is_(True)).order_by(AuditChainCheck.id.desc()).limit(1)
    ).first()
    outcome = verify()
    is_ok, first_broken, reason = outcome.ok, outcome.first_broken_seq, outcome.reason
    missing = _missing_head(previous) if is_ok else None
    if missing is not None:
        is_ok, first_broken, reason = False, missing[0] or None, missing[1]
    heads = _heads() if is_ok else None
    newest = max(heads, key=lambda head: head["seq"]) if heads else None
    check = AuditChainCheck(
        is_ok=is_ok,
        links_checked=outcome.links_checked,
        first_broken_seq=first_broken,
        reason=reason,
        triggered_by=triggered_by,
        head_seq=newest["seq"] if newest else None,
        head_hash=newest["hash"] if newest else None,
        heads=heads,
        root=heads_root(heads) if heads is not None else None,
    )
    db.session.add(check)
    db.session.flush()
    return check


def latest_check() -> AuditChainCheck | None:
    return db.session.scalars(select(AuditChainCheck).order_by(AuditChainCheck.id.desc()).limit(1)).first()


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
