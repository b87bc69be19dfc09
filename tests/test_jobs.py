"""Background jobs finish or fail, never hang (app.jobs; issue 18 items 1 and 2): a silent job is failed (by beat,
on its page, before a new one starts), a cancelled or failed letters batch revokes nothing, an import's file is
erased however it ends, and a task that cannot be queued fails its row at once."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import jobs
from app.audit.models import AuditEvent
from app.db_types import utcnow
from app.extensions import db
from app.results import closing, count_runs
from app.results.models import CountRun
from app.roll import services as roll_services
from app.roll.models import RollImport
from app.voting import credentials, letter_batches, tasks
from app.voting.letter_batches import LetterBatch
from app.voting.letters import font_available
from app.voting.models import Credential
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.results.helpers_lifecycle import end_window, gen_voted
from tests.roll_flow.helpers import csv_bytes, small_roll_rows
from tests.voting.helpers import gen_open_meeting

BASE_URL = "https://gongjue.example"
needs_font = pytest.mark.skipif(not font_available(), reason="the letters need fonts-noto-cjk")


def actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def later(app: Flask, minutes: int = 1) -> Any:
    """The clock past the silence limit by ``minutes``."""
    return time_machine.travel(utcnow() + timedelta(seconds=app.config["JOB_SILENT_AFTER"], minutes=minutes))


def test_a_silent_job_of_every_kind_is_failed_by_beat_and_what_it_held_is_undone(app: Flask) -> None:
    township = gen_township()
    official = gen_official(township)
    community = gen_community(township)
    opened = gen_open_meeting(community, official)
    batch = letter_batches.start_batch(opened.meeting, None, BASE_URL, official.id)
    upload = roll_services.start_import(community, "roll.csv", b"id,name", "测试", official.id)
    voted = gen_voted(share=0.5)
    end_window(voted.meeting)
    closing.close(voted.meeting)
    run = count_runs.start(voted.meeting, voted.official.id)
    count_runs.plan(run.id)
    assert jobs.reap() == []  # all young
    with later(app):
        failed = set(jobs.reap())
    assert {("letters", batch.id), ("roll_import", upload.id), ("count", run.id)} <= failed
    assert (batch.status, batch.failure) == ("failed", "silent")
    assert (upload.status, upload.failure, upload.file_data) == ("failed", "silent", None)  # the file erased
    assert (db.session.get_one(CountRun, run.id).failure, voted.meeting.status) == ("silent", "closed")
    assert [e.summary["reason"] for e in actions("letters.failed")] == ["silent"]


def test_a_job_that_beats_is_not_silent(app: Flask) -> None:
    township = gen_township()
    opened = gen_open_meeting(gen_community(township), gen_official(township))
    batch = letter_batches.start_batch(opened.meeting, None, BASE_URL, None)
    with later(app):
        jobs.beat(batch)
        assert not jobs.is_silent(batch)
        assert jobs.reap() == []
    assert batch.status == "pending"


def test_a_dead_batch_does_not_block_the_next_one(app: Flask) -> None:
    """Before a new batch for the same voters starts, a silent one is failed instead of refusing the new one."""
    township = gen_township()
    opened = gen_open_meeting(gen_community(township), gen_official(township))
    first = letter_batches.start_batch(opened.meeting, None, BASE_URL, None)
    with later(app):
        second = letter_batches.start_batch(opened.meeting, None, BASE_URL, None)
    assert (first.status, first.failure, second.status) == ("failed", "silent", "pending")


@needs_font
def test_a_batch_that_fails_after_its_letters_are_written_revokes_nothing(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18 item 1: the credentials are issued with the finished PDF, in one transaction. A batch that fails
    while issuing them leaves every letter in hand working, and a new batch can be made."""
    township = gen_township()
    opened = gen_open_meeting(gen_community(township), gen_official(township))
    earlier = {v.id: credentials.issue(v, None).token for v in opened.voters}
    db.session.commit()
    batch_id = letter_batches.start_batch(opened.meeting, None, BASE_URL, None, replace=True).id
    db.session.commit()
    issued = []
    original = credentials.issue

    def issue_then_break(voter: Any, user_id: Any, made: Any = None) -> Any:
        if len(issued) == 5:
            raise RuntimeError("the worker's database connection dropped")
        issued.append(voter.id)
        return original(voter, user_id, made)

    monkeypatch.setattr(credentials, "issue", issue_then_break)
    with pytest.raises(RuntimeError):
        tasks.make_letters.run(batch_id=batch_id)
    batch = db.session.get_one(LetterBatch, batch_id)
    assert (batch.status, batch.failure, batch.pdf_cipher) == ("failed", "error", None)
    for token in earlier.values():
        assert credentials.find(token=token) is not None  # every letter in hand still opens its ballot
    revoked = select(func.count()).select_from(Credential).where(Credential.revoked_at.is_not(None))
    assert db.session.scalar(revoked) == 0


