"""Helpers that build owner-roll files (CSV, XLSX) and valid fictitious ID numbers for the roll tests."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
from flask import Flask
from flask_babel import Babel
from stdnum.cn import ric

from app.demo.roll_generator import DemoUnit
from app.roll.parsing import COLUMNS, OWNER_SLOTS, RawTable, table_from_rows
from app.roll.validation import AREA_SOURCE_LABELS_ZH, KIND_LABELS_ZH, STATUS_LABELS_ZH
from app.rules.areas import format_area
from app.rules.model import UnitKind, UnitStatus

HEADERS_ZH: list[str] = [c.zh for c in COLUMNS]
HEADERS_EN: list[str] = [c.field for c in COLUMNS]
FIELDS: list[str] = [c.field for c in COLUMNS]


def valid_id(born: str = "19900101", order: int = 1, region: str = "330681") -> str:
    """A stdnum-valid ID number (330681 existed 1989–2000; use 332325 for 1940–1983)."""
    body = f"{region}{born}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def with_check(body17: str) -> str:
    """17 digits + their correct check character (whatever else is wrong with them)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def bad_check(number: str) -> str:
    """The same ID number with a wrong check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")


def row(**values: Any) -> list[object]:
    """A row in template column order from canonical field names: row(building="1幢", room="101", …)."""
    unknown = set(values) - set(FIELDS)
    assert not unknown, unknown
    return [values.get(f, "") for f in FIELDS]


def unit(
    building: str = "1幢",
    entrance: str = "1单元",
    room: str = "101",
    kind: object = "住宅",
    area: object = "89.32",
    area_source: object = "登记",
    status: object = "已交付",
    owners: Sequence[tuple[object, object, object]] = (),
    representative: object = "",
) -> list[object]:
    """A row for one unit; owners as (name, ID number, phone)."""
    fields: dict[str, object] = {
        "building": building,
        "entrance": entrance,
        "room": room,
        "kind": kind,
        "area": area,
        "area_source": area_source,
        "status": status,
        "representative": representative,
    }
    for n, (name, id_number, phone) in enumerate(owners, start=1):
        fields.update({f"owner{n}_name": name, f"owner{n}_id_number": id_number, f"owner{n}_phone": phone})
    return row(**fields)


def demo_row(demo: DemoUnit, *, english: bool = False) -> list[object]:
    """A generated demo unit as a file row (Chinese or English values)."""
    if english:
        values: list[object] = [demo.kind, format_area(demo.area_centi), demo.area_source, demo.status]
    else:
        values = [
            KIND_LABELS_ZH[UnitKind(demo.kind)],
            format_area(demo.area_centi),
            AREA_SOURCE_LABELS_ZH[demo.area_source],
            STATUS_LABELS_ZH[UnitStatus(demo.status)],
        ]
    result: list[object] = [demo.building, demo.entrance, demo.room, *values]
    representative: object = ""
    for n in range(OWNER_SLOTS):
        if n < len(demo.owners):
            owner = demo.owners[n]
            result += [owner.name, owner.id_number, owner.phone]
            if owner.is_representative and len(demo.owners) > 1:
                representative = n + 1
        else:
            result += ["", "", ""]
    return [*result, representative]


def csv_bytes(
    rows: Iterable[Sequence[object]],
    headers: Sequence[str] = HEADERS_ZH,
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in r] for r in rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Iterable[Sequence[object]], headers: Sequence[str] = HEADERS_ZH, *, title_rows: int = 0) -> bytes:
    """An .xlsx file written with openpyxl; cells keep their Python types (a float ID stays a number)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]
    for n in range(title_rows):
        sheet.append([f"某某小区业主名册（第{n + 1}行标题）"])
    sheet.append(list(headers))
    for values in rows:
        sheet.append([None if v == "" else v for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table(rows: Iterable[Sequence[object]], headers: Sequence[str] = HEADERS_ZH) -> RawTable:
    """A RawTable straight from rows (header = row 1), without a file."""
    return table_from_rows([list(headers), *rows])


def make_babel_app() -> Flask:
    """A bare Flask app with Flask-Babel (English: the msgids), to render lazy messages."""
    application = Flask(__name__)
    application.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(application)
    return application


def years_ago(years: int) -> str:
    """yyyymmdd of 1 January some years back (for birth dates in IDs)."""
    return f"{datetime.datetime.now(datetime.UTC).year - years}0101"
