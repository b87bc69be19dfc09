"""Every page of the demo speaks Chinese (issue 19 item 3): no status code, setting value or English label, no UTC
time, in the Chinese UI of every role.

Each role of the demo (the township's officials, the preparatory group's leader, the tellers, the bodies' accounts,
the administrator, an observer) starts from its start page and follows every link it is shown (GET only, at most a
few pages of each shape of address), and an owner opens their letter's link, passes the second factor and reaches
their ballot. Every HTML page is read as a person reads it: the text and the attributes a browser shows (title,
placeholder, aria-label, alt), without scripts, styles, code (hashes, keys, addresses) and the closed technical
detail of the result pages (`<details class="technical">`, which holds the technical names on purpose). It fails on

- a status code or setting value (pending, mismatch, phone, heads, …) standing alone as a word;
- three English words in a row: an untranslated message or an English label;
- an ISO time (2026-12-22T02:00): times are shown in Beijing time as people read them.

The same walk in English would find Chinese names and addresses of the demo: it runs in Chinese only.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.demo.loader import DEMO_PASSWORD, load_demo
from app.demo.voting import demo_voter_link
from app.extensions import db
from app.results.models import Result
from app.roll.models import RollVersion
from tests.conftest import AuthActions

ROLES = (
    "admin",
    "jiyang1",
    "group-leader",
    "teller",
    "observer",
    "meiyuan-teller1",
    "meiyuan-leader",
    "hehua-teller1",
    "songtao-chair",
    "fenglin-pmc",
)
#: pages of one shape of address (digits stand for ids) read per role: enough to see each template in its states
PER_SHAPE = 3
PER_ROLE = 400
#: addresses not to follow: leaving, switching language, files (checked by their own tests), the API, health checks
SKIPPED = re.compile(
    r"^/(logout|lang/|static/|api/|healthz|livez)|\.(pdf|xlsx|csv|json|zip|png|svg|txt|ico)(\?|$)|/download|/export"
)
#: status codes, setting values and channels of the code, standing alone in Chinese text
CODE_WORDS = re.compile(
    r"(?<![A-Za-z0-9_./-])("
    r"pending|running|done|failed|mismatch|conflict|accepted|rejected|draft|counting|counted|published|certified|"
    r"refused|window_ended|not_open|phone|paper|proxy|heads|area|id_last6|sms|no_assembly|preparing|extended|"
    r"established|committee|pmc|runoff|re_election|owner_representative|residents_committee|developer_report|"
    r"yes|no|abstain|blank|invalid|true|false|None|null|silent|not_started|cancelled|error"
    r")(?![A-Za-z0-9_-])"
)
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
#: English that belongs in a Chinese page: names of products and standards an owner may meet, and the example of
#: the letter's code on the page where it is typed
ALLOWED_ENGLISH = ("Noto Sans CJK", "ABCD-EFGH-JKMN")  # a font; the shape of a letter's typed code
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
HIDDEN_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp", "template"}


class ShownText(HTMLParser):
    """The text a person is shown, and the links they can follow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        technical = tag == "details" and "technical" in (values.get("class") or "").split()
        if tag in HIDDEN_ELEMENTS or technical or (self._hidden and tag == self._hidden[-1]):
            self._hidden.append(tag)
            return
        if self._hidden:
            return
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        self.parts.extend(values[name] or "" for name in SHOWN_ATTRIBUTES if values.get(name))

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and tag == self._hidden[-1]:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def problems_of(text: str) -> list[str]:
    for allowed in ALLOWED_ENGLISH:
        text = text.replace(allowed, "")
    found = [
        f"code word {m.group(1)!r} in …{text[max(0, m.start() - 30) : m.end() + 30]}…"
        for m in CODE_WORDS.finditer(text)
    ]
    found += [f"English {m.group(0)!r}" for m in ENGLISH_PHRASE.finditer(text)]
    found += [f"ISO time {m.group(0)!r}" for m in ISO_TIME.finditer(text)]
    return found


def report(bad: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}: {problem}" for path, problems in sorted(bad.items()) for problem in problems[:8])


def shape(path: str) -> str:
    return re.sub(r"\d+", "#", urlsplit(path).path)


