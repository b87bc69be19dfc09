"""Voters' credentials: the personal link (a 128-bit random token, stored only as its SHA-256), the typed fallback
code of the letter, and the second factor — the last six characters of the ID number, or a one-time code sent by
SMS to the roll's phone (DOMAIN §8: strong identification of the owner behind each ballot).

Attempts are counted and locked out in the database (shared by every worker). A reissued letter revokes the
voter's earlier credentials. Tokens and codes are never logged, audited or stored in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import SECOND_FACTOR_TAIL, decrypt, lookup_hash
from app.roll.models import RollOwner, RollUnit
from app.voting import owner_notices
from app.voting.models import Credential, Meeting, MeetingVoter
from app.voting.sms import sms_backend

#: failed second-factor attempts before the credential is locked, and for how long
MAX_ATTEMPTS = 5
LOCK_MINUTES = 15
#: lock-outs after which the credential waits for staff to reissue it (issue 15 item 5): 15 wrong answers in all
MAX_LOCKOUTS = 3
#: an SMS code is valid this long
OTP_MINUTES = 10
#: the typed fallback code: 12 characters of an alphabet without look-alikes (about 60 bits; with the lock-out and
#: the second factor, guessing one is out of reach)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """ "abcd-efgh-jkmn" → "ABCDEFGHJKMN" (letters print in groups of four)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True)
class IssuedCredential:
    """A new credential and its secrets, which exist in clear only here (for the letter) and are never stored."""

    credential: Credential
    token: str
    code: str


def _scope(meeting: Meeting) -> dict[str, Any]:
    community = db.session.get_one(Community, meeting.community_id)
    return {"township_id": community.township_id, "community_id": community.id}


def new_secrets() -> tuple[str, str]:
    """A new credential's token (128 bits, for the link) and typed code, before anything is stored."""
    return secrets.token_urlsafe(16), "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def replace_credential(
    voter: MeetingVoter, user_id: int | None, proxy_id: int | None = None, made: tuple[str, str] | None = None
) -> tuple[IssuedCredential, int]:
    """Revoke the credentials in force of the same holder — the owner's own (``proxy_id`` None) or one proxy's — and
    store a new one: ``made`` (from `new_secrets`, already printed on a letter) or new secrets, stored only as
    SHA-256. Returns it and how many were revoked."""
    now, revoked = utcnow(), 0
    for old in db.session.scalars(
        select(Credential).where(
            Credential.meeting_voter_id == voter.id,
            Credential.revoked_at.is_(None),
            Credential.proxy_id.is_(None) if proxy_id is None else Credential.proxy_id == proxy_id,
        )
    ):
        old.revoked_at, revoked = now, revoked + 1
    token, code = made or new_secrets()
    credential = Credential(
        meeting_voter_id=voter.id,
        proxy_id=proxy_id,
        token_sha256=sha256_hex(token),
        code_sha256=sha256_hex(code),
        issued_by_id=user_id,
    )
    db.session.add(credential)
    db.session.flush()
    return IssuedCredential(credential, token, code), revoked


def issue(voter: MeetingVoter, user_id: int | None, made: tuple[str, str] | None = None) -> IssuedCredential:
    """A new credential for the voter (a new letter; ``made``: its secrets, when the letter was printed first); the
    voter's earlier credentials stop working, and then the owner is told by SMS (issue 16 item 2)."""
    meeting = db.session.get_one(Meeting, voter.meeting_id)
    if meeting.status != "open":
        raise DomainError("meeting_not_open", _l("Letters are issued once voting is opened."), status=409)
    issued, revoked = replace_credential(voter, user_id, made=made)
    audit.record(
        "credential.issue",
        "credential",
        issued.credential.id,
        {"meeting": meeting.id, "voter": voter.id, "revoked": revoked},
        **_scope(meeting),
    )
    if revoked:  # the owner's letter in hand stops working: they are told, through their own phone
        owner_notices.letter_reissued(voter, meeting)
    return issued


def without_second_factor(meeting: Meeting) -> list[MeetingVoter]:
    """The voters who cannot pass the meeting's second factor (issue 15 item 5): with the ID-number check, those the
    roll records no ID number for (the developer, a unit without an owner row); with SMS, those without a phone on
    the roll. The group offers them a paper ballot, or records a proxy whose own phone receives the code, before the
    letters are printed."""
    query = select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id)
    if meeting.second_factor == "sms":
        query = query.where(MeetingVoter.phone_cipher.is_(None))
    else:
        query = query.where(MeetingVoter.id_tail_lookup.is_(None))
    return list(db.session.scalars(query.order_by(MeetingVoter.building, MeetingVoter.id)))


def find(token: str | None = None, code: str | None = None) -> Credential | None:
    """The credential in force for a link's token or a letter's typed code, or None."""
    if token:
        digest, column = sha256_hex(token), Credential.token_sha256
    elif code:
        digest, column = sha256_hex(normalise_code(code)), Credential.code_sha256
    else:
        return None
    # (not with its voter joined: the loader options stay with the object, and the second factor's refresh FOR UPDATE
    # cannot lock the nullable side of an outer join)
    return db.session.scalars(select(Credential).where(column == digest, Credential.revoked_at.is_(None))).first()


def is_held(credential: Credential) -> bool:
    """Locked out `MAX_LOCKOUTS` times: it opens nothing until staff reissue the letter (which revokes it)."""
    return credential.lockouts >= MAX_LOCKOUTS


def is_locked(credential: Credential) -> bool:
    return is_held(credential) or (credential.locked_until is not None and credential.locked_until > utcnow())


