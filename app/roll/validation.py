"""Validating an owner-roll table (app.roll.parsing): every problem of the file at once, never just the first.

validate_roll(table) → RollReport with the parsed units, the errors (which block the import) and the warnings
(which do not). Each Problem names the spreadsheet row, the column as headed in the file, the cell as read, a
stable `code` and a translatable message. The checks, by code:

Errors
  value_missing            building, room, type, area, area source or status is empty
  value_too_long           building/entrance/room over 32 characters, a name over 64
  value_is_date            Excel turned a building/entrance/room such as "3-1" into a date
  duplicate_unit           the same building + entrance + room again (reported on the later row, naming the first)
  area_invalid             the area is not a number of m²
  area_not_positive        the area is zero or negative
  area_decimals            the area has more than two decimals
  kind_unknown / status_unknown / area_source_unknown    a value outside the lists below
  id_as_number             the ID number arrived as a number (Excel cell of number type, or text such as
                           "3.30681195803E+17"): Excel has kept only 15 digits, so the number is lost; the column
                           must be formatted as text (@) and the numbers typed again
  id_format                not 17 digits and a digit or X (the check of stdnum.cn.ric: InvalidLength/InvalidFormat)
  id_checksum              wrong check character (stdnum InvalidChecksum)
  id_birth_date            no valid birth date, or one in the future (stdnum InvalidComponent from the date)
  id_name_conflict         the same ID number under another name earlier in the file (every later row, naming
                           the first)
  owner_repeated           the same ID number twice within one unit
  owner_name_missing / owner_id_missing    an owner with an ID number but no name, or the reverse
  phone_invalid            not a mainland mobile number (phonenumbers, 11 digits beginning with 1; "+86 138…",
                           spaces and dashes are accepted and removed)
  representative_missing   a co-owned unit (2+ owners) without the number of its representative
  representative_invalid   a representative number that is not 1–4 or names an empty owner slot
  delivered_without_owners a delivered unit without any owner
  owners_on_developer_unit an unsold or undelivered unit with owners. Decision: an ERROR, not a warning. Such units
                           are the developer's until delivery (DOMAIN §3: together they count as ONE voter, the
                           developer); importing the buyers' names would either give them a vote they do not have
                           or silently drop the names. The person importing must decide: mark the unit 已交付
                           (delivered) if the buyer has taken delivery, or remove the names.
Warnings
  id_region                the first six digits are no county code in use in the birth year (stdnum
                           InvalidComponent from the place). A warning, not an error (issue 15): the code is where
                           the number was issued, and numbers issued under a code that was renamed or merged later
                           (330681 in Zhuji with a 1962 birth date) are valid; the person importing checks it against
                           the card. 810000/820000/830000 residence permits of Hong Kong, Macao and Taiwan residents
                           and 9 + province + nationality permanent-residence cards of foreigners raise nothing
  owner_many_units         one ID number on more than 10 units (reported once, on its first row)
  area_large               a residence over 1,000 m²
  parking_area_large       a parking space over 50 m²

Values: 类型 住宅/商铺/车位/其他 (residence/commercial/parking/other); 状态 已交付/未交付/未售
(delivered/undelivered/unsold); 面积来源 登记/测绘/合同 (register/survey/contract), with a few synonyms each.
Texts are read with NFKC (full-width digits and letters become ASCII); building, entrance and room lose all
spaces; names keep single spaces between words. ID numbers are stored upper-case (X); phones as 11 digits; an owner
without a phone has phone None. A single owner is the unit's representative. `units` is filled only when the
table has no errors, so that a partial roll can never be imported by mistake.

Pure code: no database, no Flask application (messages are flask_babel lazy strings, rendered when shown).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from app.roll import documents
from app.roll.parsing import COLUMNS, OWNER_SLOTS, RawTable
from app.rules.areas import AreaFormatError, format_area, parse_area
from app.rules.model import UnitKind, UnitStatus

__all__ = [
    "AREA_SOURCES",
    "AREA_SOURCE_LABELS_ZH",
    "KIND_LABELS_ZH",
    "MANY_UNITS",
    "STATUS_LABELS_ZH",
    "ParsedOwner",
    "ParsedUnit",
    "Problem",
    "RollReport",
    "normalise_id_number",
    "normalise_phone",
    "validate_roll",
]

#: the values of app.roll.models.AreaSource (not imported: this module stays free of SQLAlchemy)
AREA_SOURCES: tuple[str, ...] = ("register", "survey", "contract")

KIND_LABELS_ZH: dict[UnitKind, str] = {
    UnitKind.RESIDENCE: "住宅",
    UnitKind.COMMERCIAL: "商铺",
    UnitKind.PARKING: "车位",
    UnitKind.OTHER: "其他",
}
STATUS_LABELS_ZH: dict[UnitStatus, str] = {
    UnitStatus.DELIVERED: "已交付",
    UnitStatus.UNDELIVERED: "未交付",
    UnitStatus.UNSOLD: "未售",
}
AREA_SOURCE_LABELS_ZH: dict[str, str] = {"register": "登记", "survey": "测绘", "contract": "合同"}

#: an owner of more than this many units is worth a second look
MANY_UNITS = 10
#: 1,000 m² for a residence, 50 m² for a parking space (in 0.01 m²)
LARGE_RESIDENCE_CENTI = 100_000
LARGE_PARKING_CENTI = 5_000
LABEL_LIMIT = 32
NAME_LIMIT = 64


@dataclass(frozen=True)
class Problem:
    """One mistake (or oddity) in one cell of the file."""

    #: spreadsheet row number (1-based, as the spreadsheet shows it)
    row: int
    #: the column's header as written in the file (the template header if the file lacks the column)
    column: str
    #: the cell as read ("" when empty)
    value: str
    #: stable code (see the module docstring)
    code: str
    #: translatable message with the details (flask_babel lazy string; str() it inside an app context). Not
    #: compared or hashed: that would render it, which needs an app context
    message: LazyString = dataclasses.field(compare=False)
    #: canonical field name of the column (owner2_id_number …)
    field: str = ""


@dataclass(frozen=True)
class ParsedAgent:
    """The named representative through whom an organisation votes (法定代表人或者委托代理人)."""

    name: str
    id_type: str
    id_number: str
    phone: str | None


@dataclass(frozen=True)
class ParsedOwner:
    name: str
    #: upper-case, without spaces (a resident ID: 18 characters, X upper-case)
    id_number: str
    #: 11 digits, or None when the file gives no phone
    phone: str | None
    is_representative: bool
    #: the document (app.roll.documents): resident_id, uscc, passport …
    id_type: str = documents.RESIDENT_ID
    #: a passport holder's nationality
    nationality: str = ""
    #: an organisation's representative
    agent: ParsedAgent | None = None

    @property
    def identity(self) -> str:
        """(type, number) as one string, to merge the units of one owner (app.roll.documents.identity)."""
        return documents.identity(self.id_type, self.id_number)


@dataclass(frozen=True)
class ParsedUnit:
    building: str
    entrance: str
    room: str
    kind: UnitKind
    area_centi: int
    #: one of AREA_SOURCES (app.roll.models.AreaSource values)
    area_source: str
    status: UnitStatus
    owners: tuple[ParsedOwner, ...]
    #: the unit's spreadsheet row
    row: int = 0

    @property
    def label(self) -> str:
        return f"{self.building}{self.entrance}{self.room}"


@dataclass(frozen=True)
class RollReport:
    #: the units, in file order; empty whenever there are errors
    units: tuple[ParsedUnit, ...]
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    #: non-empty data rows read
    rows_read: int
    #: headers of the file that were not recognised and were ignored
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No errors: the units can be imported (warnings do not block)."""
        return not self.errors

    @property
    def error_rows(self) -> int:
        """Number of distinct rows with at least one error."""
        return len({p.row for p in self.errors})


