"""The owner-roll template: an .xlsx workbook (and a .csv header) that imports as is.

Row 1 holds the Chinese headers of app.roll.parsing.COLUMNS and nothing else (no notes row: the file must import
unchanged); explanations are cell comments on the headers and a second sheet, 填写说明. The building, entrance,
room, ID-number and phone columns are formatted as text (number format "@") on the whole column and on each of the
first TEMPLATE_ROWS rows, so that Excel and WPS keep 18-digit ID numbers and leading zeros as typed. Type, status
and area source have drop-down lists of the Chinese values, the representative a whole-number check 1–4. The header
row is frozen. With an example, eight fictitious units show every case: a single owner, a co-owned flat with its
representative, an unsold and an undelivered flat, three co-owners, a shop, and a parking space of an owner who
also holds a flat. The people are invented; their ID and phone numbers are merely well-formed.
"""

from __future__ import annotations

import csv
import functools
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from stdnum.cn import ric, uscc

from app.roll import documents
from app.roll.parsing import COLUMNS, OWNER_SLOTS
from app.roll.validation import AREA_SOURCE_LABELS_ZH, KIND_LABELS_ZH, STATUS_LABELS_ZH
from app.rules.model import UnitKind, UnitStatus

__all__ = ["TEMPLATE_ROWS", "example_rows", "roll_template_csv", "roll_template_xlsx", "template_headers"]

#: rows below the header that carry the text format and the drop-down lists
TEMPLATE_ROWS = 5000
SHEET_TITLE = "业主名册"
TEXT_FIELDS = frozenset(
    {"building", "entrance", "room", "agent_id_number", "agent_phone"}
    | {f"owner{n}_{part}" for n in range(1, OWNER_SLOTS + 1) for part in ("id_number", "phone")}
)

_WIDTHS = {"building": 12, "entrance": 9, "room": 10, "kind": 8, "area": 10, "area_source": 10, "status": 9}
_NOTES = {
    "building": "楼幢，如：3幢、地下车库（必填）",
    "entrance": "单元，如：1单元；商铺、车位可不填",
    "room": "室号，如：1502、S101、B1-001（必填）。同一楼幢、单元、室号只能出现一次",
    "kind": "类型：住宅、商铺、车位、其他（必填）",
    "area": "专有部分面积，单位平方米，最多两位小数，如：89.32（必填）",
    "area_source": "面积来源：登记（不动产登记簿）、测绘、合同；优先用登记面积（必填）",
    "status": "状态：已交付、未交付、未售（必填）。未交付和未售的房屋属于开发建设单位，不填业主",
    "representative": "共有房屋的代表人：填共有人的序号 1–4（如 2 表示业主2）。只有一位业主时可不填",
    "agent_name": "业主是公司等单位的，填写代其投票的法定代表人或者委托代理人姓名",
    "agent_id_type": "单位代表人的证件类型，不填为居民身份证",
    "agent_id_number": "单位代表人的证件号码（文本格式）；其后六位是单位网络投票的核验信息",
    "agent_phone": "单位代表人的11位手机号码",
}
_OWNER_NOTES = {
    "name": "业主%d姓名",
    "id_number": "业主%d的18位居民身份证号码。本列已设为文本格式，请勿改为数字，否则号码会丢失末几位",
    "phone": "业主%d的11位手机号码（可不填）",
    "id_type": "业主%d的证件类型，从下拉列表选择；不填为居民身份证",
    "nationality": "业主%d的国籍，证件为护照时必填",
}
_INSTRUCTIONS = (
    "填写说明",
    "1. 每行一个专有部分（住宅、商铺、车位等），第1行是表头，请勿修改或删除表头，也不要在表头下方插入说明行。",
    "2. 类型、面积来源、状态请从下拉列表中选择。面积以平方米为单位，最多两位小数。",
    "3. 面积来源依次优先：不动产登记簿记载的面积（登记）；未登记的，测绘面积（测绘）；未测绘的，合同面积（合同）。",
    "4. 一个房屋有多位共有人时，依次填写业主1至业主4，并在“代表人”列填写代表人的序号（1–4）。",
    "5. 证件号码一般填写18位居民身份证号码。证件号码、手机、楼幢、单元、室号列已设为文本格式，请保持文本格式，"
    "否则 Excel 会把身份证号码变成 3.30681E+17 这样的数字并丢失末几位。",
    "5a. 业主不是内地居民的，在“业主N证件类型”列选择证件：港澳台居民居住证、来往内地（大陆）通行证、"
    "护照（并填写国籍）、外国人永久居留身份证；业主是公司等单位的，选择“统一社会信用代码”，并填写“单位代表人”各列：单位通过代表人投票。",
    "6. 未售和未交付的房屋属于开发建设单位，不填写业主；已交付的房屋至少填写一位业主。",
    "7. 同一位业主拥有多个房屋时，每行都填写相同的姓名和证件号码。",
    "8. 填好后保存为 .xlsx 文件（或 CSV UTF-8 文件）导入。",
)


