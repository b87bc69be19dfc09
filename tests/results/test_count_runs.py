"""The count in the background (app.results.count_runs; issue 17 item 4): a run encrypts the ballots a chunk per task,
the meeting is "counting" meanwhile, the last chunk finishes the signed /2 package; a failed run gives the meeting
back; a chunk done twice is stored once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.results import closing, count_runs, encrypted, tasks
from app.results.models import CountChunk, CountRun, ElectionTrustee, Result
from app.results.verify import passed, verify_package
from app.voting import paper
from app.voting.models import Meeting
from tests.factories import gen_member
from tests.preparation.helpers import refused
from tests.results.helpers_lifecycle import Voted, choices, end_window, gen_voted, owner_voters


@pytest.fixture
def closed(app: Any) -> Voted:
    voted = gen_voted(share=0.7)
    end_window(voted.meeting)
    closing.close(voted.meeting)
    return voted


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 ballots, so that a test meeting's count has several."""
    monkeypatch.setattr(count_runs, "MIN_CHUNK", 3)
    monkeypatch.setattr(count_runs, "PROGRESS_STEPS", 1000)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def chunks_stored(run_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CountChunk).where(CountChunk.run_id == run_id)) or 0


def test_the_chunk_size_keeps_the_progress_bar_moving_without_tiny_chunks() -> None:
    assert count_runs.chunk_size_for(0) == count_runs.MIN_CHUNK
    assert count_runs.chunk_size_for(1000) == 25
    assert count_runs.chunk_size_for(20_000) == 500
    assert count_runs.chunk_size_for(20_001) == 501


def test_a_run_counts_chunk_by_chunk_while_the_meeting_takes_no_paper(closed: Voted, small_chunks: None) -> None:
    late = owner_voters(closed)[-1]
    teller = gen_member(closed.community, role=Role.TELLER).id
    run = count_runs.start(closed.meeting, closed.official.id)
    ballots = len(owner_voters(closed)) * 7 // 10
    assert (closed.meeting.status, run.status, run.ballot_count) == ("counting", "pending", run.ballot_count)
    assert run.chunk_count == -(-run.ballot_count // 3) > 2
    assert run.ballot_count in (ballots, ballots + 1)
    # while counting: no paper entry, no exclusion, no second count
    code = paper.paper_code(late)
    assert refused(paper.record_entry, closed.meeting, code, teller, choices(closed.opened)).code == "meeting_not_open"
    assert refused(closing.exclude_paper, closed.meeting, late.id, "原件污损").code == "meeting_not_closed"
    assert refused(count_runs.start, closed.meeting, closed.official.id).code == "count_running"

    positions = count_runs.plan(run.id)
    assert positions == list(range(run.chunk_count))
    assert count_runs.plan(run.id) == positions  # a redelivered start queues again the chunks not stored
    seen = []
    for position in positions[:-1]:
        count_runs.run_chunk(run.id, position)
        seen.append(db.session.get_one(CountRun, run.id).progress)
    assert seen == sorted(seen)
    assert 2 < seen[0] < seen[-1] < 100
    count_runs.run_chunk(run.id, 0)  # a redelivered chunk is stored once
    assert chunks_stored(run.id) == run.chunk_count - 1
    assert count_runs.plan(run.id) == positions[-1:]
    assert db.session.get_one(CountRun, run.id).status == "running"

    count_runs.run_chunk(run.id, positions[-1])
    finished = db.session.get_one(CountRun, run.id)
    assert (finished.status, finished.progress, closed.meeting.status) == ("done", 100, "counted")
    assert chunks_stored(run.id) == 0  # the package holds them now
    result = db.session.get_one(Result, finished.result_id)
    package = json.loads(result.package)
    assert package["format"] == encrypted.ENCRYPTED_FORMAT
    assert [b["receipt"] for b in package["ledger"]["ballots"]] == sorted(
        b["receipt"] for b in package["ledger"]["ballots"]
    )
    assert len(package["ledger"]["ballots"]) == run.ballot_count
    assert passed(verify_package(package))
    done = actions()
    assert done.index("result.count_start") < done.index("election_key.decrypt") < done.index("result.count")
    count_runs.run_chunk(run.id, positions[-1])  # a chunk redelivered after the finish changes nothing
    assert db.session.scalar(select(func.count(Result.id))) == 1


def test_a_failed_run_gives_the_meeting_back_and_counting_again_succeeds(
    closed: Voted, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id, official_id = closed.meeting.id, closed.official.id
    run_id = count_runs.start(closed.meeting, official_id).id
    count_runs.plan(run_id)
    count_runs.run_chunk(run_id, 0)

    def broken(job: Any) -> Any:
        raise RuntimeError("a worker's error, which may quote data")

    monkeypatch.setattr(encrypted, "encrypt_chunk", broken)
    with pytest.raises(RuntimeError):
        tasks.count_chunk.run(run_id=run_id, position=1)  # the body, in this test's app context
    failed = db.session.get_one(CountRun, run_id)
    meeting = db.session.get_one(Meeting, meeting_id)  # the task's body ended its session: load anew
    assert (failed.status, failed.failure, meeting.status) == ("failed", "error", "closed")
    assert chunks_stored(run_id) == 0
    assert "result.count_failed" in actions()
    count_runs.run_chunk(run_id, 2)  # the failed run's other chunks do nothing
    assert chunks_stored(run_id) == 0

    monkeypatch.undo()
    result = count_runs.count(meeting, official_id)
    assert meeting.status == "counted"
    assert passed(verify_package(json.loads(result.package)))


def test_a_meeting_opened_before_encrypted_ballots_gets_its_key_at_the_count(closed: Voted) -> None:
    db.session.execute(delete(ElectionTrustee).where(ElectionTrustee.meeting_id == closed.meeting.id))
    closed.meeting.roll_root = None
    result = count_runs.count(closed.meeting, closed.official.id)
    package = json.loads(result.package)
    assert [t["role"] for t in package["election_key"]["trustees"]] == ["platform", "township"]
    assert closed.meeting.roll_root == package["roll"]["root"]
    assert passed(verify_package(package))
    start = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "result.count_start")).one()
    assert start.summary["key_made_now"] is True
    assert start.summary["election_key"] == package["election_key"]["public_key"]


def test_a_meeting_without_ballots_is_counted_at_once(app: Any) -> None:
    voted = gen_voted(share=0.0)
    end_window(voted.meeting)
    closing.close(voted.meeting)
    result = count_runs.count(voted.meeting, voted.official.id)
    package = json.loads(result.package)
    assert package["ledger"]["ballots"] == []
    assert passed(verify_package(package))
    assert package["tally"]["participation"]["heads"] == 0


def test_the_result_page_shows_the_progress_while_counting(closed: Voted, client: Any, auth: Any) -> None:
    run = count_runs.start(closed.meeting, closed.official.id)
    count_runs.plan(run.id)
    db.session.commit()
    auth.login(closed.official.username)
    page = client.get(f"/meetings/{closed.meeting.id}/result").get_data(as_text=True)
    assert f'data-progress-url="/count-runs/{run.id}/status"' in page
    assert "Count and sign the result" not in page
    status = client.get(f"/count-runs/{run.id}/status").get_json()
    assert status == {"status": "running", "progress": 2, "ballots": run.ballot_count}
    assert client.get("/count-runs/999999/status").status_code == 404