# --- value vocabularies ---------------------------------------------------------------------------------------


def _word_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text)).lower()


def _vocabulary(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_word_key(word): value for value, synonyms in words.items() for word in (value, *synonyms)}


_KINDS = _vocabulary(
    {
        UnitKind.RESIDENCE.value: ("住宅", "住房", "住宅用房", "成套住宅", "residential", "flat", "apartment"),
        UnitKind.COMMERCIAL.value: ("商铺", "商业", "商业用房", "商用", "店铺", "门面", "营业房", "shop", "retail"),
        UnitKind.PARKING.value: ("车位", "停车位", "车库", "汽车库", "机动车位", "产权车位", "parkingspace", "carpark"),
        UnitKind.OTHER.value: ("其他", "其它", "储藏室", "杂物间", "other"),
    }
)
_STATUSES = _vocabulary(
    {
        UnitStatus.DELIVERED.value: ("已交付", "交付", "已交房", "已入住"),
        UnitStatus.UNDELIVERED.value: ("未交付", "未交房", "待交付", "notdelivered"),
        UnitStatus.UNSOLD.value: ("未售", "未售出", "待售", "未出售", "notsold"),
    }
)
_AREA_SOURCES = _vocabulary(
    {
        "register": ("登记", "不动产登记", "产权登记", "登记面积", "产权证", "registered"),
        "survey": ("测绘", "实测", "测绘面积", "实测面积", "surveyed"),
        "contract": ("合同", "合同面积"),
    }
)
_ID_TYPES = _vocabulary({kind: (name, *documents.SYNONYMS[kind]) for kind, name in documents.NAMES.items()})
_ID_TYPE_CHOICES = "、".join(documents.NAMES.values())
_DELIVERED = UnitStatus.DELIVERED.value
_DEVELOPER_STATUSES = frozenset({UnitStatus.UNSOLD.value, UnitStatus.UNDELIVERED.value})
_RESIDENCE = UnitKind.RESIDENCE.value
_PARKING = UnitKind.PARKING.value
_KIND_CHOICES = "住宅, 商铺, 车位, 其他 / residence, commercial, parking, other"
_STATUS_CHOICES = "已交付, 未交付, 未售 / delivered, undelivered, unsold"
_AREA_SOURCE_CHOICES = "登记, 测绘, 合同 / register, survey, contract"


