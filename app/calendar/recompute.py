"""When a year's official holiday arrangement is added, every open clock reckoned provisionally is worked out again.

DOMAIN §7 "Dates": a date in a year without the arrangement is provisional; once an administrator adds the year, the
clocks still running are recomputed, and what moved is shown to the people it concerns and audited. The open clocks:

- stored periods: preparation notices (`Notice.ends_on`), published roll versions not yet frozen
  (`RollVersion.notice_ends_on`), published results (`Result.objections_until`) and the township's public notices of a
  revocation (`SupervisionAction.notice_ends_on`): recomputed from their first day and updated;
- clocks worked out on every view: the preparatory groups' (Shaoxing Arts 11, 12, 16) and the committees' filing
  deadlines (Art 19): nothing is stored, but their move is listed all the same.

**decision — open**: a period still running under either reckoning on the day the year is added (its old or its new
last day is today or later). A period over under both is history and keeps the date it had.

Each move is one audit event ``calendar.recompute`` in its community's scope (so the community page lists it under
"dates recomputed"), and the administrator sees the list before confirming (`moved_dates` is the preview).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.audit.models import AuditEvent
from app.calendar.models import HolidayYear
from app.calendar.services import add_holiday_year, current_calendar
from app.communities.models import Community
from app.extensions import db
from app.governance.bodies import FILING_DAYS, filing_event
from app.governance.body_models import GoverningBody
from app.governance.supervision_models import SupervisionAction
from app.preparation.models import Notice, PreparatoryGroup
from app.results.models import Result
from app.roll.models import RollVersion
from app.rules.calendar import HolidayCalendar, deadline, load_calendar, notice_end, parse_year_document
from app.rules.preparation import NOTICE_WORKING_DAYS, Clock, preparation_clocks
from app.voting.models import Meeting

#: what moved, in words (the ``subject`` of a `MovedDate`); clock codes use app.preparation.progress's labels
SUBJECT_LABELS: dict[str, Any] = {
    "notice": _l("Notice period of a preparation notice"),
    "roll_notice": _l("Notice period of the owner roll"),
    "result_notice": _l("Objection period of a published result"),
    "revocation_notice": _l("Notice period of the township's revocation"),
    "form_group": _l("Form the preparatory group (60 days)"),
    "announce_members": _l("Announce the group's members (3 days)"),
    "first_meeting": _l("Hold the first meeting (90 days)"),
    "first_meeting_extended": _l("Hold the first meeting (extended, 180 days)"),
    "filing": _l("File the committee (30 days from its election)"),
}


@dataclass(frozen=True)
class MovedDate:
    """One open clock whose last day differs between the old and the new calendar."""

    community_id: int
    subject: str
    before: date
    after: date
    #: the stored row to update (None for clocks worked out on every view)
    record: Any = None
    #: the attribute of ``record`` that holds the last day
    attribute: str = ""

    @property
    def label(self) -> Any:
        return SUBJECT_LABELS[self.subject]


def _stored_periods(first_day: date) -> Iterator[tuple[str, Any, date | None, str, int]]:
    """Each stored notice period reaching ``first_day`` or later: (subject, record, its first day, the attribute that
    holds its last day, community id)."""
    periods: tuple[tuple[str, str, str, Any], ...] = (
        ("notice", "starts_on", "ends_on", select(Notice, Notice.community_id).where(Notice.ends_on >= first_day)),
        (
            "roll_notice",
            "notice_starts_on",
            "notice_ends_on",
            select(RollVersion, RollVersion.community_id).where(
                RollVersion.notice_ends_on >= first_day,
                RollVersion.published_at.is_not(None),
                RollVersion.frozen_at.is_(None),
            ),
        ),
        (
            "result_notice",
            "published_on",
            "objections_until",
            select(Result, Meeting.community_id)
            .join(Meeting, Meeting.id == Result.meeting_id)
            .where(Result.status == "published", Result.objections_until >= first_day),
        ),
        (
            "revocation_notice",
            "acted_on",
            "notice_ends_on",
            select(SupervisionAction, SupervisionAction.community_id).where(
                SupervisionAction.notice_ends_on >= first_day
            ),
        ),
    )
    for subject, first, last, query in periods:
        for record, community_id in db.session.execute(query):
            yield subject, record, getattr(record, first), last, community_id


def _notice_moves(old: HolidayCalendar, new: HolidayCalendar, year: int, today: date) -> Iterator[MovedDate]:
    """Stored notice periods (5 working days, Shaoxing Art 9) whose days reach ``year``."""
    for subject, record, starts_on, attribute, community_id in _stored_periods(date(year, 1, 1)):
        ends_on = getattr(record, attribute)
        if starts_on is None or ends_on is None or notice_end(old, starts_on, NOTICE_WORKING_DAYS) != ends_on:
            continue  # not reckoned on the calendar in force (nothing to recompute)
        after = notice_end(new, starts_on, NOTICE_WORKING_DAYS)
        if after != ends_on and max(ends_on, after) >= today:
            yield MovedDate(community_id, subject, ends_on, after, record, attribute)


def _clock_moves(old: HolidayCalendar, new: HolidayCalendar, today: date) -> Iterator[MovedDate]:
    """The preparatory groups' clocks and the committees' filing deadlines (worked out on every view)."""
    groups = select(PreparatoryGroup).where(PreparatoryGroup.dissolved_on.is_(None))
    for group in db.session.scalars(groups):

        def clocks(cal: HolidayCalendar, group: PreparatoryGroup = group) -> tuple[Clock, ...]:
            extended = group.extended_on is not None
            return preparation_clocks(cal, reported_on=group.requested_on, formed_on=group.formed_on, extended=extended)

        for was, now in zip(clocks(old), clocks(new), strict=True):
            if was.due is not None and now.due is not None and was.due != now.due and max(was.due, now.due) >= today:
                yield MovedDate(group.community_id, now.code, was.due, now.due)
    committees = select(GoverningBody).where(
        GoverningBody.kind == "committee", GoverningBody.filed_on.is_(None), GoverningBody.dissolved_on.is_(None)
    )
    for body in db.session.scalars(committees):
        elected = filing_event(body)
        was_due, now_due = deadline(old, elected, FILING_DAYS), deadline(new, elected, FILING_DAYS)
        if was_due != now_due and max(was_due, now_due) >= today:
            yield MovedDate(body.community_id, "filing", was_due, now_due)


def moved_dates(old: HolidayCalendar, new: HolidayCalendar, year: int, today: date) -> list[MovedDate]:
    """Every open clock that the arrangement of ``year`` moves, by community (the preview shown before confirming)."""
    moves = [*_notice_moves(old, new, year, today), *_clock_moves(old, new, today)]
    return sorted(moves, key=lambda m: (m.community_id, m.subject, m.before))


def apply_moves(moves: list[MovedDate], year: int) -> None:
    """Store the new last days and record each move in its community's audit scope."""
    ids = {m.community_id for m in moves}
    rows = db.session.execute(select(Community.id, Community.township_id).where(Community.id.in_(ids)))
    townships = {row.id: row.township_id for row in rows}
    for move in moves:
        if move.record is not None:
            setattr(move.record, move.attribute, move.after)
        audit.record(
            "calendar.recompute",
            move.subject,
            getattr(move.record, "id", None),
            {"year": year, "subject": move.subject, "before": move.before.isoformat(), "after": move.after.isoformat()},
            township_id=townships.get(move.community_id),
            community_id=move.community_id,
        )
    db.session.flush()


