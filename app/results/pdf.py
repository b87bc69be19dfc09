"""The printed result documents of a counted meeting, made from the result package's body (app/results/package.py):

- `preliminary_result_pdf`: the preliminary result notice (表决结果公示) that the convener posts for at least five
  working days (model rules of procedure Art 26): participation and every matter in both dimensions (专有部分面积
  and 人数) with each test's margin, the election ranked, bar charts against the legal lines, the rules that produced
  the result (DOMAIN §9: every published result states them), how to object and by when, and the package hash;
- `certificate_pdf`: the township's certificate (表决结果确认书): the outcome in one paragraph, the package hash, who
  certified it and when, and a QR code of the public verification page.

Everything printed is read from the body (the tally is `gongjue.tally-result/1` without `roll`, docs/tally-format.md);
nothing is recounted here. Every verdict is written in words (通过 / 未通过, 达到 / 未达到), never shown by colour
alone. The document and its embedded Chinese font come from the roll's notice (`app.roll.notice_pdf`), which raises
`MissingFont` without it; the QR code is drawn as the voters' letters draw theirs (`app.voting.letters`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any

from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from app.db_types import SHANGHAI
from app.roll.notice_pdf import MissingFont, _document
from app.rules.areas import parse_area
from app.rules.report_text import ANSWERS, OUTCOMES, TEST_NAMES
from app.voting.letters import draw_qr, qr_matrix

__all__ = [
    "MissingFont",
    "area_text",
    "certificate_pdf",
    "hash_groups",
    "outcome_summary",
    "preliminary_result_pdf",
]

MARGIN_MM = 18.0
TEXT_WIDTH_MM = 210.0 - 2 * MARGIN_MM
#: the verification QR code's side on paper (a cheap phone reads 40 mm from a printed page)
QR_SIDE_MM = 45.0
#: a bar chart: the label on its left, the bar, and the caption under it
BAR_LABEL_MM = 26.0
BAR_WIDTH_MM = 130.0
BAR_HEIGHT_MM = 6.0

FRACTION_WORDS = {"1/2": "二分之一", "2/3": "三分之二", "3/4": "四分之三"}
THRESHOLD_WORDS = {"more_than_half": "过半数", "three_quarters": "四分之三以上"}
#: Civil Code Art 278 ¶1, in the statute's words
CATEGORY_WORDS = {
    1: "制定和修改业主大会议事规则",
    2: "制定和修改管理规约",
    3: "选举业主委员会或者更换业主委员会成员",
    4: "选聘和解聘物业服务企业或者其他管理人",
    5: "使用建筑物及其附属设施的维修资金",
    6: "筹集建筑物及其附属设施的维修资金",
    7: "改建、重建建筑物及其附属设施",
    8: "改变共有部分的用途或者利用共有部分从事经营活动",
    9: "有关共有和共同管理权利的其他重大事项",
}
ITEM_NUMERALS = "〇一二三四五六七八九"
SECTION_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
BALLOT_KINDS = {"valid": "有效票", "blank": "未表态", "invalid": "无效票"}
RANK_WORDS = {"heads": "得票人数", "area": "得票面积"}
HEADINGS = FontFace(emphasis=None, fill_color=(230, 230, 230))


# --- words and numbers ---------------------------------------------------------------------------------------------


def area_text(value: str | int) -> str:
    """An area (a package's two-decimal string, or hundredths of m²) as printed: "1234.5" → "1,234.50 m²"."""
    centi = parse_area(value) if isinstance(value, str) else value
    whole, cents = divmod(centi, 100)
    return f"{whole:,}.{cents:02d} m²"


def heads_text(heads: int) -> str:
    return f"{heads} 人"


def hash_groups(digest: str) -> str:
    """A hex digest in groups of 8 characters, easy to read aloud and compare: "3f2a9c01 77be…"."""
    return " ".join(digest[i : i + 8] for i in range(0, len(digest), 8))


def when_text(moment: str | None) -> str:
    """An ISO date or date-time as people read it (date-times in Asia/Shanghai); other text as it is."""
    if not moment:
        return "—"
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    if "T" not in moment and " " not in moment.strip():
        return f"{parsed.year}年{parsed.month}月{parsed.day}日"
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(SHANGHAI)
    return f"{parsed.year}年{parsed.month}月{parsed.day}日 {parsed:%H:%M}"


def quoted(titles: Iterable[str]) -> str:
    return "、".join(f"“{title}”" for title in titles)


def category_text(category: int) -> str:
    words = CATEGORY_WORDS.get(category, "")
    return f"《民法典》第二百七十八条第一款第（{ITEM_NUMERALS[category]}）项：{words}"


def rank_rule_text(rank_by: Sequence[str]) -> str:
    keys = [RANK_WORDS.get(key, key) for key in rank_by]
    return "先按" + "，再按".join(keys) + "从多到少排列"


# --- the tests of the tally (`tests` everywhere: name, value, of, required, comparison, met, margin) ---------------


def _amount(test: Mapping[str, Any], key: str) -> int:
    """A test's number as an integer: hundredths of m² for an area test, heads for a heads test."""
    value = test[key]
    return parse_area(value) if isinstance(value, str) else int(value)


def _quantity(test: Mapping[str, Any], amount: int) -> str:
    return area_text(amount) if str(test["name"]).endswith("_area") else heads_text(amount)


def _needed(test: Mapping[str, Any]) -> int:
    """The smallest value that meets the test (docs/tally-format.md, margins)."""
    value, margin = _amount(test, "value"), _amount(test, "margin")
    return value - margin if test["met"] else value + margin


def requirement_text(test: Mapping[str, Any]) -> str:
    """The requirement in words: "三分之二以上", "过半数", "四分之三以上" (以上 includes the number itself, 过半数
    does not: Art 1259)."""
    fraction = FRACTION_WORDS.get(test["required"], test["required"])
    if test["comparison"] == "at_least":
        return f"{fraction}以上"
    return "过半数" if test["required"] == "1/2" else f"超过{fraction}"


def verdict_text(test: Mapping[str, Any]) -> str:
    """Met or not, with the margin: "达到（富余 134.66 m²）", "未达到（还差 1 人）"."""
    margin = _quantity(test, _amount(test, "margin"))
    return f"达到（富余 {margin}）" if test["met"] else f"未达到（还差 {margin}）"


def _test_row(test: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        TEST_NAMES.get(test["name"], test["name"]),
        _quantity(test, _amount(test, "value")),
        _quantity(test, _amount(test, "of")),
        requirement_text(test),
        _quantity(test, _needed(test)),
        verdict_text(test),
    )


def _test_caption(test: Mapping[str, Any]) -> str:
    return (
        f"{_quantity(test, _amount(test, 'value'))} / {_quantity(test, _amount(test, 'of'))}，"
        f"须{requirement_text(test)}（至少 {_quantity(test, _needed(test))}）：{verdict_text(test)}"
    )


# --- the page ------------------------------------------------------------------------------------------------------


class _Sheet:
    """An A4 document with the layout the result documents share: headings, paragraphs, tables and bars."""

    def __init__(self, title: str):
        self.pdf = _document()
        self.pdf.set_title(title)
        self.pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.pdf.add_page()
        self.sections = 0

    def text(self, text: str, size: float = 10, height: float = 6, align: str = "L") -> None:
        self.pdf.set_font_size(size)
        self.pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align=align, wrapmode=WrapMode.CHAR)

    def title(self, title: str, *subtitles: str) -> None:
        self.text(title, 18, 10, "C")
        for subtitle in subtitles:
            self.text(subtitle, 12, 7, "C")
        self.pdf.ln(3)

    def section(self, heading: str) -> None:
        """A numbered section heading on a grey band: "一、参与表决情况"."""
        self.room(20)
        self.pdf.ln(3)
        self.pdf.set_fill_color(225)
        self.pdf.set_font_size(12)
        heading = f"{SECTION_NUMERALS[self.sections]}、{heading}"
        self.sections += 1
        self.pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT", fill=True)
        self.pdf.ln(1.5)

    def subsection(self, heading: str) -> None:
        self.room(30)
        self.pdf.ln(2)
        self.text(heading, 11, 7)

    def facts(self, pairs: Iterable[tuple[str, str]]) -> None:
        for label, value in pairs:
            self.text(f"{label}：{value}", 10, 6)

    def table(self, headings: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float]) -> None:
        self.pdf.set_font_size(9)
        self.pdf.set_fill_color(255)  # a table's cells take the current fill colour (a bar's dark grey)
        with self.pdf.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            headings_style=HEADINGS,
            line_height=5.5,
            text_align="LEFT",
            wrapmode=WrapMode.CHAR,
        ) as table:
            table.row(headings)
            for row in rows:
                table.row(row)
        self.pdf.ln(2)

    def bar(self, test: Mapping[str, Any]) -> None:
        """A test as a horizontal bar: the whole bar is the test's base (`of`), the dark part its value, the dashed
        line its legal fraction, named above it; the numbers and the verdict in words under it."""
        pdf = self.pdf
        self.room(BAR_HEIGHT_MM + 18)
        line = Fraction(test["required"])
        left, top = MARGIN_MM + BAR_LABEL_MM, pdf.get_y() + 4
        total = _amount(test, "of")
        share = min(_amount(test, "value") / total, 1.0) if total else 0.0
        pdf.set_font_size(9)
        pdf.set_xy(MARGIN_MM, top)
        pdf.cell(BAR_LABEL_MM, BAR_HEIGHT_MM, TEST_NAMES.get(test["name"], test["name"]))
        pdf.set_draw_color(0)
        pdf.set_line_width(0.2)
        pdf.set_fill_color(240)
        pdf.rect(left, top, BAR_WIDTH_MM, BAR_HEIGHT_MM, style="DF")
        pdf.set_fill_color(110)
        pdf.rect(left, top, BAR_WIDTH_MM * share, BAR_HEIGHT_MM, style="F")
        self._line_mark(left + BAR_WIDTH_MM * float(line), top, FRACTION_WORDS.get(test["required"], ""))
        pdf.set_font_size(8)
        pdf.set_xy(left, top + BAR_HEIGHT_MM + 2)
        pdf.multi_cell(
            BAR_WIDTH_MM + 18, 4.5, _test_caption(test), new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR
        )
        pdf.ln(1.5)

    def _line_mark(self, x: float, top: float, label: str) -> None:
        pdf = self.pdf
        pdf.set_line_width(0.5)
        pdf.set_dash_pattern(dash=1, gap=0.7)
        pdf.line(x, top - 1.5, x, top + BAR_HEIGHT_MM + 1.5)
        pdf.set_dash_pattern()
        pdf.set_line_width(0.2)
        pdf.set_font_size(7)
        pdf.set_xy(x - 10, top - 4.5)
        pdf.cell(20, 3, label, align="C")

    def room(self, height: float) -> None:
        """A new page unless `height` mm still fit above the bottom margin."""
        if self.pdf.get_y() + height > self.pdf.page_break_trigger:
            self.pdf.add_page()

    def output(self) -> bytes:
        return bytes(self.pdf.output())


