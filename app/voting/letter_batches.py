"""Batches of voters' letters: one building, or the whole community as one PDF, made by a Celery task with a
progress bar (issue 6 item 3).

A batch issues a new credential to each of its voters (revoking their earlier letters) and keeps the letters as one
PDF, encrypted at rest, until it is downloaded once or for 24 hours at most: the letters hold every voter's token
and code in clear, which exist nowhere else. Every step is audited; the audit log never holds a token or a code.

A reprint — a batch for voters who already hold letters in force — is made only when the caller confirms that those
letters stop working once the new ones are ready (issue 19 item 5): `start_batch` refuses it otherwise, whichever
page or API call asks, so that one click never silently cancels letters owners hold.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from app import jobs
from app.audit import services as audit
from app.communities.models import Community
from app.db_types import UTCDateTime, utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt, encrypt
from app.voting import credentials, letters
from app.voting.meetings import window_state
from app.voting.models import Credential, Meeting, MeetingVoter

#: how long a batch's PDF is kept when nobody downloads it
KEEP_FOR = timedelta(hours=24)
#: the progress bar moves this many times during a batch (each a commit)
PROGRESS_STEPS = 20
ACTIVE = ("pending", "running")


class LetterBatch(db.Model):  # type: ignore[name-defined]
    """The letters of one building (or of the whole community) of an open meeting, made in the background."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: the building (as on the roll), or None for the whole community, all buildings in order
    building: Mapped[str | None] = mapped_column(String(32))
    #: pending, running, done or failed
    status: Mapped[str] = mapped_column(String(8), default="pending")
    #: 0–100, for the progress bar
    progress: Mapped[int] = mapped_column(Integer, default=0)
    voter_count: Mapped[int] = mapped_column(Integer, default=0)
    #: the site's address printed in the letters (taken from the request that started the batch)
    base_url: Mapped[str] = mapped_column(String(200))
    #: the PDF, encrypted (app.privacy), until it is downloaded or KEEP_FOR has passed; then None
    pdf_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_bytes: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when the job last showed progress (its heartbeat): a job silent too long is failed (app.jobs)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: why it failed (app.jobs.FAILURES: error, silent, cancelled, not_started), None otherwise
    failure: Mapped[str | None] = mapped_column(String(16))
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    downloaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: when the PDF was deleted (downloaded, or kept KEEP_FOR without a download)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_kept(self) -> bool:
        """Whether the PDF is still stored (made, and neither downloaded nor expired)."""
        return self.status == "done" and self.deleted_at is None

    @property
    def expires_at(self) -> datetime | None:
        return self.finished_at + KEEP_FOR if self.is_kept and self.finished_at else None


def _scope(meeting: Meeting) -> dict[str, Any]:
    community = db.session.get_one(Community, meeting.community_id)
    return {"township_id": community.township_id, "community_id": community.id}


def seal(pdf: bytes) -> bytes:
    """The PDF encrypted with the personal-data key (AES-GCM of its base64: app.privacy encrypts text)."""
    return encrypt(base64.b64encode(pdf).decode("ascii"))


def unseal(blob: bytes) -> bytes:
    return base64.b64decode(decrypt(blob))


# --- reading --------------------------------------------------------------------------------------------------


def buildings_of(meeting: Meeting) -> list[tuple[str, int]]:
    """The meeting's buildings with their voter counts, in natural order (2 before 10)."""
    rows = db.session.execute(
        select(MeetingVoter.building, func.count())
        .where(MeetingVoter.meeting_id == meeting.id)
        .group_by(MeetingVoter.building)
    ).all()
    return sorted(((str(b), int(n)) for b, n in rows), key=lambda row: letters.natural_key(row[0]))


def voter_ids_of(meeting: Meeting, building: str | None) -> list[int]:
    """The batch's voters in letter order: by building, then by unit, in natural order."""
    query = select(MeetingVoter.id, MeetingVoter.building, MeetingVoter.unit_key).where(
        MeetingVoter.meeting_id == meeting.id
    )
    if building is not None:
        query = query.where(MeetingVoter.building == building)
    rows = sorted(
        db.session.execute(query).all(),
        key=lambda row: (letters.natural_key(row.building), letters.natural_key(row.unit_key)),
    )
    return [row.id for row in rows]


def holders_by_building(meeting: Meeting) -> dict[str, int]:
    """How many voters of each building hold a letter in force: an owner's own credential not revoked (a letter, or
    a link issued on the voters' page); a proxy's link is the proxy's, not a letter."""
    rows = db.session.execute(
        select(MeetingVoter.building, func.count(func.distinct(MeetingVoter.id)))
        .join(Credential, Credential.meeting_voter_id == MeetingVoter.id)
        .where(
            MeetingVoter.meeting_id == meeting.id,
            Credential.revoked_at.is_(None),
            Credential.proxy_id.is_(None),
        )
        .group_by(MeetingVoter.building)
    ).all()
    return {str(building): int(count) for building, count in rows}


