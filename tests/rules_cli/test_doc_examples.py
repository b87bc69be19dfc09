"""The documented examples are what the engine counts, and what the rules say.

- every docs/examples/X.case.json counts to exactly the committed X.result.json;
- every committed result agrees with an independent recount written here from DOMAIN §3–§5 (integer
  arithmetic on the case file, sharing no code with app/rules), so a committed result cannot be wrong in the
  same way as the engine;
- every ```json block of docs/tally-format.md that is a case is a valid case, and every result block there is
  the count of the case block before it.

No app, no database: the engine is called in-process, as `gongjue tally` calls it.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from app.rules.case_format import CASE_FORMAT, RESULT_FORMAT, count_case, read_case, result_document

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
DOC = ROOT / "docs" / "tally-format.md"
CASES = sorted(EXAMPLES.glob("*.case.json"))


def _no_floats(text: str) -> Any:
    raise ValueError(f"a number with a fraction: {text}")


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8-sig"), parse_float=_no_floats)


def recount(case: Any) -> dict[str, Any]:
    return result_document(count_case(read_case(case)))


def test_the_examples_are_there():
    names = {path.name for path in CASES}
    assert {"small.case.json", "community.case.json", "office-blank-excluded.case.json"} <= names
    results = {path.name.removesuffix(".result.json") for path in EXAMPLES.glob("*.result.json")}
    assert results == {name.removesuffix(".case.json") for name in names}, "every case has its result, and back"


@pytest.mark.parametrize("case_path", CASES, ids=lambda path: path.name)
def test_example_counts_to_its_committed_result(case_path):
    expected = load(case_path.with_name(case_path.name.replace(".case.json", ".result.json")))
    assert recount(load(case_path)) == expected


@pytest.mark.parametrize("case_path", CASES, ids=lambda path: path.name)
def test_the_doc_explains_every_example(case_path):
    assert f"examples/{case_path.name}" in DOC.read_text(encoding="utf-8")


# --- an independent recount of the committed results, straight from DOMAIN §3–§5 ---------------------------


def centi(area: str) -> int:
    value = Decimal(area)
    assert value == value.quantize(Decimal("0.01")), area
    assert value > 0, area
    return int(value * 100)


def smallest_meeting(total: int, required: str, comparison: str) -> int:
    """The least integer that meets the test: ⌈f·T⌉ for at least, ⌊f·T⌋ + 1 for more than."""
    fraction = Fraction(required)
    if comparison == "at_least":
        return -((-fraction.numerator * total) // fraction.denominator)
    return (fraction.numerator * total) // fraction.denominator + 1


def check_test(test: dict[str, Any], value: int, total: int, required: str, comparison: str) -> None:
    """One threshold test as DOMAIN §4 writes it: 3·P ≥ 2·T, 4·Y ≥ 3·P, 2·Y > P; margin in whole units."""
    area = test["name"].endswith("_area")
    shown = (lambda v: f"{v // 100}.{v % 100:02d}") if area else (lambda v: v)
    assert (test["value"], test["of"], test["required"], test["comparison"]) == (
        shown(value),
        shown(total),
        required,
        comparison,
    ), test["name"]
    p, q = Fraction(required).numerator, Fraction(required).denominator
    met = q * value >= p * total if comparison == "at_least" else q * value > p * total
    assert test["met"] is met, test
    assert test["margin"] == shown(abs(value - smallest_meeting(total, required, comparison))), test


def voters_of(case: dict[str, Any]) -> tuple[dict[str, frozenset[str]], dict[frozenset[str], int]]:
    """unit → voter key, voter key → area (0.01 m²); the developer's unsold/undelivered units are one voter."""
    settings = case.get("settings", {})
    developer = frozenset({case["developer"]})
    key_of: dict[str, frozenset[str]] = {}
    area: dict[frozenset[str], int] = {}
    for unit in case["units"]:
        if unit["kind"] == "parking" and not settings.get("count_parking", True):
            continue
        owners = frozenset(unit["owners"])
        key = developer if unit["status"] != "delivered" or owners == developer else owners
        key_of[unit["unit"]] = key
        area[key] = area.get(key, 0) + centi(unit["area"])
    return key_of, area


