"""The voter's letter (投票通知书): one A4 page in Chinese per voter that an elderly owner can read and trust (issue 6
item 3; issue 19 item 5; DOMAIN §8: each vote is the owner's own).

What it says, top to bottom: who sends it (the convener, and the township that guides it), to whom (the masked holder
and their units), when to vote, what is put to the vote, why taking part matters (the two 2/3 lines and the approval
thresholds of DOMAIN §4 in plain words), how to scan the QR code (WeChat 扫一扫 or the phone's camera) or type the
code instead, where and by when to hand in a paper ballot (`Meeting.paper_place` and the close of the window; without
a place, ask the convener), the help phone (`Meeting.contact_phone`, else the preparatory group leader's contact),
that the code is the owner's own and that a newer letter cancels it; at the foot the issuing body, the date of issue
and a marked space for its seal (盖章处), as on any official notice. Every text is at least `BODY_PT` (14 pt).

Writing a letter issues a new credential (`credentials.issue`): the letter is the only place the token and the code
exist in clear, and a new letter revokes the voter's earlier ones. The QR code is drawn as vector rectangles from
the `qrcode` package's matrix (error correction M, 50 mm wide); the document and the embedded Chinese font come from
the roll's notice (`app.roll.notice_pdf`), which raises `MissingFont` without it. The paragraphs every letter of a
batch shares are broken into lines once (`LetterSheets.__init__`); a letter only draws them, so that a batch's speed
does not depend on how much the letter explains (docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M

from app.communities.models import Community, Township
from app.db_types import SHANGHAI, utcnow
from app.extensions import db
from app.governance.body_models import GoverningBody
from app.preparation.models import GroupMember
from app.roll import notice_pdf
from app.roll.notice_pdf import MissingFont
from app.rules.model import Threshold, threshold_for
from app.voting import credentials
from app.voting.models import Meeting, MeetingVoter
from app.voting.owner_help import group_leader

__all__ = ["LetterSheets", "MissingFont", "font_available", "letter_context", "qr_matrix"]

#: the QR code's side on paper (scannable from a printed page by a cheap phone: at least 40 mm)
QR_SIDE_MM = 50.0
#: the smallest type on the letter (issue 19 item 5: at least 14 pt, for owners who read without glasses)
BODY_PT = 14.0
TITLE_PT = 22.0
SUBTITLE_PT = 16.0
HEADING_PT = 15.0
CODE_PT = 20.0
#: the height of a line of body text (1.45 times the type)
LINE_MM = 7.0
MARGIN_MM = 15.0
PAGE_HEIGHT_MM = 297.0
#: the letter's text width on A4 (210 mm) within the margins
TEXT_WIDTH_MM = 210.0 - 2 * MARGIN_MM
#: the lines the matters may take; more matters are counted ("等共 N 项") and the voting page lists them all
MATTER_LINES = 3
#: the seal's marked space: a dashed circle of this radius over the issuing body's name and date
SEAL_RADIUS_MM = 21.0
#: where the seal's space begins: the letter's text ends above it
SEAL_TOP_MM = PAGE_HEIGHT_MM - MARGIN_MM - 2 * SEAL_RADIUS_MM
#: the note beside the seal (on keeping the code) is this wide
NOTE_WIDTH_MM = TEXT_WIDTH_MM - 2 * SEAL_RADIUS_MM - 16
BOLD_FONT = "NotoSansCJK-Bold.ttc"

#: the convening body of a later meeting, as owners call it (app.governance; DOMAIN §7 item 10)
BODY_WORDS = {"committee": "业主委员会", "pmc": "物业管理委员会", "re_election_group": "业主委员会换届小组"}


def font_available() -> bool:
    """Whether the embedded Chinese font is installed (read through the module, so that tests can take it away)."""
    return notice_pdf.CJK_FONT.exists()


def voting_link(base_url: str, token: str) -> str:
    """The personal link the QR code carries; the token goes in the query string, never in the path (access logs
    record the path only)."""
    return f"{base_url}/v?t={token}"


def code_url(base_url: str) -> str:
    """The short address where an owner who cannot scan types the fallback code."""
    return f"{base_url}/v/code"


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules (True is dark), without the quiet zone: error correction M (15 % of the code may be
    soiled or torn), the smallest version that holds the text."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.modules]


def _shanghai(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def window_text(meeting: Meeting) -> str:
    """The voting window as owners read it, in Asia/Shanghai: 2026年12月1日 08:00 至 2026年12月7日 20:00（北京时间）."""
    return f"{_shanghai(meeting.opens_at)} 至 {_shanghai(meeting.closes_at)}（北京时间）"


@dataclass(frozen=True)
class Convener:
    """Who sends the letters: the body convening the meeting (DOMAIN §7 item 10), as owners call it."""

    #: in full, as it signs: 梅园小区业主大会筹备组
    name: str
    #: as a sentence names it: 筹备组
    short: str
    #: the township (街道/乡镇) that guides it
    township: str
    #: the preparatory group's leader (Shaoxing Art 12 ¶2: the leader's contact is public), None for a body
    leader: GroupMember | None


def convener_of(meeting: Meeting) -> Convener:
    """The meeting's convener: the body that convened a later meeting, else its preparatory group (the community's
    newest when the meeting names none)."""
    community = db.session.get_one(Community, meeting.community_id)
    township = db.session.get_one(Township, community.township_id).name
    body = db.session.get(GoverningBody, meeting.body_id) if meeting.body_id is not None else None
    if body is not None:
        words = BODY_WORDS.get(body.kind, BODY_WORDS["committee"])
        return Convener(f"{community.name}{words}", words, township, None)
    return Convener(f"{community.name}业主大会筹备组", "筹备组", township, group_leader(meeting))


def help_phone(meeting: Meeting, convener: Convener | None = None) -> str:
    """The phone owners call: the meeting's own (set by the convener), else the preparatory group leader's contact
    (app.voting.owner_help.help_contact, for the ballot's pages: the same order; ``convener`` spares its query)."""
    if meeting.contact_phone.strip():
        return meeting.contact_phone.strip()
    leader = (convener or convener_of(meeting)).leader
    return leader.contact.strip() if leader is not None else ""


def help_text(meeting: Meeting, convener: Convener | None = None) -> str:
    """Who helps, and at which phone; without a phone, the convener and the residents' committee."""
    convener = convener or convener_of(meeting)
    phone = help_phone(meeting, convener)
    who = f"筹备组组长 {convener.leader.name}" if convener.leader is not None else convener.name
    if phone:
        return f"咨询电话：{phone}（{who}）"
    if convener.leader is not None:
        return f"如有疑问，请联系筹备组组长 {convener.leader.name}，或本小区社区居民委员会。"
    return f"如有疑问，请联系{convener.name}，或本小区社区居民委员会。"


def why_text(three_quarters: Sequence[int]) -> str:
    """Why taking part matters, in plain words: the two 2/3 lines of participation, then the approval of each matter
    in both dimensions (DOMAIN §4; Civil Code Art 278 ¶2, Art 1259: 以上 includes the line, 过半数 is more than half).
    ``three_quarters``: the positions of the matters that need 3/4 (Art 278 ¶1 items 6–8)."""
    special = ""
    if len(three_quarters) > 3:
        kinds = "筹集维修资金、改建重建、改变共有部分用途等"
        special = f"其中 {len(three_quarters)} 项（{kinds}）须人数和面积都达到四分之三以上同意。"
    elif three_quarters:
        numbers = "、".join(str(n) for n in three_quarters)
        special = f"第 {numbers} 项须人数和面积都达到四分之三以上同意。"
    return (
        "参加投票的业主，人数要占全体业主的三分之二以上，房屋面积也要占全小区总面积的三分之二以上，"
        "会议才能作出决定；参加的人不够，什么也决定不了。"
        "每个事项须经参加投票业主的人数过半数、面积也过半数同意，才能通过。"
        f"{special}投弃权票也算参加投票。"
    )


SCAN_TEXT = (
    "用微信扫码：打开微信，点右上角的“+”号，选“扫一扫”，对准下面的二维码，再按页面提示投票。"
    "也可以打开手机自带的相机，对准二维码扫描。"
)


def paper_text(meeting: Meeting, convener: Convener, phone: str) -> str:
    """Where and by when a paper ballot is handed in (Hangzhou Art 20: paper for an owner who asks for it): the
    meeting's place, else ask the convener (at its phone when there is one). Returned in time means before the close
    (docs/voting.md: paper returned in time may still be entered afterwards)."""
    closes = _shanghai(meeting.closes_at)
    ask = f"不方便用手机的，可以向{convener.short}领取纸质表决票，填好并签名后，请在 {closes} 前"
    if meeting.paper_place:
        return f"{ask}交到：{meeting.paper_place}。"
    where = f"（电话 {phone}）" if phone else ""
    return f"{ask}交回{convener.short}。领取和交回的地点，请向{convener.short}询问{where}。"


NOTE_TEXT = (
    "二维码和投票码仅供您本人投票使用，请妥善保管，不要交给他人或拍照转发。"
    "重新发放的通知书生效后，此前发放给您的通知书（二维码和投票码）即作废。"
)

SECOND_FACTOR_TEXT = {
    "id_last6": "打开后，请输入{factor}，确认是您本人。",
    "sms": "打开后，系统会向您在业主名册中登记的手机发送验证码，输入验证码以确认是您本人。",
}


@dataclass(frozen=True)
class LetterContext:
    """What every letter of a meeting says alike (computed once per batch)."""

    community_name: str
    meeting_title: str
    matter_titles: tuple[str, ...]
    window: str
    second_factor: str
    help: str
    base_url: str
    #: the convener as it signs, and the township that guides it
    issuer: str
    township: str
    #: the day the letters are made (Asia/Shanghai), printed with the signature
    issued_on: str
    #: why taking part matters (`why_text`)
    why: str
    #: where and by when paper is handed in (`paper_text`); empty when the meeting takes no paper
    paper: str


def letter_context(meeting: Meeting, base_url: str, issued_on: date | None = None) -> LetterContext:
    """What the meeting's letters say alike; ``issued_on`` defaults to today in Asia/Shanghai."""
    community = db.session.get_one(Community, meeting.community_id)
    convener = convener_of(meeting)
    phone = help_phone(meeting, convener)
    offers_paper = "paper" in meeting.channels.split(",")
    three_quarters = [
        n for n, m in enumerate(meeting.matters, 1) if threshold_for(m.category) == Threshold.THREE_QUARTERS
    ]
    return LetterContext(
        community_name=community.name,
        meeting_title=meeting.title,
        matter_titles=tuple(m.title for m in meeting.matters),
        window=window_text(meeting),
        second_factor=SECOND_FACTOR_TEXT.get(meeting.second_factor, ""),
        help=help_text(meeting, convener),
        base_url=base_url.rstrip("/"),
        issuer=convener.name,
        township=convener.township,
        issued_on=day_text(issued_on or utcnow().astimezone(SHANGHAI).date()),
        why=why_text(three_quarters),
        paper=paper_text(meeting, convener, phone) if offers_paper else "",
    )


#: a block of lines as drawn: (text, size in pt, line height in mm, bold, align)
Line = tuple[str, float, float, bool, str]


class LetterSheets:
    """A PDF of letters, one page each, in the order they are added.

    Every letter fits its page: the titles and the units are cut to one line, and the text ends above the seal's
    space (SEAL_TOP_MM). The blocks all letters share are measured once; when they are too tall together (many long
    matters, a long drop-off place, a long address), the matters take fewer lines (MATTER_LINES down to one) and say
    how many there are: the voting page lists them all.
    """

    def __init__(self, context: LetterContext):
        self.context = context
        self.pdf = notice_pdf._document()
        bold = notice_pdf.CJK_FONT.with_name(BOLD_FONT)
        self.bold_style = "B" if bold.exists() else ""
        if self.bold_style:
            self.pdf.add_font("NotoSansSC", "B", str(bold), collection_font_number=notice_pdf.CJK_FACE_SC)
        self.pdf.set_title(f"{context.community_name} 投票通知书")
        self.pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.pdf.set_auto_page_break(auto=False)  # one page per letter, always (above)
        self.pages = 0
        #: how far down the letters' text reached (above the seal's space), and their lowest mark (within the bottom
        #: margin): the tests hold every letter to its page
        self.text_bottom = 0.0
        self.lowest = 0.0
        self.qr_left = MARGIN_MM + 2
        self.qr_text_left = self.qr_left + QR_SIDE_MM + 8
        self.qr_text_width = 210.0 - MARGIN_MM - self.qr_text_left
        self._qr_parts: dict[str, tuple[list[Line], list[Line]]] = {}
        self.head = self._head_lines()
        self.foot = self._foot_lines()
        self.note = self._paragraph(NOTE_TEXT, width=NOTE_WIDTH_MM)
        self._font(BODY_PT)
        self.signature: list[Line] = [
            (self._one_line(context.issuer, TEXT_WIDTH_MM), BODY_PT, LINE_MM, False, "R"),
            (context.township and f"（{context.township}指导）", BODY_PT, LINE_MM, False, "R"),
            (context.issued_on, BODY_PT, LINE_MM, False, "R"),
        ]
        # the tallest QR block: the longest words a second factor asks for
        tallest_qr = self._qr_height(self._qr_lines("ABCDEFGHJKMN", "单位代表人证件号码后六位"))
        for matter_lines in range(MATTER_LINES, 0, -1):
            self.middle = self._middle_lines(matter_lines)
            fixed = height(self.head) + 2 + 2 * LINE_MM + height(self.middle) + 1 + tallest_qr + height(self.foot)
            if MARGIN_MM + fixed <= SEAL_TOP_MM - 1:
                break

    # --- measuring, once per batch ------------------------------------------------------------------------------

    def _font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font("NotoSansSC", self.bold_style if bold else "", size)

    def _one_line(self, text: str, width: float) -> str:
        """The text cut (with "…") to fit one line of ``width`` mm at the current font."""
        if self.pdf.get_string_width(text) <= width:
            return text
        while text and self.pdf.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _split(self, text: str, size: float, width: float = 0, bold: bool = False) -> list[str]:
        """The text broken into lines of ``width`` mm (0: the text width) at ``size`` (`wrap`)."""
        self._font(size, bold)
        return wrap(text, width or TEXT_WIDTH_MM, self.pdf.get_string_width)

    def _paragraph(self, text: str, size: float = BODY_PT, bold: bool = False, width: float = 0) -> list[Line]:
        return [(line, size, LINE_MM * size / BODY_PT, bold, "L") for line in self._split(text, size, width, bold)]

    def _matters_text(self, most_lines: int) -> str:
        """The matters in one paragraph of at most ``most_lines`` lines; those that do not fit are counted."""
        titles = self.context.matter_titles
        for shown in range(len(titles), 0, -1):
            items = "；".join(f"{n}. {title}" for n, title in enumerate(titles[:shown], 1))
            rest = f"……共 {len(titles)} 项，详见投票页面" if shown < len(titles) else ""
            text = f"表决事项：{items}{rest}。"
            if len(self._split(text, BODY_PT)) <= most_lines:
                return text
        return f"表决事项：共 {len(titles)} 项，详见投票页面。"

    def _head_lines(self) -> list[Line]:
        """The title, the meeting, the convener and the township: the same on every letter."""
        context = self.context
        title = context.meeting_title
        if context.community_name not in title:
            title = f"{context.community_name} {title}"
        self._font(SUBTITLE_PT)
        meeting = self._one_line(title, TEXT_WIDTH_MM)
        self._font(BODY_PT)
        issuer = self._one_line(f"召集人：{context.issuer}　指导单位：{context.township}", TEXT_WIDTH_MM)
        return [
            ("业主大会投票通知书", TITLE_PT, 11.0, True, "C"),
            (meeting, SUBTITLE_PT, 8.5, False, "C"),
            (issuer, BODY_PT, LINE_MM, False, "C"),
        ]

    def _middle_lines(self, matter_lines: int) -> list[Line]:
        """After the owner's name and units: the window, the matters, why to vote, how to scan (before the QR)."""
        context = self.context
        return [
            *self._paragraph(f"投票时间：{context.window}", bold=True),
            *self._paragraph(self._matters_text(matter_lines)),
            ("", BODY_PT, 2.0, False, "L"),
            ("为什么您的一票很重要", HEADING_PT, 8.0, True, "L"),
            *self._paragraph(context.why),
            ("", BODY_PT, 2.0, False, "L"),
            ("怎样用手机投票", HEADING_PT, 8.0, True, "L"),
            *self._paragraph(SCAN_TEXT),
        ]

    def _foot_lines(self) -> list[Line]:
        """After the QR block: paper and help (the note and the signature are drawn by `_signature`)."""
        context = self.context
        paper = [*self._paragraph(context.paper)] if context.paper else []
        return [*paper, *self._paragraph(context.help, bold=True)]

    def _qr_lines(self, code: str, factor: str) -> list[Line]:
        """Beside the QR code: the address and the typed code for those who cannot scan, then the identity check
        (broken into lines once per kind of document the check asks for)."""
        if factor not in self._qr_parts:
            width = self.qr_text_width
            before = [
                *self._paragraph("不能扫码的，请在浏览器中打开：", width=width),
                *self._paragraph(code_url(self.context.base_url), bold=True, width=width),  # never cut: it is typed
                ("输入下面的投票码：", BODY_PT, LINE_MM, False, "L"),
            ]
            check = self.context.second_factor
            after = self._paragraph(check.format(factor=factor), width=width) if check else []
            self._qr_parts[factor] = (before, after)
        before, after = self._qr_parts[factor]
        return [*before, (credentials.format_code(code), CODE_PT, 10.0, True, "L"), *after]

    @staticmethod
    def _qr_height(lines: Sequence[Line]) -> float:
        """The QR block's height: the code with its quiet zone, or the text beside it if taller."""
        return max(2 + height(lines), QR_SIDE_MM + 6) + 2

    # --- drawing, per letter -----------------------------------------------------------------------------------------

    def _draw(self, lines: Sequence[Line]) -> None:
        for text, size, line_height, bold, align in lines:
            self._font(size, bold)
            self.pdf.cell(0, line_height, text, new_x="LMARGIN", new_y="NEXT", align=align)

    def add(self, voter: MeetingVoter, token: str, code: str) -> None:
        """One letter: heading and convener, the holder (masked) and units, window, matters, why, how, the QR block,
        paper and help, then the note beside the issuing body, the date and the seal's space."""
        pdf = self.pdf
        pdf.add_page()
        self.pages += 1
        self._draw(self.head)
        pdf.ln(2)
        self._draw([(f"尊敬的业主 {voter.shown_name}：", BODY_PT, LINE_MM, True, "L")])
        self._font(BODY_PT)
        self._draw([(self._one_line(f"您的房屋：{voter.units_label}", TEXT_WIDTH_MM), BODY_PT, LINE_MM, False, "L")])
        self._draw(self.middle)
        pdf.ln(1)
        self._qr_block(token, code, voter.factor_words)
        self._draw(self.foot)
        self.text_bottom = max(self.text_bottom, pdf.get_y())
        self._signature()

    def _qr_block(self, token: str, code: str, factor: str) -> None:
        """The QR code on the left (a quiet zone of white around it), the typed code on the right."""
        pdf = self.pdf
        top = pdf.get_y()
        draw_qr(pdf, qr_matrix(voting_link(self.context.base_url, token)), self.qr_left, top + 3, QR_SIDE_MM)
        lines = self._qr_lines(code, factor)
        pdf.set_left_margin(self.qr_text_left)
        pdf.set_xy(self.qr_text_left, top + 2)
        self._draw(lines)
        pdf.set_left_margin(MARGIN_MM)
        pdf.set_xy(MARGIN_MM, top + self._qr_height(lines))

    def _signature(self) -> None:
        """At the foot on the right, as on any official notice: the issuing body, the township that guides it and the
        date of issue, under a dashed circle (a 42 mm round seal) marked 盖章处 where the convener stamps its seal; on
        the left, the note on keeping the code."""
        pdf = self.pdf
        pdf.set_xy(MARGIN_MM, SEAL_TOP_MM + 2)
        self._draw(self.note)
        self.lowest = max(self.lowest, pdf.get_y())
        centre_x = 210.0 - MARGIN_MM - SEAL_RADIUS_MM - 6
        centre_y = PAGE_HEIGHT_MM - MARGIN_MM - SEAL_RADIUS_MM
        pdf.set_draw_color(150)
        pdf.set_dash_pattern(dash=1.5, gap=1.5)
        pdf.circle(centre_x, centre_y, SEAL_RADIUS_MM)
        pdf.set_dash_pattern()
        pdf.set_draw_color(0)
        pdf.set_text_color(110)
        self._font(BODY_PT)
        pdf.set_xy(centre_x - SEAL_RADIUS_MM, centre_y - 2 * LINE_MM)
        pdf.cell(2 * SEAL_RADIUS_MM, LINE_MM, "盖章处", align="C")
        pdf.set_text_color(0)
        pdf.set_xy(MARGIN_MM, centre_y - LINE_MM)
        self._draw(self.signature)
        self.lowest = max(self.lowest, pdf.get_y(), centre_y + SEAL_RADIUS_MM)

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    def close(self) -> None:
        """Close the font files fpdf2 holds open until `output` (a batch stopped half-way never calls it)."""
        for font in self.pdf.fonts.values():
            closing = getattr(font, "close", None)
            if closing is not None:
                closing()


def height(lines: Sequence[Line]) -> float:
    """The height of drawn lines, in mm."""
    return sum(line[2] for line in lines)


def draw_qr(pdf: FPDF, matrix: Sequence[Sequence[bool]], x: float, y: float, side: float) -> None:
    """Draw the modules as black rectangles, one per run of dark modules in a row (a few hundred operators)."""
    size = side / len(matrix)
    pdf.set_fill_color(0)
    for r, row in enumerate(matrix):
        c, n = 0, len(row)
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            # a hair taller than the module, so that rows meet without a light seam when the page is rasterised
            pdf.rect(x + start * size, y + r * size, (c - start) * size, size + 0.02, style="F")


#: what never starts a line in Chinese typesetting (避头): it stays at the end of the line before, hanging
CLOSING = set("，。、；：？！）》」』”’…—")
#: what never ends a line (避尾): it goes down with what follows
OPENING = set("（《「『“‘")
#: what is not broken across lines: a date with its time (2026年12月7日 20:00), a run of Latin letters, digits and
#: their punctuation (a phone number, an address); anything else is one character
_WORD = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日(?: \d{1,2}:\d{2})?|[!-~]+|.", re.DOTALL)


NEWLINE = "\n"


def wrap(text: str, width: float, measure: Any) -> list[str]:
    """The text in lines of at most ``width`` (``measure``: the width of a string at the current font): Chinese
    breaks between any two characters; a run of Latin letters and digits (a phone number, an address) is kept whole
    unless it is wider than a line; a closing mark never starts a line, an opening one never ends it."""
    lines: list[str] = []
    line = ""
    for token in _WORD.findall(text):
        if token == NEWLINE:
            lines.append(line)
            line = ""
            continue
        if measure(line + token) <= width or (line and token in CLOSING):
            line += token
            continue
        carried = ""
        if len(line) > 1 and line[-1] in OPENING:  # an opening mark goes down with what it opens
            line, carried = line[:-1], line[-1]
        if line:
            lines.append(line)
        line = carried + token
        while measure(line) > width and len(line) > 1:  # a run wider than a line: cut it where it must
            cut = len(line) - 1
            while cut > 1 and measure(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "2幢" before "10幢": digit runs compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text))
