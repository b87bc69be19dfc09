"""Reminders of the governance clocks (issue 8 item 8), by Celery beat, hourly and idempotent, like the
preparation's (app.preparation.progress.send_reminders, whose 7-day / 1-day / overdue buckets they share):

- the committee's filing within 30 days of its election (Shaoxing Art 17): to the committee;
- the committee's re-election, organised 60 days before its term ends (Art 24): to the committee, and once
  overdue to the township, which may form a re-election group;
- a township's order to correct a decision by a date (city policy item 15): to the committee;
- a property management committee's term (2 years, Hangzhou Art 41 for comparison: Shaoxing sets none): to the
  township, which re-forms it if no committee was elected;
- a decision of the body, published within 3 days of being made (Shaoxing Art 21 ¶3; app.governance.transparency):
  to the body;
- a meeting the owners proposed with 20% (or one fifth) of the heads, announced within 30 days of the threshold
  being reached (app.owners.petitions): to the body, and once overdue to the township.

A clock whose year has no holiday calendar yet is skipped (its deadline cannot be computed) and reminded once the
calendar is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.communities.models import Community
from app.extensions import db
from app.governance import bodies, transparency
from app.governance.body_models import GoverningBody
from app.governance.reminder_models import GovernanceReminder
from app.governance.supervision import open_orders
from app.owners.models import Petition
from app.preparation.progress import OVERDUE, reminder_lead

CLOCK_LABELS: dict[str, Any] = {
    "filing": _l("File the committee"),
    "re_election": _l("Organise the re-election"),
    "correction": _l("Correct the decision the township ordered corrected"),
    "pmc_term": _l("The property management committee's term ends: a committee elected, or the township re-forms it"),
    "publication": _l("Publish the decision (within 3 days, Shaoxing Art 21)"),
    "petition": _l("Convene the meeting the owners proposed (Property Management Regulations Art 13; Shaoxing Art 23)"),
}


@dataclass(frozen=True)
class Clock:
    clock: str
    subject_id: int
    due_on: date
    addressee: str


def clocks(community: Community) -> list[Clock]:
    """The community's running governance clocks."""
    found: list[Clock] = []
    body = bodies.in_office(community)
    if body is not None and body.kind == "committee":
        found += _committee_clocks(body)
    if body is not None and body.kind == "pmc" and body.term_ends_on is not None:
        found.append(Clock("pmc_term", body.id, body.term_ends_on, "township"))
    found += [
        Clock("correction", order.id, order.due_on, "committee") for order in open_orders(community) if order.due_on
    ]
    found += [
        Clock("petition", petition.id, petition.convene_by, "committee")
        for petition in db.session.scalars(
            select(Petition).where(
                Petition.community_id == community.id,
                Petition.status == "reached",
                Petition.convene_by.is_not(None),
            )
        )
        if petition.convene_by is not None
    ]
    for decision in transparency.unpublished_decisions(community):
        due = transparency.due_on(decision)
        if due is not None:
            found.append(Clock("publication", decision.id, due, "committee"))
    return found


def _committee_clocks(body: GoverningBody) -> list[Clock]:
    found = []
    filing_due = bodies.known_filing_due(body)
    if body.filed_on is None and filing_due is not None:
        found.append(Clock("filing", body.id, filing_due, "committee"))
    due = bodies.re_election_due(body)
    if due is not None:
        found.append(Clock("re_election", body.id, due, "committee"))
    return found


def send_reminders(on: date, *, commit_each: bool = False) -> int:
    """Write the reminders due on ``on`` for every community, each at most once; how many were written.
    ``commit_each`` (the beat task): commit after each community, so that its audit chain is not held while the others
    are reminded (app.audit.services: one chain per community)."""
    written = 0
    for community in db.session.scalars(select(Community).where(Community.governance.in_(("committee", "pmc")))):
        for clock in clocks(community):
            lead = reminder_lead((clock.due_on - on).days)
            if lead is None:
                continue
            escalated = clock.clock in ("re_election", "petition") and lead == OVERDUE
            addressee = "township" if escalated else clock.addressee
            exists = db.session.scalar(
                select(GovernanceReminder.id).where(
                    GovernanceReminder.community_id == community.id,
                    GovernanceReminder.clock == clock.clock,
                    GovernanceReminder.subject_id == clock.subject_id,
                    GovernanceReminder.due_on == clock.due_on,
                    GovernanceReminder.lead == lead,
                )
            )
            if exists is not None:
                continue
            reminder = GovernanceReminder(
                community_id=community.id,
                clock=clock.clock,
                subject_id=clock.subject_id,
                due_on=clock.due_on,
                lead=lead,
                addressee=addressee,
            )
            db.session.add(reminder)
            db.session.flush()
            audit.record(
                "governance.reminder",
                "governance_reminder",
                reminder.id,
                {"clock": clock.clock, "due_on": clock.due_on.isoformat(), "lead": lead, "to": addressee},
                actor_label="beat",
                township_id=community.township_id,
                community_id=community.id,
            )
            written += 1
        if commit_each:
            db.session.commit()
    return written


def recent(community: Community, limit: int = 10) -> list[GovernanceReminder]:
    return list(
        db.session.scalars(
            select(GovernanceReminder)
            .where(GovernanceReminder.community_id == community.id)
            .order_by(GovernanceReminder.id.desc())
            .limit(limit)
        )
    )
