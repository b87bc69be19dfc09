"""Public notices (公示/公告) of the preparation's documents, and the owners' objections to them.

Shaoxing Art 9: a notice stays up at least 5 working days. Art 13 ¶3: the checklist's content is announced at least
15 days before the first meeting, and the group records and answers owners' objections. A notice freezes the
document's text as published, with its SHA-256, so that what owners saw can be shown later.

Choice made here: objections are recorded by the group for the owner (in writing, by phone or at the notice board),
as for the roll; owners' own online objections wait for their personal links (the voting issue).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.preparation import documents
from app.preparation.common import calendar_error, scope, today
from app.preparation.models import Candidate, CandidateListReview, Notice, NoticeObjection, PreparatoryGroup
from app.rules.calendar import CalendarMissing, notice_end
from app.rules.preparation import NOTICE_WORKING_DAYS, earliest_meeting
from app.text import required_text

#: a paper notice posted on a Friday may be recorded on the Monday; a notice dated further back would let a group
#: claim periods that never ran (the 15 days and 5 working days are counted from the start day)
MAX_BACKDATE_DAYS = 3

#: the documents a notice can publish; "other" takes its title and text from the group
KINDS: dict[str, Any] = {
    "members": _l("Members of the preparatory group"),
    "meeting": _l("Time, form and content of the meeting"),
    "rules_of_procedure": _l("Draft rules of procedure"),
    "covenant": _l("Draft management covenant"),
    "voting_rules": _l("Voting rules"),
    "election_rules": _l("Election rules"),
    "candidate_list": _l("Candidate list"),
    "funding": _l("First-meeting funding"),
    "other": _l("Other document"),
}

#: every kind a notice can have, for its label: the group's documents and a meeting's own announcement
#: (app.voting.announcement), which is published from the meeting's page, not from the group's form
LABELS: dict[str, Any] = {**KINDS, "meeting_announcement": _l("Announcement of the assembly meeting")}
#: Chinese titles as printed on the notice board
TITLES = {
    "members": "业主大会筹备组成员公告",
    "meeting": "首次业主大会会议时间、形式和内容公告",
    "rules_of_procedure": "业主大会议事规则（草案）公告",
    "covenant": "管理规约（草案）公告",
    "voting_rules": "首次业主大会会议表决规则公告",
    "election_rules": "业主委员会选举办法公告",
    "candidate_list": "业主委员会委员、候补委员候选人名单公告",
    "funding": "首次业主大会筹备经费公告",
}

#: what Art 13 ¶3 requires to be announced 15 days before the first meeting (the roll is published in the roll module)
ANNOUNCED_BEFORE_MEETING = (
    "meeting",
    "rules_of_procedure",
    "covenant",
    "voting_rules",
    "election_rules",
    "candidate_list",
)


def approved_review(group: PreparatoryGroup) -> CandidateListReview | None:
    return db.session.scalars(
        select(CandidateListReview)
        .where(CandidateListReview.group_id == group.id, CandidateListReview.decision == "approved")
        .order_by(CandidateListReview.id.desc())
        .limit(1)
    ).first()


def document_text(group: PreparatoryGroup, kind: str) -> str:
    """The current text of a document; a DomainError when it is not ready to publish."""
    community = db.session.get(Community, group.community_id)
    plan = group.plan
    if group.formed_on is None or plan is None or community is None:
        raise DomainError("group_not_formed", _l("Form the group first."), status=409)
    if kind == "members":
        return documents.members_text(group)
    if kind == "meeting":
        if plan.meeting_starts_on is None or not plan.meeting_content:
            raise DomainError("meeting_not_planned", _l("Set the meeting's dates and content first."), status=409)
        return documents.meeting_text(plan)
    if kind in ("rules_of_procedure", "covenant"):
        text = plan.rules_text if kind == "rules_of_procedure" else plan.covenant_text
        if not text:
            raise DomainError("document_empty", _l("Draft this document from its model text first."), status=409)
        return text
    if kind == "voting_rules":
        return documents.voting_rules_text(plan)
    if kind == "election_rules":
        return documents.election_rules_text(plan)
    if kind == "candidate_list":
        if approved_review(group) is None:
            raise DomainError(
                "list_not_approved",
                _l("The township must approve the candidate list before it is published."),
                status=409,
            )
        return documents.candidate_list_text(group)
    if kind == "funding":
        return documents.funding_text(community, plan)
    raise DomainError("invalid_notice_kind", _l("Unknown kind of notice."), field="kind")


def publish(
    group: PreparatoryGroup,
    kind: str,
    starts_on: date,
    user_id: int | None,
    title: str = "",
    body: str = "",
    *,
    recorded_on: date | None = None,
) -> Notice:
    """Publish a document as a notice from ``starts_on`` for at least 5 working days (Art 9).

    ``starts_on`` may lie up to `MAX_BACKDATE_DAYS` before the day it is recorded (a paper notice recorded
    afterwards); the audit event keeps both days. ``recorded_on`` is that day: today, except when the demo or a test
    replays a history. The members' notice also records when the members were announced (Art 12 ¶2).
    """
    if kind not in KINDS:
        raise DomainError("invalid_notice_kind", _l("Unknown kind of notice."), field="kind")
    if group.dissolved_on is not None:
        raise DomainError("group_dissolved", _l("This group has been dissolved."), status=409)
    if kind == "other":
        title, text = required_text(title, "title", 200), required_text(body, "body", 20000, multiline=True)
    else:
        title, text = TITLES[kind], document_text(group, kind)
    if group.formed_on is not None and starts_on < group.formed_on:
        raise DomainError(
            "notice_before_formation", _l("A notice cannot start before the group was formed."), field="starts_on"
        )
    community = db.session.get_one(Community, group.community_id)
    notice = publish_text(community, group.id, kind, title, text, starts_on, user_id, recorded_on=recorded_on)
    if kind == "members" and group.members_announced_on is None:
        group.members_announced_on = starts_on
    return notice


def publish_text(
    community: Community,
    group_id: int | None,
    kind: str,
    title: str,
    text: str,
    starts_on: date,
    user_id: int | None,
    *,
    recorded_on: date | None = None,
) -> Notice:
    """Publish ``text`` as a notice of ``community`` from ``starts_on`` for at least 5 working days (Shaoxing Art 9),
    frozen with its SHA-256; any convener's notice (a preparatory group's documents, a meeting's announcement)."""
    recorded_on = recorded_on or today()
    if recorded_on > today() or starts_on < recorded_on - timedelta(days=MAX_BACKDATE_DAYS):
        raise DomainError(
            "notice_backdated",
            _l(
                "A notice can be recorded at most %(n)d days after it was posted; post it again from today.",
                n=MAX_BACKDATE_DAYS,
            ),
            field="starts_on",
        )
    try:
        ends_on = notice_end(current_calendar(), starts_on, NOTICE_WORKING_DAYS)
    except CalendarMissing as error:
        raise calendar_error(error) from error
    notice = Notice(
        community_id=community.id,
        group_id=group_id,
        kind=kind,
        title=title,
        body=text,
        body_sha256=hashlib.sha256(text.encode()).hexdigest(),
        starts_on=starts_on,
        ends_on=ends_on,
        token=secrets.token_urlsafe(16),
        published_by_id=user_id,
    )
    db.session.add(notice)
    db.session.flush()
    audit.record(
        "notice.publish",
        "notice",
        notice.id,
        {
            "kind": kind,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "recorded_on": recorded_on.isoformat(),
            "sha256": notice.body_sha256,
        },
        **scope(community),
    )
    return notice


