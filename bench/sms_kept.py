"""An SMS backend for bench/owner_portal.py: a plug-in (GONGJUE_SMS_BACKEND=sms_kept:KeptSms, docs/voting.md) that
keeps each message in the outbox table as the console backend does, under the per-number limit as a provider is, so
that the benchmark reads each owner's code from the database while the server runs in production mode (which
refuses the console backend)."""

from __future__ import annotations

from app.voting import sms_outbox


class KeptSms:
    name = "bench-kept"

    def send(self, meeting_id: int | None, phone: str, body: str, *, limited: bool = True) -> None:
        if limited:
            sms_outbox.check_rate_limit(phone)
        sms_outbox.record(meeting_id, phone, body, self.name)