def holders_of(meeting: Meeting, building: str | None) -> int:
    """How many voters of a batch (one building, or None: the whole community) hold a letter in force."""
    held = holders_by_building(meeting)
    return sum(held.values()) if building is None else held.get(building, 0)


def batches_of(meeting: Meeting) -> list[LetterBatch]:
    return list(
        db.session.scalars(
            select(LetterBatch).where(LetterBatch.meeting_id == meeting.id).order_by(LetterBatch.id.desc())
        )
    )


def is_available(batch: LetterBatch, now: datetime | None = None) -> bool:
    """Whether the batch's PDF may still be downloaded."""
    expires_at = batch.expires_at
    return batch.status == "done" and expires_at is not None and expires_at > (now or utcnow())


# --- starting, running ----------------------------------------------------------------------------------------


def start_batch(
    meeting: Meeting, building: str | None, base_url: str, user_id: int | None, *, replace: bool = False
) -> LetterBatch:
    """A new batch for one building or (``building`` None) the whole community; the caller commits, then enqueues.

    Only for an open meeting whose window has not ended; not while another batch for the same voters is running
    (its letters would be revoked by this one as they are printed); and, when some of its voters hold letters in
    force, only with ``replace`` (the caller confirmed that those letters stop working once the new ones are ready).
    """
    if meeting.status != "open" or window_state(meeting) in ("after", "closed"):
        raise DomainError("meeting_not_open", _l("Letters are made for a meeting open for voting."), status=409)
    count = len(voter_ids_of(meeting, building))
    if count == 0:
        raise DomainError("no_voters", _l("This building has no voters."), status=409, field="building")
    overlapping = select(LetterBatch).where(LetterBatch.meeting_id == meeting.id, LetterBatch.status.in_(ACTIVE))
    if building is not None:
        overlapping = overlapping.where(or_(LetterBatch.building.is_(None), LetterBatch.building == building))
    running = [b for b in db.session.scalars(overlapping) if not jobs.reap_if_silent("letters", b)]
    if running:
        raise DomainError(
            "letters_running",
            _l("Letters for these voters are being made. Wait until they are ready."),
            status=409,
        )
    holding = holders_of(meeting, building)
    if holding and not replace:
        raise DomainError(
            "letters_in_hand",
            ngettext(  # in the caller's language now (pybabel extracts ngettext, not lazy_ngettext)
                "%(num)d of these voters already has a letter. Confirm that it stops working once the new letters "
                "are ready.",
                "%(num)d of these voters already have letters. Confirm that their letters stop working once the new "
                "letters are ready.",
                holding,
            ),
            status=409,
            field="replace",
        )
    batch = LetterBatch(
        meeting_id=meeting.id,
        building=building,
        voter_count=count,
        base_url=base_url.rstrip("/")[:200],
        created_by_id=user_id,
    )
    db.session.add(batch)
    db.session.flush()
    audit.record(
        "letters.start",
        "letter_batch",
        batch.id,
        {"meeting": meeting.id, "building": building, "voters": count, "replacing": holding},
        **_scope(meeting),
    )
    return batch


def _set_progress(batch: LetterBatch, status: str, progress: int) -> None:
    """Move the progress bar (and the heartbeat) and commit; `Cancelled` if the batch was failed meanwhile."""
    jobs.still_running(batch)
    batch.status, batch.progress = status, progress
    jobs.beat(batch)
    db.session.commit()


