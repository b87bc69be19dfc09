"""Exports escape formulas (issue 16 item 5): a text a spreadsheet would run is written as text in every CSV and
XLSX the service makes."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.dashboard.exports import _saved, _workbook
from app.text import spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张伟", "张伟"),
        ("89.50", "89.50"),
        (12, 12),
        (None, None),
    ],
)
def test_a_cell_that_would_be_a_formula_becomes_text(value: object, written: object) -> None:
    assert spreadsheet_safe(value) == written


def test_the_dashboard_workbook_stores_a_formula_like_name_as_text() -> None:
    book = _workbook()
    sheet = book.create_sheet("Communities")
    sheet.append(['=HYPERLINK("http://example.invalid","梅园")', 3])
    cell = load_workbook(BytesIO(_saved(book)))["Communities"]["A1"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://example.invalid","梅园")'
