"""The tally as a whole (DOMAIN §3, §4, §8): one voter one ballot, ballots found through any unit of the voter,
participation counting every returned ballot, and several matters counted on the same ballots."""

from __future__ import annotations

import pytest

from app.rules.elections import ElectionResult
from app.rules.model import Ballot, Election, Motion, Settings, UnitKind, UnitStatus
from app.rules.motions import MotionResult
from app.rules.tally import BallotError, tally
from app.rules.voters import build_voters
from tests.rules.builders import DEV, M2, uniform_roll, unit

UNITS = [
    unit("101", 90 * M2, {"A"}),
    unit("102", 80 * M2, {"A"}),
    unit("103", 100 * M2, {"A", "B"}),
    unit("104", 120 * M2, {DEV}, status=UnitStatus.UNSOLD),
    unit("105", 120 * M2, {DEV}, status=UnitStatus.UNDELIVERED),
    unit("P1", 12 * M2, {"C"}, kind=UnitKind.PARKING),
    unit("P2", 11 * M2, {"A"}, kind=UnitKind.PARKING),
]
MOTION = Motion("m", 2)


def _tally(ballots, settings=None):
    settings = settings or Settings()
    return tally(build_voters(UNITS, DEV, settings), [MOTION], ballots, settings)


def test_tally_docstring_example():
    """3 voters of 100.00 m²; 2 return ballots, both yes: 2 of 3 heads and 200.00 of 300.00 m² meet 2/3 exactly."""
    roll = uniform_roll(3)
    ballots = [Ballot(v.unit_ids[0], {"m": "yes"}) for v in roll.voters[:2]]
    result = tally(roll, [MOTION], ballots, Settings())
    assert (result.participation.heads, result.participation.area_centi) == (2, 200 * M2)
    assert result.participation.quorum_met
    assert [t.margin for t in result.participation.tests] == [0, 0]
    assert result.matters["m"].passed


@pytest.mark.parametrize(
    "unit_id",
    [
        pytest.param("101", id="an owner's ballot found through the first unit"),
        pytest.param("102", id="an owner's ballot found through the second unit"),
        pytest.param("P2", id="an owner's ballot found through a parking space"),
    ],
)
def test_a_voter_is_found_through_any_of_its_units(unit_id):
    result = _tally([Ballot(unit_id, {"m": "yes"})])
    assert (result.participation.heads, result.participation.area_centi) == (1, 181 * M2)  # 101, 102 and P2


@pytest.mark.parametrize(
    ("unit_ids", "settings"),
    [
        pytest.param(("101", "102"), Settings(), id="two ballots through two units of one owner"),
        pytest.param(("101", "101"), Settings(), id="two ballots through the same unit"),
        pytest.param(("104", "105"), Settings(), id="two ballots through two units of the developer"),
        pytest.param(("101", "P2"), Settings(), id="two ballots through an owner's flat and parking space"),
        pytest.param(
            ("P2", "102"),
            Settings(count_parking=False),
            id="two ballots through an owner's uncounted parking space and flat",
        ),
    ],
)
def test_two_ballots_of_one_voter_are_refused(unit_ids, settings):
    ballots = [Ballot("103", {"m": "no"}), *(Ballot(u, {"m": "yes"}) for u in unit_ids)]
    with pytest.raises(BallotError, match="two ballots of one voter") as caught:
        _tally(ballots, settings)
    assert caught.value.index == 2  # the place of the second ballot of that voter


@pytest.mark.parametrize(
    ("unit_id", "settings"),
    [
        pytest.param("999", Settings(), id="a ballot naming an unknown unit is refused"),
        pytest.param(
            "P1", Settings(count_parking=False), id="a ballot through the space of a parking-only owner is refused"
        ),
    ],
)
def test_a_ballot_naming_no_voter_is_refused(unit_id, settings):
    with pytest.raises(BallotError) as caught:
        _tally([Ballot("101", {"m": "yes"}), Ballot(unit_id, {"m": "yes"})], settings)
    assert caught.value.index == 1


