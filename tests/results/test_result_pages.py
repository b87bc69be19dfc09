"""The result pages tell the outcome first, in the reader's language (issue 19 items 3 and 4).

In Chinese, the public result, the owner's check, the verification and the staff result page show no English status
word, setting value or channel (pending, mismatch, conflict, phone, paper, heads, area, platform …) and no UTC time in
ISO form: the technical detail (an expandable <details class="technical">) alone keeps the package's own names and
hashes. The outcome comes before the package hash; a bar is green only when its line is reached and says ✓ or ✗.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from flask import render_template_string
from flask.testing import FlaskClient

from app.extensions import db
from app.results import certification, closing, count_runs
from app.results.models import Result
from app.results.presentation import cast_when, rank_order
from app.roll.services import today
from app.voting.ballots import receipt_code
from app.voting.models import Ballot
from app.voting.paper_models import PaperEntry
from tests.conftest import AuthActions
from tests.results.helpers_lifecycle import Voted, end_window, gen_voted, owner_voters

#: English words of the package and the database that must never reach a Chinese reader outside the technical detail
ENGLISH_WORDS = re.compile(
    r"\b(pending|mismatch|conflict|excluded|phone|paper|proxy|heads|area|platform|convener|township|signature|root|"
    r"tally|member|alternate|not_elected|tie_unresolved|published|certified|counted|more_than|at_least|yes|no)\b",
    re.IGNORECASE,
)
#: a UTC time as ISO text: 2026-12-22T02:00:31+00:00
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
GREEN = "#1b6e20"


def visible_text(page: str) -> str:
    """What a reader sees without opening the technical detail: no tags, attributes, scripts or technical detail."""
    page = re.sub(r'<details class="technical">.*?</details>', " ", page, flags=re.S)
    page = re.sub(r"<(script|style|title)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_chinese_only(page: str, where: str) -> None:
    shown = visible_text(page)
    found = sorted({m.group(0) for m in ENGLISH_WORDS.finditer(shown)})
    assert found == [], f"{where} shows {found}"
    assert not ISO_TIME.search(page), f"{where} shows a time as ISO text: {ISO_TIME.search(page)}"


def counted(share: float = 0.9) -> tuple[Voted, Result]:
    voted = gen_voted(share=share)
    end_window(voted.meeting)
    closing.close(voted.meeting)
    result = count_runs.count(voted.meeting, voted.official.id)
    db.session.commit()
    return voted, result


@pytest.fixture
def published(app: Any) -> tuple[Voted, Result]:
    voted, result = counted()
    certification.publish(result, today())
    db.session.commit()
    return voted, result


def test_the_public_pages_speak_chinese_and_tell_the_outcome_first(
    client: FlaskClient, published: tuple[Voted, Result]
) -> None:
    voted, result = published
    digest = result.package_sha256
    page = client.get(f"/r/{digest}").get_data(as_text=True)
    assert_chinese_only(page, "the public result")
    main = page[page.index("<main") :]
    assert main.index('id="outcome"') < main.index(digest)  # the outcome first, the hash after
    assert re.search(r'<details class="technical">(?:(?!</details>).)*' + digest, page, re.S)  # in the detail
    assert "✓ 通过" in page
    assert "候选人排序依据：同意人数，其次按同意面积" in page  # the setting's value in words, not "heads, area"
    elected = re.search(r'data-elected="member">([^<]+)<', page)
    assert elected is not None
    assert elected.group(1).startswith("当选委员：")

    ballot = db.session.query(Ballot).filter_by(meeting_id=voted.meeting.id).first()
    assert ballot is not None
    check = client.get(f"/r/{digest}/check?receipt={receipt_code(ballot.receipt_sha256)}").get_data(as_text=True)
    assert_chinese_only(check, "the owner's check")
    assert f"投票日期：{cast_when(ballot.cast_at.isoformat())[:10]}；投票方式：手机。" in check
    assert "这说明您的选票已计入本次结果" in check

    verify = client.get(f"/r/{digest}/verify").get_data(as_text=True)
    assert_chinese_only(verify, "the verification")
    for meaning in ("结果由平台签名。", "计票使用的名册就是开始投票时冻结并公布的名册。", "没有人投了两次票。"):
        assert f"<span>{meaning}</span>" in verify
    assert 'data-check="signature platform' in verify  # the technical names stay, in the technical detail
    assert "默克尔" not in visible_text(verify)
    assert "（北京时间）" in verify


def test_the_staff_page_tells_the_outcome_before_the_package(
    client: FlaskClient, auth: AuthActions, published: tuple[Voted, Result]
) -> None:
    voted, result = published
    auth.login(voted.official.username)
    page = client.get(f"/meetings/{voted.meeting.id}/result").get_data(as_text=True)
    assert_chinese_only(page, "the staff result page")
    main = page[page.index("<main") :]
    assert main.index('id="outcome"') < main.index('id="package"') < main.index(result.package_sha256)


def test_paper_ballots_still_to_settle_are_named_in_words(client: FlaskClient, auth: AuthActions, app: Any) -> None:
    """Before counting, the convener reads what each paper ballot waits for, never its status code."""
    voted = gen_voted(share=0.5)
    end_window(voted.meeting)
    closing.close(voted.meeting)
    voters = owner_voters(voted)
    has_voted = {b.meeting_voter_id for b in db.session.query(Ballot).filter_by(meeting_id=voted.meeting.id)}
    waiting = [v for v in voters if v.id not in has_voted]
    for voter, status in ((waiting[0], "pending"), (waiting[1], "mismatch"), (voters[0], "conflict")):
        db.session.add(
            PaperEntry(meeting_id=voted.meeting.id, meeting_voter_id=voter.id, teller_id=voted.official.id,
                       choices={}, status=status)
        )  # fmt: skip
    db.session.commit()
    auth.login(voted.official.username)
    page = client.get(f"/meetings/{voted.meeting.id}/result").get_data(as_text=True)
    assert_chinese_only(page, "the staff page before the count")
    for words in ("已录入一次，等待第二位计票人录入", "两次录入不一致，由第三位计票人裁定", "以先收到的选票为准"):
        assert words in page


def bar_rows(page: str) -> list[tuple[str, str, str]]:
    """(data-met, the bar's fill, its words) of every bar row of a page."""
    rows = re.findall(
        r'class="bar-row"[^>]*data-met="(true|false)">\s*<span class="bar-label">([^<]+)</span>'
        r'.*?class="bar-track"[^>]*/>\s*<rect[^>]*fill="([^"]+)"',
        page,
        re.S,
    )
    return [(met, fill, html.unescape(words).strip()) for met, words, fill in rows]


def test_a_bar_is_green_only_when_its_line_is_reached_and_says_so(client: FlaskClient, app: Any) -> None:
    """Half of the owners voted: participation misses 2/3, every matter fails, and the bars say ✗ in red."""
    _voted, result = counted(share=0.5)
    certification.publish(result, today())
    db.session.commit()
    page = client.get(f"/r/{result.package_sha256}").get_data(as_text=True)
    rows = bar_rows(page)
    assert {met for met, _fill, _words in rows} == {"true", "false"}  # both kinds drawn
    for met, fill, words in rows:
        assert (fill == GREEN) == (met == "true"), words
        assert words.startswith("✓" if met == "true" else "✗"), words
        assert words.endswith("（已达到）" if met == "true" else "（未达到）"), words
    assert "✗ 参与表决的人数或专有部分面积未达到三分之二。" in page
    assert "✗ 未通过" in page


def test_the_turnout_bars_are_green_only_at_two_thirds(client: FlaskClient, auth: AuthActions, app: Any) -> None:
    """While voting, a bar below its 2/3 line is blue (still open) with ✗; green with ✓ once reached."""
    voted = gen_voted(share=0.7)
    db.session.commit()
    auth.login(voted.official.username)
    page = client.get(f"/meetings/{voted.meeting.id}/turnout").get_data(as_text=True)
    rows = bar_rows(page)
    assert rows
    for met, fill, words in rows:
        assert (fill == GREEN) == (met == "true"), words
        assert words.startswith("✓" if met == "true" else "✗"), words
    assert "<text" not in page  # the words are HTML text of a fixed size, never SVG text scaled with the drawing


def test_a_failed_check_is_said_in_plain_words(client: FlaskClient, app: Any) -> None:
    _voted, result = counted()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/verify").get_data(as_text=True))
    changed = re.sub(r'"heads":(\d)', lambda m: f'"heads":{(int(m.group(1)) + 1) % 10}', result.package, count=1)
    page = client.post(
        "/verify",
        data={"csrf_token": token.group(1) if token else "", "package": (io.BytesIO(changed.encode()), "p.json")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert_chinese_only(page, "a failed verification")
    failed = re.search(r'<li data-meaning="roll root" data-passed="false"[^>]*>(.*?)</li>', page, re.S)
    assert failed is not None
    assert "✗ 不成立：" in failed.group(1)
    assert "结果包中的名册完整，签名后未被改动。" in failed.group(1)
    assert "由名册中的投票人算出的默克尔根与所载不符" in failed.group(1)
    assert "在召集人和乡镇（街道）说明未通过的核验之前，请不要采信这份结果。" in page


def test_times_and_settings_in_words(app: Any) -> None:
    """An older package's exact time is shown in Beijing time (UTC+8), a day stays a day; ranking keys in words."""
    with app.test_request_context():
        assert cast_when("2026-12-22T02:00:31+00:00") == "2026-12-22 10:00"
        assert cast_when("2026-12-21T17:30:00+00:00") == "2026-12-22 01:30"  # the next day in Beijing
        assert cast_when("2026-11-22") == "2026-11-22"
        assert rank_order(["heads", "area"]) == "同意人数，其次按同意面积"


def test_the_dashboard_charts_keep_their_words_out_of_the_drawing(app: Any) -> None:
    """Column and bar charts: words as HTML text (a fixed size on any screen), bars alone in SVG."""
    from app.dashboard.charts import Bar, BarChart, Column, ColumnChart, chart_helpers

    columns = ColumnChart("k", "标题", [Column("2026-11", "45.5%", "2026-11-30：……", 54)])
    bars = BarChart("r", "排名", [Bar("暨阳街道", "3 个小区中有 2 个", 426)])
    template = (
        "{% from 'dashboard/_charts.html' import column_chart, bar_chart with context %}"
        "{{ column_chart(columns) }}{{ bar_chart(bars) }}"
    )
    with app.test_request_context():
        page = render_template_string(template, columns=columns, bars=bars, **chart_helpers())
    assert "<text" not in page
    assert '<span class="column-label">2026-11</span>' in page
    assert '<span class="column-value">45.5%</span>' in page
    assert 'y="66" width="10" height="54"' in page  # 54 of 120 units, drawn from the bottom
    assert "暨阳街道</strong> · 3 个小区中有 2 个" in page
