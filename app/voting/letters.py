"""The voter's letter (投票通知书): one A4 page in Chinese per voter, with the personal link as a QR code, the short
URL and the typed fallback code, the meeting's matters in brief, the voting window and where to get help (issue 6
item 3; DOMAIN §8: each vote is the owner's own).

Writing a letter issues a new credential (`credentials.issue`): the letter is the only place the token and the code
exist in clear, and a new letter revokes the voter's earlier ones. The QR code is drawn as vector rectangles from
the `qrcode` package's matrix (error correction M, 50 mm wide); the document and the embedded Chinese font come from
the roll's notice (`app.roll.notice_pdf`), which raises `MissingFont` without it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import qrcode
from fpdf import FPDF
from fpdf.enums import WrapMode
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import select

from app.communities.models import Community
from app.db_types import SHANGHAI
from app.extensions import db
from app.preparation.models import GroupMember, PreparatoryGroup
from app.roll import notice_pdf
from app.roll.notice_pdf import MissingFont
from app.voting import credentials
from app.voting.models import Meeting, MeetingVoter

__all__ = ["LetterSheets", "MissingFont", "font_available", "letter_context", "qr_matrix"]

#: the QR code's side on paper (scannable from a printed page by a cheap phone: at least 40 mm)
QR_SIDE_MM = 50.0
#: at most this many matters are listed by title; the rest are counted ("另有 N 项")
MAX_MATTERS_LISTED = 10
MARGIN_MM = 18.0
#: the letter's text width on A4 (210 mm) within the margins
TEXT_WIDTH_MM = 210.0 - 2 * MARGIN_MM


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


def window_text(meeting: Meeting) -> str:
    """The voting window as owners read it, in Asia/Shanghai: 2026年12月1日 08:00 至 2026年12月7日 20:00。"""
    return f"{_shanghai(meeting.opens_at)} 至 {_shanghai(meeting.closes_at)}（北京时间）"


def help_text(meeting: Meeting) -> str:
    """Who helps: the preparatory group's leader and their public contact (Shaoxing Art 12 ¶2), when known."""
    group_id = meeting.group_id or db.session.scalar(
        select(PreparatoryGroup.id)
        .where(PreparatoryGroup.community_id == meeting.community_id)
        .order_by(PreparatoryGroup.number.desc())
        .limit(1)
    )
    leader = (
        db.session.scalars(
            select(GroupMember).where(GroupMember.group_id == group_id, GroupMember.is_leader.is_(True)).limit(1)
        ).first()
        if group_id is not None
        else None
    )
    if leader is None:
        return "如需帮助，请联系本小区业主大会筹备组或社区居民委员会。"
    contact = f"，联系方式：{leader.contact}" if leader.contact else ""
    return f"如需帮助，请联系筹备组组长 {leader.name}{contact}。"