def locked_error(credential: Credential) -> DomainError:
    """Why the link does not open, until when, and whom to call (the meeting's contact phone, if the convener gave
    one)."""
    meeting = db.session.get_one(Meeting, credential.voter.meeting_id)
    call = (
        _l("call %(phone)s", phone=meeting.contact_phone) if meeting.contact_phone else _l("ask the meeting's convener")
    )
    if is_held(credential):
        message = _l(
            "This link is blocked after repeated wrong attempts. To vote, %(call)s for a new letter, or vote on paper.",
            call=call,
        )
    else:
        until = credential.locked_until.astimezone(SHANGHAI) if credential.locked_until else None
        message = _l(
            "Too many wrong attempts. Try again after %(time)s (Beijing time), or %(call)s.",
            time=until.strftime("%H:%M") if until else "",
            call=call,
        )
    return DomainError("credential_locked", message, status=429)


def record_failure(credential: Credential, meeting: Meeting) -> DomainError:
    credential.failed_attempts += 1
    if credential.failed_attempts >= MAX_ATTEMPTS:
        credential.locked_until = utcnow() + timedelta(minutes=LOCK_MINUTES)
        credential.failed_attempts = 0
        credential.lockouts += 1
    db.session.flush()
    audit.record(
        "credential.second_factor_failed",
        "credential",
        credential.id,
        {"locked": credential.locked_until is not None and is_locked(credential), "held": is_held(credential)},
        **_scope(meeting),
    )
    if is_locked(credential):
        return locked_error(credential)
    left = MAX_ATTEMPTS - credential.failed_attempts
    return DomainError(
        "second_factor_wrong", _l("That is not right. %(n)d attempts left.", n=left), status=422, field="answer"
    )


def code_matches(stored: str | None, expires_at: datetime | None, given: str) -> bool:
    """Whether a one-time code is in force and ``given`` (its keyed-hash input) is it, compared in constant time."""
    in_force = stored is not None and expires_at is not None and expires_at >= utcnow()
    return in_force and hmac.compare_digest(stored or "", lookup_hash(given))


def id_tail(id_number: str) -> str:
    """The last six characters of an ID number, upper case (the check character may be X)."""
    return id_number.strip().upper()[-SECOND_FACTOR_TAIL:]


def send_code(credential: Credential) -> None:
    """Send a new one-time code by SMS to the holder's phone on the roll ("sms" second factor)."""
    voter = credential.voter
    meeting = db.session.get_one(Meeting, voter.meeting_id)
    if meeting.second_factor != "sms":
        raise DomainError("no_sms", _l("This meeting does not use SMS codes."), status=409)
    if is_locked(credential):
        raise locked_error(credential)
    if voter.phone_cipher is None:
        raise DomainError(
            "no_phone", _l("The roll has no phone number for you. Ask the preparatory group for help."), status=409
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    credential.otp_lookup = lookup_hash(f"otp:{credential.id}:{code}")
    credential.otp_expires_at = utcnow() + timedelta(minutes=OTP_MINUTES)
    sms_backend().send(
        meeting.id, decrypt(voter.phone_cipher), f"【共决】您的投票验证码是 {code}，{OTP_MINUTES} 分钟内有效。"
    )
    db.session.flush()
    audit.record("credential.sms_sent", "credential", credential.id, {}, **_scope(meeting))


def verify(credential: Credential, answer: str) -> Credential:
    """Check the second factor; a wrong answer counts towards the lock-out (shared storage, audited).

    A wrong answer raises after recording the attempt in the session: the caller commits before showing the refusal
    (rolling back would forget the attempt and the lock)."""
    # lock the row: simultaneous wrong answers must each count (a read-add-write would lose some)
    db.session.flush()
    db.session.refresh(credential, with_for_update=True)
    voter = credential.voter
    meeting = db.session.get_one(Meeting, voter.meeting_id)
    if is_locked(credential):
        raise locked_error(credential)
    answer = answer.strip().upper()
    if meeting.second_factor == "sms":
        right = code_matches(credential.otp_lookup, credential.otp_expires_at, f"otp:{credential.id}:{answer}")
    else:
        right = (
            voter.id_tail_lookup is not None
            and hmac.compare_digest(voter.id_tail_lookup, lookup_hash(f"tail:{id_tail(answer)}"))
            and len(answer) == 6
        )
    if not right:
        raise record_failure(credential, meeting)
    credential.verified_at, credential.failed_attempts = utcnow(), 0
    credential.otp_lookup = credential.otp_expires_at = None
    db.session.flush()
    audit.record("credential.verified", "credential", credential.id, {}, **_scope(meeting))
    return credential


def letter_holder(voter: MeetingVoter) -> RollOwner | None:
    """The owner on the meeting's frozen roll who holds the voter's letter: of its first unit, the owner named as the
    holder, else the unit's representative, else its first owner; None for the developer or a meeting without a roll."""
    meeting = db.session.get_one(Meeting, voter.meeting_id)
    if voter.is_developer or meeting.roll_version_id is None:
        return None
    building, entrance, room = voter.unit_key.split("/", 2)
    owners = db.session.scalars(
        select(RollOwner)
        .join(RollUnit, RollOwner.roll_unit_id == RollUnit.id)
        .where(
            RollUnit.roll_version_id == meeting.roll_version_id,
            RollUnit.building == building,
            RollUnit.entrance == entrance,
            RollUnit.room == room,
        )
        .order_by(RollOwner.id)
    ).all()
    return next(
        (o for o in owners if o.name == voter.holder_name),
        next((o for o in owners if o.is_representative), owners[0] if owners else None),
    )