# --- cells ----------------------------------------------------------------------------------------------------


def _as_read(value: object) -> str:
    """A cell as the user would recognise it: 1502.0 → "1502", 3.30681195803e17 → "3.30681195803e+17"."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")  # Excel's own precision: 89.32000000000001 → 89.32
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text) if not text.isascii() else text


_EMPTY = (None, "")
_SPACES = re.compile(r"\s+")
_AREA_UNIT = re.compile(r"\s*(m2|平方米|平米|平方)$", re.IGNORECASE)
_NEGATIVE = re.compile(r"-\s*[0-9]+(\.[0-9]+)?")
_TOO_PRECISE = re.compile(r"[0-9]+\.[0-9]{3,}")
_ID_AS_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?[eE][+]?[0-9]+|[0-9]{12,}\.[0-9]+")
_DIGITS17 = re.compile(r"[0-9]{17}[0-9X]")
_PHONE_NOISE = re.compile(r"[\s\-()./]+")
_MOBILE = re.compile(r"1[0-9]{10}")
_REPRESENTATIVE = re.compile(r"([0-9]+)(\.0+)?")
_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})  # residence permits: Hong Kong, Macao, Taiwan
#: provinces (GB/T 2260) that issue the foreigner's permanent residence ID card: 9, province, nationality (3 digits)
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41"}
    | {"42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
)


@functools.lru_cache(maxsize=4096)
def _region_valid(number: str) -> bool:
    """stdnum's place check, cached by region and birth year (a community has few of both)."""
    try:
        ric.get_birth_place(number)
    except ValidationError:
        return False
    return True