def _id(region: str, born: str, order: int) -> str:
    """A well-formed fictitious ID number: region, yyyymmdd, order (odd: male), check character."""
    body = f"{region}{born}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def template_headers() -> list[str]:
    """The template's header row (Chinese), in column order."""
    return [column.zh for column in COLUMNS]


def example_rows() -> list[list[object]]:
    """Eight fictitious units covering every case, as rows in template column order."""
    zhang = ("张伟", _id("332325", "19750312", 11), "13957512345")
    li = ("李建国", _id("332325", "19680805", 13), "13858501234")
    wang = ("王秀英", _id("332325", "19701120", 24), "15157567890")
    chen = ("陈丽", _id("330625", "19850607", 22), "18857543210")
    yu = ("俞国平", _id("332325", "19620415", 15), "13605758888")
    xuan = ("宣美娟", _id("332325", "19640928", 26), "")
    yu_hao = ("俞浩", _id("330681", "19900713", 17), "17757512121")
    luo = ("骆晓燕", _id("330681", "19920226", 28), "19957560606")
    residence, shop, parking = (KIND_LABELS_ZH[k] for k in (UnitKind.RESIDENCE, UnitKind.COMMERCIAL, UnitKind.PARKING))
    delivered, undelivered, unsold = (
        STATUS_LABELS_ZH[s] for s in (UnitStatus.DELIVERED, UnitStatus.UNDELIVERED, UnitStatus.UNSOLD)
    )
    register, survey, contract = (AREA_SOURCE_LABELS_ZH[s] for s in ("register", "survey", "contract"))
    units: list[tuple[tuple[object, ...], tuple[tuple[str, str, str], ...], int | None]] = [
        (("1幢", "1单元", "101", residence, 89.32, register, delivered), (zhang,), None),
        (("1幢", "1单元", "102", residence, 120.56, register, delivered), (li, wang), 2),
        (("1幢", "1单元", "201", residence, 89.32, survey, unsold), (), None),
        (("1幢", "1单元", "202", residence, 120.56, contract, undelivered), (), None),
        (("2幢", "1单元", "101", residence, 135.88, register, delivered), (yu, xuan, yu_hao), 1),
        (("2幢", "1单元", "102", residence, 95.47, survey, delivered), (luo,), None),
        (("1幢", "", "S101", shop, 45.6, register, delivered), (chen,), None),
        (("地下车库", "", "B1-001", parking, 13.2, contract, delivered), (zhang,), None),
    ]
    rows: list[list[object]] = []
    for unit, owners, representative in units:
        row = list(unit)
        for n in range(OWNER_SLOTS):
            row.extend(owners[n] if n < len(owners) else ("", "", ""))
        row.append("" if representative is None else representative)
        rows.append(row)
    # owners who are not mainland residents, and a company voting through its representative (DOMAIN §3): their
    # document types and nationality, and the representative, in the columns after 代表人
    company = "91330681MA2BH0XB2" + uscc.calc_check_digit("91330681MA2BH0XB2")
    others = [
        (
            ("3幢", "", "S201", shop, 210.4, register, delivered),
            ("诸暨示例贸易有限公司", company, ""),
            "统一社会信用代码",
            "",
            ("赵明", _id("332325", "19800115", 31), "13906751234"),
        ),
        (
            ("2幢", "1单元", "201", residence, 95.47, register, delivered),
            ("陈嘉欣", "H12345678", "13706750001"),
            "来往内地（大陆）通行证",
            "",
            None,
        ),
        (
            ("2幢", "1单元", "202", residence, 95.47, register, delivered),
            ("John Smith", "E12345678", ""),
            "护照",
            "美国",
            None,
        ),
    ]
    blank_owners = ["", "", ""] * (OWNER_SLOTS - 1)
    for unit, owner, id_type, nationality, agent in others:
        documents = [id_type, nationality] + ["", ""] * (OWNER_SLOTS - 1)
        agent_cells = [agent[0], "", agent[1], agent[2]] if agent else ["", "", "", ""]
        rows.append([*unit, *owner, *blank_owners, "", *documents, *agent_cells])
    return rows


