"""Faults against a real Celery worker on PostgreSQL and Redis (issue 18 item 7; docs/deploy.md "What fails when").

- A worker's process killed in the middle of a letters batch: the task is delivered again (acknowledged late,
  rejected when its worker is lost), the batch is made once, and until its PDF exists no letter in hand stops working.
- A worker's process killed in the middle of a roll import: the import runs again from its file and stores one
  version, and the file is erased.
- No worker at all while a batch and an import are started: both are failed as silent once JOB_SILENT_AFTER has
  passed (the import's file erased); a worker started later does nothing with their stale tasks; a new batch works.
- The broker unreachable when a batch starts: the batch is failed at once as "not started", never left pending.

The phone-teller-proxy race is tests/voting/test_one_ballot_concurrently.py. Bounded waits only (`wait_for`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from app import jobs
from app.celery_app import enqueue
from app.communities.models import Community
from app.db_types import utcnow
from app.demo.roll_generator import generate_demo_roll
from app.extensions import db
from app.roll import services as roll_services
from app.roll.models import RollImport, RollVersion
from app.roll.tasks import import_roll
from app.roll.versions import create_version
from app.voting import credentials, letter_batches, meetings
from app.voting.letter_batches import LetterBatch
from app.voting.letters import font_available
from app.voting.models import Credential, Meeting, MeetingVoter
from app.voting.tasks import make_letters
from tests.conftest import make_test_app
from tests.databases import fresh_database_url
from tests.factories import gen_community, gen_official, gen_township
from tests.roll.files import csv_bytes, demo_row
from tests.smoke.test_production import (
    BROKER_URL,
    Stack,
    _drop_schema,
    _skip_reason,
    _worker_answers,
    flush_redis,
    free_port,
    gongjue,
    production_environment,
    wait_for,
)
from tests.voting.helpers import announce_back, gen_meeting

pytestmark = [
    pytest.mark.faults,
    pytest.mark.smoke,
]

SILENT_AFTER = 5  # seconds: JOB_SILENT_AFTER of this module's stack
BATCH_TIMEOUT = 180
BASE_URL = "https://gongjue.example"
#: nothing listens on port 1 of the loopback: a connection is refused at once
DEAD_BROKER = "127.0.0.1:1"


def faults_redis_url(broker_url: str) -> str:
    """The broker's Redis server on database 13: this module's own."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(broker_url)
    return urlunsplit((parts.scheme, parts.netloc, "/13", parts.query, ""))


@dataclass
class World:
    app: Flask
    stack: Stack
    meeting_id: int
    official_id: int
    community_id: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    reason = _skip_reason() or (None if font_available() else "the letters need fonts-noto-cjk")
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("faults")
    database_url = fresh_database_url(tmp, "faults")
    redis_url = faults_redis_url(BROKER_URL)
    flush_redis(redis_url)
    env = production_environment(database_url, redis_url, tmp / "instance")
    env["GONGJUE_JOB_SILENT_AFTER"] = str(SILENT_AFTER)
    gongjue(env, "db", "upgrade")
    # Celery takes CELERY_BROKER_URL from the environment before its configuration, when it first connects: point
    # it at this module's Redis database for the module's whole run (the workers' environment has it as its own)
    environment = pytest.MonkeyPatch()
    environment.setenv("CELERY_BROKER_URL", redis_url)
    environment.setenv("CELERY_RESULT_BACKEND", redis_url)
    app = make_test_app(
        database_url,
        tmp,
        DATA_KEY_B64=env["GONGJUE_DATA_KEY"],
        JOB_SILENT_AFTER=SILENT_AFTER,
        CELERY={"broker_url": redis_url, "result_backend": redis_url, "task_always_eager": False},
    )
    with app.app_context():
        township = gen_township()
        official = gen_official(township)
        community = gen_community(township, "故障测试小区")
        units = generate_demo_roll(2026, buildings=3, floors=17, entrances=2, rooms_per_floor=6)
        version = create_version(community, units, "故障测试名册", official.id, "import")
        roll_services.publish_version(version, date(2026, 8, 10), official.id)
        meeting = gen_meeting(community, official)
        announce_back(meeting)
        meetings.open_voting(meeting, date(2026, 9, 1), official.id)
        made = World(app, Stack(env, database_url, redis_url, free_port(), tmp), meeting.id, official.id, community.id)
        db.session.commit()
        db.session.remove()
    try:
        yield made
    finally:
        environment.undo()
        made.stack.stop()
        with app.app_context():
            db.engine.dispose()
        flush_redis(redis_url)
        _drop_schema(database_url)