def preview_year(document: dict[str, Any], today: date) -> tuple[int, list[MovedDate]]:
    """The year a document gives and the open clocks it would move; ValueError (in the checker's words) when the
    document is not a valid year (app/rules/holidays/README.md)."""
    year = parse_year_document(document, origin="the document").year
    old = current_calendar()
    kept = db.session.scalars(select(HolidayYear.document)).all()
    return year, moved_dates(old, load_calendar([*kept, document]), year, today)


def add_year_and_recompute(document: dict[str, Any], today: date, added_by_id: int | None) -> list[MovedDate]:
    """Add the year (`calendar.services.add_holiday_year`, audited, refused when known) and recompute what it moves."""
    try:
        year, moves = preview_year(document, today)
    except ValueError:
        add_holiday_year(document, added_by_id)  # refuses it with its reason: not a valid year, or a known one
        raise
    add_holiday_year(document, added_by_id)
    apply_moves(moves, year)
    return moves


def recent_moves(community: Community, since: date) -> list[dict[str, Any]]:
    """The recomputations recorded for ``community`` since ``since`` (for its page), newest first."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.community_id == community.id, AuditEvent.action == "calendar.recompute")
        .order_by(AuditEvent.seq.desc())
    )
    shown = []
    for event in events:
        if event.occurred_at.date() < since:
            break
        summary = event.summary
        shown.append(
            {
                "label": SUBJECT_LABELS.get(summary.get("subject", ""), summary.get("subject", "")),
                "year": summary.get("year"),
                "before": summary.get("before"),
                "after": summary.get("after"),
                "on": event.occurred_at,
            }
        )
    return shown
