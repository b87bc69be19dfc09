"""Every kind of owner on the roll, by the document that identifies them (DOMAIN §3 "Who an owner is"; Civil Code
Art 278 counts every owner).

| type | 证件 | check |
| --- | --- | --- |
| ``resident_id`` | 居民身份证 | GB 11643 (stdnum.cn.ric): 17 digits and a check digit or X, a birth date |
| ``hmt_residence_permit`` | 港澳台居民居住证 | the same format, region 810000 / 820000 / 830000 |
| ``foreign_permanent_id`` | 外国人永久居留身份证 | the same format starting with 9, or 3 letters and 12 digits |
| ``uscc`` | 统一社会信用代码 (a company or other organisation) | GB 32100 (stdnum.cn.uscc) with its check character |
| ``travel_permit`` | 港澳居民来往内地通行证 / 台湾居民来往大陆通行证 | H or M and 8 or 10 digits; or 8 or 10 digits |
| ``passport`` | 护照, with the nationality | 5 to 17 letters and digits |

An owner's identity, for merging the units of one owner (DOMAIN §3), is (type, number): `identity` gives the string
whose keyed hash the roll stores. The 18-character GB 11643-format numbers (the first three types) are unique across
those types and keep the bare number, so that a resident ID's hash is what it always was; the others are prefixed
with their type. An organisation votes through its named representative (法定代表人或者委托代理人), whose
document and phone are its second factor and its contact (app.voting.meetings.open_voting).

Pure code: no database, no Flask application.
"""

from __future__ import annotations

import datetime
import re

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

RESIDENT_ID = "resident_id"
ORGANISATION = "uscc"
PASSPORT = "passport"
#: type → the Chinese name printed in the template's drop-down and read back
NAMES = {
    RESIDENT_ID: "居民身份证",
    "hmt_residence_permit": "港澳台居民居住证",
    "foreign_permanent_id": "外国人永久居留身份证",
    ORGANISATION: "统一社会信用代码",
    "travel_permit": "来往内地（大陆）通行证",
    PASSPORT: "护照",
}
#: other ways a roll writes the type
SYNONYMS = {
    RESIDENT_ID: ("身份证", "二代身份证", "居民身份证号码", "idcard", "residentid"),
    "hmt_residence_permit": ("居住证", "港澳台居住证", "港澳居民居住证", "台湾居民居住证"),
    "foreign_permanent_id": ("永久居留身份证", "外国人永久居留证", "永久居留证", "绿卡"),
    ORGANISATION: ("营业执照", "社会信用代码", "统一代码", "单位", "企业", "organisation", "company"),
    "travel_permit": ("通行证", "回乡证", "台胞证", "港澳通行证", "港澳居民来往内地通行证", "台湾居民来往大陆通行证"),
    PASSPORT: ("外国护照", "passportno"),
}
#: GB 11643-format numbers: unique across these types, stored under the bare number
GB11643_TYPES = frozenset({RESIDENT_ID, "hmt_residence_permit", "foreign_permanent_id"})

_GB11643 = re.compile(r"[0-9]{17}[0-9X]")
_OLD_PERMANENT = re.compile(r"[A-Z]{3}[0-9]{12}")
_TRAVEL_PERMIT = re.compile(r"[HM][0-9]{8}([0-9]{2})?|[0-9]{8}([0-9]{2})?")
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
_PERMIT_REGIONS = ("810000", "820000", "830000")


def identity(id_type: str, number: str) -> str:
    """The owner's identity for merging (type, number) as one string: "330681196205171234"; "passport:E12345678"."""
    return number if id_type in GB11643_TYPES else f"{id_type}:{number}"


def identities(number: str) -> list[str]:
    """Every identity a number typed by staff may stand for (its type unknown): the bare number, then each other
    document type's. "E12345678" → ["E12345678", "uscc:E12345678", "travel_permit:E12345678", "passport:…"]."""
    text = re.sub(r"\s+", "", number).upper()
    return [text, *(identity(kind, text) for kind in NAMES if kind not in GB11643_TYPES)]


def _gb11643(text: str, today: datetime.date) -> str:
    """ "" when ``text`` is a well-formed GB 11643 number with a birth date before ``today``, else the error code."""
    if not _GB11643.fullmatch(text):
        return "id_format"
    if ric.calc_check_digit(text) != text[17]:
        return "id_checksum"
    try:
        born = datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return "id_birth_date"
    return "id_birth_date" if born > today or born.year < 1880 else ""


def check_document(id_type: str, text: str, today: datetime.date) -> str:
    """ "" when ``text`` (already upper-case, without spaces) is a valid number of ``id_type``, else its error code:
    ``id_format``, ``id_checksum``, ``id_birth_date``. A resident ID's region is checked by the caller (a warning).
    Examples: ("uscc", "91330681MA2BH0XB2K") → "id_checksum"; ("passport", "E12345678") → ""."""
    if id_type == RESIDENT_ID:
        return _gb11643(text, today)
    if id_type == "hmt_residence_permit":
        return _gb11643(text, today) or ("" if text.startswith(_PERMIT_REGIONS) else "id_format")
    if id_type == "foreign_permanent_id":
        if _OLD_PERMANENT.fullmatch(text):
            return ""
        return _gb11643(text, today) or ("" if text.startswith("9") else "id_format")
    if id_type == ORGANISATION:
        if len(text) != 18:
            return "id_format"
        try:
            uscc.validate(text)
        except ValidationError as error:
            return "id_checksum" if "checksum" in type(error).__name__.lower() else "id_format"
        return ""
    if id_type == "travel_permit":
        return "" if _TRAVEL_PERMIT.fullmatch(text) else "id_format"
    return "" if _PASSPORT.fullmatch(text) else "id_format"


def factor_words(id_type: str | None) -> str:
    """What the ballot asks as the second factor, in Chinese (the letter prints it too): the last six characters of
    the holder's document, or of the representative's for an organisation."""
    if id_type is None or id_type == RESIDENT_ID:
        return "身份证号码后六位"
    if id_type == ORGANISATION:
        return "单位代表人证件号码后六位"
    return f"{NAMES.get(id_type, '证件')}号码后六位"
