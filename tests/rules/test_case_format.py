"""JSON tally cases (`gongjue.tally-case/1`) through read_case, count_case and result_document: whole cases
counted end to end, and the mistakes a person can make in a case named by their place."""

from __future__ import annotations

import copy
import json

import pytest

from app.rules.case_format import CASE_FORMAT, RESULT_FORMAT, CaseError, count_case, read_case, result_document
from app.rules.model import Settings, UnitStatus

SMALL = {
    "format": CASE_FORMAT,
    "settings": {"count_parking": True, "blank_and_invalid_take_part": True, "rank_by": ["heads", "area"]},
    "developer": "DEV",
    "units": [
        {"unit": "1-1-101", "area": "89.50", "kind": "residence", "status": "delivered", "owners": ["P001"]},
        {"unit": "1-1-102", "area": "120.00", "kind": "residence", "status": "unsold", "owners": ["DEV"]},
    ],
    "matters": [
        {"id": "m1", "type": "motion", "category": 2},
        {
            "id": "e1",
            "type": "election",
            "category": 3,
            "seats": 5,
            "max_alternates": 2,
            "candidates": ["c1", "c2", "c3", "c4", "c5", "c6", "c7"],
        },
    ],
    "ballots": [{"unit": "1-1-101", "choices": {"m1": "yes", "e1": ["c1", "c2"]}}],
}


def _count(raw):
    # a case goes through JSON text, as it does for an offline recount
    return result_document(count_case(read_case(json.loads(json.dumps(raw)))))


def _residence(unit_id, area, owners, status="delivered", kind="residence"):
    return {"unit": unit_id, "area": area, "kind": kind, "status": status, "owners": owners}


def test_the_small_example_case():
    document = _count(SMALL)
    assert document["format"] == RESULT_FORMAT
    assert document["totals"] == {"area": "209.50", "heads": 2}
    assert document["roll"] == {"voters": 2, "developer_units": 1, "owners_of_several_units": 0, "co_owned_voters": 0}
    assert document["participation"]["quorum_met"] is False
    assert [t["margin"] for t in document["participation"]["tests"]] == ["50.17", 1]
    assert document["matters"]["m1"]["failed_on"] == ["quorum_area", "quorum_heads"]
    election = document["matters"]["e1"]
    assert (election["quorum_met"], election["members"], election["committee_formed"]) == (False, [], False)
    assert [c["rank"] for c in election["candidates"]] == [None] * 7


def test_the_five_unit_roll():
    """A (101, 102) votes yes through 102, A and B (103) vote no, the developer (104, 105 unsold) does not vote."""
    raw = {
        "format": CASE_FORMAT,
        "developer": "DEV",
        "units": [
            _residence("101", "90.00", ["A"]),
            _residence("102", "80.00", ["A"]),
            _residence("103", "100.00", ["A", "B"]),
            _residence("104", "120.00", [], status="unsold"),
            _residence("105", "120.00", [], status="unsold"),
        ],
        "matters": [{"id": "m1", "type": "motion", "category": 4}],
        "ballots": [{"unit": "102", "choices": {"m1": "yes"}}, {"unit": "103", "choices": {"m1": "no"}}],
    }
    document = _count(raw)
    assert document["totals"] == {"area": "510.00", "heads": 3}
    assert document["roll"] == {"voters": 3, "developer_units": 2, "owners_of_several_units": 1, "co_owned_voters": 1}
    participation = document["participation"]
    assert (participation["area"], participation["heads"], participation["quorum_met"]) == ("270.00", 2, False)
    motion = document["matters"]["m1"]
    # heads quorum 2 of 3 is exactly 2/3: met, margin 0; area 270.00 of 510.00 needs 340.00: 70.00 short;
    # yes 170.00 of 270.00 m² is over half by 34.99; 1 of 2 heads is exactly half: fails, 1 more needed
    assert [(t["name"], t["met"], t["margin"]) for t in motion["tests"]] == [
        ("quorum_area", False, "70.00"),
        ("quorum_heads", True, 0),
        ("approval_area", True, "34.99"),
        ("approval_heads", False, 1),
    ]
    assert motion["failed_on"] == ["quorum_area", "approval_heads"]


