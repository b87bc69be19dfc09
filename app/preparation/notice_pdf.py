"""The printable notice (公告) of a preparation document: A4, Chinese, the text as published, its SHA-256 and the link
to the public page, so that a paper copy on the notice board can be checked against what the platform holds
(Shaoxing Arts 9 and 13 ¶3).

The document set-up and the Chinese font come from the roll's notice (`app.roll.notice_pdf`); without the font it
raises `MissingFont`, which the page turns into a 503 with a clear message.
"""

from __future__ import annotations

from typing import Any

from app.calendar.services import notice_is_provisional, provisional_pdf_note
from app.communities.models import Community
from app.preparation.models import Notice
from app.roll.notice_pdf import NEXT_LINE, MissingFont, _document

__all__ = ["MissingFont", "notice_pdf"]

#: wrap a line inside words too: Chinese has no spaces to break at
WRAPPED: dict[str, Any] = {**NEXT_LINE, "wrapmode": "CHAR"}


def notice_pdf(notice: Notice, community: Community, public_url: str) -> bytes:
    """The notice as PDF bytes: title, community, period, the text line by line, how to object, hash and link."""
    pdf = _document()
    pdf.set_title(f"{community.name} {notice.title}")
    pdf.add_page()
    pdf.set_font_size(16)
    pdf.multi_cell(0, 9, notice.title, **{**WRAPPED, "align": "C"})
    pdf.set_font_size(11)
    pdf.multi_cell(0, 7, community.name, **{**WRAPPED, "align": "C"})
    pdf.set_font_size(10)
    pdf.ln(2)
    pdf.multi_cell(
        0,
        6,
        f"公示期：{notice.starts_on} 至 {notice.ends_on}（不少于 5 个工作日，《绍兴市物业管理条例》第九条）"
        + provisional_pdf_note(notice_is_provisional(notice.starts_on, notice.ends_on)),
        **WRAPPED,
    )
    pdf.ln(3)
    pdf.set_font_size(11)
    for line in notice.body.split("\n"):
        if line.strip():
            pdf.multi_cell(0, 6.5, line, **WRAPPED)
        else:
            pdf.ln(3)
    pdf.ln(4)
    pdf.set_font_size(10)
    pdf.multi_cell(0, 6, "业主对本公告内容有异议的，请在公示期内向筹备组提出，筹备组记录并作出答复。", **WRAPPED)
    pdf.ln(2)
    pdf.set_font_size(9)
    pdf.multi_cell(0, 5, f"公告文本 SHA-256：{notice.body_sha256}", **WRAPPED)
    pdf.multi_cell(0, 5, f"网上查看：{public_url}", **WRAPPED)
    return bytes(pdf.output())
