"""The printable notice (公示) of a roll version: A4, Chinese, masked names and ID numbers, the fingerprint.

The Chinese font is Noto Sans CJK SC from Debian's fonts-noto-cjk, embedded (subset) by fpdf2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from fpdf import FPDF

from app.calendar.services import notice_is_provisional, provisional_pdf_note
from app.communities.models import Community
from app.db_types import SHANGHAI
from app.privacy import decrypt, mask_id_for_notice, mask_name
from app.roll.models import RollVersion
from app.rules.areas import format_area

#: Debian's Noto Sans CJK collection; face 2 of the collection is Simplified Chinese (SC)
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FACE_SC = 2

#: after a paragraph, continue at the left margin on the next line
NEXT_LINE: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT", "align": "L"}

KINDS = {"residence": "住宅", "commercial": "商铺", "parking": "车位", "other": "其他"}
STATUSES = {"delivered": "已交付", "undelivered": "已售未交付", "unsold": "未售"}

#: the units' table: its headings, and each column's width (mm) and alignment
HEADINGS = ("专有部分", "类型", "面积（m²）", "状态", "业主", "证件号码")
COLUMNS = ((34.0, "L"), (14.0, "L"), (22.0, "R"), (20.0, "L"), (40.0, "L"), (60.0, "L"))
LINE_MM = 6.0
PROGRESS_EVERY = 200


class MissingFont(RuntimeError):
    """The Chinese font is not installed (apt-get install fonts-noto-cjk)."""


def _document() -> FPDF:
    if not CJK_FONT.exists():
        raise MissingFont(f"{CJK_FONT} is missing: install Debian's fonts-noto-cjk")
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("NotoSansSC", "", str(CJK_FONT), collection_font_number=CJK_FACE_SC)
    pdf.set_font("NotoSansSC", size=10)
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf


def roll_notice_pdf(
    version: RollVersion,
    community: Community,
    weights: Any,
    superseded_by: RollVersion | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The notice as PDF bytes: heading, notice period, totals, the units with masked owners, the fingerprint; first,
    when a later version was published, that this one is superseded. ``on_progress(done, total)`` is called every
    PROGRESS_EVERY units (the task's progress bar, app.roll.notice_jobs)."""
    pdf = _document()
    pdf.set_title(f"{community.name} 业主名册公示（第{version.number}版）")
    pdf.add_page()
    pdf.set_font_size(16)
    pdf.multi_cell(0, 9, f"{community.name}业主名册公示（第 {version.number} 版）", **{**NEXT_LINE, "align": "C"})
    if superseded_by is not None:
        pdf.set_font_size(12)
        published = superseded_by.published_at.astimezone(SHANGHAI).date() if superseded_by.published_at else ""
        pdf.multi_cell(
            0, 8, f"本版已被第 {superseded_by.number} 版名册取代（{published} 公示），以下内容已不再有效。", **NEXT_LINE
        )
    pdf.set_font_size(10)
    pdf.ln(2)
    pdf.multi_cell(
        0,
        6,
        f"公示期：{version.notice_starts_on} 至 {version.notice_ends_on}（不少于 5 个工作日）。"
        "业主对本人专有部分、面积或业主信息有异议的，请在公示期内向筹备组提出。"
        + provisional_pdf_note(notice_is_provisional(version.notice_starts_on, version.notice_ends_on)),
        **NEXT_LINE,
    )
    pdf.multi_cell(
        0,
        6,
        f"专有部分 {weights.units} 个；业主人数 {weights.total_heads} 人；"
        f"专有部分总面积 {format_area(weights.total_area_centi)} 平方米。",
        **NEXT_LINE,
    )
    pdf.multi_cell(0, 6, f"名册指纹（Merkle 根）：{version.fingerprint}", **NEXT_LINE)
    pdf.ln(3)
    pdf.set_auto_page_break(False)  # the table breaks its own pages, between rows, repeating its headings
    _row(pdf, HEADINGS, heading=True)
    units = list(version.units)
    for done, unit in enumerate(units, start=1):
        owners = list(unit.owners)
        _row(
            pdf,
            (
                unit.label,
                KINDS.get(unit.kind, unit.kind),
                format_area(unit.area_centi),
                STATUSES.get(unit.status, unit.status),
                "、".join(mask_name(o.name) for o in owners) or "建设单位",
                "、".join(mask_id_for_notice(decrypt(o.id_number_cipher), o.id_type) for o in owners),
            ),
        )
        if on_progress is not None and (done % PROGRESS_EVERY == 0 or done == len(units)):
            on_progress(done, len(units))
    return bytes(pdf.output())


def _row(pdf: FPDF, cells: tuple[str, ...], heading: bool = False) -> None:
    """One row of the units' table, drawn cell by cell: a text that fits its column (nearly all) is one line, a
    longer one (several co-owners) wraps, and the row is as tall as its tallest cell. A row that would cross the
    bottom margin starts a new page, headings first. (fpdf2's `table()` lays out every cell as a paragraph: 1,200
    units took about 8 s; this takes a fraction of that, issue 21 item 6.)"""
    lines = [_lines(pdf, text, width) for text, (width, _) in zip(cells, COLUMNS, strict=True)]
    height = LINE_MM * max(len(found) for found in lines)
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
        if not heading:
            _row(pdf, HEADINGS, heading=True)
    x, y = pdf.l_margin, pdf.get_y()
    if heading:
        pdf.set_fill_color(230, 230, 230)
    for found, (width, align) in zip(lines, COLUMNS, strict=True):
        pdf.rect(x, y, width, height, style="DF" if heading else "D")
        for number, line in enumerate(found):
            pdf.set_xy(x, y + number * LINE_MM)
            pdf.cell(width, LINE_MM, line, align=align)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def _lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """The lines a cell's text takes in its column: itself when it fits, else as fpdf2 wraps it."""
    if pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
        return [text]
    wrapped = cast(list[str], pdf.multi_cell(width, LINE_MM, text, dry_run=True, output="LINES"))
    return [str(line) for line in wrapped]