def test_the_margin_example_9000_of_12345_67():
    """At least 2/3 of 12,345.67 m² is 8,230.45 m², so 9,000.00 m² meets it with 769.55 m² to spare."""
    raw = {
        "format": CASE_FORMAT,
        "developer": "DEV",
        "units": [
            _residence("1", "8999.99", ["A"]),
            _residence("2", "0.01", ["C"]),
            _residence("3", "3345.67", ["B"]),
        ],
        "matters": [{"id": "m", "type": "motion", "category": 2}],
        "ballots": [{"unit": "1", "choices": {"m": "yes"}}, {"unit": "2", "choices": {"m": "no"}}],
    }
    document = _count(raw)
    assert document["totals"] == {"area": "12345.67", "heads": 3}
    area_test, heads_test = document["participation"]["tests"]
    assert area_test == {
        "name": "quorum_area",
        "value": "9000.00",
        "of": "12345.67",
        "required": "2/3",
        "comparison": "at_least",
        "met": True,
        "margin": "769.55",
    }
    assert (heads_test["value"], heads_test["of"], heads_test["met"], heads_test["margin"]) == (2, 3, True, 0)
    motion = document["matters"]["m"]
    assert motion["passed"] is False
    assert motion["failed_on"] == ["approval_heads"]  # 1 of 2 heads is only half, though 8999.99 m² is most area
    assert motion["yes"] == {"area": "8999.99", "heads": 1}


def test_a_community_with_parking_excluded_co_owners_and_a_tie_among_members():
    candidates = ["a", "b", "c", "d", "e", "f", "g"]
    units = [_residence(f"{i:03d}", "100.00", [f"O{i}"]) for i in range(1, 9)]
    units += [
        _residence("101", "50.00", ["O1"]),  # O1's second flat: O1 is one voter of 150.00 m²
        _residence("201", "70.00", ["O2", "O9"]),  # co-owned: a voter of its own
        _residence("P01", "12.00", ["O3"], kind="parking"),  # not counted
        _residence("P02", "12.00", ["O10"], kind="parking"),  # a parking-only owner: no voter
        _residence("901", "80.00", [], status="unsold"),  # no owners listed: the developer's
    ]
    ballots = [
        {"unit": "001", "choices": {"m": "yes", "e": ["a", "b", "c", "d", "e"]}},
        {"unit": "002", "choices": {"m": "no", "e": ["a", "b", "c", "d", "f"]}},
        {"unit": "003", "choices": {"m": "no", "e": ["a", "b", "c", "e", "f"]}},
        {"unit": "004", "choices": {"m": "no", "e": ["a", "b", "d", "e", "f"]}},
        {"unit": "005", "choices": {"m": "no", "e": ["a", "c", "d", "e", "f"]}},
        {"unit": "006", "choices": {"m": "no", "e": ["a", "b", "c", "d", "g"]}},
        {"unit": "201", "choices": {"m": "yes", "e": ["g", "b", "c", "d"]}},
        {"unit": "901", "choices": {"m": "yes", "e": ["a", "b", "c", "d", "e", "f"]}},  # six names: invalid
    ]
    raw = {
        "format": CASE_FORMAT,
        "settings": {"count_parking": False, "min_committee_members": 3},
        "developer": "DEV",
        "units": units,
        "matters": [
            {"id": "m", "type": "motion", "category": 2},
            {"id": "e", "type": "election", "category": 3, "seats": 5, "max_alternates": 1, "candidates": candidates},
        ],
        "ballots": ballots,
    }
    document = _count(raw)
    assert document["totals"] == {"area": "1000.00", "heads": 10}
    assert document["roll"] == {"voters": 10, "developer_units": 1, "owners_of_several_units": 1, "co_owned_voters": 1}
    assert document["participation"] == {
        "area": "800.00",
        "heads": 8,
        "quorum_met": True,
        "tests": document["participation"]["tests"],
    }
    motion = document["matters"]["m"]
    # yes: O1 150.00 + O2&O9 70.00 + DEV 80.00 = 300.00 of 800.00 m², 3 of 8 heads
    assert (motion["passed"], motion["failed_on"]) == (False, ["approval_area", "approval_heads"])
    election = document["matters"]["e"]
    assert election["ballots"]["invalid"] == {"area": "80.00", "heads": 1}
    heads = {c["id"]: c["heads"] for c in election["candidates"]}
    assert heads == {"a": 6, "b": 6, "c": 6, "d": 6, "e": 4, "f": 4, "g": 2}
    outcomes = {c["id"]: c["outcome"] for c in election["candidates"]}
    assert outcomes == {
        "a": "member",  # 6 heads, 550.00 m² (O1's 150.00 among them)
        "b": "member",
        "c": "member",
        "d": "member",
        "e": "not_elected",  # 4 of 8 heads is only half
        "f": "not_elected",
        "g": "not_elected",
    }
    # a: 650.00 m²; b, c and d: 6 heads and 620.00 m² each, tied inside the seats, so no run-off is needed
    assert [(c["id"], c["rank"]) for c in election["candidates"][:4]] == [("a", 1), ("b", 2), ("c", 2), ("d", 2)]
    assert [c["area"] for c in election["candidates"][:4]] == ["650.00", "620.00", "620.00", "620.00"]
    # 4 definite members meet the minimum of 3 and fill more than half of 5 seats
    assert (election["committee_formed"], election["runoff_needed"]) == (True, False)