def motion_kind(answer: Any) -> str:
    return answer if answer in ("yes", "no", "abstain") else "blank" if answer is None else "invalid"


def marks(matter: dict[str, Any]) -> int:
    """How many a ballot may mark: the seats; the alternates' list its places; a run-off the seats it contests, else
    its alternate places, else one (only the alternates' order is in question)."""
    if "runoff" in matter:
        seats, places = matter["runoff"]["member_places"], matter["runoff"]["alternate_places"]
        return seats or (places if places < len(matter["candidates"]) else 1)
    return int(matter["seats"] or matter["max_alternates"])


def runoff_places(matter: dict[str, Any], got: dict[str, Any], weights: dict[str, tuple[bool, ...]], met: bool) -> None:
    """A run-off as docs/tally-format.md "Run-offs" says: ordered by (qualified, keys), seats to the qualified, the
    alternate places to the rest in order; equal candidates whose order matters, or no quorum, settle nothing."""
    runoff = matter["runoff"]
    seats, places = runoff["member_places"], runoff["alternate_places"]
    order = sorted(matter["candidates"], key=lambda n: weights[n], reverse=True)
    if not met:
        assert got["settled"] is None
        assert {c["outcome"] for c in got["candidates"]} == {"tie_unresolved"}
        return
    winners = [n for n in order if weights[n][0]][:seats]
    others = [n for n in order if n not in winners]
    places += seats - len(winners)  # a seat nobody qualified for is a place every tied candidate was sure of
    outcome = dict.fromkeys(winners, "member") | {
        n: "alternate" if i < places else "not_elected" for i, n in enumerate(others)
    }
    tied = any(
        len(group) > 1 and (len({outcome[n] for n in group}) > 1 or "alternate" in {outcome[n] for n in group})
        for group in ([n for n in order if weights[n] == w] for w in set(weights.values()))
    )
    stood = dict(zip(matter["candidates"], runoff["stood_as"], strict=True))
    if tied:
        assert got["settled"] is None
        return
    assert got["settled"] == {
        "members": [stood[n] for n in winners],
        "alternates": [stood[n] for n in others if outcome[n] == "alternate"],
    }
    assert {c["id"]: c["outcome"] for c in got["candidates"]} == outcome


