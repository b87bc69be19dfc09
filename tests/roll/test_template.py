"""The owner-roll template: opens, keeps ID numbers as text, and imports as is (empty, with examples, filled)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from app.demo.roll_generator import demo_small_roll
from app.roll.parsing import COLUMNS, RollFileError, read_roll_file
from app.roll.template import TEMPLATE_ROWS, example_rows, roll_template_csv, roll_template_xlsx, template_headers
from app.roll.validation import validate_roll
from tests.roll.files import HEADERS_ZH, demo_row

LETTERS = {c.field: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
TEXT_COLUMNS = [f for f in LETTERS if f.endswith(("_id_number", "_phone"))] + ["building", "entrance", "room"]


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def blank() -> openpyxl.Workbook:
    return _open(roll_template_xlsx(False))


def test_row_one_is_the_header_and_nothing_else(blank):
    sheet = blank.worksheets[0]
    assert blank.active.title == sheet.title == "业主名册"
    assert [c.value for c in sheet[1]] == HEADERS_ZH == template_headers()
    assert all(c.value is None for c in sheet[2])
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold


@pytest.mark.parametrize("field", TEXT_COLUMNS)
def test_id_phone_and_unit_columns_are_text(blank, field):
    sheet = blank.worksheets[0]
    letter = LETTERS[field]
    assert sheet.column_dimensions[letter].number_format == "@"
    for row in (2, 100, TEMPLATE_ROWS + 1):
        assert sheet[f"{letter}{row}"].number_format == "@"


def test_other_columns_are_not_text(blank):
    sheet = blank.worksheets[0]
    assert sheet[f"{LETTERS['area']}2"].number_format == "General"


def test_column_widths_and_header_comments(blank):
    sheet = blank.worksheets[0]
    assert sheet.column_dimensions[LETTERS["owner1_id_number"]].width >= 20
    assert sheet.column_dimensions[LETTERS["building"]].width >= 10
    assert "18位" in sheet[f"{LETTERS['owner1_id_number']}1"].comment.text


def test_drop_down_lists_in_chinese(blank):
    sheet = blank.worksheets[0]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    last = TEMPLATE_ROWS + 1
    assert lists == {
        f"{LETTERS['kind']}2:{LETTERS['kind']}{last}": '"住宅,商铺,车位,其他"',
        f"{LETTERS['status']}2:{LETTERS['status']}{last}": '"已交付,未交付,未售"',
        f"{LETTERS['area_source']}2:{LETTERS['area_source']}{last}": '"登记,测绘,合同"',
        **{
            f"{LETTERS[field]}2:{LETTERS[field]}{last}": '"居民身份证,港澳台居民居住证,外国人永久居留身份证,'
            '统一社会信用代码,来往内地（大陆）通行证,护照"'
            for field in ("owner1_id_type", "owner2_id_type", "owner3_id_type", "owner4_id_type", "agent_id_type")
        },
    }


def test_instructions_are_on_a_second_sheet(blank):
    assert blank.sheetnames == ["业主名册", "填写说明"]


def test_the_blank_template_imports_as_an_empty_roll():
    with pytest.raises(RollFileError) as caught:
        read_roll_file("template.xlsx", roll_template_xlsx(False))
    assert caught.value.code == "no_rows"


def test_the_example_validates_without_errors_or_warnings():
    report = validate_roll(read_roll_file("template.xlsx", roll_template_xlsx(True)))
    assert report.ok, report.errors
    assert report.warnings == ()
    units = report.units
    assert len(units) == len(example_rows()) == 11
    statuses = [u.status for u in units]
    assert {"unsold", "undelivered", "delivered"} == set(statuses)
    assert {u.kind for u in units} == {"residence", "commercial", "parking"}
    co_owned = [u for u in units if len(u.owners) > 1]
    assert [[o.is_representative for o in u.owners] for u in co_owned] == [[False, True], [True, False, False]]
    ids = [o.id_number for u in units for o in u.owners]
    assert len(ids) - len(set(ids)) == 1  # one owner holds a flat and a parking space
    assert all(not u.owners for u in units if u.status != "delivered")
    # a company through its representative, a Hong Kong resident's permit, a foreigner's passport (DOMAIN §3)
    company, visitor, foreigner = (u.owners[0] for u in units[-3:])
    assert (company.id_type, company.agent is not None and company.agent.name) == ("uscc", "赵明")
    assert (visitor.id_type, visitor.id_number) == ("travel_permit", "H12345678")
    assert (foreigner.id_type, foreigner.nationality, foreigner.identity) == ("passport", "美国", "passport:E12345678")


def test_the_example_cells_hold_text_ids():
    sheet = _open(roll_template_xlsx(True)).worksheets[0]
    assert isinstance(sheet[f"{LETTERS['owner1_id_number']}2"].value, str)
    assert sheet[f"{LETTERS['owner1_id_number']}2"].number_format == "@"


def test_round_trip_template_filled_by_openpyxl():
    workbook = _open(roll_template_xlsx(False))
    sheet = workbook.worksheets[0]
    demo = demo_small_roll()
    for offset, unit in enumerate(demo):
        for column, value in enumerate(demo_row(unit), start=1):
            if value != "":
                sheet.cell(row=2 + offset, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = validate_roll(read_roll_file("名册.xlsx", buffer.getvalue()))
    assert report.ok, report.errors[:3]
    assert len(report.units) == len(demo)
    assert report.units[0].row == 2


def test_csv_template_is_the_header_in_utf8_with_bom():
    data = roll_template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip().split(",") == HEADERS_ZH
    with pytest.raises(RollFileError) as caught:
        read_roll_file("template.csv", data)
    assert caught.value.code == "no_rows"


def test_csv_template_with_rows_appended_imports():
    lines = [",".join(str(v) for v in row) for row in example_rows()]
    data = roll_template_csv() + ("\r\n".join(lines) + "\r\n").encode()
    report = validate_roll(read_roll_file("template.csv", data))
    assert report.ok, report.errors
    assert len(report.units) == 11


def test_a_zip_bomb_is_refused_before_it_is_parsed():
    """Issue 16 item 3: a workbook whose shared string inflates to 192 MB (from well under 1 MB) is refused by its
    inflated size; its time and peak memory are measured by bench/zip_bomb.py (docs/security.md)."""
    from app.roll.parsing import MAX_UNCOMPRESSED
    from tests.roll.bombs import zip_bomb

    bomb = zip_bomb(192 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(RollFileError) as caught:
        read_roll_file("roll.xlsx", bomb)
    assert caught.value.code == "file_too_large"
    assert str(MAX_UNCOMPRESSED // (1024 * 1024)) in str(caught.value.message)


def test_the_archive_check_passes_the_template_and_refuses_a_damaged_archive():
    """A 20,000-unit roll inflates to far less than the limit (bench/zip_bomb.py prints it)."""
    from app.roll.parsing import check_archive

    data = roll_template_xlsx(True)
    check_archive(data)
    with pytest.raises(RollFileError) as caught:
        check_archive(data[: len(data) // 2])
    assert caught.value.code == "unreadable_file"
