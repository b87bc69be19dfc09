"""Objections an owner files from their phone (issue 20 item 3): to the roll during its notice, to a notice or a
meeting's announcement, and to a preliminary result. They go into the same tables and queues as the objections staff
record (app.roll.services, app.preparation.notices, app.results.certification), answered there; the owner sees each
one's number and answer on their page.

When an owner may object (DOMAIN §7, §9):
- the roll: while a published version's notice runs (Shaoxing Art 9: 5 working days, from its first day to the last
  day the notice names), and not once it is frozen;
- a notice: while it runs; and an announcement that gates a meeting (the first meeting's documents, a later meeting's
  announcement) until that meeting's voting opens, since its objections must be answered before (Art 13 ¶3);
- a result: while it is published for objections (at least 5 working days).
Each objection names its owner (the roll's name and unit, as staff record them); the photo, if any, is re-encoded
(app.images) and shown to the owner and to the staff who answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.errors import DomainError
from app.extensions import db
from app.images import reencoded_jpeg
from app.owners.identity import MyCommunity
from app.preparation import notices as notice_services
from app.preparation.models import Notice, NoticeObjection
from app.results import certification
from app.results.models import Result, ResultObjection
from app.roll import services as roll_services
from app.roll.models import RollObjection, RollVersion
from app.voting.meetings import window_state
from app.voting.models import Meeting

#: the longest side of an objection's photo: enough to read a certificate
PHOTO_SIDE = 1600
#: the prefix of each kind's number (名册 / 公示 / 结果), so that "MC-12" says what it objects to
PREFIXES = {"roll": "MC", "notice": "GS", "result": "JG"}
KIND_LABELS: dict[str, Any] = {
    "roll": _l("The owner roll"),
    "notice": _l("A notice or announcement"),
    "result": _l("A preliminary result"),
}


@dataclass(frozen=True)
class FiledObjection:
    """One of my objections as my page shows it."""

    kind: str
    id: int
    subject: str
    unit_label: str
    text: str
    filed_at: datetime | date
    #: open, answered, accepted (the roll was corrected) or rejected
    status: str
    answer: str | None
    answered_at: datetime | None
    has_photo: bool

    @property
    def number(self) -> str:
        return objection_number(self.kind, self.id)


def objection_number(kind: str, objection_id: int) -> str:
    """The number an objection is known by, to its owner and to the staff: MC-12 (the roll), GS-7, JG-3."""
    return f"{PREFIXES[kind]}-{objection_id}"


def roll_under_notice(community_id: int, today: date) -> RollVersion | None:
    """The community's published roll version whose notice runs today and which is not frozen, if any."""
    return db.session.scalars(
        select(RollVersion)
        .where(
            RollVersion.community_id == community_id,
            RollVersion.published_at.is_not(None),
            RollVersion.frozen_at.is_(None),
            RollVersion.notice_starts_on <= today,
            RollVersion.notice_ends_on >= today,
        )
        .order_by(RollVersion.number.desc())
        .limit(1)
    ).first()


def _gates_unopened_meeting(notice: Notice) -> bool:
    gates = [Meeting.announcement_notice_id == notice.id]
    if notice.group_id is not None:
        gates.append(Meeting.group_id == notice.group_id)
    gated = select(Meeting).where(Meeting.community_id == notice.community_id, or_(*gates))
    return any(window_state(meeting) in ("not_open", "before") for meeting in db.session.scalars(gated))


def notices_open(community_id: int, today: date) -> list[Notice]:
    """The community's notices an owner may object to today (module docstring), newest first."""
    started = db.session.scalars(
        select(Notice)
        .where(Notice.community_id == community_id, Notice.starts_on <= today)
        .order_by(Notice.id.desc())
        .limit(50)
    )
    return [n for n in started if today <= n.ends_on or _gates_unopened_meeting(n)]


def results_open(community_id: int, today: date) -> list[Result]:
    """The community's results published for objections whose notice runs today."""
    return list(
        db.session.scalars(
            select(Result)
            .join(Meeting, Meeting.id == Result.meeting_id)
            .where(Meeting.community_id == community_id, Result.status == "published", Result.objections_until >= today)
            .order_by(Result.id.desc())
        )
    )


def _my_unit(mine: MyCommunity, unit_label: str) -> str:
    labels = [unit.label for unit in mine.units]
    if unit_label not in labels:
        raise DomainError("invalid_unit", _l("Choose one of your units."), field="unit_label")
    return unit_label


def _photo(photo: bytes | None) -> bytes | None:
    return reencoded_jpeg(photo, PHOTO_SIDE) if photo else None


