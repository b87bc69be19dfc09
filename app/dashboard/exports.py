"""The dashboards as files: an XLSX workbook (openpyxl) of the communities, the measures and their trend, and a
printable PDF summary (fpdf2 with Noto Sans CJK, as app/roll/notice_pdf.py), both in the user's language.

In the workbook, counts are integers and shares are numbers between 0 and 1 shown as percentages by the cell's
format (the exact part and whole stand beside each share); nothing is rounded in the cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from app.dashboard.township import TownshipDashboard, waiting_label
from app.governance.measures import Measures, percent_text
from app.governance.services import STATE_LABELS
from app.roll.notice_pdf import _document as cjk_document
from app.rules.areas import format_area
from app.rules.turnout import percent_down

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT_FORMAT = "0.0%"
NEXT_LINE: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT", "align": "L"}


def share_number(share: Fraction | None) -> float | None:
    """A share as the cell's number (0 to 1); the cell's format shows it as a percentage."""
    return None if share is None else float(share)


@dataclass(frozen=True)
class MeasureRow:
    """One measure: a count (or, for durations, an exact average), the whole it is out of, and the share."""

    name: str
    count: int | Fraction | None
    whole: int | None = None
    share: Fraction | None = None


def measure_rows(point: Measures) -> list[MeasureRow]:
    members = point.members
    return [
        MeasureRow(_("Communities"), point.communities),
        MeasureRow(
            _("Committee establishment rate (communities with a committee / communities meeting the conditions)"),
            point.establishment.part,
            point.establishment.whole,
            point.establishment.value,
        ),
        MeasureRow(_("Property management committees acting"), point.pmcs.acting),
        MeasureRow(_("Average days the acting property management committees have lasted"), point.pmcs.average_days),
        MeasureRow(
            _("Party members among serving committee members"),
            members.party_members,
            members.members,
            members.party.value,
        ),
        MeasureRow(
            _("People's congress deputies among serving committee members"),
            members.deputies,
            members.members,
            members.deputy.value,
        ),
        MeasureRow(
            _("CPPCC members among serving committee members"),
            members.cppcc_members,
            members.members,
            members.cppcc.value,
        ),
        MeasureRow(_("Certified votes"), point.participation.votes),
        MeasureRow(
            _("Average participation of the owners in certified votes"), None, None, point.participation.heads.value
        ),
        MeasureRow(_("Average participation by area in certified votes"), None, None, point.participation.area.value),
    ]


def _number(count: int | Fraction | None) -> int | float | None:
    return float(count) if isinstance(count, Fraction) else count


def _heading(sheet: Worksheet, titles: Sequence[str]) -> None:
    sheet.append(list(titles))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _measures_sheet(sheet: Worksheet, point: Measures) -> None:
    _heading(sheet, [_("Measure"), _("Number"), _("Out of"), _("Share")])
    for row in measure_rows(point):
        sheet.append([row.name, _number(row.count), row.whole, share_number(row.share)])
        sheet.cell(sheet.max_row, 4).number_format = PERCENT_FORMAT
    sheet.column_dimensions["A"].width = 70


def _trend_sheet(sheet: Worksheet, trend: Sequence[Measures]) -> None:
    _heading(
        sheet,
        [
            _("Month end"),
            _("Communities with a committee"),
            _("Communities meeting the conditions"),
            _("Establishment rate"),
            _("Property management committees acting"),
            _("Serving committee members"),
            _("Party members"),
            _("People's congress deputies"),
            _("Certified votes"),
            _("Average participation of the owners"),
            _("Average participation by area"),
        ],
    )
    for point in trend:
        sheet.append(
            [
                point.on,
                point.establishment.part,
                point.establishment.whole,
                share_number(point.establishment.value),
                point.pmcs.acting,
                point.members.members,
                point.members.party_members,
                point.members.deputies,
                point.participation.votes,
                share_number(point.participation.heads.value),
                share_number(point.participation.area.value),
            ]
        )
        row = sheet.max_row
        sheet.cell(row, 1).number_format = "yyyy-mm-dd"
        for column in (4, 10, 11):
            sheet.cell(row, column).number_format = PERCENT_FORMAT
    sheet.column_dimensions["A"].width = 12


def township_xlsx(dashboard: TownshipDashboard) -> bytes:
    """Three sheets: the communities (state, since, overdue, next due day, what waits, whether that day is provisional:
    docs/calendar.md), the measures now, the trend."""
    book = _workbook()
    sheet = book.create_sheet(_("Communities")[:31])
    _heading(
        sheet,
        [
            _("Community"),
            _("State"),
            _("Stage"),
            _("Owners voted"),
            _("Owners"),
            _("Area voted (m²)"),
            _("Area (m²)"),
            _("2/3 reached"),
            _("Since"),
            _("Overdue"),
            _("Next due day"),
            _("Waiting for the township"),
            _("Serving committee members"),
            _("Days as a property management committee"),
            _("Next due day is provisional"),
        ],
    )
    for row in dashboard.rows:
        dues = [(c.due, c.provisional) for c in row.clocks if c.due is not None and not c.done]
        if row.preparation is not None:
            dues += [(v.clock.due, v.clock.provisional) for v in row.preparation.clocks if v.clock.due and not v.done]
        next_due, provisional = min(dues) if dues else (None, False)
        turnout = row.stage.turnout
        sheet.append(
            [
                row.community.name,
                str(STATE_LABELS[row.state]),
                str(row.stage.label),
                turnout.voted_heads if turnout else None,
                turnout.total_heads if turnout else None,
                format_area(turnout.voted_area_centi) if turnout else None,  # text: exact to 0.01 m²
                format_area(turnout.total_area_centi) if turnout else None,
                (_("yes") if turnout.meets_quorum else _("no")) if turnout else None,
                row.since,
                _("yes") if row.overdue else _("no"),
                next_due,
                "; ".join(str(waiting_label(item.code)) for item in row.waiting),
                row.serving if row.body is not None and row.body.kind == "committee" else None,
                row.pmc_days,
                _("yes") if provisional else _("no"),
            ]
        )
        for column in (9, 11):
            sheet.cell(sheet.max_row, column).number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 40
    sheet.column_dimensions["L"].width = 50
    _measures_sheet(book.create_sheet(_("Measures")[:31]), dashboard.now)
    _trend_sheet(book.create_sheet(_("Trend")[:31]), dashboard.trend)
    return _saved(book)


def city_xlsx(rows: Sequence[tuple[str, str, Measures]], total: Measures) -> bytes:
    """One row per township in the ranking's order (name, code, then the measures), and the city's total."""
    book = _workbook()
    sheet = book.create_sheet(_("Townships")[:31])
    _heading(
        sheet,
        [
            _("Rank"),
            _("Township"),
            _("Code"),
            _("Communities"),
            _("Communities meeting the conditions"),
            _("Communities with a committee"),
            _("Establishment rate"),
            _("Property management committees acting"),
            _("Serving committee members"),
            _("Party members"),
            _("People's congress deputies"),
            _("Certified votes"),
            _("Average participation of the owners"),
            _("Average participation by area"),
        ],
    )
    for rank, (name, code, point) in enumerate([*rows, (_("City total"), "", total)], start=1):
        sheet.append(
            [
                rank if rank <= len(rows) else None,
                name,
                code,
                point.communities,
                point.establishment.whole,
                point.establishment.part,
                share_number(point.establishment.value),
                point.pmcs.acting,
                point.members.members,
                point.members.party_members,
                point.members.deputies,
                point.participation.votes,
                share_number(point.participation.heads.value),
                share_number(point.participation.area.value),
            ]
        )
        for column in (7, 13, 14):
            sheet.cell(sheet.max_row, column).number_format = PERCENT_FORMAT
    sheet.column_dimensions["B"].width = 24
    return _saved(book)


def _workbook() -> Workbook:
    """An empty workbook (without openpyxl's default sheet)."""
    book = Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    return book


def _saved(book: Workbook) -> bytes:
    """The workbook's bytes; a text that openpyxl would store as a formula (a community named "=…") is stored as
    text: the dashboards write no formula of their own (issue 16 item 5)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- the printable summary ----------------------------------------------------------------------------------------


def _document() -> FPDF:
    """The notices' A4 document with the embedded Chinese font (app.roll.notice_pdf), in a smaller type."""
    pdf = cjk_document()
    pdf.set_font_size(9)
    return pdf


def shown(count: int | Fraction | None, whole: int | None, share: Fraction | None) -> str:
    """A measure for reading: "3 / 5 (60.0%)", "12", "41" (an average of days, rounded), "78.3%" or "–"."""
    if whole is not None:
        return f"{count} / {whole} ({percent_text(share)}%)" if share is not None else f"{count} / {whole}"
    if isinstance(count, Fraction):
        return str(int(count + Fraction(1, 2)))  # half up
    if count is not None:
        return str(count)
    return f"{percent_text(share)}%" if share is not None else "–"


def township_pdf(dashboard: TownshipDashboard) -> bytes:
    """A4: the measures now, the trend as a table, what waits for the township, and every community."""
    township, point = dashboard.township, dashboard.now
    title = _("Self-governance in %(name)s", name=township.name)
    pdf = _document()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font_size(15)
    pdf.multi_cell(0, 8, title, **{**NEXT_LINE, "align": "C"})
    pdf.set_font_size(9)
    pdf.multi_cell(0, 5, _("As of %(day)s.", day=str(dashboard.today)), **{**NEXT_LINE, "align": "C"})
    pdf.ln(2)

    pdf.set_font_size(12)
    pdf.multi_cell(0, 7, _("The policy's measures"), **NEXT_LINE)
    pdf.set_font_size(9)
    with pdf.table(col_widths=(120, 60), line_height=5, headings_style=_HEADINGS, text_align=("LEFT", "RIGHT")) as t:
        t.row((_("Measure"), _("Figure")))
        for measure in measure_rows(point):
            t.row((measure.name, shown(measure.count, measure.whole, measure.share)))
    pdf.ln(3)

    pdf.set_font_size(12)
    pdf.multi_cell(0, 7, _("Trend at each month's end"), **NEXT_LINE)
    pdf.set_font_size(8)
    with pdf.table(line_height=5, headings_style=_HEADINGS, text_align="LEFT") as t:
        t.row(
            (
                _("Month end"),
                _("Establishment rate"),
                _("Property management committees acting"),
                _("Party members"),
                _("People's congress deputies"),
                _("Average participation of the owners"),
                _("Average participation by area"),
            )
        )
        for p in dashboard.trend:
            t.row(
                (
                    str(p.on),
                    shown(p.establishment.part, p.establishment.whole, p.establishment.value),
                    str(p.pmcs.acting),
                    shown(p.members.party_members, p.members.members, p.members.party.value),
                    shown(p.members.deputies, p.members.members, p.members.deputy.value),
                    shown(None, None, p.participation.heads.value),
                    shown(None, None, p.participation.area.value),
                )
            )
    pdf.ln(3)

    pdf.set_font_size(12)
    pdf.multi_cell(0, 7, _("Waiting for the township"), **NEXT_LINE)
    pdf.set_font_size(9)
    waiting = dashboard.waiting
    if not waiting:
        pdf.multi_cell(0, 5, _("Nothing waits for the township."), **NEXT_LINE)
    for item in waiting:
        pdf.multi_cell(0, 5, f"- {item.community.name}: {waiting_label(item.code)}", **NEXT_LINE)
    pdf.ln(3)

    pdf.set_font_size(12)
    pdf.multi_cell(0, 7, _("Communities"), **NEXT_LINE)
    pdf.set_font_size(8)
    with pdf.table(col_widths=(30, 50, 50, 22, 18), line_height=5, headings_style=_HEADINGS, text_align="LEFT") as t:
        t.row((_("Community"), _("State"), _("Stage"), _("Since"), _("Overdue")))
        for row in dashboard.rows:
            turnout = row.stage.turnout
            stage = str(row.stage.label)
            if turnout is not None:
                stage += " · " + _(
                    "owners %(heads)s%%, area %(area)s%%: %(line)s",
                    heads=percent_down(turnout.heads_share),
                    area=percent_down(turnout.area_share),
                    line=_("2/3 reached") if turnout.meets_quorum else _("2/3 not reached"),
                )
            t.row(
                (
                    row.community.name,
                    str(STATE_LABELS[row.state]),
                    stage if row.stage.code != row.state else "–",
                    str(row.since or "–"),
                    _("overdue") if row.overdue else "–",
                )
            )
    return bytes(pdf.output())


_HEADINGS = FontFace(emphasis=None, fill_color=(230, 230, 230))


def filename(prefix: str, day: date, extension: str) -> str:
    """An ASCII file name: township-12-dashboard-2026-11-27.xlsx."""
    return f"{prefix}-{day.isoformat()}.{extension}"