def start_worker(world: World, name: str) -> Any:
    hostname = f"{name}-{os.getpid()}@gongjue-faults"
    process = world.stack.start(
        name,
        "celery",
        "-A",
        "wsgi:celery",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=INFO",
        f"--hostname={hostname}",
    )
    wait_for("the Celery worker to answer a ping", lambda: _worker_answers(world.stack, hostname), 60, interval=0.5)
    return process


def stop_worker(world: World, process: Any) -> None:
    """Stop a worker and forget it (the stack checks that the processes it holds are alive)."""
    process.terminate()
    process.wait_or_kill(time.monotonic() + 10)
    world.stack.processes.remove(process)


def children_of(pid: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in done.stdout.split()]


def batch_state(world: World, batch_id: int) -> LetterBatch:
    with world.app.app_context():
        batch = db.session.get_one(LetterBatch, batch_id)
        db.session.expunge(batch)
        db.session.remove()
        return batch


def tokens_in_force(world: World, tokens: list[str]) -> int:
    with world.app.app_context():
        found = sum(1 for token in tokens if credentials.find(token=token) is not None)
        db.session.remove()
        return found


def old_letters(world: World) -> list[str]:
    """A letter for every voter, issued directly (the letters in owners' hands)."""
    with world.app.app_context():
        voters = db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == world.meeting_id))
        tokens = [credentials.issue(voter, world.official_id).token for voter in list(voters)]
        db.session.commit()
        db.session.remove()
        return tokens


def test_a_worker_killed_mid_batch_makes_it_once_and_revokes_nothing_before(world: World) -> None:
    with world.stack.logs_on_failure():
        killed_mid_batch(world)


def killed_mid_batch(world: World) -> None:
    tokens = old_letters(world)
    worker = start_worker(world, "faults-kill")
    with world.app.app_context():
        batch_id = letter_batches.start_batch(
            db.session.get_one(Meeting, world.meeting_id), None, BASE_URL, None, replace=True
        ).id
        db.session.commit()
        enqueue(make_letters, batch_id=batch_id)
        db.session.remove()
    wait_for("the batch to be under way", lambda: batch_state(world, batch_id).progress >= 15, BATCH_TIMEOUT, 0.1)
    [child] = children_of(worker.popen.pid)
    os.kill(child, signal.SIGKILL)
    assert tokens_in_force(world, tokens) == len(tokens)  # nothing issued yet: every letter in hand works
    done = wait_for(
        "the batch to end",
        lambda: (b := batch_state(world, batch_id)).status in ("done", "failed") and b,
        BATCH_TIMEOUT,
        0.5,
    )
    assert (done.status, done.failure) == ("done", None), worker.log_text()[-3000:]
    assert "WorkerLostError" in worker.log_text() or "lost" in worker.log_text().lower()
    assert tokens_in_force(world, tokens) == 0  # the finished batch replaced them, all at once
    with world.app.app_context():
        in_force = db.session.scalar(
            select(func.count()).select_from(Credential).where(Credential.revoked_at.is_(None))
        )
        assert in_force == len(tokens)  # one letter in force per voter: the batch was made once
        db.session.remove()
    stop_worker(world, worker)


def import_state(world: World, import_id: int) -> RollImport:
    with world.app.app_context():
        roll_import = db.session.get_one(RollImport, import_id)
        db.session.expunge(roll_import)
        db.session.remove()
        return roll_import


def test_a_worker_killed_mid_import_imports_once_and_erases_the_file(world: World) -> None:
    with world.stack.logs_on_failure():
        killed_mid_import(world)