def test_read_case_converts_units_and_settings():
    case = read_case(copy.deepcopy(SMALL))
    assert case.settings == Settings()
    assert case.developer == "DEV"
    assert [(u.unit_id, u.area_centi, u.status) for u in case.units] == [
        ("1-1-101", 8950, UnitStatus.DELIVERED),
        ("1-1-102", 12000, UnitStatus.UNSOLD),
    ]
    assert case.ballots[0].choices == {"m1": "yes", "e1": ["c1", "c2"]}


def test_an_unsold_unit_without_owners_is_the_developers():
    raw = copy.deepcopy(SMALL)
    raw["units"][1]["owners"] = []
    assert read_case(raw).units[1].owners == frozenset({"DEV"})


def _broken(path, value):
    raw = copy.deepcopy(SMALL)
    target = raw
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        pytest.param(_broken(["format"], "gongjue.tally-case/2"), "format", id="another format is refused"),
        pytest.param(_broken(["developer"], ""), "developer", id="an empty developer is refused"),
        pytest.param(_broken(["units", 0, "area"], "1.234"), "units[0].area", id="three decimals are refused"),
        pytest.param(_broken(["units", 0, "area"], "-1"), "units[0].area", id="a negative area is refused"),
        pytest.param(_broken(["units", 0, "area"], "0"), "units[0].area", id="a zero area is refused"),
        pytest.param(_broken(["units", 0, "area"], "1e3"), "units[0].area", id="exponent notation is refused"),
        pytest.param(_broken(["units", 0, "area"], 89.5), "units[0].area", id="an area as a JSON number is refused"),
        pytest.param(_broken(["units", 1, "kind"], "garage"), "units[1].kind", id="an unknown kind is refused"),
        pytest.param(_broken(["units", 1, "status"], "sold"), "units[1].status", id="an unknown status is refused"),
        pytest.param(_broken(["units", 0, "owners"], []), "units[0].owners", id="a delivered unit needs owners"),
        pytest.param(_broken(["units", 1, "unit"], "1-1-101"), "units[1].unit", id="a unit listed twice is refused"),
        pytest.param(_broken(["matters", 0, "category"], 10), "matters[0].category", id="category 10 is refused"),
        pytest.param(_broken(["matters", 0, "type"], "poll"), "matters[0].type", id="an unknown matter type"),
        pytest.param(_broken(["matters", 1, "id"], "m1"), "matters", id="a matter id used twice is refused"),
        pytest.param(_broken(["matters", 1, "category"], 2), "matters[1].category", id="an election is category 3"),
        pytest.param(_broken(["matters", 1, "seats"], 6), "matters[1].seats", id="an even number of seats"),
        pytest.param(_broken(["matters", 1, "seats"], 3), "matters[1].seats", id="fewer than 5 seats"),
        pytest.param(_broken(["matters", 1, "seats"], 13), "matters[1].seats", id="more than 11 seats"),
        pytest.param(
            _broken(["matters", 1, "max_alternates"], 3),
            "matters[1].max_alternates",
            id="more alternates than half the seats",
        ),
        pytest.param(
            _broken(["matters", 1, "candidates"], ["c1", "c1"]), "matters[1].candidates", id="a candidate twice"
        ),
        pytest.param(_broken(["ballots", 0, "unit"], "9-9-999"), "ballots[0].unit", id="a ballot for no unit"),
        pytest.param(
            _broken(["ballots", 0, "choices"], {"m9": "yes"}), "ballots[0].choices", id="a ballot on no matter"
        ),
        pytest.param(_broken(["settings", "colour"], "red"), "settings", id="an unknown setting is refused"),
        pytest.param(_broken(["settings", "rank_by"], ["votes"]), "settings.rank_by", id="an unknown ranking key"),
        pytest.param(_broken(["settings", "rank_by"], []), "settings.rank_by", id="no ranking key"),
        pytest.param(
            _broken(["settings", "count_parking"], "yes"), "settings.count_parking", id="a setting that is no flag"
        ),
        pytest.param(
            _broken(["settings", "min_committee_members"], 0),
            "settings.min_committee_members",
            id="a minimum of zero members",
        ),
    ],
)
def test_read_case_names_the_place_of_a_mistake(raw, where):
    with pytest.raises(CaseError) as caught:
        read_case(raw)
    assert str(caught.value).startswith(f"{where}：")


