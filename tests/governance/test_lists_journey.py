"""Separate lists through the pipeline (issue 15 item 2; DOMAIN §5): the rules elect members and alternates on
separate lists, so each nomination names its list; the election is two parts of the ballot, each counted on its own;
the committee takes its members from the members' part and its alternates from the alternates' part."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.demo.candidates import approved_list, owners_on_roll
from app.governance import bodies, convening
from app.preparation import candidates
from app.roll.services import today
from tests.governance.pipeline import hold
from tests.governance.test_runoff_journey import pmc_with_chair
from tests.preparation.helpers import refused


def test_separate_lists_are_two_parts_and_make_one_committee(app: object, monkeypatch: pytest.MonkeyPatch) -> None:
    community, official, _pmc, chair = pmc_with_chair(monkeypatch, "lists-chair")
    meeting = convening.convene(community, "选举业主委员会", date(2026, 12, 1), date(2026, 12, 8), chair.id)
    meeting.settings = {**meeting.settings, "alternates_list": "separate"}  # the rules of procedure's choice

    # a nomination must name its list
    (name, id_number) = owners_on_roll(community, 20, 1)[0]
    error = refused(
        candidates.nominate,
        meeting,
        name=name,
        id_number=id_number,
        route="self",
        nominated_on=today(),
        user_id=chair.id,
    )
    assert (error.code, error.field) == ("choose_list", "stands_for")

    statements = [f"陈述{i}" for i in range(8)]
    listed = approved_list(meeting, statements, today(), start=10, lists=["members"] * 5 + ["alternates"] * 3)
    assert [c.stands_for for c in listed] == ["members"] * 5 + ["alternates"] * 3
    convening.add_election(meeting, 5, 2, chair.id)
    members_part, alternates_part = (m for m in meeting.matters if m.kind == "election")
    assert (members_part.list_part, members_part.seats, members_part.max_alternates, members_part.marks) == (
        "members",
        5,
        0,
        5,
    )
    assert (alternates_part.list_part, alternates_part.seats, alternates_part.max_alternates) == ("alternates", 0, 2)
    assert [c.name for c in alternates_part.candidates] == [c.name for c in listed[5:]]

    m = [c.id for c in members_part.candidates]
    x = [c.id for c in alternates_part.candidates]

    # every owner marks the five members; the alternates' part: 6 in 10 mark x0 and x1, the rest x1 and x2 (the
    # phone refuses a third mark; a paper ballot with three is invalid on that part only: tests/rules)
    def ballot(number: int) -> dict[str, list[int]]:
        part = [x[0], x[1]] if number % 10 < 6 else [x[1], x[2]]
        return {str(members_part.id): m, str(alternates_part.id): part}

    result = hold(meeting, chair, official, ballot, monkeypatch)
    tally = json.loads(result.package)["tally"]["matters"]
    assert tally[str(alternates_part.id)]["list"] == "alternates"
    assert tally[str(members_part.id)]["members"] == [str(i) for i in m]
    assert community.governance == "committee"
    committee = bodies.in_office(community)
    assert committee is not None
    assert committee.seats == 5
    assert [s.name for s in bodies.serving(committee)] == [c.name for c in members_part.candidates]
    names = {c.id: c.name for c in alternates_part.candidates}
    assert [s.name for s in bodies.serving(committee, "alternate")] == [names[x[1]], names[x[0]]]
