"""One owner's phone ballot as a browser makes it, over any transport: the sequence bench/cast.py times.

Shared by the in-process explanation (Flask's test client, bench/cast.py) and the load generator (bench/load.py, over
HTTP with geventhttpclient). The sequence follows what the server answers, as a browser does:

  1. GET  /v?t=<token>   → the second-factor form (200), or a redirect to /v/ballot that shows it ("verify form")
  2. POST /v/verify      → the ballot form (200), or a redirect to /v/ballot that shows it ("ballot form")
  3. POST /v/review      → the review page, whose hidden fields carry the choices
  4. POST /v/cast        → 302 to /v/receipt: "the final POST"
  5. GET  /v/receipt     → the receipt code
  and, after each page, its stylesheet as a browser gets it: kept without asking while its max-age lasts (the app
  serves it at a fingerprinted address with a year's max-age, app/static_files.py), else revalidated with its ETag.

Every POST carries the CSRF token of the page it came from and a same-origin Referer (Flask-WTF checks it on HTTPS).
No import here but the standard library: bench/load.py patches the standard library with gevent before importing it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

STEPS = ("link", "verify form", "verify", "ballot form", "review", "cast", "receipt", "stylesheet")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN_CHOICE = re.compile(r'type="hidden" name="(m\d+)" value="([^"]*)"')
RECEIPT_CODE = re.compile(r"data-receipt-code>([^<]+)<")
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
MAX_AGE = re.compile(r"\bmax-age=[1-9]")

Form = list[tuple[str, str]]


@dataclass(frozen=True)
class Letter:
    """What a voter's letter and memory carry: the link's token and the ID tail; and the choices they will make."""

    voter_id: int
    token: str
    id_tail: str
    form: Form  # the ballot form's fields as the phone sends them
    expected: dict[str, Any]  # Ballot.choices once stored


@dataclass
class Reply:
    status: int
    location: str
    text: str
    etag: str = ""
    cache_control: str = ""


class Transport(Protocol):
    def send(self, method: str, path: str, form: Form | None, headers: dict[str, str]) -> Reply: ...


class Broken(Exception):
    """The transport failed (connection refused or reset, a timeout): the ballot's sequence stops there."""


class Refused(Exception):
    def __init__(self, step: str, reply: Reply):
        super().__init__(f"{step}: {reply.status} {reply.location}")
        self.step, self.reply = step, reply


@dataclass
class Outcome:
    voter_id: int
    started: float
    ended: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)
    receipt_code: str | None = None
    error: str | None = None


def vote(phone: Transport, letter: Letter, on_step: Callable[[str], None] | None = None) -> Outcome:
    """One owner's ballot (module docstring), each request timed; a refusal or an unexpected page stops it. The phone
    is new: no cookie, no cached stylesheet."""
    outcome = Outcome(letter.voter_id, time.perf_counter())
    etag = ""
    kept: set[str] = set()  # the browser's cache: addresses served with a lifetime (max-age) are not asked again

    def request(name: str, method: str, path: str, form: Form | None, headers: dict[str, str]) -> Reply:
        start = time.perf_counter()
        reply = phone.send(method, path, form, headers)
        outcome.steps.append((name, time.perf_counter() - start))
        if on_step is not None:
            on_step(name)
        return reply

    def step(name: str, method: str, path: str, expect: tuple[int, ...], form: Form | None = None) -> Reply:
        reply = request(name, method, path, form, {"Referer": "/v/ballot"} if method == "POST" else {})
        if reply.status not in expect:
            raise Refused(name, reply)
        if reply.status == 200:
            stylesheet(reply)
        return reply

    def page_after(name: str, reply: Reply, shown_by: str) -> Reply:
        """The page a step answered with, or the one its redirect leads to (followed as a browser does)."""
        if reply.status == 200:
            return reply
        if not reply.location.endswith("/v/ballot"):
            raise Refused(f"{name} (not to the ballot page)", reply)
        return step(shown_by, "GET", "/v/ballot", (200,))

    def stylesheet(page: Reply) -> None:
        nonlocal etag
        link = STYLESHEET.search(page.text)
        if link is None:
            raise Refused("stylesheet (no link)", page)
        if link.group(1) in kept:
            return
        reply = request("stylesheet", "GET", link.group(1), None, {"If-None-Match": etag} if etag else {})
        if reply.status not in (200, 304):
            raise Refused("stylesheet", reply)
        etag = reply.etag or etag
        if MAX_AGE.search(reply.cache_control):
            kept.add(link.group(1))

    def csrf(reply: Reply, name: str) -> str:
        match = CSRF_FIELD.search(reply.text)
        if match is None:
            raise Refused(f"{name} (no CSRF token)", reply)
        return match.group(1)

    try:
        page = page_after("link", step("link", "GET", f"/v?t={letter.token}", (200, 302)), "verify form")
        answer = [("csrf_token", csrf(page, "verify form")), ("answer", letter.id_tail)]
        page = page_after("verify", step("verify", "POST", "/v/verify", (200, 302), answer), "ballot form")
        if 'name="answer"' in page.text:
            raise Refused("verify (the second factor asked again)", page)
        page = step("review", "POST", "/v/review", (200,), [("csrf_token", csrf(page, "ballot form")), *letter.form])
        hidden = HIDDEN_CHOICE.findall(page.text)
        reply = step("cast", "POST", "/v/cast", (302,), [("csrf_token", csrf(page, "review")), *hidden])
        if not reply.location.endswith("/v/receipt"):
            raise Refused("cast (not to the receipt)", reply)
        page = step("receipt", "GET", "/v/receipt", (200,))
        match = RECEIPT_CODE.search(page.text)
        if match is None:
            raise Refused("receipt (no code)", page)
        outcome.receipt_code = match.group(1).strip()
    except Refused as refused:
        outcome.error = str(refused)
    except Broken as error:
        outcome.error = f"step {len(outcome.steps) + 1}: {error}"
    outcome.ended = time.perf_counter()
    return outcome
