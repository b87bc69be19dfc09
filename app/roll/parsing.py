"""Reading an owner-roll file (.xlsx or .csv) into a table of raw cells.

The file format (decision)
==========================

ONE ROW PER UNIT (专有部分). Row 1 holds the column headers, every later row one unit; empty rows (and rows
with something only in unrecognised columns, such as a pre-filled 序号) are skipped.
Headers may be Chinese or English; they are matched ignoring case, spaces, underscores, hyphens, dots, asterisks,
full-width forms and anything in brackets (so "面积（㎡）", "*室号" and "Owner 1 Name" are recognised). Columns with
unknown headers (备注, 序号 …) are ignored; their order does not matter.

============================  ==================  ==============================================================
Chinese header (template)     English header      content
============================  ==================  ==============================================================
楼幢                          building            required: 3幢, 地下车库
单元                          entrance            optional column; empty for shops and parking spaces
室号                          room                required: 1502, S101, B1-001
类型                          kind                住宅/商铺/车位/其他 (residence/commercial/parking/other)
面积                          area                m², at most two decimals: 89.32
面积来源                      area_source         登记/测绘/合同 (register/survey/contract)
状态                          status              已交付/未交付/未售 (delivered/undelivered/unsold)
业主1姓名 … 业主4姓名         owner1_name …       the owners; owner 1's name and ID-number columns are required
业主1证件号码 … 业主4证件号码 owner1_id_number …  18-character resident ID number
业主1手机 … 业主4手机         owner1_phone …      optional; an 11-digit mainland mobile number
代表人                        representative      1–4: the co-owner who represents a co-owned unit
============================  ==================  ==============================================================

Columns for owners 2–4, the phone columns, 单元 and 代表人 may be left out of a file altogether; when a file has
a name column for an owner it must have that owner's ID-number column as well. A few common synonyms are accepted
(幢/楼栋/楼号, 房号, 用途, 建筑面积, 身份证号码, 手机号码, 联系电话 …; 业主姓名/身份证号码/手机号码 without a number
mean owner 1); see COLUMNS. Unsold and undelivered units list no owners (they are the developer's, see
app.roll.validation).

Up to ten title rows above the headers ("XX小区业主名册") are tolerated: the header row is the first of the first
ten rows that holds at least three known headers. Row numbers reported to the user are always the row numbers the
spreadsheet shows. An .xlsx workbook is read from its first worksheet that has all required columns (so a sheet of
instructions may come first).

Cells keep their Python type (.xlsx: str, int, float, bool, datetime, None; .csv: str), so that validation can see
that an ID number was stored by Excel as a number. A .csv file may be UTF-8 (with or without BOM), UTF-16 with BOM,
or GB18030/GBK as Excel saves "CSV (逗号分隔)" on Chinese Windows; the delimiter is a comma, a tab or a semicolon.

A file that cannot be read at all raises RollFileError (a DomainError with a stable code); everything about the
rows themselves is reported by app.roll.validation.validate_roll, all at once.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from app.errors import DomainError

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "OWNER_SLOTS",
    "REQUIRED_FIELDS",
    "Column",
    "RawRow",
    "RawTable",
    "RollFileError",
    "header_key",
    "read_roll_file",
    "table_from_rows",
]

#: co-owners per unit that a row can name
OWNER_SLOTS = 4
#: data rows (non-empty) accepted in one file
MAX_ROWS = 100_000
#: rows looked at (from the top) to find the header row
HEADER_SEARCH_ROWS = 10
#: a row with at least this many known headers is the header row
HEADER_MIN_KNOWN = 3

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
_ZIP_MAGIC = b"PK\x03\x04"
_CN_DIGITS = "一二三四"


class RollFileError(DomainError):
    """The file cannot be read as an owner roll at all (wrong type, unreadable, no header, missing columns).

    `columns` names the columns concerned (missing_columns, duplicate_column), as "室号 (room)".
    """

    def __init__(self, code: str, message: Any, *, columns: Sequence[str] = ()) -> None:
        super().__init__(code, message, field="file")
        self.columns = tuple(columns)


@dataclass(frozen=True)
class Column:
    """A column of the roll: canonical field name, template (Chinese) header and accepted synonyms."""

    field: str
    zh: str
    synonyms: tuple[str, ...] = ()
    required: bool = False

    @property
    def label(self) -> str:
        """How an error names the column: "室号 (room)"."""
        return f"{self.zh} ({self.field})"


def _owner_columns(n: int) -> list[Column]:
    numbers = (str(n), _CN_DIGITS[n - 1])
    people = ("业主", "所有权人", "产权人", "权利人", "owner")
    name_words = ("姓名", "名称", "name", "")
    id_words = ("证件号码", "证件号", "身份证号码", "身份证号", "身份证", "idnumber", "idno", "id", "idcard")
    phone_words = ("手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile", "phonenumber", "mobilephone")
    unnumbered: dict[str, tuple[str, ...]] = {"name": (), "id_number": (), "phone": ()}
    if n == 1:  # a roll of single owners often says just 业主姓名 / 身份证号码 / 手机号码
        unnumbered = {
            "name": ("业主姓名", "姓名", "业主", "ownername", "name", "owner"),
            "id_number": ("业主证件号码", "证件号码", "身份证号码", "身份证号", "idnumber", "ownerid", "owneridnumber"),
            "phone": ("业主手机", "手机", "手机号", "手机号码", "联系电话", "电话", "phone", "mobile", "ownerphone"),
        }

    def synonyms(words: tuple[str, ...], part: str) -> tuple[str, ...]:
        found = [f"{p}{d}{w}" for p in people for d in numbers for w in words]
        return tuple(dict.fromkeys(found + list(unnumbered[part])))

    return [
        Column(f"owner{n}_name", f"业主{n}姓名", synonyms(name_words, "name"), required=n == 1),
        Column(f"owner{n}_id_number", f"业主{n}证件号码", synonyms(id_words, "id_number"), required=n == 1),
        Column(f"owner{n}_phone", f"业主{n}手机", synonyms(phone_words, "phone")),
    ]


def _document_columns(n: int) -> list[Column]:
    """An owner's document type (empty: a resident ID) and a passport holder's nationality (DOMAIN §3); after the
    representative, so that rolls made before them keep their layout."""
    numbers = (str(n), _CN_DIGITS[n - 1])
    people = ("业主", "所有权人", "产权人", "owner")
    kinds = [f"{p}{d}{w}" for p in people for d in numbers for w in ("证件类型", "证件种类", "idtype")]
    nations = [f"{p}{d}{w}" for p in people for d in numbers for w in ("国籍", "nationality")]
    if n == 1:
        kinds += ["证件类型", "证件种类", "idtype", "documenttype"]
        nations += ["国籍", "nationality"]
    return [
        Column(f"owner{n}_id_type", f"业主{n}证件类型", tuple(kinds)),
        Column(f"owner{n}_nationality", f"业主{n}国籍", tuple(nations)),
    ]


#: every column, in template order
COLUMNS: tuple[Column, ...] = (
    Column(
        "building", "楼幢", ("幢", "楼栋", "栋", "楼号", "幢号", "楼幢号", "栋号", "楼", "bldg", "buildingno"), True
    ),
    Column("entrance", "单元", ("单元号", "entranceno", "stairwell")),
    Column("room", "室号", ("房号", "室", "房间号", "门牌号", "房屋号", "roomno", "roomnumber", "unitno"), True),
    Column("kind", "类型", ("房屋类型", "用途", "房屋用途", "类别", "type", "unittype", "unitkind"), True),
    Column("area", "面积", ("建筑面积", "专有面积", "专有部分面积", "产权面积", "floorarea", "aream2"), True),
    Column("area_source", "面积来源", ("面积依据", "面积类型", "source"), True),
    Column("status", "状态", ("交付状态", "房屋状态", "销售状态", "unitstatus"), True),
    *(column for n in range(1, OWNER_SLOTS + 1) for column in _owner_columns(n)),
    Column("representative", "代表人", ("代表人序号", "代表人编号", "共有人代表", "代表", "rep", "representativeno")),
    *(column for n in range(1, OWNER_SLOTS + 1) for column in _document_columns(n)),
    # an organisation's representative, who votes for it (DOMAIN §3; app.roll.documents)
    Column("agent_name", "单位代表人姓名", ("单位代表人", "法定代表人", "委托代理人", "agentname")),
    Column("agent_id_type", "单位代表人证件类型", ("代表人证件类型", "agentidtype")),
    Column("agent_id_number", "单位代表人证件号码", ("代表人证件号码", "代表人身份证号码", "agentidnumber")),
    Column("agent_phone", "单位代表人手机", ("代表人手机", "代表人电话", "agentphone")),
)
REQUIRED_FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS if c.required)
_BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}

_HEADER_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]|【.*?】|<.*?>")
_HEADER_DROP = re.compile(r"[\s_\-.*:#/\\]+")


def header_key(text: object) -> str:
    """A header reduced for matching: "业主1 证件号码（必填）" → "业主1证件号码", "Owner 1_ID no." → "owner1idno"."""
    if text is None:
        return ""
    key = unicodedata.normalize("NFKC", str(text)).lower()
    key = _HEADER_BRACKETS.sub("", key)
    return _HEADER_DROP.sub("", key)


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    # numbered names first, so that an explicit "业主1姓名" and a bare "姓名" both mean owner 1
    for column in COLUMNS:
        for text in (column.field, column.zh, *column.synonyms):
            key = header_key(text)
            if key and key not in lookup:
                lookup[key] = column.field
    return lookup


_LOOKUP = _build_lookup()


@dataclass(frozen=True)
class RawRow:
    """One data row: its 1-based spreadsheet row number and its cells (padded to the header's width)."""

    number: int
    values: tuple[object, ...]


@dataclass(frozen=True)
class RawTable:
    """The cells of an owner-roll file with its header mapped to canonical fields."""

    #: header cells as written in the file ("" for an empty header cell)
    headers: tuple[str, ...]
    #: canonical field name → column index (only the columns present)
    columns: Mapping[str, int]
    rows: tuple[RawRow, ...]
    #: spreadsheet row number of the header row (1 unless title rows come first)
    header_row: int = 1
    #: headers that were not recognised and are ignored
    ignored: tuple[str, ...] = field(default=())

    def header(self, field_name: str) -> str:
        """The header as written in the file for a canonical field ("" when the file lacks the column)."""
        index = self.columns.get(field_name)
        return "" if index is None else self.headers[index]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _known_headers(cells: Sequence[object]) -> int:
    return sum(1 for cell in cells if isinstance(cell, str) and header_key(cell) in _LOOKUP)


def _map_header(cells: Sequence[object]) -> tuple[tuple[str, ...], dict[str, int], tuple[str, ...]]:
    """Map header cells to fields; raise RollFileError on duplicate or missing columns."""
    headers = tuple("" if cell is None else str(cell).strip() for cell in cells)
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, text in enumerate(headers):
        if not text:
            continue
        field_name = _LOOKUP.get(header_key(text))
        if field_name is None:
            ignored.append(text)
        elif field_name in columns:
            first = headers[columns[field_name]]
            raise RollFileError(
                "duplicate_column",
                _l('Two columns mean the same thing: "%(first)s" and "%(second)s".', first=first, second=text),
                columns=(_BY_FIELD[field_name].label,),
            )
        else:
            columns[field_name] = index
    needed = list(REQUIRED_FIELDS)
    for n in range(2, OWNER_SLOTS + 1):  # a co-owner's name and ID number come together
        pair = (f"owner{n}_name", f"owner{n}_id_number")
        if any(p in columns for p in pair) or f"owner{n}_phone" in columns:
            needed.extend(pair)
    missing = [_BY_FIELD[f].label for f in needed if f not in columns]
    if missing:
        raise RollFileError(
            "missing_columns",
            _l("Required columns are missing: %(columns)s.", columns=", ".join(missing)),
            columns=missing,
        )
    return headers, columns, tuple(ignored)


def table_from_rows(rows: Iterable[Sequence[object]], *, first_row: int = 1) -> RawTable:
    """Build a RawTable from rows of cells (the first being spreadsheet row `first_row`).

    Finds the header row, maps it, and keeps the non-empty rows below it with their row numbers.
    Raises RollFileError: empty_file, missing_columns, duplicate_column, no_rows, too_many_rows.
    """
    iterator = iter(rows)
    candidates: list[tuple[int, Sequence[object]]] = []
    header: tuple[int, Sequence[object]] | None = None
    number = first_row - 1
    for cells in iterator:
        number += 1
        if all(_is_blank(c) for c in cells):
            continue
        candidates.append((number, cells))
        if _known_headers(cells) >= HEADER_MIN_KNOWN:
            header = (number, cells)
            break
        if len(candidates) >= HEADER_SEARCH_ROWS:
            break
    if not candidates:
        raise RollFileError("empty_file", _l("The file is empty."))
    if header is None:  # no row looks like a header: report on the first non-empty one
        header = candidates[0]
    header_row, header_cells = header
    headers, columns, ignored = _map_header(header_cells)
    width = len(headers)
    mapped = sorted(columns.values())
    data: list[RawRow] = []
    for cells in iterator:
        number += 1
        # a row is empty when the recognised columns are: a pre-numbered 序号 alone makes no unit
        if all(_is_blank(cells[i]) for i in mapped if i < len(cells)):
            continue
        values = tuple(cells[:width])
        if len(values) < width:
            values += (None,) * (width - len(values))
        data.append(RawRow(number, values))
        if len(data) > MAX_ROWS:
            raise RollFileError("too_many_rows", _l("The file has more than %(limit)d rows.", limit=MAX_ROWS))
    if not data:
        raise RollFileError("no_rows", _l("The file has a header row but no units."))
    return RawTable(headers, columns, tuple(data), header_row, ignored)


def _calamine_rows(sheet: Any) -> Iterable[tuple[object, ...]]:
    """A sheet's rows with empty cells as None (calamine gives ""), as openpyxl would give them."""
    for row in sheet.iter_rows():
        yield tuple(None if cell == "" else cell for cell in row)


#: the most an uploaded workbook may hold once uncompressed, and its most entries: a 100,000-row roll is some 60 MB
#: of XML; a "zip bomb" of one long shared string (1 MB that inflates to gigabytes) is refused before it is parsed
MAX_UNCOMPRESSED = 96 * 1024 * 1024
MAX_ENTRIES = 500
_CHUNK = 1024 * 1024


def check_archive(data: bytes) -> None:
    """Refuse a workbook whose entries inflate beyond MAX_UNCOMPRESSED, or that has more than MAX_ENTRIES entries,
    before any parser sees it (issue 16: hostile files). The sizes are measured by inflating in 1 MB chunks, never
    trusted from the archive's directory (which a forged file can understate), so memory stays bounded and a bomb is
    refused as soon as it passes the limit."""
    too_large = RollFileError(
        "file_too_large",
        _l(
            "This workbook holds more than %(mb)d MB once uncompressed: it is not an owner roll. Save the roll alone "
            "as .xlsx or .csv.",
            mb=MAX_UNCOMPRESSED // (1024 * 1024),
        ),
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise too_large
            total = 0
            for entry in entries:
                with archive.open(entry) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED:
                            raise too_large
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, OSError) as exc:
        raise RollFileError("unreadable_file", _l("This file cannot be read as an Excel workbook (.xlsx).")) from exc


def _read_xlsx(data: bytes) -> RawTable:
    """Read the first sheet that holds a roll, with python-calamine (Rust; a 20,000-row file in well under a second,
    where openpyxl takes several), once `check_archive` has bounded it. Cells keep their type: a number stays an int
    or float, so that validation can see an ID number that Excel stored as a number."""
    from python_calamine import CalamineWorkbook

    check_archive(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors for damaged or encrypted archives
        raise RollFileError("unreadable_file", _l("This file cannot be read as an Excel workbook (.xlsx).")) from exc
    try:
        names = list(workbook.sheet_names)
        if not names:
            raise RollFileError("empty_file", _l("The file is empty."))
        first_error: RollFileError | None = None
        for name in names:
            try:
                return table_from_rows(_calamine_rows(workbook.get_sheet_by_name(name)))
            except RollFileError as error:
                # a sheet of instructions before the roll: try the next sheet, report on the first
                if error.code == "too_many_rows":
                    raise
                first_error = first_error or error
        raise first_error or RollFileError("empty_file", _l("The file is empty."))
    except RollFileError:
        raise
    except Exception as exc:  # a damaged sheet inside a readable archive
        raise RollFileError("unreadable_file", _l("This file cannot be read as an Excel workbook (.xlsx).")) from exc
    finally:
        workbook.close()


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise RollFileError(
        "unknown_encoding",
        _l('The CSV file is neither UTF-8 nor GBK/GB18030 text: save it from Excel as "CSV UTF-8" and try again.'),
    )


def _read_csv(data: bytes) -> RawTable:
    text = _decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if any(d in first_line for d in ",\t;") else ","
    try:
        return table_from_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise RollFileError("unreadable_file", _l("This file cannot be read as a CSV file.")) from exc


def read_roll_file(filename: str, data: bytes) -> RawTable:
    """Read an uploaded owner-roll file (.xlsx or .csv; the content decides when the name is misleading).

    Raises RollFileError with code unsupported_file_type, old_excel_format, empty_file, unreadable_file,
    file_too_large, unknown_encoding, missing_columns, duplicate_column, no_rows or too_many_rows.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not data or not data.strip():
        raise RollFileError("empty_file", _l("The file is empty."))
    if data.startswith(_OLE_MAGIC) or extension == "xls":
        raise RollFileError(
            "old_excel_format",
            _l(
                "This is an old .xls workbook or a password-protected one: open it in Excel or WPS, "
                "save it as .xlsx without a password and upload that."
            ),
        )
    if data.startswith(_ZIP_MAGIC):
        if extension not in ("xlsx", "xlsm", "csv", "txt", "") or not _looks_like_xlsx(data):
            raise RollFileError(
                "unsupported_file_type",
                _l("Only Excel workbooks (.xlsx) and CSV files (.csv) can be imported."),
            )
        return _read_xlsx(data)
    if extension in ("xlsx", "xlsm"):
        raise RollFileError("unreadable_file", _l("This file cannot be read as an Excel workbook (.xlsx)."))
    if extension in ("csv", "txt"):
        return _read_csv(data)
    raise RollFileError(
        "unsupported_file_type", _l("Only Excel workbooks (.xlsx) and CSV files (.csv) can be imported.")
    )


def _looks_like_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return True  # let openpyxl report it as an unreadable workbook
