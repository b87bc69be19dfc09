"""Paper ballots as the tellers enter them (DOMAIN §8; Hangzhou Art 20: paper is offered to any owner who asks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class PaperEntry(db.Model):  # type: ignore[name-defined]
    """One teller's entry of one returned paper ballot. Two entries by different tellers that agree make the ballot
    count (`app.voting.paper.record_entry`); disagreeing entries wait in the mismatch queue, both shown."""

    __tablename__ = "paper_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    meeting_voter_id: Mapped[int] = mapped_column(ForeignKey("meeting_voters.id", ondelete="CASCADE"), index=True)
    teller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: as marked on paper: matter id → "yes" / "no" / "abstain" / None / "invalid", or candidate ids / "invalid"
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the scanned image, when one was attached
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    #: pending (waiting for a second teller), matched (the ballot counts), mismatch (in the queue), conflict (the
    #: voter had voted already, by phone or proxy: the first ballot accepted counts), excluded (left out of the count
    #: by the convener before counting, with the reason: app.results.closing.exclude_paper)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    excluded_reason: Mapped[str | None] = mapped_column(String(500))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaperDesignation(db.Model):  # type: ignore[name-defined]
    """The account the convener names to make the next entry of one paper ballot whose entries differ (issue 19 item
    2): another teller, a member of the convening group or body, or one of the two tellers who entered it, sent back
    to the paper. With two tellers only, this is how a mismatch is settled by the tellers themselves. The rule stays in
    `app.voting.paper.record_entry`: the named account makes one entry, and it settles the ballot only when it agrees
    with an entry made by someone else. Naming again replaces the name (each naming is audited)."""

    __tablename__ = "paper_designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    meeting_voter_id: Mapped[int] = mapped_column(ForeignKey("meeting_voters.id", ondelete="CASCADE"), unique=True)
    #: who makes the next entry
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the convener's account that named them
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    designated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the entry the named account made (the naming is used up; the convener may name someone again)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("paper_entries.id", ondelete="SET NULL"))
