"""The audit log as a hash chain: one event per change, linked; an edit behind the app's back is detected."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.audit import services as audit
from app.audit.models import AuditChainCheck, AuditEvent
from app.auth import services as accounts
from app.auth.models import Role
from app.db_types import UTCDateTime
from app.errors import DomainError
from app.extensions import db
from crypto.hashchain import GENESIS_HASH, link_hash
from tests.factories import gen_community, gen_member, gen_official, gen_township

pytestmark = pytest.mark.usefixtures("app")

EVENTS = AuditEvent.__table__


def all_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def last_seq() -> int:
    return db.session.scalar(select(sa.func.max(AuditEvent.seq))) or 0


def scenario() -> list[int]:
    """Create a township, an official, a community, a member and another official; return their five seqs."""
    before = last_seq()
    township = gen_township()
    gen_official(township)
    community = gen_community(township)
    gen_member(community)
    gen_official(township)
    # on PostgreSQL a sequence numbers the events: numbers taken by rolled-back tests are not given again
    seqs = list(db.session.scalars(select(AuditEvent.seq).where(AuditEvent.seq > before).order_by(AuditEvent.seq)))
    assert len(seqs) == 5
    return seqs


def tamper(sql: str, **params: Any) -> None:
    """Change stored rows with plain SQL, as someone with database access would (no ORM, no hashing)."""
    db.session.execute(sa.text(sql), params)
    db.session.expire_all()


def test_each_service_call_appends_exactly_one_linked_event():
    steps: list[tuple[str, Any]] = []
    township = gen_township()
    steps.append(("township.create", township.id))
    official = gen_official(township)
    steps.append(("account.create", official.id))
    community = gen_community(township)
    steps.append(("community.create", community.id))
    member = gen_member(community)
    steps.append(("account.create", member.id))
    token = accounts.create_api_token(official, "脚本")
    steps.append(("api_token.create", token.token.id))

    events = all_events()
    # one chain per community, the platform's events in chain 0: each 1, 2, 3 … without gaps, each event linked to
    # the one before it in its chain (issue 21 item 3)
    assert [event.seq for event in events] == sorted({event.seq for event in events})
    for chain in {event.chain for event in events}:
        linked = [event for event in events if event.chain == chain]
        assert [event.chain_seq for event in linked] == list(range(1, len(linked) + 1))
        assert linked[0].previous_hash == GENESIS_HASH
        for before, after in itertools.pairwise(linked):
            assert after.previous_hash == before.hash
    assert {event.chain for event in events} == {0, community.id}
    assert len({event.hash for event in events}) == len(events)
    # and the scenario's calls are its last five events, one each, in order
    mine = events[-len(steps) :]
    assert [(event.action, event.object_id) for event in mine] == [(action, str(oid)) for action, oid in steps]
    assert [event.township_id for event in mine[:4]] == [township.id] * 4
    assert mine[2].community_id == community.id
    assert mine[3].community_id == community.id
    assert all(event.actor_label == "system" and event.actor_role == "system" for event in mine)


def test_each_call_adds_one_event_and_a_refused_call_adds_none(app):
    township = gen_township()
    before = audit.event_count()
    gen_official(township)
    assert audit.event_count() == before + 1
    with app.test_request_context("/"), pytest.raises(DomainError) as refused:
        gen_township(admin_code=township.admin_code)
    assert refused.value.code == "admin_code_taken"
    assert audit.event_count() == before + 1


def test_refused_call_outside_a_request_raises_a_domain_error():
    township = gen_township()
    before = audit.event_count()
    with pytest.raises(DomainError) as refused:
        gen_township(admin_code=township.admin_code)
    assert refused.value.code == "admin_code_taken"
    assert audit.event_count() == before


def test_stored_hash_is_the_hash_of_the_payload_and_previous_hash():
    scenario()
    for event in all_events():
        assert event.hash == link_hash(event.previous_hash, audit.event_payload(event))


def test_intact_chain_verifies():
    scenario()
    outcome = audit.verify()
    assert outcome.ok
    assert outcome.links_checked == audit.event_count()
    assert outcome.first_broken_seq is None
    assert outcome.reason is None


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("summary", '{"name": "篡改过的小区"}'),
        ("actor_label", "someone.else"),
        ("actor_role", "admin"),
        ("action", "township.delete"),
        ("object_id", "999"),
        ("township_id", None),
        ("ip_address", "10.0.0.1"),
    ],
)
def test_edited_column_breaks_the_hash_of_that_event(column, value):
    seqs = scenario()
    target = seqs[2]
    tamper(f"UPDATE audit_events SET {column} = :value WHERE seq = :seq", value=value, seq=target)  # noqa: S608
    outcome = audit.verify()
    assert not outcome.ok
    assert outcome.first_broken_seq == target
    assert outcome.reason == "hash_mismatch"
    # every chain is walked up to its first broken event: the platform's chain whole, the community's up to the edited
    # one, its first (its member's event after it is not reached)
    assert outcome.links_checked == audit.event_count() - 1


def test_edited_time_is_detected():
    seqs = scenario()
    target = seqs[1]
    stored = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == target)).one()
    statement = sa.text("UPDATE audit_events SET occurred_at = :moment WHERE seq = :seq").bindparams(
        sa.bindparam("moment", type_=UTCDateTime())
    )
    db.session.execute(statement, {"moment": stored.occurred_at - timedelta(days=1), "seq": target})
    db.session.expire_all()
    outcome = audit.verify()
    assert (outcome.ok, outcome.first_broken_seq, outcome.reason) == (False, target, "hash_mismatch")


def test_deleted_event_is_reported_as_a_gap_at_the_next_seq():
    seqs = scenario()
    target = seqs[2]
    tamper("DELETE FROM audit_events WHERE seq = :seq", seq=target)
    outcome = audit.verify()
    assert (outcome.ok, outcome.first_broken_seq, outcome.reason) == (False, seqs[3], "sequence_gap")


def test_renumbered_events_after_a_deletion_break_the_link():
    """Deleting an event and renumbering the later ones of its chain closes the gap, but not the hash link."""
    seqs = scenario()
    target = seqs[2]  # the community's creation, the first of its chain; its member's event follows
    tamper("DELETE FROM audit_events WHERE seq = :seq", seq=target)
    tamper("UPDATE audit_events SET chain_seq = chain_seq - 1 WHERE seq = :seq", seq=seqs[3])
    outcome = audit.verify()
    assert not outcome.ok
    assert outcome.first_broken_seq == seqs[3]
    assert outcome.reason == "previous_hash_mismatch"


def test_consistently_rehashed_event_breaks_the_link_of_the_next():
    """An attacker who edits an event and recomputes its own hash is caught by its successor's link."""
    seqs = scenario()
    target = seqs[2]
    tamper("UPDATE audit_events SET actor_label = 'intruder' WHERE seq = :seq", seq=target)
    row = db.session.execute(select(EVENTS).where(EVENTS.c.seq == target)).one()
    new_hash = link_hash(row.previous_hash, audit.event_payload(row))
    assert new_hash != row.hash
    tamper("UPDATE audit_events SET hash = :h WHERE seq = :seq", h=new_hash, seq=target)

    outcome = audit.verify()
    assert not outcome.ok
    assert outcome.first_broken_seq == seqs[3]
    assert outcome.reason == "previous_hash_mismatch"
    assert outcome.links_checked == audit.event_count()  # both chains walked, the community's to its broken last


