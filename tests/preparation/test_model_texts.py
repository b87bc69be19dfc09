"""The model texts of the rules of procedure and the covenant (Shaoxing Arts 13 ¶1 (3), 14, 18, 24): complete with
their defaults, every blank used, and their values checked. No database; messages render in a bare Flask app."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_babel import Babel

from app.preparation.model_texts import (
    COVENANT,
    MODEL_TEXTS,
    RULES_OF_PROCEDURE,
    FieldError,
    ModelText,
    TextField,
    clean_fields,
    defaults,
    render,
)

KINDS = [RULES_OF_PROCEDURE, COVENANT]
NAME = "枫桥花园"
ADDRESS = "诸暨市暨阳街道枫桥路1号"
NUMERALS = "一二三四五六七八九"


@pytest.fixture
def babel_context() -> Iterator[None]:
    application = Flask(__name__)
    Babel(application)
    with application.app_context():
        yield


def _placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None}


def _chinese_number(text: str) -> int:
    """'一' → 1, '十' → 10, '十三' → 13, '二十' → 20, '五十五' → 55."""
    if "十" not in text:
        return NUMERALS.index(text) + 1
    tens, _, units = text.partition("十")
    return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (NUMERALS.index(units) + 1 if units else 0)


def _error(kind: str, values: dict[str, str]) -> FieldError:
    with pytest.raises(FieldError) as caught:
        clean_fields(kind, {**defaults(kind, NAME, ADDRESS), **values})
    return caught.value


def test_both_kinds_are_loaded_from_their_files():
    assert set(MODEL_TEXTS) == set(KINDS)
    assert MODEL_TEXTS[RULES_OF_PROCEDURE].title == "业主大会议事规则"
    assert MODEL_TEXTS[COVENANT].title == "管理规约"
    for kind, text in MODEL_TEXTS.items():
        assert isinstance(text, ModelText)
        assert text.kind == kind
        assert all(isinstance(field, TextField) for field in text.fields)
        assert text.template.startswith("{community_name}" + text.title)


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_is_a_blank_of_its_template_and_every_blank_a_field(kind):
    text = MODEL_TEXTS[kind]
    keys = [field.key for field in text.fields]
    assert len(keys) == len(set(keys))
    assert _placeholders(text.template) == set(keys)


@pytest.mark.parametrize("kind", KINDS)
def test_defaults_render_a_complete_text(kind):
    values = defaults(kind, NAME, ADDRESS)
    assert set(values) == {field.key for field in MODEL_TEXTS[kind].fields}
    rendered = render(kind, values)
    assert "{" not in rendered
    assert "}" not in rendered
    assert rendered.startswith(NAME + MODEL_TEXTS[kind].title)
    assert ADDRESS in rendered
    assert "。。" not in rendered


@pytest.mark.parametrize("kind", KINDS)
def test_default_values_pass_their_own_checks(kind):
    cleaned = clean_fields(kind, defaults(kind, NAME, ADDRESS))
    for field in MODEL_TEXTS[kind].fields:
        if not field.key.startswith("community_"):
            assert cleaned[field.key] == field.default


@pytest.mark.parametrize("kind", KINDS)
def test_articles_are_numbered_in_sequence(kind):
    numbers = [
        _chinese_number(found)
        for found in re.findall(r"^第([一二三四五六七八九十]+)条", MODEL_TEXTS[kind].template, re.M)
    ]
    assert numbers == list(range(1, len(numbers) + 1))
    chapters = [
        _chinese_number(found)
        for found in re.findall(r"^第([一二三四五六七八九十]+)章", MODEL_TEXTS[kind].template, re.M)
    ]
    assert chapters == list(range(1, len(chapters) + 1))


def test_the_committee_fields_exist_with_the_names_other_code_reads():
    fields = {field.key: field for field in MODEL_TEXTS[RULES_OF_PROCEDURE].fields}
    for key in [
        "community_name",
        "community_address",
        "committee_seats",
        "max_alternates",
        "term_years",
        "regular_meeting_interval",
        "extraordinary_request_share",
        "committee_allowance",
        "seal_keeper",
    ]:
        assert key in fields
    seats, alternates, term = fields["committee_seats"], fields["max_alternates"], fields["term_years"]
    assert (seats.kind, seats.minimum, seats.maximum, seats.odd) == ("int", 5, 11, True)
    assert (alternates.kind, alternates.minimum, alternates.maximum) == ("int", 0, 5)
    assert (term.kind, term.minimum, term.maximum) == ("int", 3, 5)


def test_the_covenant_has_its_fields():
    keys = {field.key for field in MODEL_TEXTS[COVENANT].fields}
    assert {
        "community_name",
        "community_address",
        "property_fee_basis",
        "common_income_use",
        "pet_rules",
        "parking_rules",
        "decoration_rules",
        "breach_measures",
    } <= keys


def test_the_covenant_has_the_six_parts_of_art_14_in_order():
    template = MODEL_TEXTS[COVENANT].template
    parts = [
        "第二章　物业共用部位和共用设施设备的使用、维护和管理",
        "第三章　物业管理区域秩序和环境卫生的管理",
        "第四章　房屋外观的维护",
        "第五章　物业服务人的选聘、物业费的确定和收付方式",
        "第六章　共有收益的管理和使用",
        "第七章　业主的义务和违反管理规约的责任",
    ]
    positions = [template.find(part) for part in parts]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert template.find("第一章　总则") < positions[0]
    assert positions[-1] < template.find("第八章　附则")


def test_the_rules_state_the_thresholds_of_art_278_and_the_committee_rules():
    rendered = render(RULES_OF_PROCEDURE, defaults(RULES_OF_PROCEDURE, NAME, ADDRESS))
    assert "专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决" in rendered
    assert "参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意" in rendered
    assert "参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意" in rendered
    assert "会议召开十五日前" in rendered
    assert "任期届满六十日前" in rendered
    assert "由候补委员按照得票多少依次递补" in rendered
    assert "业主委员会由7名委员组成" in rendered
    assert "每届任期5年" in rendered


@pytest.mark.parametrize(
    ("key", "value"), [("committee_seats", "6"), ("committee_seats", "13"), ("committee_seats", "3")]
)
def test_seats_must_be_odd_from_5_to_11(key, value):
    assert _error(RULES_OF_PROCEDURE, {key: value}).key == key


@pytest.mark.parametrize("value", ["2", "6", "0", "-4", "4.5", "五", "1_0", ""])
def test_term_must_be_3_to_5_years(value):
    assert _error(RULES_OF_PROCEDURE, {"term_years": value}).key == "term_years"


@pytest.mark.parametrize("value", ["-1", "6"])
def test_alternates_are_0_to_5(value):
    assert _error(RULES_OF_PROCEDURE, {"max_alternates": value}).key == "max_alternates"


def test_numbers_are_normalised():
    cleaned = clean_fields(
        RULES_OF_PROCEDURE,
        {
            "community_name": NAME,
            "community_address": ADDRESS,
            "committee_seats": " 09 ",
            "term_years": "３",
            "max_alternates": "0",
        },
    )
    assert (cleaned["committee_seats"], cleaned["term_years"], cleaned["max_alternates"]) == ("9", "3", "0")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", ["", "   ", "。"])
def test_text_must_not_be_empty(kind, value):
    assert _error(kind, {"community_name": value}).key == "community_name"


def test_a_missing_community_name_is_an_error_since_it_has_no_default():
    with pytest.raises(FieldError) as caught:
        clean_fields(COVENANT, {"community_address": ADDRESS})
    assert caught.value.key == "community_name"


def test_text_must_not_be_too_long():
    assert _error(RULES_OF_PROCEDURE, {"seal_keeper": "委" * 101}).key == "seal_keeper"
    assert clean_fields(RULES_OF_PROCEDURE, {**defaults(RULES_OF_PROCEDURE, NAME, ADDRESS), "seal_keeper": "委" * 100})


@pytest.mark.parametrize("value", ["小区\x00名", "第一行\n第二行", "\x1b[31m红"])
def test_text_must_not_have_control_characters(value):
    assert _error(COVENANT, {"pet_rules": value}).key == "pet_rules"


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_keys_are_refused(kind):
    assert _error(kind, {"surprise": "x"}).key == "surprise"


def test_an_unknown_kind_is_a_key_error():
    with pytest.raises(KeyError):
        defaults("charter", NAME, ADDRESS)
    with pytest.raises(KeyError):
        render("charter", {})


def test_missing_fields_take_their_defaults_and_text_is_stripped():
    cleaned = clean_fields(
        COVENANT, {"community_name": f"  {NAME} ", "community_address": ADDRESS, "pet_rules": " 禁止饲养犬只。 "}
    )
    assert cleaned["community_name"] == NAME
    assert cleaned["pet_rules"] == "禁止饲养犬只"
    assert cleaned["parking_rules"] == defaults(COVENANT, NAME, ADDRESS)["parking_rules"]


def test_render_shows_edited_values():
    rules = render(
        RULES_OF_PROCEDURE,
        {
            **defaults(RULES_OF_PROCEDURE, NAME, ADDRESS),
            "committee_seats": "9",
            "max_alternates": "4",
            "term_years": "3",
            "regular_meeting_interval": "每两年",
            "extraordinary_request_share": "百分之十五",
            "committee_allowance": "委员每人每月人民币三百元",
            "seal_keeper": "居民委员会",
        },
    )
    assert "业主委员会由9名委员组成" in rules
    assert "候补委员不超过4名" in rules
    assert "每届任期3年" in rules
    assert "定期会议每两年召开一次" in rules
    assert "专有部分面积占比百分之十五以上且人数占比百分之十五以上" in rules
    assert "业主委员会成员的补贴：委员每人每月人民币三百元。" in rules
    assert "印章由居民委员会保管" in rules

    covenant = render(
        COVENANT,
        {
            **defaults(COVENANT, NAME, ADDRESS),
            "pet_rules": "禁止在共用部位遛犬",
            "parking_rules": "车位先到先停",
            "decoration_rules": "每日8时至18时施工",
            "property_fee_basis": "每平方米每月一元五角，按年交纳",
            "common_income_use": "全部补充专项维修资金",
            "breach_measures": "书面告知限期改正",
        },
    )
    for shown in [
        "饲养动物：禁止在共用部位遛犬。",
        "车辆停放：车位先到先停。",
        "装饰装修管理：每日8时至18时施工。",
        "物业费的计收方式：每平方米每月一元五角，按年交纳。",
        "共有收益的使用：全部补充专项维修资金。",
        "违反本规约的处理措施：书面告知限期改正。",
    ]:
        assert shown in covenant


def test_braces_in_values_stay_literal():
    covenant = render(COVENANT, {**defaults(COVENANT, NAME, ADDRESS), "pet_rules": "见附件{pet_rules}"})
    assert "饲养动物：见附件{pet_rules}。" in covenant


def test_labels_and_messages_render_in_english(babel_context):
    for text in MODEL_TEXTS.values():
        for field in text.fields:
            assert str(field.label)
    assert str(_error(RULES_OF_PROCEDURE, {"committee_seats": "8"}).message) == "Enter an odd number from 5 to 11."
    assert str(_error(RULES_OF_PROCEDURE, {"term_years": "8"}).message) == "Enter a whole number from 3 to 5."
    assert "100" in str(_error(RULES_OF_PROCEDURE, {"seal_keeper": "委" * 101}).message)
    assert (
        str(_error(COVENANT, {"pet_rules": "a\x00"}).message) == "This text contains characters that cannot be stored."
    )
    assert str(_error(COVENANT, {"x": "y"}).message) == "This field is not part of the model text."


def test_a_number_of_thousands_of_digits_is_refused_as_a_field_error() -> None:
    with pytest.raises(FieldError) as caught:
        clean_fields(
            "rules_of_procedure", {"community_name": "某小区", "community_address": "某路1号", "term_years": "9" * 5000}
        )
    assert caught.value.key == "term_years"
