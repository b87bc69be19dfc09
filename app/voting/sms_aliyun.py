"""Alibaba Cloud SMS (Dysmsapi, API version 2017-05-25) behind the `SmsBackend` interface: GONGJUE_SMS_BACKEND=aliyun.

What this follows, from Alibaba Cloud's documentation:

- The RPC signature ("Signature mechanism", https://help.aliyun.com/en/cmn/developer-reference/signature-mechanism;
  in Chinese, with the Java percentEncode it describes, https://help.aliyun.com/document_detail/172849.html): the
  common parameters AccessKeyId, Action, Format, SignatureMethod=HMAC-SHA1, SignatureNonce (unique per request, a
  UUID), SignatureVersion=1.0, Timestamp (UTC, ISO 8601, yyyy-MM-ddTHH:mm:ssZ) and Version; every parameter but
  Signature sorted by name, names and values percent-encoded as UTF-8 per RFC 3986 (A-Z a-z 0-9 - _ . ~ kept, space
  as %20 never "+", "*" as %2A, "~" never %7E); CanonicalizedQueryString = those pairs joined by "&"; StringToSign =
  "GET" + "&" + percentEncode("/") + "&" + percentEncode(CanonicalizedQueryString); Signature = Base64(HMAC-SHA1(
  key = AccessKeySecret + "&", StringToSign)), itself percent-encoded into the query. Alibaba Cloud's worked example
  (https://developer.aliyun.com/ask/210168: AccessKeyId testid, secret testsecret, DescribeRegions →
  CT9X0VtwR86fNWSnsc6v8YGOjuE=) is a test here.
- SendSms (https://help.aliyun.com/document_detail/55284.html): PhoneNumbers, SignName, TemplateCode, TemplateParam
  (a JSON object of the template's variables); the reply's Code is "OK" on acceptance, with the BizId of the message.
  The page warns that SendSms is not idempotent and advises against blind retries after a timeout: a retry here
  after a timeout may deliver the same text twice (the same code, so harmless to the voter), which is preferred to
  leaving a voter without the code.
- QuerySendDetails (https://help.aliyun.com/document_detail/419277.html): PhoneNumber, SendDate (yyyyMMdd, the day
  of sending: Beijing's day, as Alibaba Cloud counts it; the last 30 days only), BizId, PageSize, CurrentPage; the
  reply's SmsSendDetailDTOs.SmsSendDetailDTO[] carry SendStatus (1 awaiting the carrier's receipt, 2 failed,
  3 delivered) and ErrCode (the carrier's code, "DELIVERED" on success).
- API error codes (https://help.aliyun.com/document_detail/101346.html): Throttling* and isp.SYSTEM_ERROR are
  transient; isv.BUSINESS_LIMIT_CONTROL is the per-number flow control (by default one code a minute, five an hour),
  which seconds of waiting do not lift; isv.MOBILE_NUMBER_ILLEGAL is a bad number; the rest (SignatureDoesNotMatch,
  InvalidAccessKeyId.NotFound, isv.SMS_TEMPLATE_ILLEGAL, isv.OUT_OF_SERVICE …) are definite refusals.

Alibaba Cloud sends only approved templates with parameters, under an approved sign name that it puts in 【】 itself.
Gongjue's callers hand over finished texts ("【共决】您的投票验证码是 …"), so this backend uses one approved
notification template with a single ``${content}`` variable and passes the text without its 【…】 prefix
(docs/voting.md says how to apply for it). Standard library only (urllib): no SDK and no new dependency.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from celery import shared_task
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.config import ALIYUN_SMS_DEFAULT_ENDPOINT, ALIYUN_SMS_REQUIRED, ENV_PREFIX
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt
from app.voting import sms_outbox
from app.voting.models import SmsMessage

log = logging.getLogger(__name__)

API_VERSION = "2017-05-25"
#: the pauses (seconds) before the second and third attempt of a call: three attempts, 1.5 s of sleep at most
BACKOFF = (0.5, 1.0)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: a call stops trying once this many seconds have gone (each attempt's timeout is cut to what is left), so a
#: voter's page waits a few seconds at most, never attempts × timeout
DEADLINE = 8.0
#: no attempt is made with less time than this (seconds)
MIN_ATTEMPT = 0.5
#: codes that mean "busy, ask again": throttling and Alibaba Cloud's own transient failures
RETRY_CODES = frozenset({"Throttling", "Throttling.User", "Throttling.Api", "ServiceUnavailable", "isp.SYSTEM_ERROR"})
#: the per-number flow control on Alibaba Cloud's side: the voter tries again later, like our own limit
LIMIT_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL"})
BAD_NUMBER_CODES = frozenset({"isv.MOBILE_NUMBER_ILLEGAL"})
#: SendStatus of QuerySendDetails → our status
REPORT_STATUS = {2: "failed", 3: "delivered"}
#: delivery reports are asked for this long after sending; then the number's cipher is erased and the row stays "sent"
REPORT_WAIT = timedelta(days=2)
#: a reply longer than this is not Alibaba Cloud's
MAX_REPLY_BYTES = 64 * 1024
_SIGN_PREFIX = re.compile(r"^\s*【[^】]*】\s*")


class ProviderUnavailable(Exception):
    """Alibaba Cloud could not be reached, or stayed busy, through every attempt (the reason is the last one's)."""


class ProviderRefused(Exception):
    """Alibaba Cloud answered with a definite refusal; ``code`` is its error code (never retried)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AliyunSettings:
    """The GONGJUE_ALIYUN_SMS_* settings (app.config); the secret is left out of the repr, so it never reaches a log."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    sign_name: str
    template_code: str
    endpoint: str = ALIYUN_SMS_DEFAULT_ENDPOINT
    timeout: float = 3.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AliyunSettings:
        return cls(
            access_key_id=str(config.get("ALIYUN_SMS_ACCESS_KEY_ID") or ""),
            access_key_secret=str(config.get("ALIYUN_SMS_ACCESS_KEY_SECRET") or ""),
            sign_name=str(config.get("ALIYUN_SMS_SIGN_NAME") or ""),
            template_code=str(config.get("ALIYUN_SMS_TEMPLATE_CODE") or ""),
            endpoint=str(config.get("ALIYUN_SMS_ENDPOINT") or ALIYUN_SMS_DEFAULT_ENDPOINT),
            timeout=float(config.get("ALIYUN_SMS_TIMEOUT") or 3.0),
        )

    def missing(self) -> list[str]:
        """The GONGJUE_ variables without which nothing can be sent (production refuses to start without them)."""
        values = dict(zip(ALIYUN_SMS_REQUIRED, self._required(), strict=True))
        problems = [ENV_PREFIX + name for name, value in values.items() if not value]
        if not self.endpoint.startswith(("https://", "http://")) or "?" in self.endpoint:
            problems.append(ENV_PREFIX + "ALIYUN_SMS_ENDPOINT")
        return problems

    def _required(self) -> tuple[str, str, str, str]:
        return self.access_key_id, self.access_key_secret, self.sign_name, self.template_code


# --- the RPC signature -----------------------------------------------------------------------------------------------


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8, as the signature wants it: only A-Z a-z 0-9 - _ . ~ stay as they are
    (``quote`` keeps exactly those with ``safe=""``: a space is %20, "*" is %2A, "~" stays "~")."""
    return quote(value, safe="")


def canonical_query(params: Mapping[str, str]) -> str:
    """The parameters sorted by name, each name and value percent-encoded, joined as name=value&…"""
    return "&".join(f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params))


def string_to_sign(query: str, method: str = "GET") -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(query)}"


def signature(secret: str, to_sign: str) -> str:
    """Base64 of HMAC-SHA1 keyed with the AccessKey secret followed by "&"."""
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_query(
    settings: AliyunSettings, action: str, params: Mapping[str, str], *, nonce: str | None = None, timestamp: str = ""
) -> str:
    """The whole query string of a call: the common parameters, the action's, and the Signature last."""
    everything = {
        "AccessKeyId": settings.access_key_id,
        "Action": action,
        "Format": "JSON",
        "RegionId": "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or str(uuid.uuid4()),
        "SignatureVersion": "1.0",
        "Timestamp": timestamp or utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION,
        **params,
    }
    query = canonical_query(everything)
    return f"{query}&Signature={percent_encode(signature(settings.access_key_secret, string_to_sign(query)))}"


def template_param(body: str) -> str:
    """The template's one ``content`` variable: Gongjue's text without its 【sign】, which Alibaba Cloud adds."""
    return json.dumps({"content": _SIGN_PREFIX.sub("", body).strip()}, ensure_ascii=False, separators=(",", ":"))


# --- HTTP ------------------------------------------------------------------------------------------------------------


def _http_get(url: str, timeout: float) -> tuple[int, bytes]:
    """The status and body of a GET; an HTTP error status is an answer too (its body says which error)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("the endpoint must be an http(s) URL")
    request = urllib.request.Request(url, headers={"Accept": "application/json"}, method="GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            return int(response.status), response.read(MAX_REPLY_BYTES)
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code), error.read(MAX_REPLY_BYTES)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        reply = json.loads(raw.decode("utf-8"))
    except ValueError:
        return {}
    return reply if isinstance(reply, dict) else {}


# --- the backend -----------------------------------------------------------------------------------------------------


def _refused_error() -> DomainError:
    return DomainError(
        "sms_refused",
        _l("The text message service refused the message. Ask the preparatory group for help."),
        status=502,
    )


def _send_error(refused: ProviderRefused) -> DomainError:
    """What the voter is told about a definite refusal (the code itself is logged, not shown)."""
    if refused.code in LIMIT_CODES:
        return sms_outbox.rate_limited_error()
    if refused.code in BAD_NUMBER_CODES:
        return DomainError(
            "sms_bad_number",
            _l(
                "The text message service refused this phone number. Ask the preparatory group to check the number "
                "on the roll, or vote on paper."
            ),
            status=422,
        )
    return _refused_error()


class AliyunSmsBackend:
    """Sends through Alibaba Cloud, with bounded retries; records the row (status "sent", its BizId) only once a
    message is accepted, so a failure leaves nothing behind and does not count towards the per-number limit.

    ``sleep`` and ``clock`` are injectable so that tests exercise the retries without sleeping."""

    name = "aliyun"

    def __init__(
        self,
        settings: AliyunSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings if settings is not None else AliyunSettings.from_config(current_app.config)
        self._sleep = sleep
        self._clock = clock

    def send(self, meeting_id: int | None, phone: str, body: str, *, limited: bool = True) -> None:
        missing = self.settings.missing()
        if missing:
            log.error("Alibaba Cloud SMS is not configured: %s", ", ".join(missing))
            raise _refused_error()
        if limited:
            sms_outbox.check_rate_limit(phone)
        params = {
            "PhoneNumbers": sms_outbox.normalise_phone(phone),
            "SignName": self.settings.sign_name,
            "TemplateCode": self.settings.template_code,
            "TemplateParam": template_param(body),
        }
        try:
            reply = self.call("SendSms", params)
        except ProviderRefused as refused:
            raise _send_error(refused) from refused
        except ProviderUnavailable as unavailable:
            raise DomainError(
                "sms_unavailable",
                _l("The text message could not be sent. Try again in a few minutes, or ask the preparatory group."),
                status=503,
            ) from unavailable
        sms_outbox.record(
            meeting_id,
            phone,
            sms_outbox.mask_codes(body),
            self.name,
            status="sent",
            provider_id=str(reply.get("BizId") or "")[:64] or None,
            status_code="OK",
            await_report=True,
        )

    def query(self, phone: str, send_date: str, biz_id: str) -> dict[str, Any]:
        """QuerySendDetails of one message (``send_date`` yyyyMMdd, Beijing's day of sending)."""
        params = {
            "PhoneNumber": sms_outbox.normalise_phone(phone),
            "SendDate": send_date,
            "BizId": biz_id,
            "PageSize": "10",
            "CurrentPage": "1",
        }
        return self.call("QuerySendDetails", params)

    def call(self, action: str, params: Mapping[str, str]) -> dict[str, Any]:
        """One RPC call with retries: network errors, HTTP 5xx / 429 and throttling codes are tried again after
        `BACKOFF` (a fresh nonce and timestamp each time) until `MAX_ATTEMPTS` or `DEADLINE`; a definite refusal
        raises ProviderRefused at once; running out raises ProviderUnavailable."""
        started, reason = self._clock(), "no attempt"
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                pause = BACKOFF[attempt - 1]
                if DEADLINE - (self._clock() - started) < pause + MIN_ATTEMPT:
                    break
                self._sleep(pause)
            left = DEADLINE - (self._clock() - started)
            outcome = self._attempt(action, params, timeout=max(MIN_ATTEMPT, min(self.settings.timeout, left)))
            if isinstance(outcome, dict):
                return outcome
            reason = outcome
            log.warning("Alibaba Cloud %s: attempt %d of %d failed (%s)", action, attempt + 1, MAX_ATTEMPTS, reason)
        raise ProviderUnavailable(reason)

    def _attempt(self, action: str, params: Mapping[str, str], timeout: float) -> dict[str, Any] | str:
        """The reply of an accepted call, or the reason to try again (a string); raises on a definite refusal."""
        url = f"{self.settings.endpoint}?{signed_query(self.settings, action, params)}"
        try:
            status, raw = _http_get(url, timeout)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, cut off mid-answer
            return type(error).__name__
        reply = _json_object(raw)
        code = str(reply.get("Code") or "")
        if status >= 500 or status == 429 or code in RETRY_CODES or code.startswith("Throttling"):
            return code or f"HTTP {status}"
        if status == 200 and code == "OK":
            return reply
        log.warning("Alibaba Cloud %s refused: %s (HTTP %d)", action, code or "no code", status)
        raise ProviderRefused(code or f"HTTP {status}")


# --- delivery reports ------------------------------------------------------------------------------------------------


def _report_of(reply: Mapping[str, Any]) -> dict[str, Any] | None:
    """The one record of a QuerySendDetails reply filtered by BizId (a list, or a lone object), if any yet."""
    records = (reply.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
    if isinstance(records, dict):
        records = [records]
    return records[0] if records and isinstance(records[0], dict) else None


def refresh_delivery(message: SmsMessage, backend: AliyunSmsBackend | None = None) -> str:
    """Ask Alibaba Cloud for the delivery report of a "sent" message and keep it: "delivered" or "failed" with the
    carrier's code, after which the number's cipher is erased; still "sent" while the receipt is awaited.

    Returns the status; raises ProviderUnavailable / ProviderRefused when the question cannot be asked."""
    if message.status != "sent" or not message.provider_id or message.phone_cipher is None:
        return message.status
    backend = backend or AliyunSmsBackend()
    send_date = message.created_at.astimezone(SHANGHAI).strftime("%Y%m%d")
    report = _report_of(backend.query(decrypt(message.phone_cipher), send_date, message.provider_id))
    status = REPORT_STATUS.get(int((report or {}).get("SendStatus") or 0))
    if report is None or status is None:
        return message.status
    message.status = status
    message.status_code = str(report.get("ErrCode") or "")[:64] or None
    message.status_at = utcnow()
    message.phone_cipher = None
    db.session.flush()
    return status


def refresh_pending(backend: AliyunSmsBackend | None = None, limit: int = 200) -> int:
    """Refresh the messages still "sent" from the last `REPORT_WAIT` (oldest first, at most ``limit``), and erase
    the number of older ones (no report is coming). Returns how many got a final status; one message's failure is
    logged and the others go on."""
    now = utcnow()
    awaiting = (SmsMessage.status == "sent") & SmsMessage.phone_cipher.is_not(None)
    for stale in db.session.scalars(select(SmsMessage).where(awaiting, SmsMessage.created_at < now - REPORT_WAIT)):
        stale.phone_cipher = None
    pending = list(
        db.session.scalars(
            select(SmsMessage)
            .where(awaiting, SmsMessage.backend == AliyunSmsBackend.name, SmsMessage.provider_id.is_not(None))
            .where(SmsMessage.created_at >= now - REPORT_WAIT)
            .order_by(SmsMessage.created_at, SmsMessage.id)
            .limit(limit)
        )
    )
    db.session.flush()
    if not pending:
        return 0
    backend = backend or AliyunSmsBackend()
    if backend.settings.missing():
        return 0
    final = 0
    for message in pending:
        try:
            final += refresh_delivery(message, backend) != "sent"
        except (ProviderUnavailable, ProviderRefused) as error:
            log.warning("Alibaba Cloud delivery report of SMS %d not read: %s", message.id, error)
    return final


@shared_task(name="app.voting.sms_aliyun.refresh_deliveries")
def refresh_deliveries() -> int:
    """For beat, every few minutes: the delivery reports of the messages Alibaba Cloud accepted (`refresh_pending`)."""
    try:
        final = refresh_pending()
        db.session.commit()
        return final
    finally:
        db.session.remove()
