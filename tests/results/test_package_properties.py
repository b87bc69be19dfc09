"""Properties of build_body (hypothesis) on small random meetings.

- The tally in the body equals an independent recount: the same voters and ballots written as a tally case
  (docs/tally-format.md: one delivered unit per voter, the developer's unsold unit) and counted by
  `gongjue tally`'s path (read_case → build_voters → tally → result_document).
- The body does not depend on the order of its inputs: voters, ballots, the keys of a ballot's choices and the
  names on an election ballot may come in any order and give the same roots, the same tally, the same bytes.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.results.package import DEVELOPER, LedgerBallot, build_body, merkle_root
from app.results.verify import passed, verify_package
from app.rules.case_format import CASE_FORMAT, count_case, read_case, result_document
from app.rules.model import Settings
from crypto.canonical import canonical_json
from tests.results.builders import CANDIDATES, COMMUNITY, LABELS, MATTERS, MEETING, pseudonym, sign_counted

PROPERTY = settings(max_examples=60, deadline=None, database=None)
MOTION_ANSWERS = st.sampled_from(["yes", "yes", "yes", "no", "abstain", None, "同意", "YES"])
ELECTION_ANSWERS = st.one_of(
    st.lists(st.sampled_from(CANDIDATES), max_size=6, unique=True),
    st.just([]),
    st.lists(st.sampled_from([*CANDIDATES, "nobody"]), max_size=7),
)
rule_settings = st.builds(
    Settings,
    blank_and_invalid_take_part=st.booleans(),
    rank_by=st.sampled_from([("heads", "area"), ("area", "heads"), ("heads",), ("area",)]),
    min_committee_members=st.integers(1, 7),
)


@st.composite
def meetings(draw: st.DrawFn) -> tuple[list[tuple[str, int]], list[LedgerBallot], Settings]:
    n = draw(st.integers(1, 14))
    voters = [(pseudonym(i), draw(st.integers(1, 30000))) for i in range(n)]
    if draw(st.booleans()):
        voters.append((DEVELOPER, draw(st.integers(1, 90000))))
    ballots = []
    for index, (voter, _) in enumerate(voters):
        if not draw(st.booleans()):
            continue
        choices: dict[str, Any] = {}
        for matter in MATTERS:
            if matter.matter_id == "committee":
                choices["committee"] = draw(ELECTION_ANSWERS)
            elif (answer := draw(MOTION_ANSWERS)) is not None:
                choices[matter.matter_id] = answer
        channel = draw(st.sampled_from(["phone", "paper", "proxy"]))
        receipt = draw(st.binary(min_size=32, max_size=32)).hex() + f"{index:04d}"
        ballots.append(LedgerBallot(receipt, voter, channel, f"2026-06-01T09:{index % 60:02d}:00+08:00", choices))
    return voters, ballots, draw(rule_settings)


def body(voters: list[tuple[str, int]], ballots: list[LedgerBallot], rules: Settings) -> dict[str, Any]:
    return build_body(
        community=COMMUNITY,
        meeting=MEETING,
        settings=rules,
        matters=list(MATTERS),
        labels=LABELS,
        voters=voters,
        ballots=ballots,
    )


def area(centi: int) -> str:
    return f"{centi // 100}.{centi % 100:02d}"


def as_tally_case(package: dict[str, Any]) -> dict[str, Any]:
    """The package's roll and ledger as a tally case: one unit per voter, named by the voter id."""
    units = [
        {
            "unit": entry["voter"],
            "area": entry["area"],
            "kind": "residence",
            "status": "unsold" if entry["voter"] == DEVELOPER else "delivered",
            "owners": [] if entry["voter"] == DEVELOPER else [entry["voter"]],
        }
        for entry in package["roll"]["voters"]
    ]
    return {
        "format": CASE_FORMAT,
        "settings": package["settings"],
        "developer": "建设单位",
        "units": units,
        "matters": package["matters"],
        "ballots": [{"unit": b["voter"], "choices": b["choices"]} for b in package["ledger"]["ballots"]],
    }


@PROPERTY
@given(meetings())
def test_the_tally_in_the_body_equals_an_independent_recount(meeting: tuple[Any, ...]) -> None:
    voters, ballots, rules = meeting
    package = body(voters, ballots, rules)
    recounted = result_document(count_case(read_case(as_tally_case(package))))
    recounted.pop("roll")
    assert package["tally"] == recounted
    assert passed(verify_package(sign_counted(package)))


@PROPERTY
@given(meetings(), st.randoms(use_true_random=False))
def test_the_body_does_not_depend_on_the_order_of_its_inputs(meeting: tuple[Any, ...], rng: random.Random) -> None:
    voters, ballots, rules = meeting
    package = body(voters, ballots, rules)

    def shuffled(items: list[Any]) -> list[Any]:
        copy = list(items)
        rng.shuffle(copy)
        return copy

    reordered = [
        LedgerBallot(
            b.receipt,
            b.voter,
            b.channel,
            b.cast_at,
            {
                key: shuffled(value) if isinstance(value, list) else value
                for key, value in shuffled(list(b.choices.items()))
            },
        )
        for b in shuffled(ballots)
    ]
    again = body(shuffled(voters), reordered, rules)
    assert again["roll"]["root"] == package["roll"]["root"]
    assert again["ledger"]["root"] == package["ledger"]["root"]
    assert again["tally"] == package["tally"]
    assert canonical_json(again) == canonical_json(package)


@PROPERTY
@given(meetings())
def test_the_roots_are_the_rfc9162_roots_of_the_published_lists_in_their_published_order(
    meeting: tuple[Any, ...],
) -> None:
    voters, ballots, rules = meeting
    package = body(voters, ballots, rules)
    roll, ledger = package["roll"]["voters"], package["ledger"]["ballots"]
    assert [entry["voter"] for entry in roll] == sorted(voter for voter, _ in voters)
    assert [entry["receipt"] for entry in ledger] == sorted(b.receipt for b in ballots)
    assert {entry["voter"]: entry["area"] for entry in roll} == {voter: area(centi) for voter, centi in voters}
    assert package["roll"]["root"] == merkle_root(roll)
    assert package["ledger"]["root"] == merkle_root(ledger)