def test_two_ballots_of_one_voter_in_a_case_is_a_case_error():
    raw = copy.deepcopy(SMALL)
    raw["units"].append(_residence("1-1-103", "60.00", ["P001"]))
    raw["ballots"].append({"unit": "1-1-103", "choices": {"m1": "no"}})
    case = read_case(raw)
    with pytest.raises(CaseError, match="two ballots of one voter") as caught:
        count_case(case)
    assert str(caught.value).startswith("ballots[1]：")


def test_a_ballot_for_the_uncounted_space_of_a_parking_only_owner_is_a_case_error():
    raw = copy.deepcopy(SMALL)
    raw["settings"]["count_parking"] = False
    raw["units"].append(_residence("P1", "12.00", ["P002"], kind="parking"))
    raw["ballots"].append({"unit": "P1", "choices": {"m1": "no"}})
    with pytest.raises(CaseError) as caught:
        count_case(read_case(raw))
    assert str(caught.value).startswith("ballots[1]：")


def test_a_roll_with_no_counting_unit_is_a_case_error():
    raw = copy.deepcopy(SMALL)
    raw["settings"]["count_parking"] = False
    raw["units"] = [_residence("P1", "12.00", ["P002"], kind="parking")]
    raw["ballots"] = []
    with pytest.raises(CaseError) as caught:
        count_case(read_case(raw))
    assert str(caught.value).startswith("units：")


def test_a_by_election_may_have_any_number_of_seats_from_1() -> None:
    from app.rules.case_format import read_matter
    from app.rules.model import Election

    matter = read_matter(
        {"id": "b", "type": "election", "category": 3, "seats": 2, "candidates": ["x", "y", "z"], "by_election": True},
        "matters[0]",
    )
    assert isinstance(matter, Election)
    assert (matter.seats, matter.by_election) == (2, True)
    with pytest.raises(CaseError):
        read_matter({"id": "c", "type": "election", "category": 3, "seats": 2, "candidates": []}, "matters[0]")