def _owners(objection: Any, mine: MyCommunity, photo: bytes | None) -> Any:
    """The objection a staff service recorded, marked as filed by its owner, with its photo."""
    objection.owner_lookup, objection.photo = mine.owner_lookup, photo
    objection.photo_type = "image/jpeg" if photo else None
    db.session.flush()
    return objection


def _closed(message: Any) -> DomainError:
    return DomainError("objections_closed", message, status=409)


def file_roll_objection(
    mine: MyCommunity, unit_label: str, text: str, photo: bytes | None, today: date
) -> RollObjection:
    """Object to my entry on the roll under notice (the unit, its area, its owners, who represents it)."""
    version = roll_under_notice(mine.community.id, today)
    if version is None:
        raise _closed(_l("No roll notice runs today: objections to the roll are taken while it is published."))
    photo_data = _photo(photo)
    objection = roll_services.record_objection(version, _my_unit(mine, unit_label), mine.name, text, None)
    return _owners(objection, mine, photo_data)


def file_notice_objection(
    mine: MyCommunity, notice_id: int, unit_label: str, text: str, photo: bytes | None, today: date
) -> NoticeObjection:
    """Object to a notice or announcement of my community that still takes objections."""
    notice = next((n for n in notices_open(mine.community.id, today) if n.id == notice_id), None)
    if notice is None:
        raise _closed(_l("This notice takes no more objections."))
    photo_data = _photo(photo)
    objection = notice_services.record_objection(notice, mine.name, _my_unit(mine, unit_label), text, None)
    return _owners(objection, mine, photo_data)


def file_result_objection(
    mine: MyCommunity, result_id: int, unit_label: str, text: str, photo: bytes | None, today: date
) -> ResultObjection:
    """Object to a preliminary result of my community while its notice runs."""
    result = next((r for r in results_open(mine.community.id, today) if r.id == result_id), None)
    if result is None:
        raise _closed(_l("This result takes no more objections."))
    photo_data = _photo(photo)
    objector = f"{mine.name}（{_my_unit(mine, unit_label)}）"
    objection = certification.record_objection(result, objector, text, today, None)
    return _owners(objection, mine, photo_data)


def _recorded(kind: str, objection: RollObjection | NoticeObjection, subject: str) -> FiledObjection:
    """A roll's or a notice's objection (their columns are alike) as my page shows it."""
    return FiledObjection(
        kind,
        objection.id,
        subject,
        objection.unit_label,
        objection.description,
        objection.recorded_at,
        objection.status,
        objection.answer,
        objection.answered_at,
        objection.photo_type is not None,
    )


def filed_by(mine: MyCommunity) -> list[FiledObjection]:
    """Every objection I filed in this community, newest first, with its answer."""
    lookup = mine.owner_lookup
    community_id = mine.community.id
    found: list[FiledObjection] = []
    for objection, version in db.session.execute(
        select(RollObjection, RollVersion)
        .join(RollVersion, RollVersion.id == RollObjection.roll_version_id)
        .where(RollVersion.community_id == community_id, RollObjection.owner_lookup == lookup)
    ):
        found.append(_recorded("roll", objection, str(_l("Owner roll, version %(n)d", n=version.number))))
    for objection, notice in db.session.execute(
        select(NoticeObjection, Notice)
        .join(Notice, Notice.id == NoticeObjection.notice_id)
        .where(Notice.community_id == community_id, NoticeObjection.owner_lookup == lookup)
    ):
        found.append(_recorded("notice", objection, notice.title))
    for objection, meeting in db.session.execute(
        select(ResultObjection, Meeting)
        .join(Result, Result.id == ResultObjection.result_id)
        .join(Meeting, Meeting.id == Result.meeting_id)
        .where(Meeting.community_id == community_id, ResultObjection.owner_lookup == lookup)
    ):
        found.append(
            FiledObjection(
                "result",
                objection.id,
                meeting.title,
                "",
                objection.text,
                objection.received_on,
                "open" if objection.answer is None else "answered",
                objection.answer,
                objection.answered_at,
                objection.photo_type is not None,
            )
        )
    return sorted(found, key=lambda o: (str(o.filed_at), o.id), reverse=True)


MODELS: dict[str, Any] = {"roll": RollObjection, "notice": NoticeObjection, "result": ResultObjection}


def community_of_objection(kind: str, objection: Any) -> int:
    """The community an objection of ``kind`` belongs to."""
    if kind == "roll":
        return db.session.get_one(RollVersion, objection.roll_version_id).community_id
    if kind == "notice":
        return db.session.get_one(Notice, objection.notice_id).community_id
    meeting = db.session.get_one(Meeting, db.session.get_one(Result, objection.result_id).meeting_id)
    return meeting.community_id
