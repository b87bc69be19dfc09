"""The rows every SMS backend keeps (`SmsMessage`), and the per-number limit counted from them.

Why in the database: the web workers and the Celery workers each send, and a limit counted in one process's memory
would let every process send its own quota. The number itself is never a key: rows carry a keyed hash of it
(app.privacy.lookup_hash, under a purpose of its own), the masked number for the outbox page, and — only while a
provider's delivery report is awaited — the number encrypted.

The limit mirrors the default flow control Alibaba Cloud applies to verification codes (one a minute and five an
hour per number, then isv.BUSINESS_LIMIT_CONTROL): refusing here first gives the voter a clear "try again later"
instead of a provider error, and stops anyone from turning the "send me a code" button against someone's phone.
It is enforced by the backends that reach a network (`check_rate_limit`); the console outbox sends nothing, so it
records the same rows but is not limited (staff hand its codes over in person).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import encrypt, mask_phone, phone_digits, phone_lookup
from app.voting.models import SmsMessage

#: at most this many messages to one number in any hour …
PER_HOUR = 5
#: … and this many in any minute
PER_MINUTE = 1

#: a one-time code in a message body (six digits standing alone)
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


#: one number, one key: digits only, without a mainland prefix
normalise_phone = phone_digits
#: the keyed hash the rows are counted by (the roll finds an owner's number by the same hash)
phone_key = phone_lookup


def mask_codes(body: str) -> str:
    """The body with its one-time code replaced by asterisks: what a provider sent, without the voter's secret."""
    return _CODE.sub("******", body)


def sent_since(key: str, since: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count(SmsMessage.id)).where(SmsMessage.phone_lookup == key, SmsMessage.created_at > since)
        )
        or 0
    )


def _serialise(key: str) -> None:
    """On PostgreSQL, one transaction at a time counts and sends for a number (an advisory lock held until the
    transaction ends), so that two simultaneous requests cannot both pass the count; the lock is the schema's own, as
    the audit chain's (app.audit.services). SQLite writes one at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key), hashtext(current_schema()))"), {"key": key}
        )


def check_rate_limit(phone: str, now: datetime | None = None) -> None:
    """Refuse (DomainError, 429) a message to a number that had `PER_MINUTE` in the last minute or `PER_HOUR` in the
    last hour; called before the provider is asked, so a refused message costs nothing."""
    key = phone_key(phone)
    _serialise(key)
    now = now or utcnow()
    if (
        sent_since(key, now - timedelta(minutes=1)) >= PER_MINUTE
        or sent_since(key, now - timedelta(hours=1)) >= PER_HOUR
    ):
        raise rate_limited_error()


def rate_limited_error() -> DomainError:
    """Our limit's refusal, and the provider's own per-number flow control's: the same words to the voter."""
    return DomainError(
        "sms_rate_limited", _l("Too many text messages were sent to this number. Please try again later."), status=429
    )


def record(
    meeting_id: int | None,
    phone: str,
    body: str,
    backend: str,
    *,
    status: str = "kept",
    provider_id: str | None = None,
    status_code: str | None = None,
    await_report: bool = False,
) -> SmsMessage:
    """Keep the row of a message the backend has handed over (never of one that failed: nothing half-recorded).

    ``await_report`` keeps the number encrypted until the provider's delivery report is final."""
    message = SmsMessage(
        meeting_id=meeting_id,
        phone_masked=mask_phone(phone),
        phone_lookup=phone_key(phone),
        phone_cipher=encrypt(phone) if await_report else None,
        body=body,
        backend=backend,
        status=status,
        provider_id=provider_id,
        status_code=status_code,
        status_at=None if status == "kept" else utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def latest(meeting_id: int | None, limit: int) -> list[SmsMessage]:
    """The newest messages of a meeting, or with None of no meeting (the owners' sign-in codes), newest first."""
    where = SmsMessage.meeting_id.is_(None) if meeting_id is None else SmsMessage.meeting_id == meeting_id
    return list(
        db.session.scalars(
            select(SmsMessage).where(where).order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc()).limit(limit)
        )
    )