def earliest_meeting_after(notice: Notice) -> date | None:
    """The earliest meeting day this notice allows (Art 13 ¶3 and Art 9), or None without the year's calendar."""
    try:
        return earliest_meeting(current_calendar(), notice.starts_on)
    except CalendarMissing:
        return None


def latest_notices(group: PreparatoryGroup) -> dict[str, Notice]:
    """The latest notice of each kind of this group."""
    latest: dict[str, Notice] = {}
    for notice in db.session.scalars(select(Notice).where(Notice.group_id == group.id).order_by(Notice.id)):
        latest[notice.kind] = notice
    return latest


def _community_of(notice: Notice) -> Community:
    community = db.session.get_one(Community, notice.community_id)
    return community


def record_objection(
    notice: Notice,
    objector_name: str,
    unit_label: str,
    description: str,
    user_id: int | None,
    candidate_id: int | None = None,
) -> NoticeObjection:
    """Record an owner's objection to a notice, or to one candidate of a candidate-list notice (Art 13 ¶3)."""
    if candidate_id is not None:
        candidate = db.session.get(Candidate, candidate_id)
        group = db.session.get(PreparatoryGroup, notice.group_id) if notice.group_id is not None else None
        review = approved_review(group) if group is not None else None
        if (
            notice.kind != "candidate_list"
            or candidate is None
            or candidate.group_id != notice.group_id
            or review is None
            or candidate.id not in review.candidate_ids
        ):
            raise DomainError("invalid_candidate", _l("This candidate is not on this notice."), field="candidate_id")
    objection = NoticeObjection(
        notice_id=notice.id,
        candidate_id=candidate_id,
        objector_name=required_text(objector_name, "objector_name", 64),
        unit_label=required_text(unit_label, "unit_label", 100),
        description=required_text(description, "description", 2000, multiline=True),
        recorded_by_id=user_id,
    )
    db.session.add(objection)
    db.session.flush()
    audit.record(
        "notice.objection_record",
        "notice_objection",
        objection.id,
        {"notice": notice.id, "kind": notice.kind, "candidate": candidate_id, "unit": objection.unit_label},
        **scope(_community_of(notice)),
    )
    return objection


def answer_objection(objection: NoticeObjection, answer: str, user_id: int | None) -> NoticeObjection:
    """Answer an objection (Art 13 ¶3: 筹备组应当记录并作出答复); it stays on record with the notice."""
    if objection.status != "open":
        raise DomainError("objection_answered", _l("This objection has been answered already."), status=409)
    objection.answer = required_text(answer, "answer", 2000, multiline=True)
    objection.status = "answered"
    objection.answered_by_id, objection.answered_at = user_id, utcnow()
    db.session.flush()
    audit.record(
        "notice.objection_answer",
        "notice_objection",
        objection.id,
        {"notice": objection.notice_id},
        **scope(_community_of(objection.notice)),
    )
    return objection


def open_objection_count(group: PreparatoryGroup) -> int:
    return len(
        db.session.scalars(
            select(NoticeObjection.id)
            .join(Notice, Notice.id == NoticeObjection.notice_id)
            .where(Notice.group_id == group.id, NoticeObjection.status == "open")
        ).all()
    )
