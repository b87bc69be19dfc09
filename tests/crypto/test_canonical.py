"""RFC 8785 canonical JSON and SHA-256 helpers."""

import json
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.canonical import CanonicalizationError, canonical_json, sha256_hex

SAFE_INT = 2**53 - 1


def test_object_members_are_sorted_and_whitespace_removed() -> None:
    assert canonical_json({"b": 1, "a": [True, False, None], "c": {"z": "", "y": 0}}) == (
        b'{"a":[true,false,null],"b":1,"c":{"y":0,"z":""}}'
    )


def test_rfc8785_section_3_2_3_sorting_by_utf16_code_units() -> None:
    """The sorting example of RFC 8785 section 3.2.3 (emoji sorts before U+FB33 in UTF-16)."""
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert canonical_json(value) == expected.encode("utf-8")


def test_rfc8785_section_3_2_2_string_and_literal_vector() -> None:
    """The non-numeric members of the RFC 8785 section 3.2.2 example."""
    value = {
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = '{"literals":[null,true,false],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    assert canonical_json(value) == expected.encode("utf-8")


def test_chinese_text_stays_utf8_and_is_not_escaped() -> None:
    encoded = canonical_json({"名称": "业主大会", "议题": "更换物业服务企业"})
    assert encoded == '{"名称":"业主大会","议题":"更换物业服务企业"}'.encode()
    assert b"\\u" not in encoded


def test_chinese_keys_sort_by_utf16_code_units() -> None:
    # 业 U+4E1A < 名 U+540D < 议 U+8BAE; ASCII sorts before all of them.
    assert canonical_json({"议": 1, "业": 2, "名": 3, "z": 4}) == '{"z":4,"业":2,"名":3,"议":1}'.encode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, b"0"),
        (-0, b"0"),
        (7, b"7"),
        (-42, b"-42"),
        (1_000_000, b"1000000"),
        (SAFE_INT, b"9007199254740991"),
        (-SAFE_INT, b"-9007199254740991"),
        (True, b"true"),
        (False, b"false"),
        (None, b"null"),
    ],
)
def test_integer_and_literal_formatting(value: object, expected: bytes) -> None:
    assert canonical_json(value) == expected


@pytest.mark.parametrize("value", [SAFE_INT + 1, -SAFE_INT - 1, 10**21])
def test_integers_outside_the_safe_range_are_rejected(value: int) -> None:
    with pytest.raises(CanonicalizationError):
        canonical_json({"n": value})


@pytest.mark.parametrize("value", [1.5, 0.0, float("nan"), float("inf"), [1, 2.0]])
def test_floats_are_rejected(value: object) -> None:
    with pytest.raises(CanonicalizationError, match="float"):
        canonical_json({"x": value})


@pytest.mark.parametrize(
    "value",
    [{1: "a"}, {"a": b"bytes"}, {"a": {1, 2}}, {"s": "\ud800"}, object()],
    ids=["int-key", "bytes", "set", "lone-surrogate", "object"],
)
def test_unsupported_values_are_rejected(value: object) -> None:
    with pytest.raises(CanonicalizationError):
        canonical_json(value)


def test_canonicalization_error_is_a_value_error() -> None:
    assert issubclass(CanonicalizationError, ValueError)


def test_any_mapping_and_tuples_are_accepted() -> None:
    value = MappingProxyType({"b": (1, 2), "a": MappingProxyType({"c": None})})
    assert canonical_json(value) == b'{"a":{"c":null},"b":[1,2]}'


def test_control_characters_are_escaped_but_slash_is_not() -> None:
    assert canonical_json("a/b\t\u001f\u007f") == b'"a/b\\t\\u001f\x7f"'


def test_sha256_hex_known_vectors() -> None:
    """FIPS 180-2 appendix B.1 ("abc") and the empty-input digest."""
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-SAFE_INT, SAFE_INT) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_output_is_valid_json_that_round_trips(value: object) -> None:
    encoded = canonical_json(value)
    assert json.loads(encoded.decode("utf-8")) == value


@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_key_insertion_order_does_not_matter(value: dict[str, object]) -> None:
    reversed_value = dict(reversed(list(value.items())))
    assert canonical_json(reversed_value) == canonical_json(value)
