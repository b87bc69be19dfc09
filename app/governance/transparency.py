"""What a body makes public for the owners (Shaoxing Art 23), and its decisions within 3 days (Shaoxing Art 21 ¶3).

- Art 23 lists what the committee publishes and lets owners consult: (1) the rules of procedure and the covenant,
  (2) the decisions of the assembly and of the committee, (3) the property service contract, (4) the raising and use
  of the maintenance fund, (5) parking on common land and other common income, (6) the income and expenses of the
  assembly's and committee's working funds, (7) the members' and staff's contacts. `CATEGORIES` follows that list.
- Art 21 ¶3: 业主委员会应当在作出决定之日起三日内将会议情况以及决定事项公示. A decision is recorded with the day it
  was made; its clock (`due_on`, Civil Code Arts 201 and 203 as every "within N days") runs until it is published,
  reminded like the other governance clocks (app.governance.reminders), and shown late once past.
- The body in office publishes through its own accounts (DOMAIN §7 item 10); the property management committee does
  as the committee does (it acts under the same rules, Shaoxing Art 16 ¶3). Each act is audited.
- The public page (/c/<token>, no login: `public_token`) shows what is published, newest first, with the assembly's
  certified results. A publication is never edited or deleted: a correction replaces it, and the replaced one is
  kept, marked so.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import bodies
from app.governance.transparency_models import Publication
from app.roll.services import today
from app.rules.calendar import CalendarMissing, deadline
from app.text import optional_text, required_text

#: Shaoxing Art 21 ¶3: a decision is published within 3 days of the day it was made
PUBLISH_WITHIN_DAYS = 3
CATEGORIES: dict[str, Any] = {
    "rules": _l("Rules of procedure and covenant (Shaoxing Art 23 (1))"),
    "decision": _l("Decisions of the assembly and of the committee (Shaoxing Art 23 (2))"),
    "contract": _l("Property service contract (Shaoxing Art 23 (3))"),
    "maintenance_fund": _l("Maintenance fund: raising and use (Shaoxing Art 23 (4))"),
    "common_income": _l("Parking on common land and other common income (Shaoxing Art 23 (5))"),
    "expenses": _l("Working funds: income and expenses (Shaoxing Art 23 (6))"),
    "contacts": _l("Members' and staff's contacts (Shaoxing Art 23 (7))"),
}


def public_token(community: Community) -> str:
    """The community's public address, made on first use."""
    if community.public_token is None:
        community.public_token = secrets.token_urlsafe(16)
        db.session.flush()
    return community.public_token


def due_on(publication: Publication) -> date | None:
    """The last day to publish a decision (None for the other items, or a year without a holiday calendar)."""
    if publication.decided_on is None:
        return None
    try:
        return deadline(current_calendar(), publication.decided_on, PUBLISH_WITHIN_DAYS)
    except CalendarMissing:
        return None


def is_late(publication: Publication, on: date) -> bool:
    """Whether a decision is (or was) published after its 3 days, or is still unpublished past them."""
    due = due_on(publication)
    return due is not None and (publication.published_on or on) > due


def record(
    community: Community,
    category: str,
    title: str,
    text: str,
    decided_on: date | None,
    publish_on: date | None,
    user_id: int | None,
    *,
    replaces: Publication | None = None,
) -> Publication:
    """Record an item of the body in office: a decision with the day it was made (required), or a document of the Art
    23 list; published at once when ``publish_on`` is given, else kept for `publish` (a decision's clock runs)."""
    body = bodies.in_office(community)
    if body is None:
        raise DomainError("no_body", _l("The community has no committee in office."), status=409)
    if category not in CATEGORIES:
        raise DomainError("invalid_category", _l("Choose what is published (Shaoxing Art 23)."), field="category")
    if category == "decision" and decided_on is None:
        raise DomainError("decided_on_missing", _l("Give the day the decision was made."), field="decided_on")
    if decided_on is not None and decided_on > today():
        raise DomainError("date_in_future", _l("This date lies in the future."), field="decided_on")
    if decided_on is not None and publish_on is not None and publish_on < decided_on:
        raise DomainError(
            "published_before_decided", _l("A decision is published on or after the day it is made."), field="on"
        )
    if replaces is not None and (replaces.community_id != community.id or replaces.replaced):
        raise DomainError("not_replaceable", _l("Only a current item of this community is corrected."), status=409)
    publication = Publication(
        community_id=community.id,
        body_id=body.id,
        category=category,
        title=required_text(title, "title", 200),
        text=optional_text(text, "text", 20000, multiline=True),
        decided_on=decided_on if category == "decision" else None,
        published_on=publish_on,
        replaces_id=replaces.id if replaces is not None else None,
        recorded_by_id=user_id,
    )
    if replaces is not None:
        replaces.replaced = True
    db.session.add(publication)
    db.session.flush()
    audit.record(
        "publication.record",
        "publication",
        publication.id,
        {
            "category": category,
            "title": publication.title,
            "decided_on": publication.decided_on.isoformat() if publication.decided_on else None,
            "published_on": publish_on.isoformat() if publish_on else None,
            "replaces": publication.replaces_id,
        },
        township_id=community.township_id,
        community_id=community.id,
    )
    return publication


def publish(publication: Publication, on: date, user_id: int | None) -> Publication:
    """Publish an item recorded earlier (a decision's 3 days are checked against ``on``: late is said, not refused)."""
    if publication.published_on is not None:
        raise DomainError("already_published", _l("This item is published already."), status=409)
    if publication.decided_on is not None and on < publication.decided_on:
        raise DomainError(
            "published_before_decided", _l("A decision is published on or after the day it is made."), field="on"
        )
    publication.published_on = on
    db.session.flush()
    community = db.session.get_one(Community, publication.community_id)
    audit.record(
        "publication.publish",
        "publication",
        publication.id,
        {"published_on": on.isoformat(), "late": is_late(publication, on)},
        township_id=community.township_id,
        community_id=community.id,
    )
    return publication


def items(community: Community, *, published_only: bool) -> list[Publication]:
    """The community's items, newest first (the replaced ones included, marked)."""
    query = select(Publication).where(Publication.community_id == community.id)
    if published_only:
        query = query.where(Publication.published_on.is_not(None))
    return list(db.session.scalars(query.order_by(Publication.id.desc())))


def unpublished_decisions(community: Community) -> list[Publication]:
    """Decisions recorded and not yet published: their 3-day clocks run (app.governance.reminders)."""
    return list(
        db.session.scalars(
            select(Publication).where(
                Publication.community_id == community.id,
                Publication.category == "decision",
                Publication.published_on.is_(None),
                Publication.replaced.is_(False),
            )
        )
    )
