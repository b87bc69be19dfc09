"""Helpers of the roll-flow tests: roll files, uploads through the page, and reading the pages back."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.roll.models import RollImport, RollVersion
from app.roll.parsing import OWNER_SLOTS
from tests.roll.files import FIELDS, HEADERS_ZH, valid_id

#: the template's header row, in column order (业主1姓名 … 代表人)
HEADERS = HEADERS_ZH
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str = ""


# Fictitious owners of the small roll used throughout (all names and numbers GBK-encodable and well-formed).
ZHANG = Person("张三华", valid_id("19900305", 11), "13857512345")
LI = Person("李建国", valid_id("19680805", 13, "332325"), "13958801234")
WANG = Person("王秀英", valid_id("19701120", 24, "332325"), "15157567890")
CHEN = Person("陈丽娟", valid_id("19950607", 22), "18857543210")
ZHOU = Person("周志强", valid_id("19920415", 15), "")
PEOPLE = (ZHANG, LI, WANG, CHEN, ZHOU)


def unit_row(
    building: str = "1幢",
    entrance: str = "1单元",
    room: str = "101",
    kind: str = "住宅",
    area: str = "89.32",
    area_source: str = "登记",
    status: str = "已交付",
    owners: Sequence[Person | tuple[str, str, str]] = (),
    representative: str = "",
) -> list[str]:
    """One file row (template column order) for a unit; owners fill 业主1 … 业主4."""
    assert len(owners) <= OWNER_SLOTS
    values = {
        "building": building,
        "entrance": entrance,
        "room": room,
        "kind": kind,
        "area": area,
        "area_source": area_source,
        "status": status,
        "representative": representative,
    }
    for n, owner in enumerate(owners, start=1):
        name, number, phone = (owner.name, owner.id_number, owner.phone) if isinstance(owner, Person) else owner
        values |= {f"owner{n}_name": name, f"owner{n}_id_number": number, f"owner{n}_phone": phone}
    return [values.get(field, "") for field in FIELDS]


def csv_bytes(rows: Iterable[Sequence[str]], *, encoding: str = "utf-8-sig", headers: Sequence[str] = HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def small_roll_rows(area_101: str = "89.32") -> list[list[str]]:
    """Seven units covering every weight rule (SPC interpretation Art 9):

    - 1幢1单元101 (张三华 alone) and 地下车库B1-001 (张三华 alone): one owner of two units, one head;
    - 1幢1单元102 co-owned by 李建国 and 王秀英 (representative 2): one head;
    - 1幢1单元201 unsold and 1幢1单元202 sold but undelivered: the developer, one head;
    - 1幢S101, a shop of 陈丽娟; 2幢1单元101 of 周志强 (no phone).
    Five heads; 89.32 + 120.56 + 89.32 + 120.56 + 45.60 + 13.20 + 95.47 = 574.03 m².
    """
    return [
        unit_row(room="101", area=area_101, owners=[ZHANG]),
        unit_row(room="102", area="120.56", owners=[LI, WANG], representative="2"),
        unit_row(room="201", area="89.32", area_source="测绘", status="未售"),
        unit_row(room="202", area="120.56", area_source="合同", status="未交付"),
        unit_row(entrance="", room="S101", kind="商铺", area="45.60", owners=[CHEN]),
        unit_row(building="地下车库", entrance="", room="B1-001", kind="车位", area="13.20", owners=[ZHANG]),
        unit_row(building="2幢", room="101", area="95.47", area_source="测绘", owners=[ZHOU]),
    ]


SMALL_ROLL_HEADS = 5
SMALL_ROLL_AREA_CENTI = 8932 + 1320 + 12056 + 8932 + 12056 + 4560 + 9547


# --- the pages ------------------------------------------------------------------------------------------------


def upload(
    client: FlaskClient, csrf: str, community_id: int, data: bytes, filename: str = "roll.csv", reason: str = "测试导入"
) -> Any:
    """POST a roll file through the upload form, as the browser sends it (multipart, with the CSRF token)."""
    return client.post(
        f"/communities/{community_id}/roll/imports",
        data={"file": (io.BytesIO(data), filename), "reason": reason, "csrf_token": csrf},
        content_type="multipart/form-data",
    )


def import_id_from(response: Any) -> int:
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/roll/imports/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def flashes(page: str) -> list[str]:
    return [text_of(m) for m in re.findall(r'<p class="flash[^"]*" role="status">(.*?)</p>', page, re.S)]


def problem_table(page: str) -> list[tuple[str, str, str, str]]:
    """(row, column, value, message) of every line of the import page's problem table."""
    table = re.search(r"<table[^>]*data-problems[^>]*>(.*?)</table>", page, re.S)
    assert table, "no problem table on the page"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S)
    assert body
    lines = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = [text_of(td) for td in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        assert len(cells) == 4, cells
        lines.append((cells[0], cells[1], cells[2], cells[3]))
    return lines


def data_value(page: str, attribute: str) -> str:
    """The text of the element carrying `attribute` (data-total-heads, data-total-area, data-fingerprint)."""
    match = re.search(rf"<[^>]*\b{attribute}\b[^>]*>(.*?)</", page, re.S)
    assert match, f"no {attribute} on the page"
    return text_of(match.group(1))


# --- the database ---------------------------------------------------------------------------------------------


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def get_import(import_id: int) -> RollImport:
    db.session.expire_all()
    roll_import = db.session.get(RollImport, import_id)
    assert roll_import is not None
    return roll_import


def get_version(version_id: int) -> RollVersion:
    db.session.expire_all()
    version = db.session.get(RollVersion, version_id)
    assert version is not None
    return version


def audit_events(action: str, object_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return list(db.session.scalars(query))
