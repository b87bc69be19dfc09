"""Candidates for the owners' committee: the joint nomination of ten or more owners (Shaoxing Art 13 ¶2) and the
five eligibility checks with their evidence (Arts 17, 22; DOMAIN §6). Pure: no app, no database."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.candidates import (
    MIN_JOINT_NOMINATORS,
    ArrearsDemand,
    CandidateFacts,
    Check,
    Cosigner,
    NominationProblem,
    check_eligibility,
    check_joint_nomination,
    is_eligible,
)

CANDIDATE = "candidate-key"


def owners(n: int, prefix: str = "owner") -> list[Cosigner]:
    return [Cosigner(f"{prefix}-{i}", on_roll=True) for i in range(1, n + 1)]


def codes(problems: tuple[NominationProblem, ...]) -> list[str]:
    return [p.code for p in problems]


# --- joint nomination -----------------------------------------------------------------------------------------------


def test_ten_is_the_minimum() -> None:
    assert MIN_JOINT_NOMINATORS == 10


def test_nine_owners_are_refused() -> None:
    assert check_joint_nomination(CANDIDATE, owners(9)) == (
        NominationProblem("too_few_cosigners", {"valid": 9, "needed": 10}),
    )


def test_exactly_ten_owners_are_accepted() -> None:
    assert check_joint_nomination(CANDIDATE, owners(10)) == ()


def test_eleven_owners_are_accepted() -> None:
    assert check_joint_nomination(CANDIDATE, owners(11)) == ()


def test_no_cosigners_at_all() -> None:
    assert check_joint_nomination(CANDIDATE, []) == (
        NominationProblem("too_few_cosigners", {"valid": 0, "needed": 10}),
    )


def test_ten_lines_with_one_duplicate_names_the_line() -> None:
    lines = owners(9)
    lines.insert(4, lines[1])  # line 5 repeats line 2
    assert len(lines) == 10
    assert check_joint_nomination(CANDIDATE, lines) == (
        NominationProblem("duplicate_cosigner", {"line": 5}),
        NominationProblem("too_few_cosigners", {"valid": 9, "needed": 10}),
    )


def test_the_candidate_among_the_cosigners_does_not_count() -> None:
    lines = [*owners(9), Cosigner(CANDIDATE, on_roll=True)]
    assert check_joint_nomination(CANDIDATE, lines) == (
        NominationProblem("candidate_cosigns", {"line": 10}),
        NominationProblem("too_few_cosigners", {"valid": 9, "needed": 10}),
    )


def test_off_roll_lines_are_named_and_do_not_count() -> None:
    lines = owners(10)
    lines[2] = Cosigner("tenant-a", on_roll=False)
    lines[7] = Cosigner("tenant-b", on_roll=False)
    assert check_joint_nomination(CANDIDATE, lines) == (
        NominationProblem("cosigner_not_on_roll", {"line": 3}),
        NominationProblem("cosigner_not_on_roll", {"line": 8}),
        NominationProblem("too_few_cosigners", {"valid": 8, "needed": 10}),
    )


def test_a_stray_line_is_reported_even_when_ten_remain() -> None:
    """() only when the nomination stands as signed: ten valid owners plus one repeated line is still reported."""
    lines = [*owners(10), Cosigner("owner-3", on_roll=True)]
    assert check_joint_nomination(CANDIDATE, lines) == (NominationProblem("duplicate_cosigner", {"line": 11}),)


def test_a_repeated_candidate_line_is_reported_as_the_candidate_each_time() -> None:
    lines = [Cosigner(CANDIDATE, on_roll=True), *owners(10), Cosigner(CANDIDATE, on_roll=True)]
    assert codes(check_joint_nomination(CANDIDATE, lines)) == ["candidate_cosigns", "candidate_cosigns"]


def test_a_repeated_off_roll_line_is_reported_as_a_duplicate() -> None:
    tenant = Cosigner("tenant", on_roll=False)
    problems = check_joint_nomination(CANDIDATE, [*owners(10), tenant, tenant])
    assert problems == (
        NominationProblem("cosigner_not_on_roll", {"line": 11}),
        NominationProblem("duplicate_cosigner", {"line": 12}),
    )


#: a small pool of people, so that hypothesis draws duplicates, the candidate and off-roll people often
PEOPLE = [f"p{i}" for i in range(16)]
OFF_ROLL = frozenset({"p13", "p14", "p15"})


@given(
    candidate=st.sampled_from(PEOPLE),
    keys=st.lists(st.sampled_from(PEOPLE), max_size=20),
)
def test_valid_iff_ten_distinct_owners_on_the_roll_other_than_the_candidate(candidate: str, keys: list[str]) -> None:
    lines = [Cosigner(key, on_roll=key not in OFF_ROLL) for key in keys]
    problems = check_joint_nomination(candidate, lines)
    distinct = {key for key in keys if key != candidate and key not in OFF_ROLL}
    too_few = [p for p in problems if p.code == "too_few_cosigners"]
    assert bool(too_few) == (len(distinct) < 10)
    if too_few:
        assert too_few[0].args == {"valid": len(distinct), "needed": 10}
    # every other problem names exactly one line, and exactly the lines that are not a new owner on the roll
    seen: set[str] = set()
    bad_lines = []
    for line, key in enumerate(keys, start=1):
        if key == candidate or key in seen or key in OFF_ROLL:
            bad_lines.append(line)
        seen.add(key)
    assert [p.args["line"] for p in problems if p.code != "too_few_cosigners"] == bad_lines
    assert (problems == ()) == (len(distinct) >= 10 and not bad_lines)


# --- eligibility ----------------------------------------------------------------------------------------------------

UNITS = ("1幢1单元101",)
CLEAN = CandidateFacts(
    units=UNITS,
    roll_version=2,
    declaration_made=True,
    property_company_tie=False,
    birth_date=date(1962, 5, 17),
    checked_on=date(2026, 12, 9),
)
UNPAID = ArrearsDemand("property_fee", 123_456, date(2026, 6, 1))
PAID = ArrearsDemand("maintenance_fund", 50_000, date(2026, 3, 2), paid_on=date(2026, 4, 15))


def check(facts: CandidateFacts, code: str) -> Check:
    (found,) = [c for c in check_eligibility(facts) if c.code == code]
    return found


def replace(**changes: Any) -> CandidateFacts:
    return dataclasses.replace(CLEAN, **changes)


def test_clean_candidate_passes_every_check_in_order() -> None:
    checks = check_eligibility(CLEAN)
    assert [c.code for c in checks] == [
        "on_roll",
        "full_civil_capacity",
        "no_arrears_after_demand",
        "no_prohibited_act",
        "no_property_company_tie",
        "single",
    ]
    assert [c.outcome for c in checks] == ["pass"] * 6
    assert is_eligible(checks)


def test_on_roll_pass_shows_units_and_roll_version() -> None:
    found = check(replace(units=("1幢1单元101", "车位P-3")), "on_roll")
    assert found.outcome == "pass"
    assert found.evidence == {"units": ["1幢1单元101", "车位P-3"], "roll_version": 2}


def test_not_on_roll_fails() -> None:
    facts = replace(units=())
    found = check(facts, "on_roll")
    assert found.outcome == "fail"
    assert found.evidence == {"units": [], "roll_version": 2}
    assert not is_eligible(check_eligibility(facts))


def test_unpaid_demand_fails_with_its_date() -> None:
    facts = replace(demands=(UNPAID,))
    found = check(facts, "no_arrears_after_demand")
    assert found.outcome == "fail"
    assert found.evidence == {
        "applies": True,
        "unpaid": [{"kind": "property_fee", "amount_fen": 123_456, "demanded_on": "2026-06-01", "paid_on": None}],
        "paid": [],
    }
    assert not is_eligible(check_eligibility(facts))


def test_demand_paid_later_passes_and_is_listed_as_paid() -> None:
    facts = replace(demands=(PAID,))
    found = check(facts, "no_arrears_after_demand")
    assert found.outcome == "pass"
    assert found.evidence == {
        "applies": True,
        "unpaid": [],
        "paid": [
            {"kind": "maintenance_fund", "amount_fen": 50_000, "demanded_on": "2026-03-02", "paid_on": "2026-04-15"}
        ],
    }
    assert is_eligible(check_eligibility(facts))


def test_one_unpaid_among_paid_demands_fails() -> None:
    found = check(replace(demands=(PAID, UNPAID)), "no_arrears_after_demand")
    assert found.outcome == "fail"
    assert [d["demanded_on"] for d in found.evidence["unpaid"]] == ["2026-06-01"]  # type: ignore[attr-defined]
    assert [d["demanded_on"] for d in found.evidence["paid"]] == ["2026-03-02"]  # type: ignore[attr-defined]


def test_no_demand_passes() -> None:
    found = check(CLEAN, "no_arrears_after_demand")
    assert (found.outcome, found.evidence) == ("pass", {"applies": True, "unpaid": [], "paid": []})


def test_declaration_not_made_is_pending() -> None:
    facts = replace(declaration_made=False)
    found = check(facts, "no_prohibited_act")
    assert (found.outcome, found.evidence) == ("pending", {"declared_acts": []})
    assert not is_eligible(check_eligibility(facts))


def test_declared_act_fails_with_the_items() -> None:
    found = check(replace(declared_acts=(7, 2, 7)), "no_prohibited_act")
    assert (found.outcome, found.evidence) == ("fail", {"declared_acts": [2, 7]})


def test_declaration_without_acts_passes() -> None:
    found = check(CLEAN, "no_prohibited_act")
    assert (found.outcome, found.evidence) == ("pass", {"declared_acts": []})


@pytest.mark.parametrize("act", [0, 11, -1])
def test_an_act_outside_art_22_is_an_error(act: int) -> None:
    with pytest.raises(ValueError, match="Art 22"):
        check_eligibility(replace(declared_acts=(act,)))


@pytest.mark.parametrize(("tie", "outcome"), [(None, "pending"), (True, "fail"), (False, "pass")])
def test_property_company_tie(tie: bool | None, outcome: str) -> None:
    facts = replace(property_company_tie=tie)
    found = check(facts, "no_property_company_tie")
    assert (found.outcome, found.evidence) == (outcome, {"tie": tie})
    assert is_eligible(check_eligibility(facts)) == (outcome == "pass")


def test_earlier_nomination_fails_single_with_its_ids() -> None:
    facts = replace(other_nominations=(12, 5))
    found = check(facts, "single")
    assert (found.outcome, found.evidence) == ("fail", {"other_nominations": [5, 12]})
    assert not is_eligible(check_eligibility(facts))


def test_single_passes_without_other_nominations() -> None:
    found = check(CLEAN, "single")
    assert (found.outcome, found.evidence) == ("pass", {"other_nominations": []})


def test_a_pending_check_is_not_eligible() -> None:
    assert not is_eligible([Check("on_roll", "pass", {}), Check("no_property_company_tie", "pending", {})])
    assert is_eligible([Check("on_roll", "pass", {})])


@given(
    units=st.booleans(),
    unpaid=st.booleans(),
    declaration=st.booleans(),
    acts=st.lists(st.integers(min_value=1, max_value=10), max_size=3),
    tie=st.none() | st.booleans(),
    others=st.lists(st.integers(min_value=1, max_value=99), max_size=2),
    age=st.integers(min_value=16, max_value=90),
    guardianship=st.booleans(),
    arrears_bar=st.booleans(),
)
def test_eligible_iff_every_condition_holds(
    units: bool,
    unpaid: bool,
    declaration: bool,
    acts: list[int],
    tie: bool | None,
    others: list[int],
    age: int,
    guardianship: bool,
    arrears_bar: bool,
) -> None:
    facts = CandidateFacts(
        units=UNITS if units else (),
        roll_version=1,
        demands=(UNPAID,) if unpaid else (PAID,),
        declaration_made=declaration,
        declared_acts=tuple(acts),
        property_company_tie=tie,
        other_nominations=tuple(others),
        birth_date=date(2026 - age, 12, 9),
        checked_on=date(2026, 12, 9),
        under_guardianship=guardianship,
        arrears_bar=arrears_bar,
    )
    capable = age >= 18 and not guardianship
    barred = unpaid and arrears_bar
    expected = units and capable and not barred and declaration and not acts and tie is False and not others
    assert is_eligible(check_eligibility(facts)) == expected


# --- full civil capacity (Civil Code Arts 17–18, 21–24; DOMAIN §6) ---------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age", "outcome"),
    [
        (date(2008, 12, 9), date(2026, 12, 8), 17, "fail"),  # the day before the 18th birthday
        (date(2008, 12, 9), date(2026, 12, 9), 18, "pass"),  # on it
        (date(2008, 2, 29), date(2026, 2, 28), 17, "fail"),  # born on a leap day: not yet in a common year …
        (date(2008, 2, 29), date(2026, 3, 1), 18, "pass"),  # … until 1 March
        (date(2008, 2, 29), date(2028, 2, 29), 20, "pass"),
    ],
)
def test_full_civil_capacity_from_the_18th_birthday(born: date, on: date, age: int, outcome: str) -> None:
    found = check(replace(birth_date=born, checked_on=on), "full_civil_capacity")
    assert (found.outcome, found.evidence) == (outcome, {"age": age, "under_guardianship": False})


def test_under_guardianship_fails_whatever_the_age() -> None:
    facts = replace(under_guardianship=True)
    assert check(facts, "full_civil_capacity").outcome == "fail"
    assert not is_eligible(check_eligibility(facts))


def test_a_document_without_a_birth_date_waits_for_the_convener() -> None:
    assert check(replace(birth_date=None), "full_civil_capacity").outcome == "pending"


@given(born=st.dates(date(1900, 1, 1), date(2030, 12, 31)), on=st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_age_grows_by_one_on_each_birthday_and_never_goes_back(born: date, on: date) -> None:
    from datetime import timedelta

    from app.rules.candidates import age_on

    if on < born:
        return
    age = age_on(born, on)
    assert 0 <= age <= on.year - born.year
    later = on + timedelta(days=1)
    assert age_on(born, later) in (age, age + 1)


def test_arrears_bar_only_where_the_rules_of_procedure_say_so() -> None:
    barred = check(replace(demands=(UNPAID,)), "no_arrears_after_demand")
    free = check(replace(demands=(UNPAID,), arrears_bar=False), "no_arrears_after_demand")
    assert (barred.outcome, free.outcome) == ("fail", "pass")
    assert free.evidence["applies"] is False
    assert free.evidence["unpaid"]  # the demand is still shown