def walk(client: FlaskClient, start: list[str]) -> dict[str, list[str]]:
    """Follow the links from ``start``; the problems of each page read."""
    queue, seen, shapes = deque(start), set(start), Counter[str]()
    found: dict[str, list[str]] = {}
    while queue and len(found) < PER_ROLE:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = ShownText()
        page.feed(response.get_data(as_text=True))
        found[path] = problems_of(page.text)
        for link in page.links:
            target = urlsplit(link)
            address = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc or not target.path.startswith("/") or SKIPPED.search(address) or address in seen:
                continue
            seen.add(address)
            if shapes[shape(address)] < PER_SHAPE:
                shapes[shape(address)] += 1
                queue.append(address)
    return found


@pytest.fixture
def demo(app: Any) -> None:
    load_demo()
    db.session.commit()


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_speaks_chinese(app: Any, demo: None, username: str) -> None:
    client = app.test_client()
    assert AuthActions(client).login(username, DEMO_PASSWORD).status_code == 302
    found = walk(client, ["/"])
    assert len(found) > 5, f"{username} reached only {sorted(found)}"
    bad = {path: problems for path, problems in found.items() if problems}
    assert not bad, f"{len(bad)} of {len(found)} pages of {username} show English, a code or a UTC time:\n" + report(
        bad
    )


def test_the_owners_pages_and_the_public_pages_speak_chinese(app: Any, demo: None) -> None:
    found = demo_voter_link("http://localhost")
    assert found is not None
    link, _who, tail = found
    client = app.test_client()
    address = urlsplit(link)
    pages = {"second factor": client.get(f"{address.path}?{address.query}", follow_redirects=True)}
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', pages["second factor"].get_data(as_text=True))
    assert token is not None
    wrong = client.post("/v/verify", data={"csrf_token": token.group(1), "answer": "000000"}, follow_redirects=True)
    pages["a wrong answer"] = wrong
    right = client.post("/v/verify", data={"csrf_token": token.group(1), "answer": tail}, follow_redirects=True)
    pages["ballot"] = right
    assert 'action="/v/review"' in right.get_data(as_text=True)
    # the letter signed the owner in to their own pages too (issue 20): every page they reach from there
    own = walk(client, ["/owner?all=1"])
    assert len([path for path in own if path.startswith("/owner")]) > 2, sorted(own)
    bad = {path: problems for path, problems in own.items() if problems}
    for name, response in pages.items():
        page = ShownText()
        page.feed(response.get_data(as_text=True))
        if problems := problems_of(page.text):
            bad[name] = problems
    results = db.session.scalars(select(Result).where(Result.status.in_(("published", "certified")))).all()
    notices = db.session.scalars(select(RollVersion.notice_token).where(RollVersion.notice_token.is_not(None))).all()
    assert results
    assert notices
    starts = ["/verify", *(f"/r/{r.package_sha256}" for r in results), *(f"/notices/roll/{t}" for t in notices)]
    public = walk(app.test_client(), starts)
    assert len(public) > len(starts)  # the results' verification and check pages too
    bad |= {path: problems for path, problems in public.items() if problems}
    assert not bad, report(bad)


def test_the_reader_finds_what_the_issue_found_and_skips_the_technical_detail() -> None:
    """The walk's reader fails on what the issue found ("候选人排序依据：heads, area", "方式 phone", a UTC time, an
    English label) and reads neither code nor the closed technical detail."""
    found = [
        "候选人排序依据：heads, area",
        "投票时间 2026-12-22T02:00:31+00:00，方式 phone",
        "状态 mismatch",
        "Objections to the notices are open",
    ]
    for text in found:
        assert problems_of(text), text
    page = ShownText()
    page.feed(
        '<p title="Open the ballot">投票</p><code>channel=phone</code>'
        '<details class="technical"><summary>技术细节</summary>signature platform: roll root</details><p>完成</p>'
    )
    assert page.text == "Open the ballot 投票 完成"
    assert problems_of(page.text) == ["English 'Open the ballot'"]
    assert problems_of("投票时间 2026-12-22 10:00，方式 手机；PDF、SHA-256、QR 码") == []