def _check_id(value: object, today: datetime.date) -> tuple[str, str]:
    """(normalised ID number, ""), (normalised ID number, "id_region") for a warning, or ("", error code)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "", "id_as_number"
    text = _SPACES.sub("", _nfkc(_as_read(value))).upper()
    if _ID_AS_NUMBER.fullmatch(text):
        return "", "id_as_number"
    if not _DIGITS17.fullmatch(text):
        return "", "id_format"
    if ric.calc_check_digit(text) != text[17]:
        return "", "id_checksum"
    try:
        born = datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return "", "id_birth_date"
    if born > today or born.year < 1880:
        return "", "id_birth_date"
    region = text[:6]
    if region in _PERMIT_REGIONS or (region[0] == "9" and region[1:3] in _PROVINCES and region[3:] != "000"):
        return text, ""
    if not _region_valid(f"{region}{born.year}0101000X"):
        return text, "id_region"
    return text, ""


def normalise_id_number(value: object) -> str | None:
    """A valid resident ID number in canonical form (upper-case X), or None: "33068119900101001x" → "…001X"."""
    number, _code = _check_id(value, datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=1))
    return number or None


def _mobile_pattern() -> re.Pattern[str]:
    """phonenumbers' pattern of mainland mobile numbers (national significant number): is_valid_number of an
    11-digit number beginning with 1 is exactly a match of this pattern, without parse()'s cost per number."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    pattern = metadata.mobile.national_number_pattern if metadata and metadata.mobile else None
    return re.compile(pattern or r"1[3-9][0-9]{9}")


_MOBILE_VALID = _mobile_pattern()


def normalise_phone(value: object) -> str | None:
    """A mainland mobile number as 11 digits, or None: "+86 138-1234-5678" → "13812345678"."""
    text = _nfkc(_as_read(value))
    digits = _PHONE_NOISE.sub("", text)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.fullmatch(digits):  # an unusual spelling: let phonenumbers read it
        try:
            parsed = phonenumbers.parse(text, "CN")
        except phonenumbers.NumberParseException:
            return None
        digits = str(parsed.national_number)
        if parsed.country_code != 86 or not _MOBILE.fullmatch(digits):
            return None
    return digits if _MOBILE_VALID.fullmatch(digits) else None


# --- messages -------------------------------------------------------------------------------------------------


def _id_message(code: str, id_type: str = documents.RESIDENT_ID) -> LazyString:
    if code == "id_as_number":
        return _l(
            "This ID number was stored as a number, so Excel kept only its first 15 digits. Format the ID-number "
            "columns as text (cell format Text, @), type the numbers again and import the file again."
        )
    if code == "id_format" and id_type == documents.ORGANISATION:
        return _l("A unified social credit code has 18 digits and capital letters (GB 32100).")
    if code == "id_format" and id_type != documents.RESIDENT_ID:
        return _l("This is not a number of the document type given (%(kind)s).", kind=documents.NAMES[id_type])
    if code == "id_format":
        return _l("An ID number has 18 characters: 17 digits, then a digit or X.")
    if code == "id_checksum":
        return _l("The last character of this ID number does not match the others: a typing mistake?")
    if code == "id_birth_date":
        return _l("This ID number does not contain a valid birth date.")
    return _l(
        "The first six digits of this ID number are not a region code in use in its birth year. It is accepted: the "
        "code is where the number was issued, which may have been renamed since; check it against the card."
    )


# --- the validator --------------------------------------------------------------------------------------------


@dataclass
class _Seen:
    row: int
    name: str
    name_key: str


