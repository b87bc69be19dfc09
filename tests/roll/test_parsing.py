"""read_roll_file: file types, encodings, header mapping, cell types and file-level errors."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from app.errors import DomainError
from app.roll.parsing import COLUMNS, REQUIRED_FIELDS, RollFileError, header_key, read_roll_file
from tests.roll.files import (
    HEADERS_EN,
    HEADERS_ZH,
    csv_bytes,
    make_babel_app,
    unit,
    valid_id,
    xlsx_bytes,
)

ID1 = valid_id("19900101", 11)
ID2 = valid_id("19910202", 22)
ROWS = [
    unit(room="101", owners=[("张伟", ID1, "13812345678")]),
    unit(room="102", owners=[("骆晓燕", ID2, ""), ("䶮王", valid_id("19920303", 33), "")], representative="1"),
    unit(building="地下车库", entrance="", room="B1-001", kind="车位", area="13.2", owners=[("张伟", ID1, "")]),
]


def _cells(table, field):
    index = table.columns[field]
    return [r.values[index] for r in table.rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_every_encoding_excel_writes(encoding):
    rows = ROWS if encoding != "gbk" else ROWS[:1]  # 䶮 is in GB18030 but not in GBK
    table = read_roll_file("名册.csv", csv_bytes(rows, encoding=encoding))
    assert table.headers == tuple(HEADERS_ZH)
    assert [r.number for r in table.rows] == list(range(2, 2 + len(rows)))
    assert _cells(table, "owner1_name")[: len(rows)] == [r[7] for r in rows]
    assert _cells(table, "building")[0] == "1幢"
    if encoding != "gbk":
        assert _cells(table, "owner2_name")[1] == "䶮王"


def test_utf16_tab_separated_text_as_excel_saves_unicode_text():
    data = b"\xff\xfe" + csv_bytes(ROWS, encoding="utf-8", delimiter="\t").decode().encode("utf-16-le")
    table = read_roll_file("roll.txt", data)
    assert _cells(table, "owner1_name") == ["张伟", "骆晓燕", "张伟"]


def test_semicolon_separated_csv():
    table = read_roll_file("roll.csv", csv_bytes(ROWS, delimiter=";"))
    assert _cells(table, "room") == ["101", "102", "B1-001"]


def test_xlsx_keeps_cell_types():
    rows = [unit(area=89.32, owners=[("张伟", 3.30681199001011e17, 13812345678)], representative=1)]
    table = read_roll_file("roll.xlsx", xlsx_bytes(rows))
    (only,) = table.rows
    assert only.number == 2
    assert isinstance(only.values[table.columns["owner1_id_number"]], float)
    assert only.values[table.columns["owner1_phone"]] == 13812345678
    assert only.values[table.columns["area"]] == pytest.approx(89.32)
    assert only.values[table.columns["representative"]] == 1


def test_xlsx_id_stored_as_integer_arrives_as_a_number():
    rows = [unit(owners=[("张伟", int(ID1), "")])]
    table = read_roll_file("roll.xlsx", xlsx_bytes(rows))
    value = table.rows[0].values[table.columns["owner1_id_number"]]
    assert isinstance(value, int | float)
    assert not isinstance(value, bool)


def test_english_headers_any_case_and_spacing():
    headers = [h.upper().replace("_", " ") for h in HEADERS_EN]
    table = read_roll_file("roll.csv", csv_bytes(ROWS, headers))
    assert set(table.columns) == {c.field for c in COLUMNS}
    assert table.header("owner1_id_number") == "OWNER1 ID NUMBER"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("面积（㎡）", "area"),
        ("面积(m²)", "area"),
        ("*室号", "room"),
        ("建筑面积", "area"),
        ("楼栋", "building"),
        ("房号", "room"),
        ("业主1 身份证号码", "owner1_id_number"),
        ("业主一姓名", "owner1_name"),
        ("业主2手机号码", "owner2_phone"),
        ("Owner 3 ID No.", "owner3_id_number"),
        ("owner4_phone", "owner4_phone"),
        ("身份证号码", "owner1_id_number"),
        ("联系电话", "owner1_phone"),
        ("Area Source", "area_source"),
        ("代表人序号", "representative"),
        ("ＲＯＯＭ", "room"),
    ],
)
def test_header_synonyms(header, field):
    from app.roll.parsing import _LOOKUP

    assert _LOOKUP[header_key(header)] == field


def test_columns_in_any_order_unknown_ones_ignored_and_entrance_optional():
    headers = ["序号", "室号", "楼幢", "类型", "面积", "面积来源", "状态", "业主姓名", "身份证号码", "备注"]
    rows = [["1", "S101", "1幢", "商铺", "45.6", "登记", "已交付", "陈丽", ID1, "临街"]]
    table = read_roll_file("shops.csv", csv_bytes(rows, headers))
    assert table.ignored == ("序号", "备注")
    assert "entrance" not in table.columns
    assert table.rows[0].values[table.columns["room"]] == "S101"


def test_title_rows_above_the_header_and_blank_rows_keep_spreadsheet_row_numbers():
    rows = [ROWS[0], [""] * len(HEADERS_ZH), ROWS[1]]
    table = read_roll_file("roll.xlsx", xlsx_bytes(rows, title_rows=2))
    assert table.header_row == 3
    assert [r.number for r in table.rows] == [4, 6]


def test_a_sheet_of_instructions_before_the_roll_is_skipped():
    workbook = openpyxl.Workbook()
    notes = workbook.worksheets[0]
    notes.title = "说明"
    notes.append(["请按以下格式填写"])
    roll = workbook.create_sheet("名册")
    roll.append(HEADERS_ZH)
    for values in ROWS:
        roll.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_roll_file("roll.xlsx", buffer.getvalue())
    assert len(table.rows) == 3


def test_dates_in_xlsx_stay_dates():
    rows = [unit(room=datetime.datetime(2024, 3, 1))]  # noqa: DTZ001 - Excel dates are naive
    table = read_roll_file("roll.xlsx", xlsx_bytes(rows))
    assert isinstance(table.rows[0].values[table.columns["room"]], datetime.date)  # a date, not its text


def test_an_xlsx_file_with_a_csv_name_is_read_as_xlsx():
    table = read_roll_file("roll.csv", xlsx_bytes(ROWS))
    assert len(table.rows) == 3


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("roll.pdf", b"%PDF-1.4 something", "unsupported_file_type"),
        ("roll", b"building,room", "unsupported_file_type"),
        ("roll.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old_excel_format"),
        ("roll.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old_excel_format"),
        ("roll.csv", b"", "empty_file"),
        ("roll.csv", b"\r\n \r\n", "empty_file"),
        ("roll.csv", "\ufeff".encode() + b"\r\n,,\r\n", "empty_file"),
        ("roll.xlsx", b"", "empty_file"),
        ("roll.xlsx", b"PK\x03\x04 this is no zip archive", "unreadable_file"),
        ("roll.xlsx", b"not a workbook at all", "unreadable_file"),
        ("roll.csv", "楼幢,室号\n".encode() + b"\x80\x80\xff", "unknown_encoding"),
        ("roll.csv", b"a,b\x00c\n", "unknown_encoding"),  # binary data
    ],
)
def test_unreadable_files(filename, data, code):
    with pytest.raises(RollFileError) as caught:
        read_roll_file(filename, data)
    assert caught.value.code == code
    assert isinstance(caught.value, DomainError)
    assert caught.value.status == 422


def test_a_docx_renamed_xlsx_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(RollFileError) as caught:
        read_roll_file("roll.xlsx", buffer.getvalue())
    assert caught.value.code == "unsupported_file_type"


def test_an_empty_workbook():
    with pytest.raises(RollFileError) as caught:
        read_roll_file("roll.xlsx", xlsx_bytes([], headers=[]))
    assert caught.value.code == "empty_file"


def test_header_without_rows():
    with pytest.raises(RollFileError) as caught:
        read_roll_file("roll.csv", csv_bytes([]))
    assert caught.value.code == "no_rows"


def test_missing_required_columns_are_all_named():
    headers = [h for h in HEADERS_ZH if h not in ("室号", "面积", "业主1证件号码")]
    rows = [[v for h, v in zip(HEADERS_ZH, ROWS[0], strict=True) if h in headers]]
    with pytest.raises(RollFileError) as caught:
        read_roll_file("roll.csv", csv_bytes(rows, headers))
    assert caught.value.code == "missing_columns"
    assert caught.value.columns == ("室号 (room)", "面积 (area)", "业主1证件号码 (owner1_id_number)")
    with make_babel_app().app_context():
        assert str(caught.value) == (
            "Required columns are missing: 室号 (room), 面积 (area), 业主1证件号码 (owner1_id_number)."
        )


def test_a_co_owner_name_column_needs_its_id_column():
    headers = [h for h in HEADERS_ZH if h != "业主3证件号码"]
    with pytest.raises(RollFileError) as caught:
        read_roll_file("roll.csv", csv_bytes([], headers))
    assert caught.value.columns == ("业主3证件号码 (owner3_id_number)",)


def test_required_fields():
    assert REQUIRED_FIELDS == (
        "building",
        "room",
        "kind",
        "area",
        "area_source",
        "status",
        "owner1_name",
        "owner1_id_number",
    )


def test_two_columns_meaning_the_same_thing():
    headers = [*HEADERS_ZH, "房号"]
    with pytest.raises(RollFileError) as caught:
        read_roll_file("roll.csv", csv_bytes([[*ROWS[0], "101"]], headers))
    assert caught.value.code == "duplicate_column"
    with make_babel_app().app_context():
        assert str(caught.value) == 'Two columns mean the same thing: "室号" and "房号".'


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr("app.roll.parsing.MAX_ROWS", 2)
    with pytest.raises(RollFileError) as caught:
        read_roll_file("roll.csv", csv_bytes(ROWS))
    assert caught.value.code == "too_many_rows"


def test_rows_with_values_only_in_ignored_columns_are_empty():
    headers = ["序号", *HEADERS_ZH]
    rows = [["1", *ROWS[0]], ["2", *[""] * len(HEADERS_ZH)], ["3"]]
    table = read_roll_file("roll.csv", csv_bytes(rows, headers))
    assert [r.number for r in table.rows] == [2]
