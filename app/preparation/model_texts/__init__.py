"""Model texts (示范文本) of the rules of procedure (业主大会议事规则) and the management covenant (管理规约).

The preparatory group drafts both documents from model texts (Shaoxing Art 13 ¶1 (3), Art 14 ¶1) and the first
assembly meeting adopts them (Art 16). These texts are the product's own, written for communities under the
Shaoxing regulations:

- ``rules_of_procedure.txt`` covers the assembly's name and seat, the matters of Civil Code Art 278, how meetings
  are convened and held (Shaoxing Art 10, notice 15 days ahead as in Art 13 ¶3), voting rights and thresholds
  (Art 278 ¶2), the owners' committee (Arts 17–24), its seal (Art 19 ¶2), records and publication (Arts 20 ¶2, 23)
  and funding (Arts 15, 18 ¶4).
- ``covenant.txt`` follows the six parts of Shaoxing Art 14 ¶1 in order, between general and final provisions.

Each text has ``{field_key}`` placeholders (``str.format_map``) that the group fills in; every field has a default,
so that ``render(kind, defaults(kind, name, address))`` is a complete text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal

from flask_babel import lazy_gettext as _l

from app.text import has_control_characters

RULES_OF_PROCEDURE = "rules_of_procedure"
COVENANT = "covenant"

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class TextField:
    """One blank of a model text: its key in the template, its English label (translated) and what it accepts."""

    key: str
    label: Any
    kind: Literal["text", "int"]
    default: str
    minimum: int | None = None
    maximum: int | None = None
    odd: bool = False
    max_length: int = 200


@dataclass(frozen=True)
class ModelText:
    """A model text: ``kind`` ("rules_of_procedure" or "covenant"), its Chinese title, its fields and template."""

    kind: str
    title: str
    fields: tuple[TextField, ...]
    template: str


class FieldError(ValueError):
    """A value the model text cannot take: ``key`` names the field, ``message`` is a lazy (English) message."""

    def __init__(self, key: str, message: Any) -> None:
        super().__init__(key)
        self.key = key
        self.message = message


def _community_fields() -> tuple[TextField, ...]:
    return (
        TextField("community_name", _l("Community name"), "text", "", max_length=100),
        TextField("community_address", _l("Community address"), "text", "", max_length=200),
    )


#: the rules of procedure (Shaoxing Art 13 ¶1 (3)); the committee's numbers follow Art 18 and Art 24 ¶1
RULES_FIELDS: tuple[TextField, ...] = (
    *_community_fields(),
    TextField(
        "office_location",
        _l("Office of the assembly and the committee"),
        "text",
        "本物业管理区域内的物业管理用房",
    ),
    # Art 18 ¶1: 五至十一名单数委员
    TextField(
        "committee_seats", _l("Number of committee members (odd, 5 to 11)"), "int", "7", minimum=5, maximum=11, odd=True
    ),
    # Art 18 ¶2: alternates at most 50% of the members; the caller checks max_alternates <= committee_seats // 2
    TextField("max_alternates", _l("Maximum number of alternate members"), "int", "3", minimum=0, maximum=5),
    # Art 24 ¶1: 每届任期三年至五年，具体任期由业主大会议事规则作出约定
    TextField("term_years", _l("Term of the committee (years)"), "int", "5", minimum=3, maximum=5),
    TextField("regular_meeting_interval", _l("Regular assembly meetings are held"), "text", "每年", max_length=20),
    TextField(
        "extraordinary_request_share",
        _l("Share of owners (by area and by headcount) who may request an extraordinary meeting"),
        "text",
        "百分之二十",
        max_length=20,
    ),
    TextField("committee_meeting_interval", _l("Regular committee meetings are held"), "text", "每季度", max_length=20),
    TextField(
        "working_funds_source",
        _l("Funding of the assembly and the committee"),
        "text",
        "从本物业管理区域的共有收益中列支；共有收益不足的，经业主大会决定，由全体业主按照专有部分面积分摊",
    ),
    # Art 18 ¶4: 业主大会可以决定给予业主委员会成员适当补贴
    TextField(
        "committee_allowance",
        _l("Allowance of committee members"),
        "text",
        "是否给予补贴及其标准由业主大会决定，业主大会作出决定前不发放补贴",
    ),
    TextField(
        "committee_spending_limit",
        _l("Spending above which the assembly decides"),
        "text",
        "单项支出人民币五千元，年度累计支出人民币五万元",
    ),
    # Art 19 ¶2, Art 22 (4)
    TextField("seal_keeper", _l("Keeper of the seals"), "text", "业主委员会指定的一名委员", max_length=100),
)

#: the management covenant, its blanks in the order of Shaoxing Art 14 ¶1 (一)–(六)
COVENANT_FIELDS: tuple[TextField, ...] = (
    *_community_fields(),
    # Art 14 ¶1 (二), Art 46
    TextField(
        "parking_rules",
        _l("Parking"),
        "text",
        "机动车应当在划定的停车位内有序停放，不得占用消防车通道、消防登高场地、绿地和人行通道；"
        "占用业主共有的道路或者场地设置的停车位，其收费标准和管理办法由业主大会决定，或者由业主大会授权业主委员会决定；"
        "电动自行车应当在集中停放场所停放、充电",
        max_length=500,
    ),
    # Art 14 ¶1 (二), Art 42 ¶2 (15)
    TextField(
        "pet_rules",
        _l("Keeping pets"),
        "text",
        "饲养犬只应当依法登记、免疫，出户时应当束犬链并由具有完全民事行为能力的人牵领，及时清除犬只粪便；"
        "不得在共用部位饲养家禽家畜，不得放任动物干扰他人正常生活，不得饲养法律法规禁止饲养的动物",
        max_length=500,
    ),
    # Art 14 ¶1 (三), Art 42 ¶2 (11), Art 43
    TextField(
        "decoration_rules",
        _l("Decoration and renovation"),
        "text",
        "产生噪声的装饰装修作业限于工作日8时至12时、14时至18时，法定节假日和双休日不得进行；"
        "装修垃圾应当袋装并堆放在物业服务人指定的地点、及时清运；施工不得损坏共用部位，不得影响相邻业主正常使用",
        max_length=500,
    ),
    # Art 14 ¶1 (四), Arts 36–38
    TextField(
        "property_fee_basis",
        _l("How the property fee is calculated and paid"),
        "text",
        "按照专有部分建筑面积和物业服务合同约定的收费标准计算，按季度预交",
        max_length=500,
    ),
    # Art 14 ¶1 (五), Arts 23, 49
    TextField(
        "common_income_use",
        _l("Use of common income"),
        "text",
        "优先用于补充物业专项维修资金和共用部位、共用设施设备的维修养护，"
        "也可以用于业主大会和业主委员会的工作经费以及业主大会决定的其他用途",
        max_length=500,
    ),
    # Art 14 ¶1 (六), Art 42 ¶3
    TextField(
        "breach_measures",
        _l("Measures against breaches of the covenant"),
        "text",
        "业主委员会或者物业服务人应当予以劝阻，并书面告知行为人限期改正；逾期不改正的，"
        "业主委员会可以在物业管理区域内公示违反本规约的事实（不公开身份证件号码、联系方式等个人信息），"
        "并可以依法提起诉讼",
        max_length=500,
    ),
)


def _template(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


MODEL_TEXTS: dict[str, ModelText] = {
    RULES_OF_PROCEDURE: ModelText(
        RULES_OF_PROCEDURE, "业主大会议事规则", RULES_FIELDS, _template("rules_of_procedure.txt")
    ),
    COVENANT: ModelText(COVENANT, "管理规约", COVENANT_FIELDS, _template("covenant.txt")),
}


def defaults(kind: str, community_name: str, community_address: str) -> dict[str, str]:
    """Every field of the model text `kind` at its default, with the community's name and address filled in.

    A KeyError for an unknown kind."""
    values = {field.key: field.default for field in MODEL_TEXTS[kind].fields}
    values["community_name"] = community_name
    values["community_address"] = community_address
    return values


def _clean(field: TextField, raw: str) -> str:
    value = raw.strip()
    if field.kind == "int":
        low = field.minimum if field.minimum is not None else 0
        high = field.maximum if field.maximum is not None else 10**6
        # the length bound comes first: int() refuses (with a ValueError) numbers of more than 4,300 digits
        number = int(value) if len(value) <= 12 and _DIGITS.fullmatch(value) else None
        if number is None or not low <= number <= high or (field.odd and number % 2 == 0):
            if field.odd:
                raise FieldError(field.key, _l("Enter an odd number from %(min)d to %(max)d.", min=low, max=high))
            raise FieldError(field.key, _l("Enter a whole number from %(min)d to %(max)d.", min=low, max=high))
        return str(number)
    # the templates put their own full stop after a blank: one typed at the end would double it
    value = value.rstrip("。").rstrip()
    if not value or len(value) > field.max_length:
        raise FieldError(field.key, _l("This field is required (at most %(n)d characters).", n=field.max_length))
    if has_control_characters(value):
        raise FieldError(field.key, _l("This text contains characters that cannot be stored."))
    return value


def clean_fields(kind: str, values: Mapping[str, str]) -> dict[str, str]:
    """Every field of the model text `kind`, checked and normalised: a missing field takes its default, text is
    stripped (and loses a final 。, which the template supplies), a number is written in ASCII digits.

    Raises FieldError for an unknown key, a number that is not a whole number within the field's range (or not odd,
    for the committee's seats, Shaoxing Art 18 ¶1; the term, Art 24 ¶1), and empty or overlong text or text with
    control characters. The caller checks that max_alternates is at most half the seats (Art 18 ¶2).
    A KeyError for an unknown kind."""
    fields = MODEL_TEXTS[kind].fields
    known = {field.key for field in fields}
    for key in values:
        if key not in known:
            raise FieldError(key, _l("This field is not part of the model text."))
    cleaned: dict[str, str] = {}
    for field in fields:
        raw = values.get(field.key)
        cleaned[field.key] = _clean(field, field.default if raw is None else str(raw))
    return cleaned


def render(kind: str, values: Mapping[str, str]) -> str:
    """The model text `kind` with its blanks filled in from `values` (checked by `clean_fields`)."""
    return MODEL_TEXTS[kind].template.format_map(clean_fields(kind, values))
