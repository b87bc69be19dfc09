"""The printed result documents (app/results/pdf.py): the preliminary result notice (表决结果公示) and the township's
certificate (表决结果确认书), rendered from a counted package body of a 12-voter community and read back with
poppler (pdftotext, pdffonts, pdftoppm) and zxing-cpp: every matter, every candidate, both dimensions' numbers, the
verdicts in words, the rules, the objection deadline, the package hash, the embedded font, and a QR code that opens
exactly the verification page."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.results import pdf as result_pdf
from app.results.package import DEVELOPER, LedgerBallot, build_body, package_hash
from app.roll import notice_pdf
from app.rules.areas import parse_area
from app.rules.model import Election, Motion, Settings
from app.voting import letters
from tests.voting.test_letters import decoded_qr_codes, pdf_text

needs_font = pytest.mark.skipif(
    not letters.font_available(),
    reason="the result documents need Debian's fonts-noto-cjk (installed by .ci/run and `make system-deps`)",
)
needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdftoppm")),
    reason="reading the PDFs back needs poppler-utils (pdftotext, pdffonts, pdftoppm)",
)


def needs_tools(test: Any) -> Any:
    """Rendering needs the font, and reading back needs poppler."""
    return needs_font(needs_poppler(test))


TOWNSHIP = "越城区府山街道办事处"
VERIFY_URL = "https://gongjue.example.cn/verify/p/7-3?sha256=5392f03348427cd2"
#: the roll: owner → area (the developer holds the unsold flats)
AREAS = {
    "O1": "89.50",
    "O2": "89.50",
    "O3": "240.00",
    "O4": "105.25",
    "O5": "105.25",
    "O6": "132.80",
    DEVELOPER: "278.10",
    "O8": "210.40",
    "O9": "12.50",
    "O10": "120.30",
    "O11": "98.60",
    "O12": "143.20",
}
CANDIDATES = {"c1": "王芳", "c2": "李强", "c3": "张敏", "c4": "刘洋", "c5": "杨帆", "c6": "陈静", "c7": "黄丽"}
TITLES = {"m1": "关于选聘物业服务企业的议案", "m2": "关于筹集专项维修资金的议案", "e1": "选举第一届业主委员会委员"}
#: owner → (answer on m1, answer on m2 (None: left out), the candidates named); O11 wrote "同意", which is invalid
VOTES: dict[str, tuple[Any, Any, list[str]]] = {
    "O1": ("yes", "yes", ["c1", "c2", "c3", "c4", "c5"]),
    "O2": ("no", "no", ["c1", "c2", "c3", "c6", "c7"]),
    "O3": ("yes", "yes", ["c1", "c2", "c4", "c5", "c6"]),
    "O4": ("yes", "yes", ["c1", "c3", "c4", "c6", "c7"]),
    "O5": ("abstain", "no", ["c1", "c2", "c3", "c4", "c6"]),
    "O6": ("yes", "yes", ["c1", "c2", "c3", "c5", "c7"]),
    "O8": ("yes", "yes", ["c2", "c3", "c4", "c5", "c6"]),
    "O10": ("yes", "yes", ["c1", "c2", "c4", "c5", "c6"]),
    "O11": ("同意", None, []),
    "O12": ("yes", "yes", ["c1", "c2", "c3", "c4", "c5"]),
}
#: 杨帆 (c5) and 陈静 (c6) are named by voters of equal weight and share place 5 across the last seat
TIE_ELECTION = {
    "O1": ["c1", "c2", "c3", "c4", "c5"],
    "O2": ["c1", "c2", "c3", "c4", "c6"],
    "O3": ["c5", "c6", "c1", "c2", "c3"],
    "O4": ["c1", "c2", "c3", "c4", "c5"],
    "O5": ["c1", "c2", "c3", "c4", "c6"],
    "O6": ["c5", "c6", "c1", "c2", "c4"],
    "O8": ["c5", "c6", "c3", "c4", "c1"],
    "O10": ["c5", "c6", "c2", "c3", "c4"],
    "O11": [],
    "O12": ["c1", "c2", "c3", "c4", "c7"],
}


def voter_id(owner: str) -> str:
    return owner if owner == DEVELOPER else hashlib.sha256(owner.encode()).hexdigest()[:32]


def make_body(votes: Mapping[str, tuple[Any, Any, list[str]]], settings: Settings | None = None) -> dict[str, Any]:
    ballots = []
    for n, (owner, (m1, m2, named)) in enumerate(votes.items()):
        choices = {"m1": m1, "e1": named} | ({} if m2 is None else {"m2": m2})
        receipt = hashlib.sha256(f"receipt {n}".encode()).hexdigest()
        cast_at = f"2026-12-0{2 + n % 5}T09:{10 + n}:00+08:00"
        ballots.append(LedgerBallot(receipt, voter_id(owner), "phone" if n % 3 else "paper", cast_at, choices))
    return build_body(
        community={"id": 7, "name": "和美家园", "township": "越城区府山街道"},
        meeting={
            "id": 3,
            "title": "和美家园首次业主大会会议",
            "opens_at": "2026-12-01T00:00:00+00:00",
            "closes_at": "2026-12-07T12:00:00+00:00",
            "closed_at": "2026-12-07T12:00:03+00:00",
            "roll_version": 2,
            "roll_fingerprint": hashlib.sha256(b"roll 2").hexdigest(),
        },
        settings=settings or Settings(),
        matters=[Motion("m1", 4), Motion("m2", 6), Election("e1", 5, 2, tuple(CANDIDATES))],
        labels={"matters": TITLES, "candidates": CANDIDATES},
        voters=[(voter_id(owner), parse_area(area)) for owner, area in AREAS.items()],
        ballots=ballots,
    )


def notice(body: Mapping[str, Any]) -> bytes:
    return result_pdf.preliminary_result_pdf(
        body, published_on="2026-12-08", objections_until="2026-12-14", package_sha256=package_hash(body)
    )


def certificate(body: Mapping[str, Any]) -> bytes:
    return result_pdf.certificate_pdf(
        body,
        package_sha256=package_hash(body),
        township_name=TOWNSHIP,
        certified_on="2026-12-18",
        certified_by="陈建国",
        verify_url=VERIFY_URL,
    )


def flat(text: str) -> str:
    """The text without white space: pdftotext breaks lines (and Chinese words) where the page does."""
    return re.sub(r"\s+", "", text)


def area(value: str) -> str:
    """An area as the documents print it (flattened): "1334.8" → "1,334.80m²"."""
    return f"{Decimal(value):,.2f}m²"


def number(test: Mapping[str, Any], key: str) -> str:
    value = test[key]
    return area(value) if isinstance(value, str) else f"{value}人"


def weight(counted: Mapping[str, Any]) -> list[str]:
    return [area(counted["area"]), f"{counted['heads']}人"]


def printed_numbers(tally: Mapping[str, Any]) -> list[str]:
    """Every number of the tally the notice must show: totals, participation, each answer, test and candidate."""
    numbers = [*weight(tally["totals"]), *weight(tally["participation"])]
    tests = list(tally["participation"]["tests"])
    for result in tally["matters"].values():
        tests += result["tests"]
        if result["type"] == "motion":
            numbers += [n for kind in ("yes", "no", "abstain", "blank", "invalid") for n in weight(result[kind])]
        else:
            numbers += [n for counted in result["ballots"].values() for n in weight(counted)]
            for candidate in result["candidates"]:
                numbers += weight(candidate)
                tests += candidate["tests"]
    return numbers + [number(t, key) for t in tests for key in ("value", "of", "margin")]


@pytest.fixture(scope="module")
def body() -> dict[str, Any]:
    return make_body(VOTES)


# --- the preliminary result notice ----------------------------------------------------------------------------------


def test_the_body_is_the_meeting_the_tests_describe(body: dict[str, Any]) -> None:
    """The ballots above give: quorum met; m1 passed; m2 passed on area, failed on heads (7 of 10 < 3/4); five
    members and one alternate elected."""
    tally = body["tally"]
    assert tally["participation"]["quorum_met"] is True
    assert tally["matters"]["m1"]["passed"] is True
    assert tally["matters"]["m2"]["failed_on"] == ["approval_heads"]
    election = tally["matters"]["e1"]
    assert election["members"] == ["c2", "c1", "c4", "c3", "c5"]
    assert election["alternates"] == ["c6"]
    assert election["committee_formed"] is True


@needs_tools
def test_the_notice_states_the_meeting_and_both_dimensions_of_every_number(
    body: dict[str, Any], tmp_path: Path
) -> None:
    text = flat(pdf_text(notice(body), tmp_path))
    for words in ("和美家园业主大会表决结果公示", "和美家园首次业主大会会议", "越城区府山街道", "第2版"):
        assert words in text
    assert "2026年12月1日08:00至2026年12月7日20:00（北京时间）" in text  # the window in Asia/Shanghai
    assert "专有部分面积" in text
    assert "人数" in text
    assert "1,334.80m²（总面积1,625.40m²）" in text
    assert "10人（总人数12人）" in text
    missing = [n for n in printed_numbers(body["tally"]) if n not in text]
    assert missing == []


@needs_tools
def test_the_notice_names_every_matter_and_candidate_with_its_rule_and_verdict_in_words(
    body: dict[str, Any], tmp_path: Path
) -> None:
    text = flat(pdf_text(notice(body), tmp_path))
    for title in TITLES.values():
        assert title in text
    for name in CANDIDATES.values():
        assert name in text
    assert "须参与表决的专有部分面积和人数均过半数同意" in text  # m1, category 4
    assert "须参与表决的专有部分面积和人数均四分之三以上同意" in text  # m2, category 6
    assert "第（六）项：筹集建筑物及其附属设施的维修资金" in text
    assert "表决结果：通过（四项检验均达到）" in text
    assert "表决结果：未通过（未达到：同意人数）" in text
    assert "未达到（还差1人）" in text  # m2's heads: 7 of 10, at least 8 needed
    assert "达到（富余251.20m²）" in text  # the area quorum: 1,334.80 against 1,083.60
    assert "当选委员：李强、王芳、刘洋、张敏、杨帆" in text
    assert "当选候补委员：陈静" in text
    assert "业主委员会选举产生" in text
    assert "未能选举产生" not in text


@needs_tools
def test_the_notice_states_the_rules_how_to_object_and_the_package_hash(body: dict[str, Any], tmp_path: Path) -> None:
    raw = pdf_text(notice(body), tmp_path)
    text = flat(raw)
    for rule in (
        "三分之二以上",
        "过半数",
        "四分之三以上",
        "“以上”含本数，“过半数”不含本数",
        "车位计入专有部分面积和业主人数",
        "计入该事项的参与表决面积和人数",
        "先按得票人数，再按得票面积从多到少排列",
        "确定当选委员不少于5名且超过应选名额半数",
        "另行选举",
    ):
        assert rule in text, rule
    assert "公示期：2026年12月8日至2026年12月14日" in text
    assert "请于2026年12月14日前（含当日）向召集人书面提出" in text
    digest = package_hash(body)
    grouped = " ".join(digest[i : i + 8] for i in range(0, 64, 8))
    assert grouped in raw  # in groups of 8 characters, on one line
    assert "任何人均可下载经签名的结果包" in text
    assert "gongjueverify" in text


@needs_tools
def test_the_charts_leave_no_verdict_to_colour(body: dict[str, Any], tmp_path: Path) -> None:
    """Each bar is captioned with its numbers and its verdict in words, and its legal line is named."""
    text = flat(pdf_text(notice(body), tmp_path))
    assert "1,334.80m²/1,625.40m²，须三分之二以上（至少1,083.60m²）：达到（富余251.20m²）" in text
    assert "7人/10人，须四分之三以上（至少8人）：未达到（还差1人）" in text
    assert "四分之三" in text
    assert "二分之一" in text


@needs_tools
def test_a_meeting_without_quorum_says_nothing_passed(tmp_path: Path) -> None:
    few = make_body({owner: VOTES[owner] for owner in ("O1", "O2", "O3")})
    text = flat(pdf_text(notice(few), tmp_path))
    assert "未达到专有部分面积和人数均三分之二以上的法定参与要求" in text
    assert "通过（四项检验均达到）" not in text
    assert "选举未达到三分之二以上的法定参与比例，业主委员会未能选举产生。" in text


# --- the certificate ---------------------------------------------------------------------------------------------


@needs_tools
def test_the_certificate_summarises_the_outcome_and_names_who_certified(body: dict[str, Any], tmp_path: Path) -> None:
    raw = pdf_text(certificate(body), tmp_path)
    text = flat(raw)
    for words in (
        "业主大会表决结果确认书",
        TOWNSHIP,
        "和美家园",
        "和美家园首次业主大会会议",
        "陈建国",
        "2026年12月18日",
    ):
        assert words in text
    assert "业主大会表决通过的事项：“关于选聘物业服务企业的议案”；未通过的事项：“关于筹集专项维修资金的议案”。" in text
    assert "业主委员会选举产生，当选委员5名：李强、王芳、刘洋、张敏、杨帆；当选候补委员1名：陈静。" in text
    assert "1,334.80m²" in text
    assert "10人" in text
    digest = package_hash(body)
    assert " ".join(digest[i : i + 8] for i in range(0, 64, 8)) in raw
    assert flat(VERIFY_URL) in text  # printed under the QR code
    assert "扫描二维码可打开本结果的公开核验页面" in text


@needs_tools
def test_the_certificate_of_a_tied_election_says_it_waits_for_its_run_off(tmp_path: Path) -> None:
    """Four definite members and a tie for the fifth seat: not "not formed" but pending its run-off (DOMAIN §5)."""
    tied = make_body({owner: (m1, m2, TIE_ELECTION[owner]) for owner, (m1, m2, _) in VOTES.items()})
    election = tied["tally"]["matters"]["e1"]
    assert election["unresolved_ties"] == [["c5", "c6"]]
    assert election["committee_pending"] is True
    text = flat(pdf_text(certificate(tied), tmp_path))
    assert "确定当选委员4名；杨帆、陈静票数相同，须另行选举，业主委员会待另行选举后产生，本次选举并未失败。" in text
    assert "未能选举产生" not in text


@needs_tools
def test_a_tie_drawn_by_lots_prints_the_draw_and_its_seed(tmp_path: Path) -> None:
    """DOMAIN §5: the draw and its seed (the ledger's Merkle root) are printed on the result; the committee forms."""
    votes = {owner: (m1, m2, TIE_ELECTION[owner]) for owner, (m1, m2, _) in VOTES.items()}
    drawn = make_body(votes, Settings(tie_rule="lots"))
    election = drawn["tally"]["matters"]["e1"]
    (tie,) = election["ties"]
    assert (election["unresolved_ties"], election["committee_formed"]) == ([], True)
    text = flat(pdf_text(notice(drawn), tmp_path))
    names = "、".join(CANDIDATES[c] for c in tie["drawn"])
    assert f"名次相同者抽签决定：{names}" in text
    assert drawn["ledger"]["root"][:8] in text


@needs_tools
def test_the_certificates_qr_code_opens_exactly_the_verification_page(body: dict[str, Any], tmp_path: Path) -> None:
    assert decoded_qr_codes(certificate(body), tmp_path) == [VERIFY_URL]


# --- the font -------------------------------------------------------------------------------------------------------


@needs_tools
def test_both_documents_embed_the_noto_cjk_font(body: dict[str, Any], tmp_path: Path) -> None:
    for name, document in (("notice.pdf", notice(body)), ("certificate.pdf", certificate(body))):
        path = tmp_path / name
        path.write_bytes(document)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True, timeout=60)
        fonts = [line for line in listing.stdout.splitlines() if "Noto" in line]
        assert fonts, listing.stdout
        # columns after the type and encoding: emb sub uni object-id generation
        assert all(re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line) for line in fonts), fonts


def test_without_the_font_the_documents_say_what_is_missing(
    body: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notice_pdf, "CJK_FONT", tmp_path / "absent.ttc")
    with pytest.raises(result_pdf.MissingFont, match="fonts-noto-cjk"):
        notice(body)
    with pytest.raises(result_pdf.MissingFont, match="fonts-noto-cjk"):
        certificate(body)
