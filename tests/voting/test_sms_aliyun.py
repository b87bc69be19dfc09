"""Alibaba Cloud SMS (app.voting.sms_aliyun) against a local fake Dysmsapi that checks every signature.

The fake server recomputes each request's signature with its own encoder (character by character, not the module's)
and the test secret, and answers SignatureDoesNotMatch when it differs; it can fail the next requests (HTTP 500,
throttling, a dropped connection) and answers QuerySendDetails with the delivery report a test sets. No test sleeps:
the backend's sleep is a list that records the pauses; the clock is the suite's pinned clock, moved with
time_machine where the per-number limit needs minutes to pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import socket
import string
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import select

from app.config import ConfigurationError, load_config
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt
from app.voting import sms, sms_aliyun, sms_outbox
from app.voting.models import Meeting, SmsMessage
from app.voting.sms_aliyun import AliyunSettings, AliyunSmsBackend, refresh_delivery, refresh_pending
from tests.factories import gen_community, gen_official, gen_township
from tests.test_config import PRODUCTION
from tests.voting.helpers import gen_meeting

KEY_ID, SECRET = "LTAI5tTestKeyId", "test-secret/with+odd*chars~"
PHONE, OTHER_PHONE = "13812345678", "13987654321"
CODE_TEXT = "【共决】您的投票验证码是 123456，10 分钟内有效。"

# --- the fake Dysmsapi -----------------------------------------------------------------------------------------------

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-_.~")


def rfc3986(value: str) -> str:
    """The fake's own encoder, written from the documentation's rule, character by character."""
    return "".join(ch if ch in _UNRESERVED else "".join(f"%{byte:02X}" for byte in ch.encode()) for ch in value)


def expected_signature(params: dict[str, str], secret: str) -> str:
    canonical = "&".join(f"{rfc3986(k)}={rfc3986(params[k])}" for k in sorted(params))
    to_sign = "GET&%2F&" + rfc3986(canonical)
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


@dataclass
class FakeAliyun:
    """The state of the fake server: what it received, what it will fail, what it reports."""

    url: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: a business error code every SendSms gets instead of OK
    refuse_with: str | None = None
    #: BizId → (SendStatus, ErrCode) of QuerySendDetails; absent: 1 (awaiting the receipt)
    reports: dict[str, tuple[int, str]] = field(default_factory=dict)
    sent: dict[str, dict[str, str]] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)

    def reset(self) -> None:
        self.requests.clear()
        self.failures.clear()
        self.refuse_with = None
        self.reports.clear()
        self.sent.clear()
        self.nonces.clear()

    def fail_next(self, *kinds: str) -> None:
        """Fail the next requests, one kind each: "500", "throttle" (Throttling.User) or "drop" (no answer)."""
        self.failures.extend(kinds)

    def of(self, action: str) -> list[dict[str, str]]:
        return [request for request in self.requests if request.get("Action") == action]

    # the server's side

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, Any] | None]:
        self.requests.append(params)
        if self.failures:
            kind = self.failures.pop(0)
            if kind == "drop":
                return 0, None
            if kind == "500":
                return 500, {
                    "Code": "ServiceUnavailable",
                    "Message": "The request has failed due to a temporary failure",
                }
            return 400, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."}
        refusal = self._check_signature(params)
        if refusal is not None:
            return refusal
        if params.get("Action") == "SendSms":
            return self._send(params)
        if params.get("Action") == "QuerySendDetails":
            return self._query(params)
        return 404, {"Code": "InvalidAction.NotFound"}

    def _check_signature(self, params: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
        common = {"Format": "JSON", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "Version": "2017-05-25"}
        if any(params.get(name) != value for name, value in common.items()):
            return 400, {"Code": "MissingParameter"}
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params.get("Timestamp", "")):
            return 400, {"Code": "InvalidTimeStamp.Format"}
        if params.get("AccessKeyId") != KEY_ID:
            return 404, {"Code": "InvalidAccessKeyId.NotFound"}
        unsigned = {name: value for name, value in params.items() if name != "Signature"}
        if params.get("Signature") != expected_signature(unsigned, SECRET):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        if params["SignatureNonce"] in self.nonces:
            return 400, {"Code": "SignatureNonceUsed"}
        self.nonces.add(params["SignatureNonce"])
        return None

    def _send(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if self.refuse_with:
            return 200, {"Code": self.refuse_with, "Message": "refused"}
        if not re.fullmatch(r"1\d{10}", params["PhoneNumbers"]):
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL"}
        biz_id = f"{900000 + len(self.sent)}^0"
        sent_at = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        self.sent[biz_id] = {"phone": params["PhoneNumbers"], "day": sent_at.astimezone(SHANGHAI).strftime("%Y%m%d")}
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": "F655A8D5-B967-440B-8683"}

    def _query(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        sent = self.sent.get(params.get("BizId", ""))
        if sent is None or sent["phone"] != params.get("PhoneNumber") or sent["day"] != params.get("SendDate"):
            return 200, {"Code": "OK", "TotalCount": 0, "SmsSendDetailDTOs": {"SmsSendDetailDTO": []}}
        status, code = self.reports.get(params["BizId"], (1, ""))
        record = {"PhoneNum": sent["phone"], "SendStatus": status, "ErrCode": code, "TemplateCode": "SMS_000001"}
        return 200, {"Code": "OK", "TotalCount": 1, "SmsSendDetailDTOs": {"SmsSendDetailDTO": [record]}}


def _handler(fake: FakeAliyun) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = self.path.partition("?")[2]
            params = dict(
                (unquote(name), unquote(value))
                for name, _, value in (pair.partition("=") for pair in query.split("&") if pair)
            )
            status, reply = fake.answer(params)
            if reply is None:  # "drop": close the connection without an answer
                self.close_connection = True
                return
            payload = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeAliyun]:
    fake = FakeAliyun()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def fake(fake_server: FakeAliyun) -> FakeAliyun:
    fake_server.reset()
    return fake_server


def settings_for(url: str, secret: str = SECRET) -> AliyunSettings:
    return AliyunSettings(
        access_key_id=KEY_ID,
        access_key_secret=secret,
        sign_name="共决",
        template_code="SMS_000001",
        endpoint=url,
        timeout=2.0,
    )


class Pauses(list[float]):
    """The backend's sleep: records each pause instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def pauses() -> Pauses:
    return Pauses()


