"""The count of a closed meeting, in the background with a progress bar (issue 17 item 4; DOMAIN §9).

Encrypting a ballot with its proofs costs some 50 ms of CPU (docs/performance.md), too long for the web request
that counts a community of thousands. So the count is a run:

1. `start` (the request): the meeting must be closed with every paper ballot settled; it becomes "counting" (no
   paper ballot is entered or left out from now on: `app.voting.paper`, `app.results.closing`), the ballots are
   cut into chunks in receipt order, and the run is audited. The caller commits, then enqueues `count_meeting`.
2. `plan` (task `count_meeting`): the run is "running"; one task per chunk is enqueued, so that a worker with
   several processes encrypts on all its cores.
3. `count_chunk` (task per chunk): its ballots are encrypted with their proofs under the meeting's election key
   (`app.results.encrypted.encrypt_chunk`) and stored with their encrypted totals; the progress bar moves.
4. The chunk that completes the run finishes it: the trustees decrypt the totals (audited), the counting engine
   decides, the platform and the convener sign the `gongjue.result-package/2`, and the meeting is "counted".

A chunk done twice (a redelivered task) is stored once. A run that fails gives the meeting back ("closed"), with
the reason on the result page; counting again starts a new run. `count` does the same steps in the calling
process (the demo, the command line).
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError

from app import jobs
from app.audit import services as audit
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import ballot_seed
from app.results import closing, counting, encrypted, trustees
from app.results.encrypted import PlainBallot
from app.results.models import CountChunk, CountRun, Result
from app.results.package import merkle_root, roll_entries
from app.voting.models import Ballot, Meeting, MeetingVoter

#: the progress bar moves about this many times (one chunk each), and a chunk is never smaller than MIN_CHUNK
PROGRESS_STEPS = 40
MIN_CHUNK = 25
ACTIVE = ("pending", "running")


def _scope(meeting: Meeting) -> dict[str, Any]:
    community = db.session.get_one(Community, meeting.community_id)
    return {"township_id": community.township_id, "community_id": community.id}


def latest(meeting: Meeting) -> CountRun | None:
    return db.session.scalars(
        select(CountRun).where(CountRun.meeting_id == meeting.id).order_by(CountRun.id.desc()).limit(1)
    ).first()


def chunk_size_for(ballots: int) -> int:
    return max(MIN_CHUNK, -(-ballots // PROGRESS_STEPS))


def _receipts(meeting_id: int) -> list[str]:
    """The meeting's ballots' receipts in ledger order (sorted as Python sorts them: the same order whatever the
    database's collation)."""
    return sorted(db.session.scalars(select(Ballot.receipt_sha256).where(Ballot.meeting_id == meeting_id)))


def start(meeting: Meeting, user_id: int | None) -> CountRun:
    """A new run for a closed meeting whose paper ballots are all settled; the meeting becomes "counting".

    A meeting opened before ballots were encrypted gets its trustees now (the ballots are encrypted at the count
    anyway), and its roll root is fixed now if it was not at opening.
    """
    db.session.flush()  # keep this transaction's changes: refresh reloads the row
    db.session.refresh(meeting, with_for_update=True)  # two counts at once: the second waits, then sees "counting"
    if meeting.status == "counted":
        raise DomainError("already_counted", _l("This meeting has been counted already."), status=409)
    if meeting.status == "counting":
        raise DomainError("count_running", _l("This meeting is being counted. Wait until the count ends."), status=409)
    if meeting.status != "closed":
        raise DomainError("meeting_not_closed", _l("Close the meeting before counting."), status=409)
    waiting = closing.unsettled(meeting)
    if waiting:
        raise DomainError(
            "paper_unsettled",
            _l(
                "%(n)d paper ballots are not settled: finish their entry or leave them out with a reason.",
                n=len(waiting),
            ),
            status=409,
        )
    scope = _scope(meeting)
    new_key = not trustees.of_meeting(meeting.id)
    if new_key:
        trustees.create_for(meeting.id, scope["township_id"])
    if meeting.roll_root is None:
        meeting.roll_root = merkle_root(roll_entries(counting.voters_of(meeting)))
    ballots = len(_receipts(meeting.id))
    size = chunk_size_for(ballots)
    run = CountRun(
        meeting_id=meeting.id,
        ballot_count=ballots,
        chunk_size=size,
        chunk_count=-(-ballots // size),
        created_by_id=user_id,
    )
    db.session.add(run)
    meeting.status = "counting"
    db.session.flush()
    audit.record(
        "result.count_start",
        "count_run",
        run.id,
        {
            "meeting": meeting.id,
            "ballots": ballots,
            "chunks": run.chunk_count,
            "election_key": trustees.election_key_of(meeting.id),
            "key_made_now": new_key,
        },
        **scope,
    )
    return run


def plan(run_id: int) -> list[int]:
    """Mark the run running and commit; the chunks' positions to enqueue. A redelivered task (its worker died after
    this commit, perhaps before it queued every chunk) gets the chunks not stored yet: a chunk queued twice is stored
    once. A run of no ballots is finished here."""
    run = db.session.get(CountRun, run_id)
    if run is None or run.status not in ACTIVE:
        return []
    if run.status == "running":
        stored = set(db.session.scalars(select(CountChunk.position).where(CountChunk.run_id == run_id)))
        return [position for position in range(run.chunk_count) if position not in stored]
    run.status, run.progress, run.started_at = "running", 2, utcnow()
    jobs.beat(run)
    db.session.commit()
    if run.chunk_count == 0:
        _finish_if_complete(run_id)
        return []
    return list(range(run.chunk_count))


def _chunk_ballots(meeting: Meeting, position: int, size: int) -> list[tuple[PlainBallot, int]]:
    receipts = _receipts(meeting.id)[position * size : (position + 1) * size]
    rows = db.session.execute(
        select(Ballot, MeetingVoter.voter_key, MeetingVoter.area_centi)
        .join(MeetingVoter, MeetingVoter.id == Ballot.meeting_voter_id)
        .where(Ballot.meeting_id == meeting.id, Ballot.receipt_sha256.in_(receipts))
    ).all()
    by_receipt = {
        ballot.receipt_sha256: (
            PlainBallot(ballot.receipt_sha256, key, ballot.channel, counting.cast_on(ballot.cast_at), ballot.choices),
            int(area),
        )
        for ballot, key, area in rows
    }
    return [by_receipt[receipt] for receipt in receipts]


def run_chunk(run_id: int, position: int) -> None:
    """Encrypt one chunk's ballots and store them (once), then finish the run if this was its last chunk."""
    run = db.session.get(CountRun, run_id)
    if run is None or run.status != "running":
        return  # failed or finished meanwhile: nothing to do
    exists = select(CountChunk.id).where(CountChunk.run_id == run_id, CountChunk.position == position)
    if db.session.scalar(exists) is None:
        meeting = db.session.get_one(Meeting, run.meeting_id)
        job = (
            _chunk_ballots(meeting, position, run.chunk_size),
            counting.engine_matters(meeting),
            bytes.fromhex(trustees.election_key_of(meeting.id)),
            (meeting.id, str(meeting.roll_root), ballot_seed(meeting.id)),
        )
        entries, totals = encrypted.encrypt_chunk(job)
        db.session.add(
            CountChunk(
                run_id=run_id,
                position=position,
                entries=json.dumps(entries, ensure_ascii=False),
                totals=json.dumps(encrypted.totals_document(totals)),
            )
        )
        try:
            db.session.commit()
        except IntegrityError:  # the same chunk stored by a redelivered task meanwhile
            db.session.rollback()
    _finish_if_complete(run_id)


def _finish_if_complete(run_id: int) -> None:
    """Under the run's lock: move the progress bar, and if every chunk is stored, finish the run."""
    run = db.session.get_one(CountRun, run_id)
    if db.engine.dialect.name == "postgresql":  # the worker's own limits: a finish holds the lock, then stores MBs
        for setting in ("lock_timeout", "statement_timeout"):
            db.session.execute(text(f"SET LOCAL {setting} = '30min'"))
    db.session.refresh(run, with_for_update=True)  # two last chunks at once: one finishes, the other sees "done"
    if run.status != "running":
        db.session.commit()
        return
    stored = db.session.scalar(select(func.count()).select_from(CountChunk).where(CountChunk.run_id == run_id)) or 0
    jobs.beat(run)
    if stored < run.chunk_count:
        run.progress = max(run.progress, 2 + 93 * stored // run.chunk_count)
        db.session.commit()
        return
    result = _finish(run)
    run.status, run.progress, run.finished_at, run.result_id = "done", 100, utcnow(), result.id
    db.session.execute(delete(CountChunk).where(CountChunk.run_id == run_id))
    db.session.commit()


def _finish(run: CountRun) -> Result:
    meeting = db.session.get_one(Meeting, run.meeting_id)
    common, township_id = counting.common(meeting)
    secrets = trustees.secrets_of(meeting.id, township_id)
    if secrets is None:
        raise RuntimeError("the meeting has no election key")
    chunks = db.session.scalars(select(CountChunk).where(CountChunk.run_id == run.id).order_by(CountChunk.position))
    ledger: list[dict[str, Any]] = []
    totals: encrypted.Totals | None = None
    for chunk in chunks:
        ledger += json.loads(chunk.entries)
        totals = encrypted.added_totals(totals, encrypted.read_totals(json.loads(chunk.totals)))
    questions = encrypted.questions_of(common["matters"])
    roll = roll_entries(common.pop("voters"))
    if merkle_root(roll) != meeting.roll_root:
        raise RuntimeError("the meeting's voters are not those of its roll root")
    audit.record(
        "election_key.decrypt",
        "meeting",
        meeting.id,
        {"meeting": meeting.id, "trustees": sorted(secrets), "totals": sum(len(q.options) for q in questions) * 2},
        **_scope(meeting),
    )
    package = encrypted.finish_body(
        **common,
        roll=roll,
        ledger=ledger,
        totals=totals if totals is not None else encrypted.partial_totals([], questions),
        secrets=secrets,
    )
    return counting.store(meeting, package, run.created_by_id)


def count(meeting: Meeting, user_id: int | None) -> Result:
    """Count a closed meeting whose paper ballots are all settled, in this process: the same run as the worker's
    (`start`, then every chunk, then the finish), for the demo and the command line."""
    run_id = start(meeting, user_id).id
    try:
        for position in plan(run_id):
            run_chunk(run_id, position)
    except Exception:
        db.session.rollback()
        fail(run_id)
        raise
    run = db.session.get_one(CountRun, run_id)
    if run.result_id is None:
        raise RuntimeError(f"count run {run_id} ended without a result")
    return db.session.get_one(Result, run.result_id)


def fail(run_id: int, reason: str = "error") -> None:
    """Mark a run that crashed, went silent or was cancelled as failed (``reason``: app.jobs.FAILURES) and give its
    meeting back ("closed"), audited; the caller has rolled back."""
    run = db.session.get(CountRun, run_id)
    if run is None or run.status not in ACTIVE:
        return
    run.status, run.finished_at, run.failure = "failed", utcnow(), reason[:200]
    meeting = db.session.get_one(Meeting, run.meeting_id)
    if meeting.status == "counting":
        meeting.status = "closed"
    db.session.execute(delete(CountChunk).where(CountChunk.run_id == run_id))
    audit.record(
        "result.count_failed", "count_run", run.id, {"meeting": meeting.id, "reason": reason}, **_scope(meeting)
    )
    db.session.commit()
