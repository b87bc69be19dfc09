"""What a counted result decides (app/rules/outcome.py; DOMAIN §7, Shaoxing Art 16)."""

from __future__ import annotations

from typing import Any

import pytest

from app.rules.outcome import outcome

MATTERS = [
    {"id": "1", "type": "motion", "category": 1},
    {"id": "2", "type": "motion", "category": 2},
    {"id": "3", "type": "election", "category": 3},
]


def results(rules: bool, covenant: bool, formed: bool) -> dict[str, Any]:
    return {
        "1": {"passed": rules},
        "2": {"passed": covenant},
        "3": {"committee_formed": formed, "runoff_needed": False},
    }


@pytest.mark.parametrize(
    ("rules", "covenant", "formed", "established", "governance"),
    [
        (True, True, True, True, "committee"),
        (True, True, False, True, "established"),
        (True, False, True, False, "preparing"),  # a committee elected, but no assembly: not a committee
        (False, True, False, False, "preparing"),
    ],
)
def test_the_assembly_needs_both_the_rules_and_the_covenant(
    rules: bool, covenant: bool, formed: bool, established: bool, governance: str
) -> None:
    decided = outcome(MATTERS, results(rules, covenant, formed))
    assert decided.assembly_established is established
    assert decided.committee_formed is formed  # as counted: a later meeting's caller knows the assembly exists
    assert decided.governance == governance


def test_a_later_meeting_without_the_rules_and_covenant_reports_its_election() -> None:
    election_only = [{"id": "3", "type": "election", "category": 3}]
    decided = outcome(election_only, {"3": {"committee_formed": True, "runoff_needed": False}})
    assert (decided.assembly_established, decided.committee_formed) == (False, True)


def test_an_election_pending_its_run_off_is_reported_as_such_not_as_failed() -> None:
    """DOMAIN §5: four definite members and a tie for the fifth seat: pending, with the assembly established."""
    decided = outcome(
        MATTERS,
        {
            **results(True, True, False),
            "3": {"committee_formed": False, "runoff_needed": True, "committee_pending": True},
        },
    )
    document = decided.document()
    assert (document["assembly_established"], document["committee_formed"]) == (True, False)
    assert (document["runoff_needed"], document["committee_pending"]) == (True, True)