class _Validator:
    def __init__(self, table: RawTable) -> None:
        self.table = table
        self.columns = table.columns
        self.errors: list[tuple[int, int, int, Problem]] = []
        self.warnings: list[tuple[int, int, int, Problem]] = []
        self.today = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=1)  # any time zone
        self.headers = {c.field: table.header(c.field) or c.zh for c in COLUMNS}
        self.index: dict[str, int | None] = {c.field: table.columns.get(c.field) for c in COLUMNS}
        # (slot, name field, ID field, phone field) of the owner slots the file has
        self.slots = [
            (n, f"owner{n}_name", f"owner{n}_id_number", f"owner{n}_phone")
            for n in range(1, OWNER_SLOTS + 1)
            if f"owner{n}_name" in self.columns
        ]
        # their cells' indices (the parser makes a name column come with its ID-number column); -1: no phone column
        self.slot_cells = [
            (table.columns[name], table.columns[id_], table.columns.get(phone, -1))
            for _n, name, id_, phone in self.slots
        ]
        self.vocabularies = {"kind": dict(_KINDS), "status": dict(_STATUSES), "area_source": dict(_AREA_SOURCES)}

    # problems

    def _add(
        self, into: list[tuple[int, int, int, Problem]], row: int, field: str, value: str, code: str, msg: LazyString
    ) -> None:
        position = self.columns.get(field, len(self.table.headers))
        problem = Problem(row, self.headers.get(field, ""), value, code, msg, field)
        into.append((row, position, len(into), problem))

    def error(self, row: int, field: str, value: str, code: str, msg: LazyString) -> None:
        self._add(self.errors, row, field, value, code, msg)

    def warning(self, row: int, field: str, value: str, code: str, msg: LazyString) -> None:
        self._add(self.warnings, row, field, value, code, msg)

    # cells

    def cell(self, values: tuple[object, ...], field: str) -> object:
        index = self.index[field]
        return None if index is None else values[index]

    def label(self, row: int, values: tuple[object, ...], field: str, *, required: bool) -> str:
        """building / entrance / room: NFKC, no spaces; checks emptiness, dates and length."""
        value = self.cell(values, field)
        if isinstance(value, datetime.datetime | datetime.date | datetime.time):
            self.error(
                row,
                field,
                _as_read(value),
                "value_is_date",
                _l("Excel turned this value into a date: format the column as text and type it again."),
            )
            return ""
        text = _SPACES.sub("", _nfkc(_as_read(value)))
        if not text:
            if required:
                self.error(row, field, "", "value_missing", _l("This value is required."))
        elif len(text) > LABEL_LIMIT:
            self.error(row, field, text, "value_too_long", _l("At most %(limit)d characters.", limit=LABEL_LIMIT))
            return ""
        return text

    def choice(self, row: int, values: tuple[object, ...], field: str) -> str | None:
        vocabulary = self.vocabularies[field]
        raw = _as_read(self.cell(values, field))
        if not raw:
            self.error(row, field, "", "value_missing", _l("This value is required."))
            return None
        found = vocabulary.get(raw)  # the usual spellings, then the normalised key (remembered)
        if found is None:
            found = vocabulary.get(_word_key(raw))
            if found is not None:
                vocabulary[raw] = found
        if found is None:
            if field == "kind":
                message = _l("Unknown unit type; use one of: %(choices)s.", choices=_KIND_CHOICES)
            elif field == "status":
                message = _l("Unknown status; use one of: %(choices)s.", choices=_STATUS_CHOICES)
            else:
                message = _l("Unknown area source; use one of: %(choices)s.", choices=_AREA_SOURCE_CHOICES)
            self.error(row, field, raw, f"{field}_unknown", message)
        return found

    def area(self, row: int, values: tuple[object, ...]) -> int | None:
        raw = _as_read(self.cell(values, "area"))
        if not raw:
            self.error(row, "area", "", "value_missing", _l("This value is required."))
            return None
        text = _AREA_UNIT.sub("", _nfkc(raw)).strip()  # NFKC: "㎡" and "m²" → "m2"; full-width digits → ASCII
        try:
            centi = parse_area(text)
        except AreaFormatError:
            if _NEGATIVE.fullmatch(text):
                self.error(row, "area", raw, "area_not_positive", _l("The area must be more than zero."))
            elif _TOO_PRECISE.fullmatch(text):
                self.error(row, "area", raw, "area_decimals", _l("The area has more than two decimals."))
            else:
                self.error(
                    row, "area", raw, "area_invalid", _l("The area is not a number of square metres (e.g. 89.32).")
                )
            return None
        if centi <= 0:
            self.error(row, "area", raw, "area_not_positive", _l("The area must be more than zero."))
            return None
        return centi

    # the table

    def run(self) -> RollReport:
        units: list[ParsedUnit] = []
        seen_units: dict[tuple[str, str, str], int] = {}
        seen_ids: dict[str, _Seen] = {}
        holdings: dict[str, list[tuple[int, str]]] = {}  # ID number → (row, field) of every unit it holds

        for raw in self.table.rows:
            row, values = raw.number, raw.values
            errors_before = len(self.errors)

            building = self.label(row, values, "building", required=True)
            entrance = self.label(row, values, "entrance", required=False)
            room = self.label(row, values, "room", required=True)
            kind = self.choice(row, values, "kind")
            area_centi = self.area(row, values)
            area_source = self.choice(row, values, "area_source")
            status = self.choice(row, values, "status")

            if building and room:
                key = (building.casefold(), entrance.casefold(), room.casefold())
                first = seen_units.get(key)
                if first is None:
                    seen_units[key] = row
                else:
                    label = building + entrance + room
                    self.error(
                        row,
                        "room",
                        room,
                        "duplicate_unit",
                        _l("The unit %(unit)s is already in row %(row)d.", unit=label, row=first),
                    )

            owners = self.owners(row, values)
            documents_of = self.documents
            organisation = any(kind == documents.ORGANISATION for kind, _n, _c in documents_of.values())
            agent = self.agent(row, values) if organisation else None

            developer_unit = status in _DEVELOPER_STATUSES
            if status == _DELIVERED and not owners:
                self.error(
                    row,
                    "owner1_name",
                    "",
                    "delivered_without_owners",
                    _l("A delivered unit needs at least one owner."),
                )
            elif developer_unit and owners:
                slot, name = owners[0][0], owners[0][1]
                self.error(
                    row,
                    f"owner{slot}_name",
                    name,
                    "owners_on_developer_unit",
                    _l(
                        "An unsold or undelivered unit belongs to the developer and lists no owners: mark it "
                        "delivered if the buyer has taken delivery, or remove the names."
                    ),
                )

            representative = None if developer_unit else self.representative(row, values, [o[0] for o in owners])

            for slot, name, number, _phone in owners:
                if not number:
                    continue
                name_key = _SPACES.sub("", name)
                first_seen = seen_ids.get(number)
                if first_seen is None:
                    seen_ids[number] = _Seen(row, name, name_key)
                elif first_seen.name_key != name_key and first_seen.row != row and name_key:
                    self.error(
                        row,
                        f"owner{slot}_id_number",
                        number,
                        "id_name_conflict",
                        _l(
                            "This ID number is in row %(row)d under another name (%(name)s).",
                            row=first_seen.row,
                            name=first_seen.name,
                        ),
                    )
                holdings.setdefault(number, []).append((row, f"owner{slot}_id_number"))

            if kind == _RESIDENCE and area_centi and area_centi > LARGE_RESIDENCE_CENTI:
                self.warning(
                    row,
                    "area",
                    _as_read(self.cell(values, "area")),
                    "area_large",
                    _l("%(area)s m² is unusually large for a residence.", area=format_area(area_centi)),
                )
            elif kind == _PARKING and area_centi and area_centi > LARGE_PARKING_CENTI:
                self.warning(
                    row,
                    "area",
                    _as_read(self.cell(values, "area")),
                    "parking_area_large",
                    _l("%(area)s m² is unusually large for a parking space.", area=format_area(area_centi)),
                )

            if len(self.errors) == errors_before and kind and area_centi and area_source and status:
                units.append(
                    ParsedUnit(
                        building,
                        entrance,
                        room,
                        UnitKind(kind),
                        area_centi,
                        area_source,
                        UnitStatus(status),
                        tuple(
                            ParsedOwner(
                                name,
                                documents_of[slot][1],
                                phone,
                                slot == representative,
                                documents_of[slot][0],
                                documents_of[slot][2],
                                agent if documents_of[slot][0] == documents.ORGANISATION else None,
                            )
                            for slot, name, _number, phone in owners
                        ),
                        row,
                    )
                )

        for number, held in holdings.items():
            if len(held) > MANY_UNITS:
                rows = ", ".join(str(r) for r, _ in held[:MANY_UNITS]) + ", …"
                first_row, field = held[0]
                self.warning(
                    first_row,
                    field,
                    number,
                    "owner_many_units",
                    _l(
                        "The owner with this ID number holds %(count)d units (rows %(rows)s).",
                        count=len(held),
                        rows=rows,
                    ),
                )

        self.errors.sort(key=lambda e: e[:3])
        self.warnings.sort(key=lambda e: e[:3])
        return RollReport(
            units=tuple(units) if not self.errors else (),
            errors=tuple(e[3] for e in self.errors),
            warnings=tuple(w[3] for w in self.warnings),
            rows_read=len(self.table.rows),
            ignored_columns=self.table.ignored,
        )

    def document(self, row: int, values: tuple[object, ...], type_field: str, id_field: str) -> tuple[str, str]:
        """(type, number) of a document (the type column may be absent or empty: a resident ID); number "" and the
        error reported when it is not valid; a resident ID's unknown region is a warning (issue 15)."""
        raw_type = _as_read(self.cell(values, type_field)) if type_field in self.index else ""
        id_type = documents.RESIDENT_ID
        if raw_type:
            found = _ID_TYPES.get(_word_key(raw_type))
            if found is None:
                self.error(
                    row,
                    type_field,
                    raw_type,
                    "id_type_unknown",
                    _l("Unknown document type; use one of: %(choices)s.", choices=_ID_TYPE_CHOICES),
                )
                return id_type, ""
            id_type = found
        cell = self.cell(values, id_field)
        read = _as_read(cell)
        if id_type == documents.RESIDENT_ID:
            number, code = _check_id(cell, self.today)
        else:
            # a short all-digit document (a Taiwan permit, some passports) survives a number cell whole
            whole = isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer()
            if isinstance(cell, int | float) and whole and abs(cell) < 10**15:
                number = str(int(cell))
            else:
                number = _SPACES.sub("", _nfkc(read)).upper()
            code = "id_as_number" if _ID_AS_NUMBER.fullmatch(number) else ""
            code = code or documents.check_document(id_type, number, self.today)
            number = "" if code else number
        if code == "id_region":
            self.warning(row, id_field, read, code, _id_message(code))
        elif code:
            self.error(row, id_field, read, code, _id_message(code, id_type))
        return id_type, number

    def agent(self, row: int, values: tuple[object, ...]) -> ParsedAgent | None:
        """An organisation's representative, or None with a warning: it will vote on paper (DOMAIN §3)."""
        name = " ".join(_as_read(self.cell(values, "agent_name")).split())
        if not name or not _as_read(self.cell(values, "agent_id_number")):
            self.warning(
                row,
                "agent_name",
                name,
                "organisation_without_representative",
                _l(
                    "An organisation votes through its named representative: without the representative's name and "
                    "document number it cannot vote by phone, only on paper."
                ),
            )
            return None
        id_type, number = self.document(row, values, "agent_id_type", "agent_id_number")
        phone_read = _as_read(self.cell(values, "agent_phone"))
        phone = normalise_phone(self.cell(values, "agent_phone")) if phone_read else None
        if phone_read and phone is None:
            self.error(
                row,
                "agent_phone",
                phone_read,
                "phone_invalid",
                _l("This is not a mainland mobile number (11 digits beginning with 1)."),
            )
        return ParsedAgent(name[:NAME_LIMIT], id_type, number, phone) if number else None

    def owners(self, row: int, values: tuple[object, ...]) -> list[tuple[int, str, str, str | None]]:
        """(slot, name, identity or "", phone) of every owner slot in use; reports their problems; keeps each owner's
        document in ``self.documents`` by slot."""
        found: list[tuple[int, str, str, str | None]] = []
        in_unit: dict[str, int] = {}
        self.documents: dict[int, tuple[str, str, str]] = {}
        for (n, name_field, id_field, phone_field), (name_at, id_at, phone_at) in zip(
            self.slots, self.slot_cells, strict=True
        ):
            name_cell, id_cell = values[name_at], values[id_at]
            phone_cell = values[phone_at] if phone_at >= 0 else None
            if name_cell in _EMPTY and id_cell in _EMPTY and phone_cell in _EMPTY:  # the usual empty slot
                continue
            name = " ".join(_as_read(name_cell).split())
            id_read = _as_read(id_cell)
            phone_read = _as_read(phone_cell)
            if not (name or id_read or phone_read):
                continue
            if not name:
                self.error(
                    row,
                    name_field,
                    "",
                    "owner_name_missing",
                    _l("Owner %(n)d has an ID number or phone but no name.", n=n),
                )
            elif len(name) > NAME_LIMIT:
                self.error(
                    row, name_field, name, "value_too_long", _l("At most %(limit)d characters.", limit=NAME_LIMIT)
                )
            number = ""
            if not id_read:
                self.error(row, id_field, "", "owner_id_missing", _l("Owner %(n)d has no ID number.", n=n))
            else:
                id_type, plain = self.document(row, values, f"owner{n}_id_type", id_field)
                nationality = " ".join(_as_read(self.cell(values, f"owner{n}_nationality")).split())[:32]
                if id_type == documents.PASSPORT and not nationality:
                    self.error(
                        row,
                        f"owner{n}_nationality",
                        "",
                        "nationality_missing",
                        _l("A passport needs the holder's nationality."),
                    )
                    plain = ""
                number = documents.identity(id_type, plain) if plain else ""
                self.documents[n] = (id_type, plain, nationality)
                if not number:
                    pass
                elif number in in_unit:
                    self.error(
                        row,
                        id_field,
                        id_read,
                        "owner_repeated",
                        _l("This ID number is already given for owner %(other)d of this unit.", other=in_unit[number]),
                    )
                    number = ""
                else:
                    in_unit[number] = n
            phone: str | None = None
            if phone_read:
                phone = normalise_phone(phone_cell)
                if phone is None:
                    self.error(
                        row,
                        phone_field,
                        phone_read,
                        "phone_invalid",
                        _l("This is not a mainland mobile number (11 digits beginning with 1)."),
                    )
            found.append((n, name, number, phone))
        return found

    def representative(self, row: int, values: tuple[object, ...], slots: Sequence[int]) -> int | None:
        """The representative's slot: the sole owner, or the number given for a co-owned unit."""
        raw = _as_read(self.cell(values, "representative"))
        if not slots:
            return None
        if not raw:
            if len(slots) == 1:
                return slots[0]
            self.error(
                row,
                "representative",
                "",
                "representative_missing",
                _l(
                    "This unit has %(count)d co-owners: give the number (1–4) of the one who represents them.",
                    count=len(slots),
                ),
            )
            return None
        match = _REPRESENTATIVE.fullmatch(_nfkc(raw))
        number = int(match.group(1)) if match else 0
        if number not in slots:
            self.error(
                row,
                "representative",
                raw,
                "representative_invalid",
                _l("The representative must be the number (1–4) of an owner filled in on this row."),
            )
            return None
        return number


def validate_roll(table: RawTable) -> RollReport:
    """Check every row of an owner-roll table and report every problem at once (see the module docstring)."""
    return _Validator(table).run()