def _write_letters(
    batch: LetterBatch, meeting: Meeting, ids: list[int], chunk: int
) -> tuple[bytes, dict[int, tuple[str, str]]]:
    """The letters in letter order, each with a new credential's secrets made for it (`credentials.new_secrets`)
    and not yet stored: the progress commits only move the bar. The PDF and each voter's secrets."""
    sheets = letters.LetterSheets(letters.letter_context(meeting, batch.base_url))  # no font: nothing made
    made: dict[int, tuple[str, str]] = {}
    done, total = 0, len(ids)
    try:
        for start in range(0, total, chunk):
            part = ids[start : start + chunk]
            by_id = {v.id: v for v in db.session.scalars(select(MeetingVoter).where(MeetingVoter.id.in_(part)))}
            for voter_id in part:
                made[voter_id] = credentials.new_secrets()
                sheets.add(by_id[voter_id], *made[voter_id])
            done += len(part)
            _set_progress(batch, "running", max(1, 95 * done // total))  # expires what was loaded: one query a chunk
        return sheets.output(), made
    finally:
        sheets.close()


def _issue(batch: LetterBatch, made: dict[int, tuple[str, str]]) -> None:
    """Store the printed letters' credentials (revoking the voters' earlier letters), in a random order (issue 16
    item 1: the order of the credentials, their times and audit events says nothing of the units), in the caller's
    transaction: the one that also stores the PDF."""
    issuing = list(made)
    secrets.SystemRandom().shuffle(issuing)
    voters = {v.id: v for v in db.session.scalars(select(MeetingVoter).where(MeetingVoter.id.in_(issuing)))}
    for voter_id in issuing:
        credentials.issue(voters[voter_id], batch.created_by_id, made=made[voter_id])


def run_batch(batch_id: int) -> LetterBatch | None:
    """Write the letters, then in one transaction issue their credentials and keep the PDF (the task's body); a
    finished batch is left as it is (issue 18 item 1).

    Until that transaction the voters' letters in hand keep working: a batch that dies, is cancelled or fails
    revokes nothing, and a redelivered task starts it again from the beginning.
    """
    purge_expired()
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None or batch.status in ("done", "failed"):
        return batch  # a redelivered task: nothing to do
    meeting = db.session.get_one(Meeting, batch.meeting_id)
    ids = voter_ids_of(meeting, batch.building)
    batch.voter_count, batch.started_at = len(ids), utcnow()
    _set_progress(batch, "running", 1)
    pdf, made = _write_letters(batch, meeting, ids, max(1, -(-len(ids) // PROGRESS_STEPS)))
    jobs.still_running(batch)
    _issue(batch, made)
    batch.pdf_cipher, batch.pdf_bytes = seal(pdf), len(pdf)
    batch.status, batch.progress, batch.finished_at = "done", 100, utcnow()
    jobs.beat(batch)
    audit.record(
        "letters.done",
        "letter_batch",
        batch.id,
        {"meeting": meeting.id, "building": batch.building, "voters": len(ids), "bytes": len(pdf)},
        **_scope(meeting),
    )
    db.session.commit()
    return batch


def fail_batch(batch_id: int, reason: str = "error") -> None:
    """Mark a batch that crashed, went silent or was cancelled as failed (``reason``: app.jobs.FAILURES): nothing to
    download, and no credential was issued (they are issued with the finished PDF); making it again is allowed."""
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None or batch.status in ("done", "failed"):
        return
    batch.status, batch.progress, batch.finished_at, batch.pdf_cipher = "failed", 100, utcnow(), None
    batch.failure = reason
    meeting = db.session.get_one(Meeting, batch.meeting_id)
    audit.record(
        "letters.failed", "letter_batch", batch.id, {"meeting": meeting.id, "reason": reason}, **_scope(meeting)
    )
    db.session.commit()


# --- taking the letters, deleting them --------------------------------------------------------------------------


def take_pdf(batch: LetterBatch, user_id: int | None) -> bytes:
    """The batch's PDF, deleted from storage as it is handed over (the caller commits before sending it)."""
    cipher = batch.pdf_cipher if is_available(batch) else None
    if cipher is None:
        raise DomainError(
            "letters_gone",
            _l("These letters are no longer kept: they were downloaded or 24 hours have passed. Make them again."),
            status=410,
        )
    pdf = unseal(cipher)
    now = utcnow()
    batch.pdf_cipher, batch.deleted_at = None, now
    batch.downloaded_at, batch.downloaded_by_id = now, user_id
    db.session.flush()
    meeting = db.session.get_one(Meeting, batch.meeting_id)
    audit.record(
        "letters.download",
        "letter_batch",
        batch.id,
        {"meeting": meeting.id, "building": batch.building, "voters": batch.voter_count, "bytes": len(pdf)},
        **_scope(meeting),
    )
    return pdf


def purge_expired(now: datetime | None = None) -> int:
    """Delete every PDF kept longer than KEEP_FOR without a download (audited); how many were deleted."""
    now = now or utcnow()
    expired = db.session.scalars(
        select(LetterBatch).where(
            LetterBatch.status == "done",
            LetterBatch.deleted_at.is_(None),
            LetterBatch.finished_at <= now - KEEP_FOR,
        )
    ).all()
    for batch in expired:
        batch.pdf_cipher, batch.deleted_at = None, now
        meeting = db.session.get_one(Meeting, batch.meeting_id)
        audit.record("letters.expired", "letter_batch", batch.id, {"meeting": meeting.id}, **_scope(meeting))
    db.session.flush()
    return len(expired)
