"""Sending text messages through an `SmsBackend` (GONGJUE_SMS_BACKEND).

"console", the default, hands nothing to a network: each message is kept as an `SmsMessage` row that staff read on
the meeting's outbox page (development, demos, and communities that hand codes over by phone). A provider plug-in is
any importable class with the `SmsBackend` shape, named as "package.module:ClassName"; docs/voting.md shows one.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.extensions import db
from app.privacy import mask_phone
from app.voting.models import SmsMessage


class SmsBackend(Protocol):
    """Deliver ``body`` to ``phone`` (a mainland mobile number); raise on failure (the caller reports it)."""

    name: str

    def send(self, meeting_id: int, phone: str, body: str) -> None: ...


class ConsoleBackend:
    """Keeps the message in the outbox table (masked number) instead of sending it."""

    name = "console"

    def send(self, meeting_id: int, phone: str, body: str) -> None:
        db.session.add(SmsMessage(meeting_id=meeting_id, phone_masked=mask_phone(phone), body=body, backend=self.name))
        db.session.flush()


class NoSmsBackend:
    """The platform sends no text messages ("none", production without a provider: app.config): every send is
    refused with a clear message; the ID-number factor and paper are the ways to vote."""

    name = "none"

    def send(self, meeting_id: int, phone: str, body: str) -> None:
        raise DomainError(
            "sms_disabled",
            _l("This platform sends no text messages: use the ID-number check or a paper ballot."),
            status=409,
        )


def sms_disabled() -> bool:
    return str(current_app.config.get("SMS_BACKEND") or "console") == "none"


def sms_backend() -> SmsBackend:
    """The configured backend: "console", "none", or "package.module:ClassName" of a plug-in."""
    configured = str(current_app.config.get("SMS_BACKEND") or "console")
    if configured == "console":
        return ConsoleBackend()
    if configured == "none":
        return NoSmsBackend()
    module_name, _, class_name = configured.partition(":")
    backend: SmsBackend = getattr(importlib.import_module(module_name), class_name)()
    return backend
