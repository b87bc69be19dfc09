"""Printable paper ballots (纸质表决票): one A4 page in Chinese per voter, for the owners who vote on paper (Hangzhou
Art 20: paper is offered to any owner who asks; issue 6 item 5).

Each ballot names its meeting, the voter's units and masked name, and carries the voter's paper code
(`app.voting.paper.paper_code`) printed large and as a QR code (error correction M, drawn like the letters' by
`app.voting.letters.draw_qr`), so that the tellers scan or type it when the ballot comes back. Every matter has its
boxes to tick: 同意 / 反对 / 弃权 for a motion, one box per candidate and "at most N" for the election (DOMAIN §5).
The owner signs it (Zhejiang Art 9: a written ballot is signed by the owner). Nothing on it is secret: the paper
code only says which voter's ballot it is, and the signature identifies the owner.

A ballot fits one page for any ordinary meeting; a meeting with very many matters continues on a second page,
headed with the same code. The document and its embedded Chinese font come from `app.roll.notice_pdf`, which raises
`MissingFont` without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fpdf.enums import WrapMode

from app.communities.models import Community
from app.extensions import db
from app.roll import notice_pdf
from app.voting.election_words import in_chinese
from app.voting.letters import draw_qr, qr_matrix, window_text
from app.voting.models import Matter, Meeting, MeetingVoter
from app.voting.paper import paper_code

__all__ = ["PaperBallotSheets", "paper_ballots_pdf"]

PAGE_HEIGHT_MM = 297.0
MARGIN_MM = 15.0
TEXT_WIDTH_MM = 210.0 - 2 * MARGIN_MM
#: the QR code of the paper code (a version-1 code: 1.5 mm modules, read at a glance by a scanner or a phone)
QR_SIDE_MM = 32.0
#: white around the QR code, at least its four-module quiet zone
QR_GAP_MM = 8.0
BOX_MM = 6.5
FOOTER_MM = 10.0
MOTION_OPTIONS = ("同意", "反对", "弃权")
#: the election's candidates in this many columns
CANDIDATE_COLUMNS = 2
INSTRUCTIONS = (
    "填写说明：请用黑色或蓝色笔在您选定的方框内打“√”。每项表决事项只能选一项，多选或无法辨认的，该项无效；"
    "未作选择的，该项为空白。选举事项所选人数不得超过应选人数，超过的，该项选举无效。"
    "表决票上方的编号和二维码供计票人录入，请勿涂改。"
)


class PaperBallotSheets:
    """A PDF of paper ballots, one voter after another, in the order they are added."""

    def __init__(self, meeting: Meeting):
        community = db.session.get_one(Community, meeting.community_id)
        self.meeting = meeting
        self.community_name = community.name
        self.window = window_text(meeting)
        self.pdf = notice_pdf._document()
        self.pdf.set_title(f"{community.name} {meeting.title} 纸质表决票")
        self.pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        # the pages are laid out here (`_ensure_room`), so that a ballot never splits in the middle of a matter
        self.pdf.set_auto_page_break(auto=False)
        self.pages = 0
        self.ballots = 0

    # --- text helpers ------------------------------------------------------------------------------------------------

    def _fit(self, text: str, width: float) -> str:
        """The text cut (with "…") to one line of ``width`` mm at the current font size."""
        if self.pdf.get_string_width(text) <= width:
            return text
        while text and self.pdf.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _lines(self, text: str, size: float, width: float) -> int:
        self.pdf.set_font_size(size)
        lines: Any = self.pdf.multi_cell(width, 5, text, dry_run=True, output="LINES", wrapmode=WrapMode.CHAR)
        return len(lines)

    def _text(self, height: float, text: str, size: float, width: float = 0, align: str = "L") -> None:
        self.pdf.set_font_size(size)
        self.pdf.multi_cell(width, height, text, new_x="LEFT", new_y="NEXT", align=align, wrapmode=WrapMode.CHAR)

    # --- pages -------------------------------------------------------------------------------------------------------

    def _footer(self, code: str) -> None:
        pdf = self.pdf
        pdf.set_xy(MARGIN_MM, PAGE_HEIGHT_MM - MARGIN_MM - 4)
        pdf.set_font_size(8.5)
        pdf.cell(TEXT_WIDTH_MM, 4, self._fit(f"{self.community_name} · {self.meeting.title} · 表决票编号 {code}", 180))
        pdf.set_xy(MARGIN_MM, PAGE_HEIGHT_MM - MARGIN_MM - FOOTER_MM)

    def _continuation(self, code: str) -> None:
        """A further page of the same ballot: its code on top, so that the pages stay together."""
        pdf = self.pdf
        pdf.add_page()
        self.pages += 1
        self._footer(code)
        pdf.set_xy(MARGIN_MM, MARGIN_MM)
        self._text(8, f"业主大会表决票（续页）  编号 {code}", 14)
        pdf.ln(3)

    def _ensure_room(self, height: float, code: str) -> None:
        if self.pdf.get_y() + height > PAGE_HEIGHT_MM - MARGIN_MM - FOOTER_MM:
            self._continuation(code)

    def add(self, voter: MeetingVoter) -> None:
        """One voter's ballot: heading with the code and its QR, instructions, the matters, the signature."""
        code = paper_code(voter)
        pdf = self.pdf
        pdf.add_page()
        self.pages += 1
        self.ballots += 1
        self._footer(code)
        self._heading(voter, code)
        self._text(5.5, INSTRUCTIONS, 10, TEXT_WIDTH_MM)
        pdf.ln(3)
        for number, matter in enumerate(self.meeting.matters, start=1):
            if matter.kind == "election":
                self._election(number, matter, code)
            else:
                self._motion(number, matter, code)
        self._signature(code)

    def _heading(self, voter: MeetingVoter, code: str) -> None:
        """The title and the voter on the left; the QR code with the paper code printed large under it on the right."""
        pdf = self.pdf
        qr_left = MARGIN_MM + TEXT_WIDTH_MM - QR_SIDE_MM
        draw_qr(pdf, qr_matrix(code), qr_left, MARGIN_MM, QR_SIDE_MM)
        pdf.set_xy(qr_left - 6, MARGIN_MM + QR_SIDE_MM + 2)
        pdf.set_font_size(20)
        pdf.cell(QR_SIDE_MM + 12, 10, code, align="C")
        width = TEXT_WIDTH_MM - QR_SIDE_MM - QR_GAP_MM
        pdf.set_xy(MARGIN_MM, MARGIN_MM)
        self._text(11, "业主大会表决票", 22, width)
        self._text(7, self.community_name, 13, width)
        self._text(6.5, self.meeting.title, 12, width)
        pdf.ln(1)
        holder = voter.shown_name
        self._text(6.5, f"业主：{holder}", 12, width)
        pdf.set_font_size(12)
        self._text(6.5, self._fit(f"专有部分：{voter.units_label}", width), 12, width)
        self._text(5.5, f"投票时间：{self.window}", 9.5, width)
        pdf.set_xy(MARGIN_MM, max(pdf.get_y(), MARGIN_MM + QR_SIDE_MM + 12) + 2)
        pdf.set_draw_color(0)
        pdf.line(MARGIN_MM, pdf.get_y(), MARGIN_MM + TEXT_WIDTH_MM, pdf.get_y())
        pdf.ln(3)

    def _box(self, x: float, y: float, label: str, size: float = 13) -> None:
        """An empty square to tick, and its label after it."""
        pdf = self.pdf
        pdf.set_line_width(0.4)
        pdf.rect(x, y, BOX_MM, BOX_MM)
        pdf.set_line_width(0.2)
        pdf.set_font_size(size)
        pdf.set_xy(x + BOX_MM + 2, y - 0.5)
        pdf.cell(0, BOX_MM + 1, label)

    def _matter_title(self, number: int, matter: Matter, extra: float, code: str) -> None:
        title = f"{number}. {matter.title}"
        self._ensure_room(self._lines(title, 13.5, TEXT_WIDTH_MM) * 7 + extra, code)
        self.pdf.set_x(MARGIN_MM)
        self._text(7, title, 13.5, TEXT_WIDTH_MM)

    def _motion(self, number: int, matter: Matter, code: str) -> None:
        """同意 / 反对 / 弃权, one box each."""
        self._matter_title(number, matter, BOX_MM + 8, code)
        y = self.pdf.get_y() + 2
        for i, label in enumerate(MOTION_OPTIONS):
            self._box(MARGIN_MM + 6 + 45 * i, y, label)
        self.pdf.set_xy(MARGIN_MM, y + BOX_MM + 6)

    def _election(self, number: int, matter: Matter, code: str) -> None:
        """A box per candidate, in columns, and how many may be chosen."""
        pdf = self.pdf
        rows = -(-len(matter.candidates) // CANDIDATE_COLUMNS)
        row_height = BOX_MM + 4
        self._matter_title(number, matter, 7 + min(rows, 3) * row_height, code)
        marks = matter.marks
        self._text(6.5, f"{in_chinese(matter)}，最多选 {marks} 人（多选的，本项选举无效）。", 11.5, TEXT_WIDTH_MM)
        pdf.ln(1.5)
        column_width = (TEXT_WIDTH_MM - 6) / CANDIDATE_COLUMNS
        for start in range(0, len(matter.candidates), CANDIDATE_COLUMNS):
            self._ensure_room(row_height, code)
            y = pdf.get_y()
            for i, candidate in enumerate(matter.candidates[start : start + CANDIDATE_COLUMNS]):
                pdf.set_font_size(13)
                label = f"{candidate.name}（{candidate.unit_labels}）" if candidate.unit_labels else candidate.name
                self._box(MARGIN_MM + 6 + column_width * i, y, self._fit(label, column_width - BOX_MM - 6))
            pdf.set_xy(MARGIN_MM, y + row_height)
        pdf.ln(2)

    def _signature(self, code: str) -> None:
        """The owner's signature and the date (Zhejiang Art 9)."""
        pdf = self.pdf
        self._ensure_room(32, code)
        pdf.ln(6)
        y = pdf.get_y()
        pdf.set_font_size(13)
        pdf.set_xy(MARGIN_MM, y)
        pdf.cell(30, 10, "业主签名：")
        pdf.line(MARGIN_MM + 30, y + 9, MARGIN_MM + 100, y + 9)
        pdf.set_xy(MARGIN_MM + 106, y)
        pdf.cell(0, 10, "日期：＿＿＿年＿＿月＿＿日")
        pdf.set_xy(MARGIN_MM, y + 13)
        self._text(5.5, "本表决票须由业主本人签名；专有部分为共有的，由共有人推举的代表签名。", 10, TEXT_WIDTH_MM)
        self._text(5.5, "请在投票截止前将本表决票交回筹备组。", 10, TEXT_WIDTH_MM)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def paper_ballots_pdf(meeting: Meeting, voters: Iterable[MeetingVoter]) -> bytes:
    """The voters' paper ballots as one PDF, in the order given."""
    sheets = PaperBallotSheets(meeting)
    for voter in voters:
        sheets.add(voter)
    return sheets.output()