@pytest.mark.parametrize(
    ("settings", "heads", "area"),
    [
        pytest.param(Settings(), 4, 533 * M2, id="with parking counted the space-only owner is a voter"),
        pytest.param(Settings(count_parking=False), 3, 510 * M2, id="with parking excluded it is not"),
    ],
)
def test_parking_setting_changes_the_totals(settings, heads, area):
    result = _tally([], settings)
    assert (result.roll.total_heads, result.roll.total_area_centi) == (heads, area)


def test_parking_space_votes_when_parking_counts():
    result = _tally([Ballot("P1", {"m": "yes"})])
    assert (result.participation.heads, result.participation.area_centi) == (1, 12 * M2)


def test_an_owner_may_vote_through_an_uncounted_parking_space():
    result = _tally([Ballot("P2", {"m": "yes"})], Settings(count_parking=False))
    assert (result.participation.heads, result.participation.area_centi) == (1, 170 * M2)  # A's flats, not P2


def test_a_ballot_with_no_choices_takes_part_and_is_blank_everywhere():
    ballots = [Ballot("101"), Ballot("103"), Ballot("104", {"m": "yes"})]
    result = _tally(ballots)
    assert result.participation.heads == 3
    motion = result.matters["m"]
    assert isinstance(motion, MotionResult)
    assert motion.counts["blank"].heads == 2
    assert not motion.passed


def test_participation_counts_every_returned_ballot_when_blanks_are_left_out():
    settings = Settings(blank_and_invalid_take_part=False)
    result = _tally([Ballot("101"), Ballot("103", {"m": "bad"}), Ballot("104", {"m": "yes"})], settings)
    assert (result.participation.heads, result.participation.area_centi) == (3, 521 * M2)
    assert result.participation.quorum_met
    motion = result.matters["m"]
    assert motion.failed_on == ("quorum_area", "quorum_heads")  # only the developer's yes takes part in m


def test_no_ballots_at_all():
    result = _tally([])
    assert (result.participation.heads, result.participation.area_centi) == (0, 0)
    assert not result.participation.quorum_met
    assert result.matters["m"].failed_on == ("quorum_area", "quorum_heads", "approval_area", "approval_heads")


def test_every_matter_is_counted_on_the_same_ballots():
    roll = uniform_roll(6)
    election = Election("e", 5, 2, ("x", "y"))
    matters = [Motion("m1", 2), Motion("m6", 6), election]
    given = [
        ("yes", "yes", ["x"]),
        ("yes", "yes", ["x", "y"]),
        ("yes", "yes", ["x"]),
        ("yes", "no", ["x"]),
        ("no", "no", []),
    ]
    ballots = [
        Ballot(v.unit_ids[0], {"m1": a, "m6": b, "e": c}) for v, (a, b, c) in zip(roll.voters, given, strict=False)
    ]
    result = tally(roll, matters, ballots, Settings())
    assert list(result.matters) == ["m1", "m6", "e"]
    assert result.matters["m1"].passed  # 4 of 5
    assert result.matters["m6"].failed_on == ("approval_area", "approval_heads")  # 3 of 5 is under 3/4
    elected = result.matters["e"]
    assert isinstance(elected, ElectionResult)
    assert (elected.members, elected.committee_formed) == (["x"], False)


def test_the_result_carries_its_settings_and_roll():
    settings = Settings(count_parking=False, rank_by=("area", "heads"), min_committee_members=3)
    result = _tally([], settings)
    assert result.settings is settings
    assert result.roll.total_heads == 3  # A, A and B, the developer: C holds only an uncounted space


def test_a_roll_without_voters_is_not_counted():
    """0 ≥ 3/4 · 0 holds arithmetically, but nobody cannot decide a matter: the engine refuses to count."""
    from app.rules.model import Motion, Settings
    from app.rules.tally import EmptyRollError, tally
    from app.rules.voters import build_voters

    empty = build_voters([], "DEV", Settings())
    with pytest.raises(EmptyRollError):
        tally(empty, [Motion("fund", 6)], [], Settings())
