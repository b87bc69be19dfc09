"""Where a preparation stands: its stage, its clocks (DOMAIN §7) and what waits for the township; the reminders that
Celery beat sends before each deadline.

Reminders are written as `ClockReminder` rows (7 days and 1 day before a due date, and once when it is overdue),
shown to the township and the group on their pages and recorded in the audit log. Choice made here: Gongjue keeps
no e-mail or SMS addresses of staff, so a reminder is a notice inside the product; the SMS backend of the voting
issue can carry them later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit import services as audit
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.extensions import db
from app.preparation.candidates import pending_or_approved_review
from app.preparation.common import scope, today
from app.preparation.group import needs_composition_confirmation
from app.preparation.models import Candidate, CandidateListReview, ClockReminder, PreparatoryGroup
from app.preparation.notices import open_objection_count
from app.rules.calendar import CalendarMissing
from app.rules.preparation import Clock, ClockState, clock_state, preparation_clocks

CLOCK_LABELS: dict[str, Any] = {
    "form_group": _l("Form the preparatory group (60 days, Shaoxing Art 11)"),
    "announce_members": _l("Announce the members (3 days, Shaoxing Art 12)"),
    "first_meeting": _l("Hold the first meeting (90 days, Shaoxing Art 16)"),
    "first_meeting_extended": _l("Hold the first meeting, term extended (90 + 90 days, Shaoxing Art 16)"),
}

STAGES: dict[str, Any] = {
    "awaiting_group": _l("Group to be formed"),
    "group_formed": _l("Group formed, members to announce"),
    "preparing": _l("Preparing"),
    "list_under_review": _l("Candidate list under township review"),
    "list_approved": _l("Candidate list approved"),
    "scheduled": _l("Meeting scheduled"),
    "dissolved": _l("Dissolved"),
}

#: what waits for the township: its own acts only (DOMAIN §7 item 10). The objections to the group's notices are the
#: group's to answer: `Overview.open_objections` counts them, shown beside, not in this list (issue 19 item 1)
WAITING_LABELS: dict[str, Any] = {
    "form_group": _l("Form the group and confirm its composition"),
    "review_list": _l("Review the candidate list"),
    "confirm_composition": _l("No residents' committee member in the group: confirm its composition"),
}

#: days before a due date when a reminder is sent
REMINDER_LEADS = (7, 1)
OVERDUE = -1


@dataclass(frozen=True)
class ClockView:
    """A clock with its label and where today stands (``state`` None when the year's calendar is missing)."""

    clock: Clock
    label: Any
    state: ClockState | None
    done: bool

    @property
    def overdue(self) -> bool:
        return not self.done and self.state is not None and self.state.state == "overdue"


def _done(group: PreparatoryGroup, code: str) -> bool:
    """Whether the event a clock waits for has happened."""
    if code == "form_group":
        return group.formed_on is not None
    if code == "announce_members":
        return group.members_announced_on is not None
    return group.plan is not None and group.plan.scheduled_at is not None


def clocks(group: PreparatoryGroup, on: date | None = None) -> list[ClockView]:
    """The group's clocks (`app.rules.preparation.preparation_clocks`) and where ``on`` (today) stands."""
    on = on or today()
    views = []
    for clock in preparation_clocks(
        current_calendar(),
        reported_on=group.requested_on,
        formed_on=group.formed_on,
        extended=group.extended_on is not None,
    ):
        done = _done(group, clock.code)
        try:
            state: ClockState | None = clock_state(clock, on)
        except CalendarMissing:
            state = None
        views.append(ClockView(clock, CLOCK_LABELS[clock.code], state, done))
    return views


def stage(group: PreparatoryGroup) -> str:
    if group.dissolved_on is not None:
        return "dissolved"
    if group.formed_on is None:
        return "awaiting_group"
    if group.members_announced_on is None:
        return "group_formed"
    if group.plan is not None and group.plan.scheduled_at is not None:
        return "scheduled"
    review = pending_or_approved_review(group)
    if review is not None:
        return "list_under_review" if review.decision == "pending" else "list_approved"
    return "preparing"


@dataclass(frozen=True)
class Overview:
    """One community's preparation as the township sees it."""

    community: Community
    group: PreparatoryGroup
    stage: str
    clocks: list[ClockView]
    #: codes of `WAITING_LABELS`
    waiting: list[str]
    #: objections to the group's notices without an answer (the group answers them)
    open_objections: int
    approved: int
    party_members: int
    deputies: int

    @property
    def overdue(self) -> bool:
        return any(view.overdue for view in self.clocks)


def overview(group: PreparatoryGroup) -> Overview:
    community = db.session.get_one(Community, group.community_id)
    waiting: list[str] = []
    current_stage = stage(group)
    if current_stage == "awaiting_group":
        waiting.append("form_group")
    review = db.session.scalars(
        select(CandidateListReview).where(
            CandidateListReview.group_id == group.id, CandidateListReview.decision == "pending"
        )
    ).first()
    if review is not None:
        waiting.append("review_list")
    objections = open_objection_count(group)
    if needs_composition_confirmation(group):
        waiting.append("confirm_composition")
    approved = (
        db.session.scalars(
            select(Candidate).where(Candidate.group_id == group.id, Candidate.status == "accepted")
        ).all()
        if current_stage in ("list_approved", "scheduled")
        else []
    )
    return Overview(
        community=community,
        group=group,
        stage=current_stage,
        clocks=clocks(group),
        waiting=waiting,
        open_objections=objections,
        approved=len(approved),
        party_members=sum(1 for c in approved if c.party_member),
        deputies=sum(1 for c in approved if c.peoples_congress_deputy or c.cppcc_member),
    )


def township_overviews(township_id: int) -> list[Overview]:
    """Every running preparation of the township, overdue ones first, then by stage."""
    groups = db.session.scalars(
        select(PreparatoryGroup)
        .join(Community, Community.id == PreparatoryGroup.community_id)
        .where(Community.township_id == township_id, PreparatoryGroup.dissolved_on.is_(None))
        .order_by(Community.name)
    ).all()
    rows = [overview(group) for group in groups]
    return sorted(rows, key=lambda row: (not row.overdue, not (row.waiting or row.open_objections)))


def reminder_lead(days_left: int) -> int | None:
    """Which reminder a clock with ``days_left`` is in: 7 (2–7 days left), 1 (0–1), -1 (overdue), None (more than 7).

    Buckets rather than exact days, so that a beat run that was missed on the 7th day still reminds on the 6th.
    """
    if days_left < 0:
        return OVERDUE
    return next((lead for lead in sorted(REMINDER_LEADS) if days_left <= lead), None)


def send_reminders(on: date | None = None, *, commit_each: bool = False) -> int:
    """Write the reminders due on ``on`` (today) for every running preparation, each at most once; returns how many.

    A reminder is due when a clock whose event has not happened comes within 7 days, then within 1 day of its due
    date, and once when it is overdue (`reminder_lead`). Idempotent: running it twice on a day writes nothing the
    second time. ``commit_each`` (the beat task): commit after each preparation, so that its community's audit chain
    is not held while the others are reminded (app.audit.services: one chain per community).
    """
    on = on or today()
    written = 0
    groups = db.session.scalars(select(PreparatoryGroup).where(PreparatoryGroup.dissolved_on.is_(None))).all()
    for group in groups:
        community = db.session.get_one(Community, group.community_id)
        for view in clocks(group, on):
            if view.done or view.state is None or view.clock.due is None:
                continue
            lead = reminder_lead((view.clock.due - on).days)
            if lead is None:
                continue
            exists = db.session.scalar(
                select(func.count())
                .select_from(ClockReminder)
                .where(
                    ClockReminder.group_id == group.id,
                    ClockReminder.clock == view.clock.code,
                    ClockReminder.due_on == view.clock.due,
                    ClockReminder.lead == lead,
                )
            )
            if exists:
                continue
            reminder = ClockReminder(group_id=group.id, clock=view.clock.code, due_on=view.clock.due, lead=lead)
            db.session.add(reminder)
            db.session.flush()
            audit.record(
                "preparation.reminder",
                "clock_reminder",
                reminder.id,
                {"clock": view.clock.code, "due_on": view.clock.due.isoformat(), "lead": lead},
                actor_label="beat",
                **scope(community),
            )
            written += 1
        if commit_each:
            db.session.commit()
    return written


def reminders_of(group: PreparatoryGroup, limit: int = 10) -> list[ClockReminder]:
    return list(
        db.session.scalars(
            select(ClockReminder)
            .where(ClockReminder.group_id == group.id)
            .order_by(ClockReminder.created_at.desc(), ClockReminder.id.desc())
            .limit(limit)
        )
    )


__all__ = [
    "CLOCK_LABELS",
    "STAGES",
    "WAITING_LABELS",
    "clocks",
    "overview",
    "send_reminders",
    "stage",
]