# --- what both documents say about the meeting --------------------------------------------------------------------


def _matter_title(body: Mapping[str, Any], matter_id: str) -> str:
    return str(body["labels"].get("matters", {}).get(matter_id, matter_id))


def _candidate_name(body: Mapping[str, Any], candidate_id: str) -> str:
    return str(body["labels"].get("candidates", {}).get(candidate_id, candidate_id))


def _names(body: Mapping[str, Any], candidate_ids: Iterable[str]) -> str:
    return "、".join(_candidate_name(body, c) for c in candidate_ids) or "无"


def _category(body: Mapping[str, Any], matter_id: str) -> int:
    return next(int(m["category"]) for m in body["matters"] if m["id"] == matter_id)


def _meeting_facts(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    community, meeting = body["community"], body["meeting"]
    return [
        ("小区", str(community["name"])),
        ("所属街道（乡镇）", str(community.get("township") or "—")),
        ("会议", str(meeting["title"])),
        ("投票时间", f"{when_text(meeting.get('opens_at'))} 至 {when_text(meeting.get('closes_at'))}（北京时间）"),
        ("投票结束", when_text(meeting.get("closed_at"))),
        ("业主名册", f"第 {meeting.get('roll_version', '—')} 版"),
        ("名册指纹", hash_groups(str(meeting.get("roll_fingerprint") or "—"))),
    ]


def _committee_needed(result: Mapping[str, Any], settings: Mapping[str, Any]) -> int:
    """Definite members a committee needs: at least the setting's minimum and more than half of the seats."""
    return max(int(settings["min_committee_members"]), int(result["seats"]) // 2 + 1)


def committee_text(body: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    """The election's outcome in one sentence: formed with its members (and alternates), or not and why."""
    members, alternates = result["members"], result["alternates"]
    if result["committee_formed"]:
        text = f"业主委员会选举产生，当选委员 {len(members)} 名：{_names(body, members)}"
        if alternates:
            text += f"；当选候补委员 {len(alternates)} 名：{_names(body, alternates)}"
        return text + "。"
    if not result["quorum_met"]:
        return "选举未达到三分之二以上的法定参与比例，业主委员会未能选举产生。"
    if result.get("committee_pending"):
        groups = "；".join(_names(body, group) for group in result["unresolved_ties"])
        return (
            f"确定当选委员 {len(members)} 名；{groups}票数相同，须另行选举，业主委员会待另行选举后产生，"
            "本次选举并未失败。"
        )
    text = (
        f"业主委员会未能选举产生（确定当选委员 {len(members)} 名，"
        f"少于须有的 {_committee_needed(result, body['settings'])} 名）"
    )
    if result["runoff_needed"]:
        groups = "；".join(_names(body, group) for group in result["unresolved_ties"])
        text += f"；{groups}票数相同，须另行选举"
    return text + "。"


def lots_lines(body: Mapping[str, Any], result: Mapping[str, Any]) -> list[str]:
    """The ties settled by lots, with the seed (the ledger's Merkle root): anyone can redraw them (DOMAIN §5)."""
    return [
        f"名次相同者抽签决定：{_names(body, tie['drawn'])}（依次排列；抽签种子为选票账本默克尔根 "
        f"{hash_groups(body['ledger']['root'])}，算法见计票格式说明）"
        for tie in result.get("ties", [])
        if tie.get("drawn")
    ]


def _participation_sentence(tally: Mapping[str, Any]) -> str:
    part, totals = tally["participation"], tally["totals"]
    met = "达到" if part["quorum_met"] else "未达到"
    return (
        f"参与表决的业主所持专有部分面积 {area_text(part['area'])}（总面积 {area_text(totals['area'])}）、"
        f"人数 {heads_text(part['heads'])}（总人数 {heads_text(totals['heads'])}），"
        f"{met}专有部分面积和人数均三分之二以上的法定参与要求。"
    )


def outcome_summary(body: Mapping[str, Any]) -> str:
    """The outcome in one paragraph: participation, the motions passed and failed, the committee."""
    tally = body["tally"]
    motions = {mid: r for mid, r in tally["matters"].items() if r["type"] == "motion"}
    passed = [_matter_title(body, mid) for mid, r in motions.items() if r["passed"]]
    failed = [_matter_title(body, mid) for mid, r in motions.items() if not r["passed"]]
    parts = [_participation_sentence(tally)]
    if motions:
        parts.append(f"业主大会表决通过的事项：{quoted(passed) or '无'}；未通过的事项：{quoted(failed) or '无'}。")
    for matter_id, result in tally["matters"].items():
        if result["type"] == "election":
            parts.append(f"“{_matter_title(body, matter_id)}”：{committee_text(body, result)}")
    return "".join(parts)


# --- the preliminary result notice (表决结果公示) -------------------------------------------------------------------


def _tests_table(sheet: _Sheet, tests: Iterable[Mapping[str, Any]]) -> None:
    headings = ("检验项目", "数值", "基数", "要求", "至少需要", "结果")
    sheet.table(headings, [_test_row(t) for t in tests], (24, 26, 26, 24, 28, 46))


def _weights_table(sheet: _Sheet, heading: str, weights: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
    """Kinds of answer with their `{area, heads}`: one row each, heads and area side by side."""
    rows = [(label, heads_text(w["heads"]), area_text(w["area"])) for label, w in weights]
    sheet.table((heading, "人数", "专有部分面积"), rows, (40, 40, 50))


def _participation(sheet: _Sheet, body: Mapping[str, Any]) -> None:
    tally = body["tally"]
    sheet.section("参与表决情况")
    sheet.text(_participation_sentence(tally))
    excluded = len(body.get("excluded") or [])
    if excluded:
        sheet.text(f"另有 {excluded} 份表决票依表决规则未计入计票，逐份列于结果包。")
    _tests_table(sheet, tally["participation"]["tests"])
    for test in tally["participation"]["tests"]:
        sheet.bar(test)


def _motion(sheet: _Sheet, body: Mapping[str, Any], number: int, matter_id: str, result: Mapping[str, Any]) -> None:
    sheet.subsection(f"（{number}）{_matter_title(body, matter_id)}")
    threshold = THRESHOLD_WORDS.get(result["threshold"], result["threshold"])
    sheet.facts(
        [
            ("事项类别", category_text(_category(body, matter_id))),
            ("表决规则", f"须参与表决的专有部分面积和人数均{threshold}同意"),
        ]
    )
    rows = [
        (label, heads_text(result[kind]["heads"]), area_text(result[kind]["area"])) for kind, label in ANSWERS.items()
    ]
    sheet.table(("表决意见", "人数", "专有部分面积"), rows, (40, 40, 50))
    _tests_table(sheet, result["tests"])
    for test in result["tests"]:
        if test["name"].startswith("approval_"):
            sheet.bar(test)
    sheet.text(f"表决结果：{_motion_verdict(result)}", 11, 7)


def _motion_verdict(result: Mapping[str, Any]) -> str:
    if result["passed"]:
        return "通过（四项检验均达到）"
    failed = "、".join(TEST_NAMES.get(name, name) for name in result["failed_on"])
    return f"未通过（未达到：{failed}）"


def _candidate_row(body: Mapping[str, Any], candidate: Mapping[str, Any]) -> tuple[str, ...]:
    tests = {t["name"]: t for t in candidate["tests"]}
    return (
        str(candidate["rank"]) if candidate["rank"] else "—",
        _candidate_name(body, candidate["id"]),
        heads_text(candidate["heads"]),
        area_text(candidate["area"]),
        verdict_text(tests["approval_heads"]),
        verdict_text(tests["approval_area"]),
        OUTCOMES.get(candidate["outcome"], candidate["outcome"]),
    )


def _election(sheet: _Sheet, body: Mapping[str, Any], number: int, matter_id: str, result: Mapping[str, Any]) -> None:
    sheet.subsection(f"（{number}）{_matter_title(body, matter_id)}")
    sheet.facts(
        [
            ("事项类别", category_text(_category(body, matter_id))),
            ("应选名额", f"委员 {result['seats']} 名，候补委员至多 {result['max_alternates']} 名"),
            (
                "当选条件",
                "候选人须获参与选举的专有部分面积和人数均过半数同意，" + rank_rule_text(body["settings"]["rank_by"]),
            ),
        ]
    )
    _weights_table(sheet, "选票", [(label, result["ballots"][kind]) for kind, label in BALLOT_KINDS.items()])
    _tests_table(sheet, result["tests"])
    headings = ("名次", "候选人", "得票人数", "得票面积", "人数过半数", "面积过半数", "结果")
    sheet.table(headings, [_candidate_row(body, c) for c in result["candidates"]], (10, 18, 16, 24, 34, 44, 28))
    sheet.facts(
        [
            ("当选委员", _names(body, result["members"])),
            ("当选候补委员", _names(body, result["alternates"])),
        ]
    )
    if result["runoff_needed"]:
        ties = "；".join(_names(body, group) for group in result["unresolved_ties"])
        sheet.text(f"需另行选举：{ties}（名次相同，影响当选委员、候补委员名额或候补顺序，计票不作决定）")
    for line in lots_lines(body, result):
        sheet.text(line)
    sheet.text(f"选举结果：{committee_text(body, result)}", 11, 7)


def _matters(sheet: _Sheet, body: Mapping[str, Any]) -> None:
    sheet.section("表决事项及结果")
    for number, (matter_id, result) in enumerate(body["tally"]["matters"].items(), start=1):
        if result["type"] == "motion":
            _motion(sheet, body, number, matter_id, result)
        else:
            _election(sheet, body, number, matter_id, result)


def _settings_lines(settings: Mapping[str, Any]) -> list[str]:
    parking = "计入" if settings["count_parking"] else "不计入"
    blank = "计入" if settings["blank_and_invalid_take_part"] else "不计入"
    return [
        f"车位：登记为专有部分的车位{parking}专有部分面积和业主人数。",
        f"空白票、无效票：{blank}该事项的参与表决面积和人数（计入时不算同意）。",
        f"选举排名：{rank_rule_text(settings['rank_by'])}。",
        f"业主委员会组成：确定当选委员不少于 {settings['min_committee_members']} 名且超过应选名额半数。",
    ]


def _rules(sheet: _Sheet, body: Mapping[str, Any]) -> None:
    sheet.section("计票规则")
    lines = [
        "参与表决：参与表决的业主所持专有部分面积和人数均须达到总数的三分之二以上（《民法典》第二百七十八条第二款）。",
        "一般事项：须参与表决的专有部分面积过半数且参与表决人数过半数同意；筹集维修资金、改建重建建筑物及其附属设施、"
        "改变共有部分用途或者利用共有部分从事经营活动（《民法典》第二百七十八条第一款第六至八项），须均四分之三以上同意。",
        "“以上”含本数，“过半数”不含本数（《民法典》第一千二百五十九条）；恰好一半不是过半数。",
        "业主人数：一名业主（或同一组共有人）拥有多个专有部分的，按一人计算；建设单位未出售和已出售但尚未交付的部分，"
        "按一人计算（《最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第九条）。"
        "面积以 0.01 平方米为单位精确计算，不作四舍五入。",
        "选举：候选人须获参与选举的专有部分面积和人数均过半数同意方可当选；符合条件的候选人按排名依次当选委员和候补委员；"
        "名次相同且跨越当选名额或候补名额的，由名次相同者另行选举。",
        "本次会议确定的表决规则：",
    ]
    for line in lines:
        sheet.text(line)
    for line in _settings_lines(body["settings"]):
        sheet.text(f"    {line}")


def _objections(sheet: _Sheet, body: Mapping[str, Any], published_on: str, objections_until: str, note: str) -> None:
    township = body["community"].get("township") or "街道办事处（乡镇人民政府）"
    sheet.section("异议")
    sheet.text(f"公示期：{when_text(published_on)} 至 {when_text(objections_until)}（不少于五个工作日）。{note}")
    sheet.text(
        f"业主对本表决结果有异议的，请于 {when_text(objections_until)} 前（含当日）向召集人书面提出，"
        f"写明异议的事项和理由；召集人应当记录并作出答复。公示期满后，表决结果经{township}审核确认，正式公告。"
    )


ENCRYPTED_FORMAT = "gongjue.result-package/2"


def published_text(body: Mapping[str, Any]) -> str:
    """What the package publishes and what it does not, in plain Chinese (issue 17 item 7)."""
    if body.get("format") == ENCRYPTED_FORMAT:
        return (
            "结果包由平台和召集人签名。公开的内容：名册（每位投票人以编号代替姓名，附建筑面积）、每张选票的回执、"
            "投票方式和投票日期，以及加密后的选票和证明其有效的数学证明；每个选项按人数和按面积的合计由加密选票直接"
            "算出，再由平台和乡镇（街道）共同解密并附证明。不公开的内容：任何一张选票的内容——没有人能从结果包看出"
            "某一户怎样投票，平台和乡镇（街道）也只解密合计。任何人都可以下载结果包，在公开核验页面或用 gongjue "
            "verify 命令核验全部签名和证明，并重新计票。"
        )
    return (
        "结果包由平台和召集人签名，载有名册、全部选票（不含姓名）和计票结果。任何人均可下载经签名的结果包，"
        "在公开核验页面或用 gongjue verify 命令自行核验签名、名册和选票台账，并重新计票。"
    )


def _verification(sheet: _Sheet, body: Mapping[str, Any], package_sha256: str) -> None:
    sheet.section("核验")
    sheet.text("本结果所依据的结果包（SHA-256）：")
    sheet.text(hash_groups(package_sha256), 10.5, 6)
    sheet.text(f"名册 Merkle 根：{hash_groups(body['roll']['root'])}", 8.5, 5)
    sheet.text(f"选票台账 Merkle 根：{hash_groups(body['ledger']['root'])}", 8.5, 5)
    sheet.text(published_text(body))
    sheet.text("结果包的 SHA-256 应与上列数值一致。")


def preliminary_result_pdf(
    body: Mapping[str, Any], *, published_on: str, objections_until: str, package_sha256: str, until_note: str = ""
) -> bytes:
    """The preliminary result notice (表决结果公示) as PDF bytes: A4, Chinese, the CJK font embedded; ``until_note``
    follows the notice period (the provisional-date sentence, app.calendar.services.provisional_pdf_note)."""
    community, meeting = body["community"], body["meeting"]
    sheet = _Sheet(f"{community['name']} 表决结果公示")
    sheet.title(f"{community['name']}业主大会表决结果公示", str(meeting["title"]))
    sheet.facts([*_meeting_facts(body), ("公示期", f"{when_text(published_on)} 至 {when_text(objections_until)}")])
    _participation(sheet, body)
    _matters(sheet, body)
    _rules(sheet, body)
    _objections(sheet, body, published_on, objections_until, until_note)
    _verification(sheet, body, package_sha256)
    return sheet.output()


# --- the township's certificate (表决结果确认书) ---------------------------------------------------------------------


def _qr_block(sheet: _Sheet, verify_url: str) -> None:
    """The verification QR code centred, its URL printed under it, and what it opens."""
    pdf = sheet.pdf
    sheet.room(QR_SIDE_MM + 30)
    top = pdf.get_y() + 4
    draw_qr(pdf, qr_matrix(verify_url), (210.0 - QR_SIDE_MM) / 2, top, QR_SIDE_MM)
    pdf.set_y(top + QR_SIDE_MM + 3)
    sheet.text(verify_url, 9, 5, "C")
    sheet.text("扫描二维码可打开本结果的公开核验页面，核验结果包的签名、名册、选票台账和计票结果。", 9.5, 5.5, "C")


def certificate_pdf(
    body: Mapping[str, Any],
    *,
    package_sha256: str,
    township_name: str,
    certified_on: str,
    certified_by: str,
    verify_url: str,
) -> bytes:
    """The township's certificate (表决结果确认书) as PDF bytes: A4, Chinese, the CJK font embedded."""
    community = body["community"]
    sheet = _Sheet(f"{community['name']} 表决结果确认书")
    sheet.title("业主大会表决结果确认书", township_name)
    sheet.facts(_meeting_facts(body)[:-1])
    sheet.pdf.ln(2)
    sheet.text(outcome_summary(body), 11, 7)
    sheet.pdf.ln(2)
    sheet.text(
        f"经审核，{township_name}确认上述表决结果。本确认书所确认的结果包（SHA-256）为：",
        11,
        7,
    )
    sheet.text(hash_groups(package_sha256), 10.5, 6)
    sheet.pdf.ln(3)
    sheet.facts(
        [("确认单位", f"{township_name}（盖章）"), ("经办人", certified_by), ("确认日期", when_text(certified_on))]
    )
    _qr_block(sheet, verify_url)
    return sheet.output()