@pytest.fixture
def backend(fake: FakeAliyun, pauses: Pauses) -> AliyunSmsBackend:
    return AliyunSmsBackend(settings_for(fake.url), sleep=pauses)


@pytest.fixture
def meeting(app: Any) -> Meeting:
    township = gen_township()
    return gen_meeting(gen_community(township), gen_official(township))


def rows(meeting: Meeting) -> list[SmsMessage]:
    return list(
        db.session.scalars(select(SmsMessage).where(SmsMessage.meeting_id == meeting.id).order_by(SmsMessage.id))
    )


def english(error: DomainError) -> str:
    with force_locale("en"):
        return str(error)


def refusal(call: Any, *args: Any) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call(*args)
    return refused.value


# --- the signature ---------------------------------------------------------------------------------------------------


def test_the_signature_reproduces_alibaba_clouds_worked_example():
    """The example of Alibaba Cloud's "Signature mechanism" page: both the module and the fake server's own encoder
    get its published signature, so the fake checks what Alibaba Cloud checks."""
    params = {
        "TimeStamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }
    to_sign = sms_aliyun.string_to_sign(sms_aliyun.canonical_query(params))
    assert to_sign.startswith("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26")
    assert "TimeStamp%3D2016-02-23T12%253A46%253A24Z" in to_sign
    assert sms_aliyun.signature("testsecret", to_sign) == "CT9X0VtwR86fNWSnsc6v8YGOjuE="
    assert expected_signature(params, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="


def test_percent_encoding_is_rfc_3986_as_the_signature_wants():
    assert sms_aliyun.percent_encode("a b*c~d+e/=&中") == "a%20b%2Ac~d%2Be%2F%3D%26%E4%B8%AD"
    assert sms_aliyun.percent_encode("a b*c~d+e/=&中") == rfc3986("a b*c~d+e/=&中")


def test_a_correctly_signed_message_is_accepted_and_recorded_without_the_number(app, fake, backend, meeting):
    backend.send(meeting.id, PHONE, CODE_TEXT)

    [request] = fake.of("SendSms")
    assert request["PhoneNumbers"] == PHONE
    assert request["SignName"] == "共决"
    assert request["TemplateCode"] == "SMS_000001"
    # the text without Gongjue's 【共决】: Alibaba Cloud writes the sign name itself
    assert json.loads(request["TemplateParam"]) == {"content": "您的投票验证码是 123456，10 分钟内有效。"}
    [message] = rows(meeting)
    assert (message.backend, message.status, message.status_code) == ("aliyun", "sent", "OK")
    assert message.provider_id == next(iter(fake.sent))
    assert message.phone_masked == "138****5678"
    assert message.phone_lookup == sms_outbox.phone_key(PHONE)
    assert message.body == "【共决】您的投票验证码是 ******，10 分钟内有效。"  # staff never read a voter's code
    assert message.status_at is not None
    for value in (message.phone_lookup, message.body, message.phone_masked, message.provider_id):
        assert PHONE not in value
    assert PHONE.encode() not in message.phone_cipher
    assert decrypt(message.phone_cipher) == PHONE  # only until the delivery report is final


def test_the_fake_server_refuses_a_tampered_request(fake):
    """The fake really checks: the same signed query with one parameter changed after signing is refused."""
    query = sms_aliyun.signed_query(settings_for(fake.url), "SendSms", {"PhoneNumbers": PHONE, "SignName": "共决"})
    assert sms_aliyun._http_get(f"{fake.url}?{query}", 2.0)[0] == 200
    tampered = query.replace(f"PhoneNumbers={PHONE}", f"PhoneNumbers={OTHER_PHONE}")
    status, raw = sms_aliyun._http_get(f"{fake.url}?{tampered}", 2.0)
    assert (status, json.loads(raw)["Code"]) == (400, "SignatureDoesNotMatch")


def test_a_wrong_secret_is_a_definite_refusal_not_retried(app, fake, pauses, meeting):
    backend = AliyunSmsBackend(settings_for(fake.url, secret="not-the-secret"), sleep=pauses)
    refused = refusal(backend.send, meeting.id, PHONE, CODE_TEXT)
    assert (refused.code, refused.status) == ("sms_refused", 502)
    assert len(fake.requests) == 1
    assert pauses == []
    assert rows(meeting) == []


# --- retries ---------------------------------------------------------------------------------------------------------


def test_server_errors_throttling_and_a_dropped_connection_are_retried(app, fake, backend, pauses, meeting):
    fake.fail_next("500", "throttle")
    backend.send(meeting.id, PHONE, CODE_TEXT)
    assert len(fake.of("SendSms")) == 3
    assert pauses == list(sms_aliyun.BACKOFF)
    assert [message.status for message in rows(meeting)] == ["sent"]
    # each attempt is signed afresh: a nonce is never reused
    assert len({request["SignatureNonce"] for request in fake.requests}) == 3

    fake.fail_next("drop")
    backend.send(meeting.id, OTHER_PHONE, CODE_TEXT)
    assert len(fake.of("SendSms")) == 5
    assert len(rows(meeting)) == 2


def test_retries_exhausted_raise_a_clear_error_and_record_nothing(app, fake, backend, pauses, meeting):
    fake.fail_next("500", "throttle", "500")
    refused = refusal(backend.send, meeting.id, PHONE, CODE_TEXT)
    assert (refused.code, refused.status) == ("sms_unavailable", 503)
    assert "could not be sent" in english(refused)
    assert len(fake.requests) == sms_aliyun.MAX_ATTEMPTS == 3
    assert sum(pauses) <= 1.5
    assert rows(meeting) == []  # nothing half-recorded, and the failure does not count towards the limit
    backend.send(meeting.id, PHONE, CODE_TEXT)
    assert len(rows(meeting)) == 1


def test_the_retries_stop_at_the_deadline(app, fake, pauses, meeting):
    """Each reading of this clock is three seconds later (attempts that time out): the call gives up within
    `DEADLINE` instead of making every attempt."""
    clock = itertools.count(0.0, 3.0)
    backend = AliyunSmsBackend(settings_for(fake.url), sleep=pauses, clock=lambda: next(clock))
    fake.fail_next("500", "500", "500")
    assert refusal(backend.send, meeting.id, PHONE, CODE_TEXT).code == "sms_unavailable"
    assert len(fake.requests) == 2
    assert pauses == [sms_aliyun.BACKOFF[0]]


def test_an_unreachable_endpoint_is_retried_then_refused(app, pauses, meeting):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    backend = AliyunSmsBackend(settings_for(closed), sleep=pauses)
    assert refusal(backend.send, meeting.id, PHONE, CODE_TEXT).code == "sms_unavailable"
    assert len(pauses) == sms_aliyun.MAX_ATTEMPTS - 1
    assert rows(meeting) == []


@pytest.mark.parametrize(
    ("provider_code", "code", "status"),
    [
        ("isv.MOBILE_NUMBER_ILLEGAL", "sms_bad_number", 422),
        ("isv.BUSINESS_LIMIT_CONTROL", "sms_rate_limited", 429),
        ("isv.SMS_TEMPLATE_ILLEGAL", "sms_refused", 502),
        ("isv.OUT_OF_SERVICE", "sms_refused", 502),
    ],
)
def test_a_definite_refusal_is_not_retried(app, fake, backend, pauses, meeting, provider_code, code, status):
    fake.refuse_with = provider_code
    refused = refusal(backend.send, meeting.id, PHONE, CODE_TEXT)
    assert (refused.code, refused.status) == (code, status)
    assert len(fake.requests) == 1
    assert pauses == []
    assert rows(meeting) == []


def test_without_its_settings_the_backend_refuses_before_any_request(app, fake, pauses, meeting):
    backend = AliyunSmsBackend(AliyunSettings("", "", "", "", endpoint=fake.url), sleep=pauses)
    assert refusal(backend.send, meeting.id, PHONE, CODE_TEXT).code == "sms_refused"
    assert fake.requests == []


# --- the per-number limit --------------------------------------------------------------------------------------------


def test_at_most_one_message_a_minute_and_five_an_hour_per_number(app, fake, backend, meeting):
    start = utcnow()

    def at(minutes: int) -> time_machine.travel:
        return time_machine.travel(start + timedelta(minutes=minutes), tick=False)

    with at(0):
        backend.send(meeting.id, PHONE, CODE_TEXT)
        refused = refusal(backend.send, meeting.id, PHONE, CODE_TEXT)
        assert (refused.code, refused.status) == ("sms_rate_limited", 429)
        assert "try again later" in english(refused)
        backend.send(meeting.id, OTHER_PHONE, CODE_TEXT)  # another number is not held back
    for minutes in (2, 4, 6, 8):
        with at(minutes):
            # the same number however it is written
            backend.send(meeting.id, "+86 138 1234 5678" if minutes == 4 else PHONE, CODE_TEXT)
    with at(10):
        assert refusal(backend.send, meeting.id, PHONE, CODE_TEXT).code == "sms_rate_limited"  # the sixth this hour
        backend.send(meeting.id, OTHER_PHONE, CODE_TEXT)
    assert len(fake.of("SendSms")) == 7  # the refused ones never reached the provider
    with at(61):  # the first message has left the hour
        backend.send(meeting.id, PHONE, CODE_TEXT)
    assert len([m for m in rows(meeting) if m.phone_lookup == sms_outbox.phone_key(PHONE)]) == 6


def test_the_console_outbox_records_the_same_rows_without_a_limit(app, fake, backend, meeting):
    """Nothing reaches a phone from the console, so it is not limited; its rows still count for the providers."""
    console = sms.ConsoleBackend()
    console.send(meeting.id, PHONE, CODE_TEXT)
    console.send(meeting.id, PHONE, CODE_TEXT)
    kept = rows(meeting)
    assert [(m.status, m.phone_lookup, m.body) for m in kept] == [("kept", sms_outbox.phone_key(PHONE), CODE_TEXT)] * 2
    assert all(m.phone_cipher is None and m.provider_id is None for m in kept)
    assert refusal(backend.send, meeting.id, PHONE, CODE_TEXT).code == "sms_rate_limited"
    assert fake.requests == []


# --- delivery reports ------------------------------------------------------------------------------------------------


def test_the_delivery_report_is_read_and_kept(app, fake, backend, meeting):
    backend.send(meeting.id, PHONE, CODE_TEXT)
    backend.send(meeting.id, OTHER_PHONE, CODE_TEXT)
    delivered, failed = rows(meeting)

    assert refresh_delivery(delivered, backend) == "sent"  # the carrier's receipt is awaited
    [query] = fake.of("QuerySendDetails")
    assert query["PhoneNumber"] == PHONE
    assert query["BizId"] == delivered.provider_id
    assert query["SendDate"] == delivered.created_at.astimezone(SHANGHAI).strftime("%Y%m%d")
    assert delivered.phone_cipher is not None

    fake.reports[delivered.provider_id] = (3, "DELIVERED")
    fake.reports[failed.provider_id] = (2, "MK:0001")
    assert refresh_pending(backend) == 2
    assert (delivered.status, delivered.status_code) == ("delivered", "DELIVERED")
    assert (failed.status, failed.status_code) == ("failed", "MK:0001")
    assert delivered.phone_cipher is None  # the number is erased once the report is final
    assert failed.phone_cipher is None
    assert refresh_pending(backend) == 0  # nothing left to ask
    assert len(fake.of("QuerySendDetails")) == 3


def test_the_report_is_asked_for_beijings_day_of_sending(app, fake, backend, meeting):
    """Sent at 00:30 Beijing time, the day before in UTC: Alibaba Cloud files it under Beijing's day."""
    just_after_midnight = datetime.combine(utcnow().astimezone(SHANGHAI).date(), datetime.min.time(), SHANGHAI)
    with time_machine.travel(just_after_midnight + timedelta(minutes=30), tick=False):
        backend.send(meeting.id, PHONE, CODE_TEXT)
    [message] = rows(meeting)
    fake.reports[message.provider_id] = (3, "DELIVERED")
    assert refresh_delivery(message, backend) == "delivered"
    assert fake.of("QuerySendDetails")[0]["SendDate"] == just_after_midnight.strftime("%Y%m%d")


def test_a_report_no_longer_awaited_erases_the_number(app, fake, backend, meeting):
    start = utcnow()
    with time_machine.travel(start - sms_aliyun.REPORT_WAIT - timedelta(hours=1), tick=False):
        backend.send(meeting.id, PHONE, CODE_TEXT)
    [message] = rows(meeting)
    assert refresh_pending(backend) == 0
    assert (message.status, message.phone_cipher) == ("sent", None)
    assert fake.of("QuerySendDetails") == []


# --- configuration ---------------------------------------------------------------------------------------------------


def test_sms_backend_aliyun_sends_with_the_apps_settings(app, fake, meeting, monkeypatch):
    for name, value in {
        "SMS_BACKEND": "aliyun",
        "ALIYUN_SMS_ACCESS_KEY_ID": KEY_ID,
        "ALIYUN_SMS_ACCESS_KEY_SECRET": SECRET,
        "ALIYUN_SMS_SIGN_NAME": "共决",
        "ALIYUN_SMS_TEMPLATE_CODE": "SMS_000001",
        "ALIYUN_SMS_ENDPOINT": fake.url,
    }.items():
        monkeypatch.setitem(app.config, name, value)  # the app is shared: restored afterwards
    backend = sms.sms_backend()
    assert isinstance(backend, AliyunSmsBackend)
    backend.send(meeting.id, PHONE, CODE_TEXT)
    assert [m.status for m in rows(meeting)] == ["sent"]


ALIYUN = {
    "GONGJUE_ALIYUN_SMS_ACCESS_KEY_ID": KEY_ID,
    "GONGJUE_ALIYUN_SMS_ACCESS_KEY_SECRET": SECRET,
    "GONGJUE_ALIYUN_SMS_SIGN_NAME": "共决",
    "GONGJUE_ALIYUN_SMS_TEMPLATE_CODE": "SMS_000001",
}


def test_production_refuses_aliyun_without_its_keys_and_names_them(tmp_path):
    environ = {**PRODUCTION, "GONGJUE_SMS_BACKEND": "aliyun", "GONGJUE_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(ConfigurationError) as refused:
        load_config(environ)
    for name in ALIYUN:
        assert name in str(refused.value)
    with pytest.raises(ConfigurationError, match="GONGJUE_ALIYUN_SMS_TEMPLATE_CODE is not set"):
        load_config({**environ, **ALIYUN, "GONGJUE_ALIYUN_SMS_TEMPLATE_CODE": ""})
    with pytest.raises(ConfigurationError, match="GONGJUE_ALIYUN_SMS_ENDPOINT is not https"):
        load_config({**environ, **ALIYUN, "GONGJUE_ALIYUN_SMS_ENDPOINT": "http://dysmsapi.aliyuncs.com/"})
    config = load_config({**environ, **ALIYUN, "GONGJUE_ALIYUN_SMS_TIMEOUT": "1.5"})
    assert (config["SMS_BACKEND"], config["ALIYUN_SMS_TIMEOUT"]) == ("aliyun", 1.5)
    assert config["ALIYUN_SMS_ENDPOINT"] == "https://dysmsapi.aliyuncs.com/"


@pytest.mark.parametrize("timeout", ["0", "-1", "soon", "600"])
def test_a_timeout_that_is_not_a_few_seconds_is_refused(timeout, tmp_path):
    with pytest.raises(ConfigurationError, match="GONGJUE_ALIYUN_SMS_TIMEOUT"):
        load_config({"GONGJUE_ALIYUN_SMS_TIMEOUT": timeout, "GONGJUE_INSTANCE_PATH": str(tmp_path)})