@needs_font
def test_a_cancelled_batch_stops_at_its_next_step_and_revokes_nothing(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    township = gen_township()
    opened = gen_open_meeting(gen_community(township), gen_official(township))
    earlier = [credentials.issue(v, None).token for v in opened.voters]
    batch_id = letter_batches.start_batch(opened.meeting, None, BASE_URL, None, replace=True).id
    db.session.commit()
    original = letter_batches._set_progress

    def cancelled_meanwhile(batch: LetterBatch, status: str, progress: int) -> None:
        if progress > 1:  # the page's button, pressed while the letters are being written
            letter_batches.fail_batch(batch.id, "cancelled")
        original(batch, status, progress)

    monkeypatch.setattr(letter_batches, "_set_progress", cancelled_meanwhile)
    tasks.make_letters.run(batch_id=batch_id)  # stops quietly
    batch = db.session.get_one(LetterBatch, batch_id)
    assert (batch.status, batch.failure) == ("failed", "cancelled")
    assert all(credentials.find(token=token) is not None for token in earlier)
    assert db.session.scalar(select(func.count()).select_from(Credential)) == len(earlier)


def test_cancel_from_the_page_and_the_api(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    township = gen_township()
    official = gen_official(township)
    community = gen_community(township)
    opened = gen_open_meeting(community, official)
    batch = letter_batches.start_batch(opened.meeting, None, BASE_URL, None)
    upload = roll_services.start_import(community, "roll.csv", b"id,name", "测试", official.id)
    db.session.commit()
    client.get("/lang/en")
    auth.login(official.username)
    page = client.get(f"/letter-batches/{batch.id}").get_data(as_text=True)
    assert f'action="/letter-batches/{batch.id}/cancel"' in page
    assert auth.post(f"/letter-batches/{batch.id}/cancel", form_page=f"/letter-batches/{batch.id}").status_code == 302
    db.session.expire_all()
    assert (batch.status, batch.failure) == ("failed", "cancelled")
    shown = client.get(f"/letter-batches/{batch.id}").get_data(as_text=True)
    assert 'data-failure="cancelled"' in shown
    again = auth.post(f"/letter-batches/{batch.id}/cancel", form_page=f"/letter-batches/{batch.id}")
    assert again.status_code == 302  # refused with a message: it has ended
    page = f"/roll/imports/{upload.id}"
    assert auth.post(f"/roll/imports/{upload.id}/cancel", form_page=page).status_code == 302
    db.session.expire_all()
    assert (upload.status, upload.failure, upload.file_data) == ("failed", "cancelled", None)
    assert "The uploaded file was erased." in client.get(page).get_data(as_text=True)


def test_a_task_that_cannot_be_queued_fails_its_row_and_says_so(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18 item 2: the broker down when a roll import starts: not a 500 and a pending row forever, but a failed
    import whose page says to try again, and its file erased."""
    township = gen_township()
    community = gen_community(township)
    member = gen_member(community)
    db.session.commit()

    def broker_down(task: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(jobs, "enqueue", broker_down)
    client.get("/lang/en")
    auth.login(member.username)
    form_page = f"/communities/{community.id}/roll"
    data = {"reason": "首次导入", "file": (io.BytesIO(csv_bytes(small_roll_rows())), "roll.csv")}
    data["csrf_token"] = auth.csrf(form_page)
    response = client.post(f"/communities/{community.id}/roll/imports", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    upload = db.session.scalars(select(RollImport).where(RollImport.community_id == community.id)).one()
    assert (upload.status, upload.failure, upload.file_data) == ("failed", "not_started", None)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-failure="not_started"' in page
    assert "Try again in a few minutes" in page