def election_names(answer: Any, matter: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    if answer is None or answer == []:
        return "blank", ()
    if (
        isinstance(answer, list)
        and all(isinstance(name, str) for name in answer)
        and len(answer) <= marks(matter)
        and len(set(answer)) == len(answer)
        and set(answer) <= set(matter["candidates"])
    ):
        return "valid", tuple(answer)
    return "invalid", ()


def weight(voters: list[frozenset[str]], area: dict[frozenset[str], int]) -> dict[str, Any]:
    total = sum(area[v] for v in voters)
    return {"area": f"{total // 100}.{total % 100:02d}", "heads": len(voters)}


def independent_recount_agrees(case: dict[str, Any], result: dict[str, Any]) -> None:
    settings = case.get("settings", {})
    take_part_always = settings.get("blank_and_invalid_take_part", True)
    rank_by = settings.get("rank_by", ["heads", "area"])
    min_members = settings.get("min_committee_members", 5)
    key_of, area = voters_of(case)
    total_area, total_heads = sum(area.values()), len(area)
    assert result["format"] == RESULT_FORMAT
    assert result["totals"] == weight(list(area), area)

    returned = [(key_of[ballot["unit"]], ballot.get("choices", {})) for ballot in case.get("ballots", [])]
    assert len({voter for voter, _ in returned}) == len(returned), "one voter, one ballot"
    participants = [voter for voter, _ in returned]
    assert {k: result["participation"][k] for k in ("area", "heads")} == weight(participants, area)
    p_area = sum(area[v] for v in participants)
    quorum = result["participation"]["tests"]
    check_test(quorum[0], p_area, total_area, "2/3", "at_least")
    check_test(quorum[1], len(participants), total_heads, "2/3", "at_least")

    for matter in case.get("matters", []):
        got = result["matters"][matter["id"]]
        if matter["type"] == "motion":
            groups: dict[str, list[frozenset[str]]] = {k: [] for k in ("yes", "no", "abstain", "blank", "invalid")}
            for voter, choices in returned:
                groups[motion_kind(choices.get(matter["id"]))].append(voter)
            for kind, members in groups.items():
                assert got[kind] == weight(members, area), (matter["id"], kind)
            taking = [v for k, vs in groups.items() for v in vs if take_part_always or k not in ("blank", "invalid")]
        else:
            groups = {"valid": [], "blank": [], "invalid": []}
            yes: dict[str, list[frozenset[str]]] = {c: [] for c in matter["candidates"]}
            for voter, choices in returned:
                kind, names = election_names(choices.get(matter["id"]), matter)
                groups[kind].append(voter)
                for name in names:
                    yes[name].append(voter)
            assert got["ballots"] == {k: weight(vs, area) for k, vs in groups.items()}
            taking = [v for k, vs in groups.items() for v in vs if take_part_always or k == "valid"]
        t_area = sum(area[v] for v in taking)
        quorum = got["tests"][:2]
        check_test(quorum[0], t_area, total_area, "2/3", "at_least")
        check_test(quorum[1], len(taking), total_heads, "2/3", "at_least")
        quorum_met = 3 * t_area >= 2 * total_area and 3 * len(taking) >= 2 * total_heads

        if matter["type"] == "motion":
            three_quarters = matter["category"] in (6, 7, 8)
            required, comparison = ("3/4", "at_least") if three_quarters else ("1/2", "more_than")
            assert got["threshold"] == ("three_quarters" if three_quarters else "more_than_half")
            y_area = sum(area[v] for v in groups["yes"])
            check_test(got["tests"][2], y_area, t_area, required, comparison)
            check_test(got["tests"][3], len(groups["yes"]), len(taking), required, comparison)
            assert got["passed"] is all(t["met"] for t in got["tests"])
            assert got["failed_on"] == [t["name"] for t in got["tests"] if not t["met"]]
            continue

        by_id = {c["id"]: c for c in got["candidates"]}
        assert sorted(by_id) == sorted(matter["candidates"])
        assert got.get("list") == matter.get("list")
        keys: dict[str, tuple[int, ...]] = {}
        weights: dict[str, tuple[bool, ...]] = {}
        for name, voters in yes.items():
            c_area = sum(area[v] for v in voters)
            candidate = by_id[name]
            assert {"area": candidate["area"], "heads": candidate["heads"]} == weight(voters, area), name
            check_test(candidate["tests"][0], c_area, t_area, "1/2", "more_than")
            check_test(candidate["tests"][1], len(voters), len(taking), "1/2", "more_than")
            qualified = quorum_met and 2 * c_area > t_area and 2 * len(voters) > len(taking)
            assert candidate["qualified"] is qualified, name
            ranked = tuple(len(voters) if key == "heads" else c_area for key in rank_by)
            weights[name] = (qualified, *ranked)
            if qualified:
                keys[name] = ranked
        if "runoff" in matter:
            runoff_places(matter, got, weights, quorum_met)
            continue
        # places: a group of equal keys at places [start, end) is member / alternate / not elected, or unresolved
        # when a boundary (seats, seats + alternates) falls strictly inside it
        seats, last = matter["seats"], matter["seats"] + matter["max_alternates"]
        expected: dict[str, tuple[int | None, str]] = {}
        contested: list[list[str]] = []  # groups the run-off settles, in ballot order (DOMAIN §5)
        contested_seats = 0
        for value in sorted(set(keys.values()), reverse=True):
            group = [name for name in matter["candidates"] if keys.get(name) == value]
            start = sum(1 for key in keys.values() if key > value)
            end = start + len(group)
            deciding = start < seats < end or start < last < end
            ordering = len(group) > 1 and seats <= start and end <= last  # who fills the next vacancy
            if (deciding or ordering) and settings.get("tie_rule") == "lots":
                # the documented draw: SHA-256 of "gongjue.lots/1|seed|matter|position", lowest first
                position = {name: i for i, name in enumerate(matter["candidates"], start=1)}
                seed = case["lots_seed"]
                drawn = sorted(
                    group,
                    key=lambda n: hashlib.sha256(
                        f"gongjue.lots/1|{seed}|{matter['id']}|{position[n]}".encode()
                    ).hexdigest(),
                )
                for offset, name in enumerate(drawn):
                    place = start + offset
                    outcome = "member" if place < seats else "alternate" if place < last else "not_elected"
                    expected[name] = (start + 1, outcome)
                continue
            if deciding:
                outcome = "tie_unresolved"
                contested.append(group)
                contested_seats += max(0, min(end, seats) - start)
            else:
                outcome = "member" if end <= seats else "alternate" if end <= last else "not_elected"
                if ordering:
                    contested.append(group)  # their order decides who fills the next vacancy
            expected.update({name: (start + 1, outcome) for name in group})
        for name in matter["candidates"]:
            assert (by_id[name]["rank"], by_id[name]["outcome"]) == expected.get(name, (None, "not_elected")), name
        members = [name for name in by_id if expected.get(name, (0, ""))[1] == "member"]
        alternates = [name for name in by_id if expected.get(name, (0, ""))[1] == "alternate"]
        assert (sorted(got["members"]), sorted(got["alternates"])) == (sorted(members), sorted(alternates))
        formed = len(members) >= min_members and 2 * len(members) > seats
        possible = len(members) + contested_seats
        assert got["committee_formed"] is formed
        assert got["committee_pending"] is (
            not formed and contested_seats > 0 and possible >= min_members and 2 * possible > seats
        )
        assert got["unresolved_ties"] == contested
        assert got["runoff_needed"] is bool(contested)


@pytest.mark.parametrize("case_path", CASES, ids=lambda path: path.name)
def test_committed_result_agrees_with_an_independent_recount(case_path):
    result_path = case_path.with_name(case_path.name.replace(".case.json", ".result.json"))
    independent_recount_agrees(load(case_path), load(result_path))


def test_the_independent_recount_catches_a_wrong_number():
    case = load(EXAMPLES / "community.case.json")
    result = load(EXAMPLES / "community.result.json")
    result["matters"]["fund-raise"]["tests"][3]["margin"] = 0
    with pytest.raises(AssertionError):
        independent_recount_agrees(case, result)


def test_the_community_example_says_what_the_doc_says():
    """The outcomes docs/tally-format.md explains, by name, so that a change of the example shows in review."""
    result = load(EXAMPLES / "community.result.json")
    assert result["totals"] == {"area": "1275.80", "heads": 9}
    assert result["roll"] == {"voters": 9, "developer_units": 3, "owners_of_several_units": 2, "co_owned_voters": 1}
    assert result["matters"]["covenant"]["passed"] is True
    assert result["matters"]["covenant"]["invalid"] == {"area": "89.50", "heads": 1}
    fund = result["matters"]["fund-raise"]
    assert (fund["threshold"], fund["passed"], fund["failed_on"]) == ("three_quarters", False, ["approval_heads"])
    committee = result["matters"]["committee"]
    assert committee["members"] == ["王芳", "李强", "张敏", "刘洋"]
    assert committee["alternates"] == ["黄丽"]
    assert committee["unresolved_ties"] == [["陈静", "杨帆"]]  # in ballot order
    assert (committee["committee_formed"], committee["committee_pending"], committee["runoff_needed"]) == (
        False,
        True,
        True,
    )


def test_the_office_examples_differ_only_in_the_setting():
    excluded = load(EXAMPLES / "office-blank-excluded.case.json")
    counted = load(EXAMPLES / "office-blank-counted.case.json")
    assert excluded["settings"] == {"blank_and_invalid_take_part": False}
    assert {**excluded, "settings": {"blank_and_invalid_take_part": True}} == counted
    margin = load(EXAMPLES / "office-blank-excluded.result.json")["participation"]["tests"][0]
    assert (margin["value"], margin["of"], margin["met"], margin["margin"]) == ("9000.00", "12345.67", True, "769.55")
    outcomes = [
        (m["x1"]["passed"], m["x2"]["failed_on"], m["committee"]["committee_formed"])
        for m in (load(EXAMPLES / f"office-blank-{kind}.result.json")["matters"] for kind in ("excluded", "counted"))
    ]
    assert outcomes == [(True, ["quorum_area"], True), (False, ["approval_area", "approval_heads"], False)]


# --- the snippets in docs/tally-format.md ----------------------------------------------------------------------

JSON_BLOCK = re.compile(r"^```json\n(.*?)^```", re.DOTALL | re.MULTILINE)


def doc_blocks() -> list[Any]:
    return [json.loads(block, parse_float=_no_floats) for block in JSON_BLOCK.findall(DOC.read_text("utf-8"))]


def test_the_doc_has_case_and_result_snippets():
    formats = [block.get("format") for block in doc_blocks() if isinstance(block, dict)]
    assert CASE_FORMAT in formats
    assert RESULT_FORMAT in formats


def test_every_case_snippet_in_the_doc_is_a_valid_case():
    cases = [block for block in doc_blocks() if isinstance(block, dict) and block.get("format") == CASE_FORMAT]
    for case in cases:
        read_case(case)  # raises CaseError naming the place when the doc is wrong


def test_every_result_snippet_is_the_count_of_the_case_before_it():
    previous_case = None
    checked = 0
    for block in doc_blocks():
        if isinstance(block, dict) and block.get("format") == CASE_FORMAT:
            previous_case = block
        elif isinstance(block, dict) and block.get("format") == RESULT_FORMAT:
            assert previous_case is not None, "a result snippet needs a case snippet before it"
            assert recount(previous_case) == block
            independent_recount_agrees(previous_case, block)
            checked += 1
    assert checked >= 1


def test_the_doc_quotes_the_engine_margin_example():
    """docs/tally-format.md and app/rules/thresholds.py both use 12,345.67 m² → 8,230.45 → margin 769.55."""
    text = DOC.read_text("utf-8")
    assert "8,230.45" in text
    assert "769.55" in text
    assert smallest_meeting(1234567, "2/3", "at_least") == 823045
    assert 900000 - 823045 == 76955


def test_the_runoff_example_completes_the_community_examples_committee():
    """community.case.json's election waits for its run-off; community-runoff.case.json settles it (DOMAIN §5)."""
    from app.rules.completion import complete_committee

    election = {**load(EXAMPLES / "community.result.json")["matters"]["committee"], "id": "committee"}
    runoff = load(EXAMPLES / "community-runoff.result.json")["matters"]["runoff-5"]
    assert runoff["settled"] == {"members": ["杨帆"], "alternates": ["陈静"]}
    waiting = complete_committee([election], {}, 5)
    assert (waiting.formed, waiting.runoff_pending) == (False, True)
    done = complete_committee([election], {("committee", 5): runoff}, 5)
    assert done.members == ["王芳", "李强", "张敏", "刘洋", "杨帆"]
    assert done.alternates == ["陈静", "黄丽"]
    assert done.formed


def test_the_lists_example_gives_members_from_one_part_and_alternates_from_the_other():
    from app.rules.completion import complete_committee

    result = load(EXAMPLES / "community-lists.result.json")["matters"]
    parts = [{**result["members"], "id": "members"}, {**result["alternates"], "id": "alternates"}]
    committee = complete_committee(parts, {}, 5)
    assert committee.members == ["李强", "陈静", "张敏", "王芳", "刘洋"]
    assert committee.alternates == ["黄丽", "赵磊"]
    assert result["members"]["ballots"]["invalid"]["heads"] == 1
    assert result["alternates"]["ballots"]["invalid"]["heads"] == 1