def killed_mid_import(world: World) -> None:
    # about 6,700 units: long enough (seconds) to be killed while reading and checking
    units = generate_demo_roll(7, buildings=20, floors=28, entrances=2, rooms_per_floor=6)
    data = csv_bytes(demo_row(unit) for unit in units)
    worker = start_worker(world, "faults-import")
    with world.app.app_context():
        township = db.session.get_one(Community, world.community_id).township
        community = gen_community(township, "故障导入小区")
        upload_id = roll_services.start_import(community, "roll.csv", data, "名册导入", world.official_id).id
        community_id = community.id
        db.session.commit()
        enqueue(import_roll, import_id=upload_id)
        db.session.remove()
    wait_for("the import to be under way", lambda: import_state(world, upload_id).progress >= 10, BATCH_TIMEOUT, 0.05)
    [child] = children_of(worker.popen.pid)
    os.kill(child, signal.SIGKILL)
    assert import_state(world, upload_id).status == "running"  # killed before it ended
    done = wait_for(
        "the import to end",
        lambda: (i := import_state(world, upload_id)).status in ("done", "failed") and i,
        BATCH_TIMEOUT,
        0.5,
    )
    assert (done.status, done.failure, done.file_data) == ("done", None, None), done.report
    assert "WorkerLostError" in worker.log_text() or "lost" in worker.log_text().lower()
    with world.app.app_context():
        versions = list(db.session.scalars(select(RollVersion).where(RollVersion.community_id == community_id)))
        assert [v.id for v in versions] == [done.roll_version_id]  # imported once
        assert done.report["units"] == len(units)
        db.session.remove()
    stop_worker(world, worker)


def test_without_a_worker_a_batch_and_an_import_are_failed_as_silent_and_a_new_batch_works(world: World) -> None:
    with world.stack.logs_on_failure():
        without_a_worker(world)


def without_a_worker(world: World) -> None:
    tokens = old_letters(world)
    with world.app.app_context():
        meeting = db.session.get_one(Meeting, world.meeting_id)
        community = db.session.get_one(Community, world.community_id)
        batch_id = letter_batches.start_batch(meeting, None, BASE_URL, None, replace=True).id
        upload_id = roll_services.start_import(community, "roll.csv", b"x,y\n1,2\n", "测试", world.official_id).id
        db.session.commit()
        enqueue(make_letters, batch_id=batch_id)
        enqueue(import_roll, import_id=upload_id)
        with time_machine.travel(utcnow() + timedelta(seconds=SILENT_AFTER + 1)):
            failed = set(jobs.reap())
        assert {("letters", batch_id), ("roll_import", upload_id)} <= failed
        upload = db.session.get_one(RollImport, upload_id)
        assert (upload.status, upload.failure, upload.file_data) == ("failed", "silent", None)
        db.session.remove()
    worker = start_worker(world, "faults-late")
    # the stale tasks reach the new worker and find their jobs ended: nothing is issued
    wait_for("the stale tasks to be taken", lambda: "make_letters" in worker.log_text(), 60, 0.5)
    assert batch_state(world, batch_id).status == "failed"
    assert tokens_in_force(world, tokens) == len(tokens)
    with world.app.app_context():
        again = letter_batches.start_batch(
            db.session.get_one(Meeting, world.meeting_id), None, BASE_URL, None, replace=True
        ).id
        db.session.commit()
        enqueue(make_letters, batch_id=again)
        db.session.remove()
    done = wait_for(
        "the new batch", lambda: (b := batch_state(world, again)).status in ("done", "failed") and b, BATCH_TIMEOUT, 0.5
    )
    assert done.status == "done"
    stop_worker(world, worker)


def test_a_broker_that_cannot_be_reached_fails_the_batch_at_once(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        monkeypatch.setenv(name, f"redis://{DEAD_BROKER}/0")
    app = make_test_app(
        world.stack.database_url,
        tmp_path,
        DATA_KEY_B64=world.stack.env["GONGJUE_DATA_KEY"],
        CELERY={
            "broker_url": "redis://127.0.0.1:1/0",
            "result_backend": "redis://127.0.0.1:1/0",
            "task_always_eager": False,
        },
    )
    with app.app_context():
        batch_id = letter_batches.start_batch(
            db.session.get_one(Meeting, world.meeting_id), None, BASE_URL, None, replace=True
        ).id
        db.session.commit()
        started = time.monotonic()
        assert jobs.start_or_fail("letters", batch_id, make_letters, batch_id=batch_id) is False
        assert time.monotonic() - started < 30
        batch = db.session.get_one(LetterBatch, batch_id)
        assert (batch.status, batch.failure) == ("failed", "not_started")
        db.session.remove()
        db.engine.dispose()