def test_tampering_with_the_last_event_is_detected():
    seqs = scenario()
    tamper("UPDATE audit_events SET actor_label = 'intruder' WHERE seq = :seq", seq=seqs[-1])
    outcome = audit.verify()
    assert (outcome.ok, outcome.first_broken_seq, outcome.reason) == (False, seqs[-1], "hash_mismatch")


def test_run_verification_stores_the_outcome_without_auditing_itself():
    seqs = scenario()
    events = audit.event_count()
    good = audit.run_verification("test")
    assert (good.is_ok, good.links_checked, good.first_broken_seq, good.reason) == (True, events, None, None)
    tamper("UPDATE audit_events SET actor_label = 'intruder' WHERE seq = :seq", seq=seqs[1])
    bad = audit.run_verification("test")
    assert (bad.is_ok, bad.first_broken_seq, bad.reason) == (False, seqs[1], "hash_mismatch")
    assert audit.latest_check().id == bad.id
    assert audit.event_count() == events
    assert db.session.scalar(select(sa.func.count()).select_from(AuditChainCheck)) >= 2


# --- the command line ---------------------------------------------------------------------------------------


def test_cli_reports_an_intact_chain(app):
    scenario()
    events = audit.event_count()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    assert f"{events} events" in result.output
    check = audit.latest_check()
    assert (check.is_ok, check.triggered_by, check.links_checked) == (True, "cli", events)


def test_cli_names_the_broken_event_and_fails(app):
    seqs = scenario()
    target = seqs[2]
    tamper("UPDATE audit_events SET summary = :s WHERE seq = :seq", s='{"name": "篡改"}', seq=target)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"seq={target}" in result.output
    assert "hash_mismatch" in result.output
    assert "intact:" not in result.output
    check = audit.latest_check()
    assert (check.is_ok, check.first_broken_seq, check.triggered_by) == (False, target, "cli")


# --- what the log must not hold -----------------------------------------------------------------------------


def test_no_password_ever_appears_in_the_log():
    passwords = ["Zhima-Kaimen-8731", "Second-Secret-4412", "Third-Secret-9090", "Changed-Secret-5566"]
    township = gen_township()
    community = gen_community(township)
    official = accounts.create_township_account(township, "pw.official", "街道干部", passwords[0])
    accounts.create_community_account(community, "pw.teller", "唱票人", passwords[1], Role.TELLER)
    accounts.create_admin("pw.admin", "管理员", passwords[2])
    accounts.set_password(official, passwords[3])
    assert accounts.authenticate("pw.official", passwords[0]) is None  # the old one, now wrong: audited
    assert accounts.authenticate("pw.official", passwords[3]) is not None

    rows = db.session.execute(select(EVENTS)).all()
    assert len(rows) >= 7
    for row in rows:
        summary = json.dumps(row.summary, ensure_ascii=False)
        for password in passwords:
            assert password not in summary
            assert all(password not in str(value) for value in row)


