"""The meeting's announcement (公告), and the gates it sets for opening the vote: one mechanism for every meeting.

Law: the time, form and content of an assembly meeting, its matters and candidates, are announced at least 15 days
before it (national Property Management Regulations Art 14; Shaoxing Art 13 ¶3); the assembly decides only on
announced matters; owners' objections to the announcement are answered before voting opens (DOMAIN §7 item 7).
Whoever convenes (a preparatory group, a property management committee, an owners' committee, a re-election group),
the same rules hold, so they are checked here, where the vote opens (`check_before_opening`, called by
`app.voting.meetings.open_voting`), not only when a meeting is scheduled:

- the meeting was announced, and what it puts to the vote now is exactly what was announced: the SHA-256 of its
  announced content (window, channels, matters with their texts, candidates, election rules) is compared with the
  meeting as it stands (`content_fingerprint`); any change after the announcement needs a new one, and the 15 days
  start again;
- voting opens no earlier than `app.rules.preparation.earliest_meeting` of the announcement day (15 whole days
  between them, and the announcement's own 5-working-day notice served): announced Thu 2026-10-01 → voting opens
  on Sat 2026-10-17 at the earliest; on Fri 10-16 it is refused, naming 10-17;
- no objection to the announcement is left unanswered.

The first meeting's content is announced by the preparatory group's documents (app.preparation.notices); when the
meeting is made from them (`app.voting.meetings.first_meeting`) it records that announcement (`record_announcement`:
the day the last of them was published). A later meeting is announced on its own page (`announce`), which publishes
one notice with the whole content.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.db_types import SHANGHAI
from app.errors import DomainError
from app.extensions import db
from app.preparation import notices
from app.preparation.models import Notice, NoticeObjection
from app.rules.preparation import earliest_meeting
from app.voting.election_words import in_chinese
from app.voting.models import Meeting
from crypto.canonical import canonical_json, sha256_hex

#: the notice kind of a meeting's own announcement
ANNOUNCEMENT_KIND = "meeting_announcement"
#: the settings that change how the vote is counted, announced with the election rules
ANNOUNCED_SETTINGS = (
    "count_parking",
    "blank_and_invalid_take_part",
    "rank_by",
    "alternates_list",
    "by_election",
    "tie_rule",
)
CHANNEL_WORDS = {"phone,paper": "网络投票和书面表决票", "phone": "网络投票", "paper": "书面表决票"}


def announced_content(meeting: Meeting) -> dict[str, Any]:
    """Everything owners must be told before they vote, in a canonical shape (no floats, stable order)."""
    return {
        "title": meeting.title,
        "opens_at": meeting.opens_at.astimezone(SHANGHAI).isoformat(timespec="minutes"),
        "closes_at": meeting.closes_at.astimezone(SHANGHAI).isoformat(timespec="minutes"),
        "channels": meeting.channels,
        "settings": {key: meeting.settings.get(key) for key in ANNOUNCED_SETTINGS if key in meeting.settings},
        "matters": [
            {
                "position": matter.position,
                "kind": matter.kind,
                "category": matter.category,
                "title": matter.title,
                "text_sha256": sha256_hex((matter.text or "").encode()),
                "seats": matter.seats,
                "max_alternates": matter.max_alternates,
                "candidates": [
                    {"candidate_id": c.candidate_id, "name": c.name, "units": c.unit_labels} for c in matter.candidates
                ],
                **({"list": matter.list_part} if matter.list_part else {}),
                **({"runoff": matter.runoff} if matter.runoff else {}),
            }
            for matter in meeting.matters
        ],
    }


def content_fingerprint(meeting: Meeting) -> str:
    """SHA-256 of the canonical JSON (RFC 8785) of `announced_content`."""
    return sha256_hex(canonical_json(announced_content(meeting)))


def announcement_text(meeting: Meeting) -> str:
    """The announcement as posted: time, form, matters with their texts, candidates and election rules (Chinese)."""
    content = announced_content(meeting)
    lines = [
        f"会议名称：{meeting.title}",
        f"表决时间：{content['opens_at'].replace('T', ' ')} 至 {content['closes_at'].replace('T', ' ')}",
        f"表决方式：{CHANNEL_WORDS.get(meeting.channels, meeting.channels)}",
        "表决事项：",
    ]
    for matter in meeting.matters:
        lines.append(f"{matter.position}. {matter.title}")
        if matter.kind == "election":
            lines.append(f"   {in_chinese(matter)}，每张选票最多选 {matter.marks} 人；候选人：")
            lines.extend(f"   {c.position}) {c.name}（{c.unit_labels}）" for c in matter.candidates)
        elif matter.text:
            lines.append(matter.text)
    lines.append("业主大会仅就本公告所列事项作出决定。业主对本公告有异议的，请在公告期内向召集人书面提出。")
    return "\n".join(lines)


def announce(meeting: Meeting, starts_on: date, user_id: int | None, *, recorded_on: date | None = None) -> Notice:
    """Announce the meeting as it stands: one notice with its whole content; the 15 days run from ``starts_on``.

    Announcing again (after a change) replaces the announcement: the 15 days start again from the new one.
    """
    if meeting.status != "draft":
        raise DomainError("meeting_opened", _l("Voting has opened: the announcement is final."), status=409)
    if not meeting.matters:
        raise DomainError("no_matters", _l("Add the matters to vote on before announcing the meeting."), status=409)
    community = db.session.get_one(Community, meeting.community_id)
    title = f"{community.name}业主大会会议公告"
    notice = notices.publish_text(
        community,
        meeting.group_id,
        ANNOUNCEMENT_KIND,
        title,
        announcement_text(meeting),
        starts_on,
        user_id,
        recorded_on=recorded_on,
    )
    record_announcement(meeting, starts_on, notice)
    return notice


def record_announcement(meeting: Meeting, announced_on: date, notice: Notice | None) -> None:
    """Keep the day and the fingerprint of what was announced (audited)."""
    meeting.announced_on = announced_on
    meeting.announcement_sha256 = content_fingerprint(meeting)
    meeting.announcement_notice_id = notice.id if notice is not None else None
    db.session.flush()
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(
        "meeting.announce",
        "meeting",
        meeting.id,
        {"announced_on": announced_on.isoformat(), "sha256": meeting.announcement_sha256},
        township_id=community.township_id,
        community_id=community.id,
    )


def changed_since_announcement(meeting: Meeting) -> bool:
    """Whether the meeting differs from what was announced (the page warns before a change, and after it)."""
    return meeting.announcement_sha256 is not None and meeting.announcement_sha256 != content_fingerprint(meeting)


def earliest_opening(meeting: Meeting) -> date | None:
    """The first day voting may open: `earliest_meeting` of the announcement day (None before any announcement)."""
    if meeting.announced_on is None:
        return None
    return earliest_meeting(current_calendar(), meeting.announced_on)


def _open_objections(meeting: Meeting) -> int:
    """Unanswered objections to the meeting's announcement: its own notice, and for the first meeting the group's
    announced documents (Shaoxing Art 13 ¶3)."""
    query = select(NoticeObjection.id).join(Notice, Notice.id == NoticeObjection.notice_id)
    if meeting.group_id is not None:
        kinds = (*notices.ANNOUNCED_BEFORE_MEETING, ANNOUNCEMENT_KIND)
        query = query.where(Notice.group_id == meeting.group_id, Notice.kind.in_(kinds))
    else:
        query = query.where(Notice.id == meeting.announcement_notice_id)
    return len(db.session.scalars(query.where(NoticeObjection.status == "open")).all())


def check_before_opening(meeting: Meeting) -> None:
    """Refuse to open the vote unless every gate of the announcement holds (module docstring); each refusal names
    the rule and, where there is one, the day from which the act becomes possible."""
    if meeting.announced_on is None or meeting.announcement_sha256 is None:
        raise DomainError(
            "not_announced",
            _l(
                "Announce the meeting's time, form, matters and candidates first: voting opens at least 15 days "
                "after the announcement (Property Management Regulations Art 14; Shaoxing Art 13)."
            ),
            status=409,
        )
    if changed_since_announcement(meeting):
        raise DomainError(
            "changed_since_announcement",
            _l(
                "The meeting was changed after its announcement of %(day)s: announce it again; the 15 days start "
                "again from the new announcement.",
                day=meeting.announced_on,
            ),
            status=409,
        )
    earliest = earliest_opening(meeting)
    opens_on = meeting.opens_at.astimezone(SHANGHAI).date()
    if earliest is not None and opens_on < earliest:
        raise DomainError(
            "announcement_too_recent",
            _l(
                "Announced on %(announced)s, voting can open on %(day)s at the earliest (15 days after the "
                "announcement, Shaoxing Art 13); move the window or wait.",
                announced=meeting.announced_on,
                day=earliest,
            ),
            status=409,
        )
    if _open_objections(meeting):
        raise DomainError(
            "announcement_objections_open",
            _l("Answer every objection to the announcement before voting opens (Shaoxing Art 13)."),
            status=409,
        )
