"""An owner's sign-in: by a code sent to a mobile number on a roll, or from a letter's link once its second factor
is passed (issue 20 item 1). No password: the number on the roll, or the letter, is what proves the owner.

- A code is six digits, valid `CODE_MINUTES`, tried at most `MAX_CODE_ATTEMPTS` times; only its keyed hash is kept.
- Codes go through the platform's SMS backend (app.voting.sms) with the per-number limit (one a minute, five an hour,
  app.voting.sms_outbox) whichever backend it is, so that nobody can turn the form against someone's phone.
- A number on no roll is told so, with how to have it recorded: the form says nothing more (no community, no name).
  A number recorded for more than `MAX_OWNERS_PER_NUMBER` owners (an office's, an agent's) signs nobody in: their
  letters do. A number has at most `MAX_WRONG_A_DAY` wrong codes a day.
- Owners are read from each community's latest published roll; a session by number is checked against it again
  whenever its use is noted (every few minutes), so that a number corrected on the roll ends its old holder's access.
  A session opened from a letter lasts `LETTER_SESSION`, in a cookie that ends with the browser.
- A session is a random token in an HttpOnly cookie (or the API's bearer token); the row keeps its SHA-256, so that
  the owner can end it, or every session of theirs at once, from their page. It lasts OWNER_SESSION_DAYS (30).
Every sign-in, failed code and sign-out is audited, with the owner's name masked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, or_, select, update

from app.audit import services as audit
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.owners.identity import owners_with_phone
from app.owners.models import OwnerSession, OwnerSignInCode
from app.privacy import lookup_hash, mask_name, phone_lookup
from app.roll.validation import normalise_phone
from app.voting import sms_outbox
from app.voting.credentials import letter_holder
from app.voting.models import Credential, Meeting
from app.voting.sms import sms_backend

CODE_MINUTES = 10
#: a number recorded for more owners than this (a property office's, an agent's) signs nobody in: a letter does
MAX_OWNERS_PER_NUMBER = 3
#: wrong codes a number may have in a day, whatever codes they were tried on
MAX_WRONG_A_DAY = 10
#: a session opened from a letter lasts this long, in a cookie that ends with the browser (a borrowed phone)
LETTER_SESSION = timedelta(hours=8)
#: an owner's token says what it is (a staff API token starts with gjt_)
TOKEN_PREFIX = "gjo_"  # noqa: S105 (a prefix, not a secret)
MAX_CODE_ATTEMPTS = 5
#: a session's last use is written at most this often (not on every page)
SEEN_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class SignedIn:
    """A new session and the token to hand to the owner's device (shown once, never stored)."""

    session: OwnerSession
    token: str


def _phone(text: str) -> str:
    phone = normalise_phone(text or "")
    if phone is None:
        raise DomainError("invalid_phone", _l("Enter an 11-digit mainland mobile number."), field="phone")
    return phone


def not_on_roll() -> DomainError:
    return DomainError(
        "phone_not_on_roll",
        _l(
            "This number is on no community's owner roll. To have it recorded, bring your property certificate and "
            "ID card to your preparatory group or owners' committee; or sign in from the link on your voting letter."
        ),
        status=404,
        field="phone",
    )


def _code_lookup(key: str, code: str) -> str:
    return lookup_hash(f"owner-code:{key}:{code.strip()}")


def shared_number() -> DomainError:
    return DomainError(
        "phone_shared",
        _l(
            "This number is recorded on the roll for several owners, so it cannot sign anyone in: sign in from the "
            "link of your voting letter, or ask your preparatory group or committee to record your own number."
        ),
        status=409,
        field="phone",
    )


def _owners(key: str) -> tuple[list[str], str]:
    lookups, name = owners_with_phone(key)
    if not lookups:
        raise not_on_roll()
    if len(lookups) > MAX_OWNERS_PER_NUMBER:
        raise shared_number()
    return lookups, name


def _too_many_wrong(key: str, now: datetime) -> bool:
    tried = db.session.scalar(
        select(func.coalesce(func.sum(OwnerSignInCode.attempts), 0)).where(
            OwnerSignInCode.phone_lookup == key, OwnerSignInCode.created_at > now - timedelta(days=1)
        )
    )
    return int(tried or 0) >= MAX_WRONG_A_DAY


