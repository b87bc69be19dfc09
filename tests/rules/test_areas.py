"""Areas as integers of 0.01 m² (DOMAIN §3 Arithmetic): parsing decimal strings and formatting them back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.areas import MAX_AREA_CENTI, AreaFormatError, format_area, parse_area


@pytest.mark.parametrize(
    ("text", "centi"),
    [
        pytest.param("89.5", 8950, id="89.5 m² is 8950 hundredths"),
        pytest.param("89.50", 8950, id="89.50 m² is 8950 hundredths"),
        pytest.param("89.32", 8932, id="89.32 m² is 8932 hundredths"),
        pytest.param("1234.5", 123450, id="1234.5 m² is 123450 hundredths"),
        pytest.param("10000.00", 1000000, id="10,000.00 m² is one million hundredths"),
        pytest.param("6666.67", 666667, id="6,666.67 m² is 666667 hundredths"),
        pytest.param("12345.67", 1234567, id="12,345.67 m² is 1234567 hundredths"),
        pytest.param("0.01", 1, id="0.01 m² is one hundredth"),
        pytest.param("120", 12000, id="a whole number of m² needs no decimals"),
        pytest.param("0", 0, id="zero is accepted (callers that need a positive area check it)"),
        pytest.param(" 89.5 ", 8950, id="surrounding spaces are ignored"),
    ],
)
def test_parse_area_reads_hundredths_exactly(text, centi):
    assert parse_area(text) == centi


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1.234", id="three decimals are rejected"),
        pytest.param("1.000", id="three decimals are rejected even when zero"),
        pytest.param("-1", id="a negative area is rejected"),
        pytest.param("-0.01", id="a negative hundredth is rejected"),
        pytest.param("abc", id="text that is no number is rejected"),
        pytest.param("", id="an empty string is rejected"),
        pytest.param("1e3", id="exponent notation is rejected"),
        pytest.param("1E-2", id="exponent notation in capitals is rejected"),
        pytest.param("NaN", id="NaN is rejected"),
        pytest.param("sNaN", id="signalling NaN is rejected"),
        pytest.param("inf", id="inf is rejected"),
        pytest.param("Infinity", id="Infinity is rejected"),
        pytest.param("-inf", id="minus inf is rejected"),
        pytest.param("89,50", id="a decimal comma is rejected"),
        pytest.param("+5", id="a plus sign is rejected"),
        pytest.param("1_000", id="digit grouping with underscores is rejected"),
        pytest.param("１２", id="full-width digits are rejected"),
        pytest.param("٣", id="Arabic-Indic digits are rejected"),
    ],
)
def test_parse_area_rejects_what_is_not_an_area(text):
    with pytest.raises(AreaFormatError):
        parse_area(text)


def test_the_largest_area_is_accepted_and_one_hundredth_more_is_not():
    assert parse_area(format_area(MAX_AREA_CENTI)) == MAX_AREA_CENTI
    with pytest.raises(AreaFormatError):
        parse_area(format_area(MAX_AREA_CENTI + 1))


def test_area_format_error_is_a_value_error():
    assert issubclass(AreaFormatError, ValueError)


@pytest.mark.parametrize(
    ("centi", "text"),
    [
        pytest.param(5, "0.05", id="5 hundredths print as 0.05"),
        pytest.param(0, "0.00", id="zero prints as 0.00"),
        pytest.param(100, "1.00", id="100 hundredths print as 1.00"),
        pytest.param(8950, "89.50", id="8950 hundredths print as 89.50"),
        pytest.param(123450, "1234.50", id="123450 hundredths print as 1234.50"),
        pytest.param(76955, "769.55", id="the margin 76955 prints as 769.55"),
        pytest.param(-5, "-0.05", id="a negative difference keeps its sign"),
    ],
)
def test_format_area_prints_two_decimals(centi, text):
    assert format_area(centi) == text


@settings(max_examples=200, deadline=None, database=None)
@given(st.integers(min_value=0, max_value=MAX_AREA_CENTI))
def test_format_then_parse_is_the_identity(centi):
    assert parse_area(format_area(centi)) == centi