@functools.lru_cache(maxsize=2)
def roll_template_xlsx(with_example: bool = False) -> bytes:
    """The template workbook; with_example fills eight fictitious units that validate without errors.

    Built once per process and argument (about a second: the text format is set on some 55,000 cells).
    """
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = SHEET_TITLE
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    last_row = TEMPLATE_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.zh)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = _NOTES.get(column.field)
        if note is None and column.field.startswith("owner"):
            part = column.field.split("_", 1)[1]
            note = _OWNER_NOTES[part] % int(column.field[5])
        if note:
            cell.comment = Comment(note, "共决")
            cell.comment.width, cell.comment.height = 260, 90
        dimension = sheet.column_dimensions[letter]
        if column.field in TEXT_FIELDS:
            dimension.number_format = "@"
            for row in range(2, last_row + 1):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.field.endswith("_id_number"):
            dimension.width = 22
        elif column.field.endswith("_phone"):
            dimension.width = 14
        elif column.field.endswith("_name"):
            dimension.width = 11
        else:
            dimension.width = _WIDTHS.get(column.field, 8)
    sheet.freeze_panes = "A2"

    def letter_of(field: str) -> str:
        return get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.field == field))

    document_fields = [f"owner{n}_id_type" for n in range(1, OWNER_SLOTS + 1)] + ["agent_id_type"]
    for field, labels, title in (
        ("kind", KIND_LABELS_ZH.values(), "类型"),
        ("status", STATUS_LABELS_ZH.values(), "状态"),
        ("area_source", AREA_SOURCE_LABELS_ZH.values(), "面积来源"),
        *((field, documents.NAMES.values(), "证件类型") for field in document_fields),
    ):
        choices = ",".join(labels)
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        validation.errorTitle, validation.error = title, f"请从列表中选择：{choices}"
        validation.promptTitle, validation.prompt = title, f"请选择：{choices}"
        validation.showErrorMessage = validation.showInputMessage = True
        validation.add(f"{letter_of(field)}2:{letter_of(field)}{last_row}")
        sheet.add_data_validation(validation)
    area = DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True)
    area.errorTitle, area.error = "面积", "面积是大于0的数，单位平方米，最多两位小数"
    area.showErrorMessage = True
    area.add(f"{letter_of('area')}2:{letter_of('area')}{last_row}")
    sheet.add_data_validation(area)
    representative = DataValidation(type="whole", operator="between", formula1="1", formula2=str(OWNER_SLOTS))
    representative.allow_blank = True
    representative.errorTitle, representative.error = "代表人", "请填写代表人的序号 1–4"
    representative.showErrorMessage = True
    rep_letter = letter_of("representative")
    representative.add(f"{rep_letter}2:{rep_letter}{last_row}")
    sheet.add_data_validation(representative)

    if with_example:
        for offset, values in enumerate(example_rows()):
            for index, value in enumerate(values, start=1):
                if value != "":
                    sheet.cell(row=2 + offset, column=index, value=value)

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 120
    for index, line in enumerate(_INSTRUCTIONS, start=1):
        notes.cell(row=index, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    notes.cell(row=1, column=1).font = header_font
    workbook.active = 0

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roll_template_csv() -> bytes:
    """The header row as CSV, UTF-8 with BOM (so that Excel on Chinese Windows shows the Chinese headers)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(template_headers())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