SECOND_FACTOR_TEXT = {
    "id_last6": "打开后，请输入您的{factor}，以确认是您本人。",
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
    offers_paper: bool
    base_url: str


def letter_context(meeting: Meeting, base_url: str) -> LetterContext:
    community = db.session.get_one(Community, meeting.community_id)
    return LetterContext(
        community_name=community.name,
        meeting_title=meeting.title,
        matter_titles=tuple(m.title for m in meeting.matters),
        window=window_text(meeting),
        second_factor=SECOND_FACTOR_TEXT.get(meeting.second_factor, ""),
        help=help_text(meeting),
        offers_paper="paper" in meeting.channels.split(","),
        base_url=base_url.rstrip("/"),
    )


class LetterSheets:
    """A PDF of letters, one page each, in the order they are added."""

    def __init__(self, context: LetterContext):
        self.context = context
        self.pdf = notice_pdf._document()
        self.pdf.set_title(f"{context.community_name} 投票通知书")
        self.pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        # one page per letter, always: the content is bounded (titles cut to one line, at most 10 of them)
        self.pdf.set_auto_page_break(auto=False)
        self.pages = 0
        self.pdf.set_font_size(11)
        listed = context.matter_titles[:MAX_MATTERS_LISTED]
        self.matter_lines = [self._one_line(f"{i}. {title}", TEXT_WIDTH_MM - 4) for i, title in enumerate(listed, 1)]
        if len(context.matter_titles) > MAX_MATTERS_LISTED:
            more = len(context.matter_titles) - MAX_MATTERS_LISTED
            self.matter_lines.append(f"另有 {more} 项，详见投票页面。")

    def _one_line(self, text: str, width: float) -> str:
        """The text cut (with "…") to fit one line of ``width`` mm at the current font size."""
        if self.pdf.get_string_width(text) <= width:
            return text
        while text and self.pdf.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _line(self, height: float, text: str, size: float, align: str = "L") -> None:
        self.pdf.set_font_size(size)
        self.pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align=align, wrapmode=WrapMode.CHAR)

    def add(self, voter: MeetingVoter, token: str, code: str) -> None:
        """One letter: heading, the holder (masked) and units, window, matters, the QR block, help and notes."""
        context, pdf = self.context, self.pdf
        pdf.add_page()
        self.pages += 1
        self._line(9, "业主大会投票通知书", 20, "C")
        self._line(7, context.community_name, 13, "C")
        self._line(7, context.meeting_title, 12, "C")
        pdf.ln(4)
        holder = voter.shown_name
        self._line(7, f"业主：{holder}", 12)
        pdf.set_font_size(12)
        self._line(7, self._one_line(f"专有部分：{voter.units_label}", TEXT_WIDTH_MM), 12)
        pdf.ln(2)
        self._line(6.5, f"投票时间：{context.window}", 11)
        pdf.ln(1)
        self._line(6.5, "表决事项：", 11)
        pdf.set_x(MARGIN_MM + 4)
        for line in self.matter_lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.set_x(MARGIN_MM + 4)
        pdf.ln(5)
        self._qr_block(token, code, voter.factor_words)
        self._line(6, context.help, 10.5)
        if context.offers_paper:
            self._line(6, "如需纸质表决票，可向筹备组领取。", 10.5)
        pdf.ln(2)
        self._line(5.5, "本通知书上的二维码和投票码仅供您本人投票使用，请妥善保管，不要交给他人或拍照转发。", 10)
        self._line(5.5, "重新发放的通知书生效后，此前发放给您的通知书（二维码和投票码）即作废。", 10)

    def _qr_block(self, token: str, code: str, factor: str) -> None:
        """The QR code on the left (a quiet zone of white around it), how to vote on the right."""
        context, pdf = self.context, self.pdf
        top = pdf.get_y()
        left = MARGIN_MM + 4
        draw_qr(pdf, qr_matrix(voting_link(context.base_url, token)), left, top + 4, QR_SIDE_MM)
        text_left = left + QR_SIDE_MM + 10
        pdf.set_left_margin(text_left)
        pdf.set_xy(text_left, top + 4)
        self._line(7, "用手机扫描左侧二维码投票。", 12)
        pdf.ln(1)
        self._line(6, "不能扫码的，请在手机或电脑浏览器中打开", 10.5)
        self._line(7, code_url(context.base_url), 11)
        self._line(6, "输入下面的投票码：", 10.5)
        self._line(10, credentials.format_code(code), 18)
        pdf.ln(1)
        if context.second_factor:
            self._line(5.5, context.second_factor.format(factor=factor), 10)
        pdf.set_left_margin(MARGIN_MM)
        pdf.set_xy(MARGIN_MM, max(pdf.get_y(), top + QR_SIDE_MM + 8) + 4)

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    def close(self) -> None:
        """Close the font files fpdf2 holds open until `output` (a batch stopped half-way never calls it)."""
        for font in self.pdf.fonts.values():
            closing = getattr(font, "close", None)
            if closing is not None:
                closing()


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


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "2幢" before "10幢": digit runs compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text))
