"""Whom an owner calls when the ballot's pages refuse them (issue 19): a locked link, a link that no longer works, a
window not open, a page that failed. Every such page names a person or a number, never only "ask someone".

The number, in this order (the same as the letter prints: app.voting.letters.help_phone):

1. the meeting's contact phone (``Meeting.contact_phone``: whom owners call about the vote, set by the convener on
   the meeting or its letters page; a meeting made from the preparatory group's plan starts with its leader's
   contact);
2. for a meeting of the preparatory group (its own, or the first meeting, convened before any body exists), the
   group leader and the public contact the members' notice lists (Shaoxing Art 12 ¶2);
3. else nobody is known: the page says to ask the preparatory group or the residents' committee.

Nothing here reads a voter's data: the help is the same for every owner of the meeting, so showing it before the
second factor tells nothing about anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.preparation.models import GroupMember, PreparatoryGroup
from app.voting.models import Meeting

#: what a dialable number looks like (0575-87010000, 138 0000 0000, +86 …): it becomes a tel: link
_DIALABLE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,30}$")


@dataclass(frozen=True)
class HelpContact:
    """Whom to call: ``phone`` (any public contact text; may be empty), and ``leader``, the preparatory group
    leader's name, when it is their contact rather than the meeting's number; both empty: nobody is recorded."""

    phone: str
    leader: str = ""

    @property
    def tel(self) -> str:
        """The number for a tel: link (digits and a leading +), or "" when the contact is not a phone number."""
        if not _DIALABLE.match(self.phone):
            return ""
        return ("+" if self.phone.startswith("+") else "") + "".join(ch for ch in self.phone if ch.isdigit())


NOBODY = HelpContact("")


def group_leader(meeting: Meeting) -> GroupMember | None:
    """The leader of the convening preparatory group: the meeting's own group, or (a meeting convened by no body,
    i.e. the first one) the community's latest group."""
    group_id = meeting.group_id
    if group_id is None and meeting.body_id is None:
        group_id = db.session.scalar(
            select(PreparatoryGroup.id)
            .where(PreparatoryGroup.community_id == meeting.community_id)
            .order_by(PreparatoryGroup.number.desc())
            .limit(1)
        )
    if group_id is None:
        return None
    return db.session.scalars(
        select(GroupMember).where(GroupMember.group_id == group_id, GroupMember.is_leader.is_(True)).limit(1)
    ).first()


def help_contact(meeting: Meeting) -> HelpContact:
    """Whom the meeting's owners call (module docstring: its contact phone, the group leader's contact, or nobody)."""
    if meeting.contact_phone.strip():
        return HelpContact(meeting.contact_phone.strip())
    leader = group_leader(meeting)
    if leader is not None:
        return HelpContact(leader.contact.strip(), leader.name)
    return NOBODY