def test_cutting_events_off_the_end_is_detected_by_the_next_check():
    """The chain alone cannot show that its last events were deleted; the head remembered by the previous
    good check can."""
    scenario()
    first = audit.run_verification("test")
    assert first.is_ok
    last_seq = first.head_seq
    db.session.execute(sa.text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": last_seq})
    db.session.expire_all()
    assert audit.verify().ok  # the shortened chain is internally consistent …
    second = audit.run_verification("test")
    assert not second.is_ok  # … but the next check notices the missing head
    assert second.reason == "truncated"
    assert second.first_broken_seq == last_seq


# --- one chain per community, anchored together (issue 21 item 3) -------------------------------------------


def test_a_check_anchors_every_chains_head_in_a_merkle_root():
    scenario()
    check = audit.run_verification("test")
    chains = {event.chain for event in all_events()}
    assert {head["chain"] for head in check.heads} == chains
    assert check.root == audit.heads_root(check.heads)
    for head in check.heads:
        last = max((e for e in all_events() if e.chain == head["chain"]), key=lambda e: e.chain_seq)
        assert (head["chain_seq"], head["seq"], head["hash"]) == (last.chain_seq, last.seq, last.hash)


def test_cutting_a_communitys_last_event_is_detected_by_its_anchored_head():
    seqs = scenario()
    assert audit.run_verification("test").is_ok
    member = seqs[3]  # the member's account: the community chain's last event, not the platform's
    tamper("DELETE FROM audit_events WHERE seq = :seq", seq=member)
    assert audit.verify().ok  # each chain is consistent on its own …
    check = audit.run_verification("test")
    assert (check.is_ok, check.reason, check.first_broken_seq) == (False, "truncated", member)  # … the anchor is not


def test_an_altered_anchor_is_reported():
    scenario()
    good = audit.run_verification("test")
    altered = [{**head, "hash": "f" * 64} if head["chain"] == 0 else head for head in good.heads]
    db.session.execute(sa.update(AuditChainCheck).where(AuditChainCheck.id == good.id).values(heads=altered))
    db.session.expire_all()
    check = audit.run_verification("test")
    assert (check.is_ok, check.reason) == (False, "anchor_altered")


def test_two_communities_never_wait_for_each_others_chain(app):
    """On PostgreSQL a chain's append lock is its own: while one transaction holds community A's, another takes
    community B's at once, and A's only after the first ends (lock_timeout stands in for waiting)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's; SQLite writes one transaction at a time")
    from sqlalchemy.exc import OperationalError

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)  # two connections of their own, outside the test's
    with engine.connect() as first, engine.connect() as second:
        first.execute(audit.CHAIN_LOCK, {"chain": "101"})
        second.execute(sa.text("SET lock_timeout = '300ms'"))
        second.execute(audit.CHAIN_LOCK, {"chain": "102"})  # another community: no wait
        second.rollback()
        second.execute(sa.text("SET lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            second.execute(audit.CHAIN_LOCK, {"chain": "101"})  # the same community: waits
        second.rollback()
        first.rollback()
    engine.dispose()


def test_events_of_one_transaction_extend_each_other_in_their_chain():
    """Several events of one transaction in one community's chain (PostgreSQL: the later ones extend the
    transaction's own last event without reading the head again) form an intact chain, in order."""
    community = gen_community(gen_township())
    db.session.commit()
    for n in range(3):
        audit.record("test.event", "community", community.id, {"n": n}, community_id=community.id)
    db.session.commit()
    chain = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.chain == community.id).order_by(AuditEvent.chain_seq))
    )
    assert [e.chain_seq for e in chain] == list(range(1, len(chain) + 1))
    assert [e.summary for e in chain[-3:]] == [{"n": 0}, {"n": 1}, {"n": 2}]
    for previous, event in itertools.pairwise(chain):
        assert event.previous_hash == previous.hash
    assert audit.verify().ok


def test_an_event_taken_back_by_a_savepoint_is_not_extended():
    """An event whose savepoint rolled back is gone: the transaction's next event extends the one before it."""
    community = gen_community(gen_township())
    db.session.commit()
    kept = audit.record("test.kept", "community", community.id, community_id=community.id)
    savepoint = db.session.begin_nested()
    audit.record("test.taken_back", "community", community.id, community_id=community.id)
    savepoint.rollback()
    after = audit.record("test.after", "community", community.id, community_id=community.id)
    db.session.commit()
    assert (after.chain_seq, after.previous_hash) == (kept.chain_seq + 1, kept.hash)
    assert audit.verify().ok