def send_code(phone_text: str, now: datetime | None = None) -> OwnerSignInCode:
    """Send a sign-in code to a number on a roll (refused, changing nothing, for a number on none)."""
    phone = _phone(phone_text)
    key = phone_lookup(phone)
    _owners(key)
    if _too_many_wrong(key, now or utcnow()):
        raise sms_outbox.rate_limited_error()
    sms_outbox.check_rate_limit(phone, now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = now or utcnow()
    row = OwnerSignInCode(
        phone_lookup=key,
        code_lookup=_code_lookup(key, code),
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    db.session.add(row)
    sms_backend().send(None, phone, f"【共决】您的登录验证码是 {code}，{CODE_MINUTES} 分钟内有效。请勿告诉他人。")
    db.session.flush()
    act_as_owner("")  # whoever asked has proven nothing yet: the owner is not named
    audit.record("owner.code_sent", "owner_sign_in_code", row.id, {})
    return row


def act_as_owner(name: str, session_id: int | None = None) -> None:
    """What this request writes to the audit log is the owner's act (actor "业主 张*华 #12", the session's number that
    traces a disputed act to its sign-in; role "owner")."""
    if has_request_context():
        label = f"业主 {mask_name(name)}" if name else "业主"
        g.audit_owner = f"{label} #{session_id}" if session_id is not None else label


def sign_in_by_code(phone_text: str, code: str, device: str = "", now: datetime | None = None) -> SignedIn:
    """Check a code sent by `send_code` and open a session. A wrong code counts an attempt, which the caller keeps
    (it commits before showing the refusal); the newest code is the one that counts."""
    phone = _phone(phone_text)
    key = phone_lookup(phone)
    now = now or utcnow()
    row = db.session.scalars(
        select(OwnerSignInCode)
        .where(OwnerSignInCode.phone_lookup == key, OwnerSignInCode.used_at.is_(None))
        .order_by(OwnerSignInCode.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if row is None or row.expires_at <= now or row.attempts >= MAX_CODE_ATTEMPTS or _too_many_wrong(key, now):
        raise DomainError(
            "code_expired", _l("This code has expired or was tried too often: ask for a new one."), field="code"
        )
    if not hmac.compare_digest(row.code_lookup, _code_lookup(key, code)):
        row.attempts += 1
        db.session.flush()
        act_as_owner("")
        audit.record("owner.code_wrong", "owner_sign_in_code", row.id, {"attempts": row.attempts})
        raise DomainError("code_wrong", _l("The code is not right. Check the message and try again."), field="code")
    lookups, name = _owners(key)
    row.used_at = now
    return open_session("sms", lookups, name, device, phone_key=key, now=now)


def open_session(
    method: str,
    lookups: list[str],
    name: str,
    device: str = "",
    *,
    phone_key: str | None = None,
    now: datetime | None = None,
    community_id: int | None = None,
) -> SignedIn:
    """A new session for the owners ``lookups`` (method "sms" or "letter"), audited."""
    now = now or utcnow()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session = OwnerSession(
        token_sha256=hashlib.sha256(token.encode()).hexdigest(),
        method=method,
        phone_lookup=phone_key,
        owner_lookups=lookups,
        name=name[:64],
        device=device[:120],
        created_at=now,
        last_seen_at=now,
        expires_at=now + (LETTER_SESSION if method == "letter" else timedelta(days=session_days())),
    )
    db.session.add(session)
    db.session.flush()
    act_as_owner(name)
    # from a letter, the meeting's community: its chain, not the platform's, on the voting path (issue 21 item 3)
    audit.record("owner.sign_in", "owner_session", session.id, {"method": method}, community_id=community_id)
    return SignedIn(session, token)


def session_days() -> int:
    return int(current_app.config.get("OWNER_SESSION_DAYS", 30))


def session_for(token: str | None, now: datetime | None = None) -> OwnerSession | None:
    """The live session of a token, or None (unknown, ended or expired)."""
    if not token:
        return None
    now = now or utcnow()
    session = db.session.scalars(
        select(OwnerSession).where(OwnerSession.token_sha256 == hashlib.sha256(token.encode()).hexdigest())
    ).first()
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    return session


def use_is_due(session: OwnerSession, now: datetime | None = None) -> bool:
    """Whether the session's last use is to be noted (every `SEEN_EVERY`, not on every page)."""
    return (now or utcnow()) - session.last_seen_at > SEEN_EVERY


def note_use(session: OwnerSession, now: datetime | None = None) -> OwnerSession | None:
    """Note the session's use; a session by number is checked against the roll again, and ended (None) when its
    number no longer signs anyone in (corrected on the roll, or now shared by too many owners)."""
    now = now or utcnow()
    session.last_seen_at = now
    if session.phone_lookup is not None:
        lookups, _name = owners_with_phone(session.phone_lookup)
        if not lookups or len(lookups) > MAX_OWNERS_PER_NUMBER:
            session.revoked_at = now
            db.session.flush()
            return None
        session.owner_lookups = lookups
    db.session.flush()
    return session


def sessions_of(session: OwnerSession) -> list[OwnerSession]:
    """The live sessions of the same owner (the same owners, or the same number), newest first."""
    now = utcnow()
    same = [cast(OwnerSession.owner_lookups, String).contains(lookup) for lookup in session.owner_lookups]
    if session.phone_lookup:
        same.append(OwnerSession.phone_lookup == session.phone_lookup)
    rows = db.session.scalars(
        select(OwnerSession)
        .where(OwnerSession.revoked_at.is_(None), OwnerSession.expires_at > now, or_(*same))
        .order_by(OwnerSession.id.desc())
    ).all()
    mine = set(session.owner_lookups)
    return [
        s
        for s in rows
        if set(s.owner_lookups) & mine or (session.phone_lookup and s.phone_lookup == session.phone_lookup)
    ]


def sign_out(session: OwnerSession, everywhere: bool = False) -> int:
    """End this session, or every live session of the same owner (a lost phone); the number ended."""
    ended = sessions_of(session) if everywhere else [session]
    now = utcnow()
    db.session.execute(update(OwnerSession).where(OwnerSession.id.in_([s.id for s in ended])).values(revoked_at=now))
    db.session.flush()
    act_as_owner(session.name, session.id)
    audit.record("owner.sign_out", "owner_session", session.id, {"everywhere": everywhere, "ended": len(ended)})
    return len(ended)


def sign_in_by_letter(credential: Credential, device: str = "", now: datetime | None = None) -> SignedIn | None:
    """A session for the owner who holds a letter whose second factor was passed (``now``: when, so that the
    session lasts the letter's 8 hours from then): the unit's representative on the meeting's frozen roll. None for
    a proxy's letter (the proxy is not the owner) and the developer's."""
    holder = letter_holder(credential.voter) if credential.proxy_id is None else None
    if holder is None:
        return None
    meeting = db.session.get_one(Meeting, credential.voter.meeting_id)
    return open_session(
        "letter", [holder.id_number_lookup], holder.name, device, now=now, community_id=meeting.community_id
    )
