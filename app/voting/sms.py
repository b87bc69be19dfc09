"""Sending text messages through an `SmsBackend` (GONGJUE_SMS_BACKEND).

"console", the default, hands nothing to a network: each message is kept as an `SmsMessage` row that staff read on
the meeting's outbox page (development, demos, and communities that hand codes over by phone). "aliyun" sends through
Alibaba Cloud SMS (app.voting.sms_aliyun). A provider plug-in is any importable class with the `SmsBackend` shape,
named as "package.module:ClassName"; docs/voting.md shows one. Every backend that hands a message over records its
row through app.voting.sms_outbox, the table the per-number limit counts.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.errors import DomainError

# imported here, not when first chosen, so that every process (the Celery worker above all) knows its delivery-report
# task, app.voting.sms_aliyun.refresh_deliveries
from app.voting import sms_aliyun, sms_outbox


class SmsBackend(Protocol):
    """Deliver ``body`` to ``phone`` (a mainland mobile number); raise on failure (the caller reports it).

    ``limited``: whether the per-number limit applies (`sms_outbox.check_rate_limit`). It does to what a voter's
    request sends (codes, reminders); a notice to an owner about an act done in their name (app.voting.owner_notices)
    is not limited: one comes per act, and a notice dropped because the owner asked for a code a minute earlier
    would be the one that mattered."""

    name: str

    def send(self, meeting_id: int | None, phone: str, body: str, *, limited: bool = True) -> None: ...


class ConsoleBackend:
    """Keeps the message in the outbox table (masked number) instead of sending it."""

    name = "console"

    def send(self, meeting_id: int | None, phone: str, body: str, *, limited: bool = True) -> None:
        """Kept as status "kept"; not rate-limited per number, since nothing reaches a phone (the per-voter limit of
        the ballot's send-code page still applies)."""
        sms_outbox.record(meeting_id, phone, body, self.name)


class NoSmsBackend:
    """The platform sends no text messages ("none", production without a provider: app.config): every send is
    refused with a clear message; the ID-number factor and paper are the ways to vote."""

    name = "none"

    def send(self, meeting_id: int | None, phone: str, body: str, *, limited: bool = True) -> None:
        raise DomainError(
            "sms_disabled",
            _l("This platform sends no text messages: use the ID-number check or a paper ballot."),
            status=409,
        )


def sms_disabled() -> bool:
    return str(current_app.config.get("SMS_BACKEND") or "console") == "none"


def sms_backend() -> SmsBackend:
    """The configured backend: "console", "none", "aliyun", or "package.module:ClassName" of a plug-in."""
    configured = str(current_app.config.get("SMS_BACKEND") or "console")
    if configured == "console":
        return ConsoleBackend()
    if configured == "none":
        return NoSmsBackend()
    if configured == sms_aliyun.AliyunSmsBackend.name:
        return sms_aliyun.AliyunSmsBackend()
    module_name, _, class_name = configured.partition(":")
    backend: SmsBackend = getattr(importlib.import_module(module_name), class_name)()
    return backend
