"""Owners learn of every ballot cast in their name, and of every staff act that could let someone cast one, through
a channel staff do not hold: a text message to the phone the roll records for them (issue 16 item 2; DOMAIN §8).

Sent when:
- a ballot is counted for the voter, whatever its channel (phone, paper, proxy): `ballot_counted`;
- a new letter replaces one already issued (a reissue), and a proxy's link is issued: `letter_reissued`,
  `proxy_link_issued`;
- the owner's full ID number is shown to a staff member: `id_revealed`.

Each message names the meeting and the help phone to call if it was not the owner ("不是我本人"): the meeting's
contact phone, else the township's office. A message never holds a choice, a receipt, a token or a code.

A message that cannot be sent (no phone on the roll, the platform's no-SMS mode, the provider refusing) never stops
the act: a ballot is never lost to a text message. It is audited as unsent with the reason (`owner_notice.unsent`),
so the township sees which owners were not told; in the no-SMS mode owners learn of their ballot only by checking
it (app.results.inclusion) and the township's list of assisted ballots (app.voting.assisted) is the safeguard.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from app.audit import services as audit
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt, mask_name
from app.voting.models import Meeting, MeetingVoter
from app.voting.sms import sms_backend, sms_disabled

log = logging.getLogger(__name__)

CHANNEL_WORDS = {"phone": "手机", "paper": "纸质", "proxy": "代理人"}


def help_words(meeting: Meeting) -> str:
    """Whom to call: the meeting's contact phone, or the township office."""
    return f"请致电 {meeting.contact_phone}" if meeting.contact_phone else "请联系所在街道（乡镇）"


def _scope(meeting: Meeting) -> dict[str, Any]:
    community = db.session.get_one(Community, meeting.community_id)
    return {"township_id": community.township_id, "community_id": community.id}


def _send(meeting: Meeting, phone_cipher: bytes | None, kind: str, body: str, about: dict[str, Any]) -> bool:
    """Send ``body`` to the phone, or audit why not; never raises for a message that could not go."""
    reason = None
    if phone_cipher is None:
        reason = "no_phone"
    elif sms_disabled():
        reason = "no_sms"
    else:
        try:
            with db.session.begin_nested():
                sms_backend().send(meeting.id, decrypt(phone_cipher), body, limited=False)
        except DomainError as error:
            reason = error.code
        except Exception:  # a provider's failure must not lose the ballot it reports
            log.exception("owner notice %s not sent", kind)
            reason = "provider_error"
    event = "owner_notice.sent" if reason is None else "owner_notice.unsent"
    summary = {"meeting": meeting.id, "kind": kind, **about} | ({"reason": reason} if reason else {})
    audit.record(event, "meeting", meeting.id, summary, **_scope(meeting))
    return reason is None


def _voter_notice(voter: MeetingVoter, meeting: Meeting, kind: str, text: str) -> bool:
    if voter.is_developer:
        return False  # the developer's ballot is cast by its own representative, named on the package
    body = f"【共决】{meeting.title}：{text}如非您本人或您委托的人所为，{help_words(meeting)}。"
    return _send(meeting, voter.phone_cipher, kind, body, {"voter": voter.id})


def ballot_counted(voter: MeetingVoter, meeting: Meeting, channel: str) -> bool:
    """A ballot was stored for the voter (its channel in words, the day; never its choices)."""
    day = utcnow().astimezone(SHANGHAI).strftime("%m月%d日")
    word = CHANNEL_WORDS.get(channel, channel)
    return _voter_notice(voter, meeting, "ballot_counted", f"{day}已计入一张以您名义投出的{word}选票。")


def letter_reissued(voter: MeetingVoter, meeting: Meeting) -> bool:
    """A new letter replaced the voter's earlier one (which no longer opens)."""
    return _voter_notice(voter, meeting, "letter_reissued", "已为您重新制作投票通知书，此前的通知书和链接不再有效。")


def proxy_link_issued(voter: MeetingVoter, meeting: Meeting, proxy_name: str) -> bool:
    """A proxy recorded for the voter received a voting link."""
    return _voter_notice(voter, meeting, "proxy_link", f"已向您委托的代理人{mask_name(proxy_name)}发出代您投票的链接。")


def id_revealed(owner_phone_cipher: bytes | None, community: Community) -> bool:
    """A staff member was shown the owner's full ID number. Told through the community's meeting in progress (or
    its latest), whose outbox and help phone the message uses; a community with no meeting yet has no outbox, and
    the reveal stays in the audit log only."""
    meeting = db.session.scalars(
        select(Meeting).where(Meeting.community_id == community.id).order_by(Meeting.id.desc()).limit(1)
    ).first()
    if meeting is None:
        return False
    body = f"【共决】{community.name}的工作人员查看了您在业主名册上的完整证件号码。如有疑问，{help_words(meeting)}。"
    return _send(meeting, owner_phone_cipher, "id_revealed", body, {})
