"""Property-based tests (hypothesis) of the counting engine on small random communities: ballot order does not
matter, a yes never hurts, the answer counts add up to participation, election outcomes follow the ranking and its
boundaries, the merging rules hold, and the threshold arithmetic agrees with the cross-multiplied tests of
DOMAIN §4."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.rules.elections import ALTERNATE, MEMBER, NOT_ELECTED, TIE_UNRESOLVED, classify_election_answer
from app.rules.model import Ballot, Election, Motion, Settings, Unit, UnitKind, UnitStatus
from app.rules.motions import MotionResult
from app.rules.tally import MatterTotals, TallyResult, tally, tally_totals
from app.rules.thresholds import (
    ONE_HALF,
    THREE_QUARTERS,
    TWO_THIRDS,
    Comparison,
    Dimension,
    approval_tests,
    quorum_tests,
    run_test,
)
from app.rules.voters import VoterRoll, build_voters
from tests.rules.builders import election_by_heads

DEV = "DEV"
OWNERS = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", DEV)
CANDIDATES = ("c1", "c2", "c3", "c4", "c5", "c6")
PROPERTY = settings(max_examples=200, deadline=None, database=None)

#: owner sets drawn from a small pool, so that units merge: single owners, co-owners, the developer
OWNER_SETS = (
    [frozenset({a}) for a in OWNERS]
    + [frozenset({a, b}) for a, b in ("AB", "AC", "BC", "DE")]
    + [frozenset({DEV, "A"})]
)
KINDS_AND_STATUSES = (
    [(UnitKind.RESIDENCE, UnitStatus.DELIVERED)] * 6
    + [(UnitKind.COMMERCIAL, UnitStatus.DELIVERED), (UnitKind.OTHER, UnitStatus.DELIVERED)]
    + [(UnitKind.PARKING, UnitStatus.DELIVERED)] * 2
    + [(k, s) for k in (UnitKind.RESIDENCE, UnitKind.PARKING) for s in (UnitStatus.UNSOLD, UnitStatus.UNDELIVERED)]
)
MISSING = object()  #: the matter is not on the ballot at all
MOTION_ANSWERS = ("yes", "no", "abstain", None, MISSING, "YES", "maybe", 7, ["yes"])
EAGER_ANSWERS = ("yes",) * 12 + MOTION_ANSWERS  #: a motion most voters want, so that passes are common too
#: election answers besides the two orderly forms: a random valid list, invalid ones and blank ones
ODD_FORMS = ("random", "too_many", "duplicate", "unknown", "empty", "none", "bare")
#: "slate" ballots name one of a few lists shared by many voters, so that majorities are common. "rotation"
#: ballots name `seats` consecutive candidates, starting one further for each ballot: with more candidates than
#: seats (but fewer than twice as many) they all get a majority, close together, so ties at the boundaries happen
STYLES = [("slate",) * 40 + ODD_FORMS, ("rotation",) * 100 + ODD_FORMS, ("slate",) * 6 + ODD_FORMS]

rule_settings = st.builds(
    Settings,
    count_parking=st.booleans(),
    blank_and_invalid_take_part=st.booleans(),
    rank_by=st.sampled_from([("heads", "area"), ("area", "heads"), ("heads",), ("area",)]),
    min_committee_members=st.integers(min_value=1, max_value=7),
)


#: a unit's kind, status and owners as one choice
PROFILES = [(k, s, owners) for k, s in KINDS_AND_STATUSES for owners in OWNER_SETS]

#: 1 to 40 units (the count drawn first, as lists alone stay short): areas from 0.01 m² to 500.00 m², any kind
#: and status, owners from a small pool
unit_lists = (
    st.integers(min_value=1, max_value=40)
    .flatmap(
        lambda size: st.lists(
            st.tuples(st.integers(min_value=1, max_value=50_000), st.sampled_from(PROFILES)),
            min_size=size,
            max_size=size,
        )
    )
    .map(lambda rows: [Unit(f"U{i:02d}", area, k, s, owners) for i, (area, (k, s, owners)) in enumerate(rows)])
)


@dataclass(frozen=True)
class Scenario:
    settings: Settings
    roll: VoterRoll
    matters: tuple[Motion | Election, ...]
    ballots: tuple[Ballot, ...]
    outsiders: tuple[str, ...]  #: a unit of each voter who returned no ballot

    def count(self, ballots=None) -> TallyResult:
        return tally(self.roll, self.matters, self.ballots if ballots is None else ballots, self.settings)


def _election_answer(form: str, mask: int, slates: list[int], index: int, election: Election) -> object:
    names = election.candidates
    if form == "rotation":
        return [names[(index + i) % len(names)] for i in range(min(election.seats, len(names)))]
    if form == "slate":
        mask = slates[mask % len(slates)]
    chosen = [c for i, c in enumerate(election.candidates) if mask >> i & 1][: election.seats]
    if form in ("slate", "random"):
        return chosen
    if form == "too_many":
        return list(election.candidates) + ["zz"] * (election.seats + 1 - len(election.candidates))
    if form == "duplicate":
        return [election.candidates[0]] * 2
    if form == "unknown":
        return [*chosen[: election.seats - 1], "zz"]
    return {"empty": [], "none": None, "bare": election.candidates[0]}[form]


@st.composite
def scenarios(draw) -> Scenario:
    """A random community, its matters and the ballots returned."""
    rules = draw(rule_settings)
    # the contents of units and ballots come from one seeded generator: a draw or two per unit and several per
    # ballot would make the run several times slower. The sizes, the settings, the matters and who takes part
    # still shrink structurally, and a failing example is replayed exactly.
    rng = draw(st.randoms(use_true_random=True))
    size = draw(st.integers(min_value=1, max_value=40))
    units = [Unit(f"U{i:02d}", rng.randint(1, 50_000), *rng.choice(PROFILES)) for i in range(size)]
    roll = build_voters(units, DEV, rules)
    assume(roll.total_heads > 0)  # a roll without voters is refused (test_tally)
    motions = [
        Motion(f"m{i}", category)
        for i, category in enumerate(draw(st.lists(st.integers(1, 9), min_size=1, max_size=3)))
    ]
    seats = draw(st.sampled_from([1, 2, 3, 4, 5, 7]))  # the engine takes any number; small ones make ties likely
    # one candidate more than the seats, or almost twice as many, is where the boundaries are busiest
    busy = st.sampled_from([min(seats + 1, 6), min(2 * seats - 1, 6)])
    candidates = CANDIDATES[: draw(st.one_of(busy, st.integers(min_value=1, max_value=6)))]
    election = Election("e", seats, draw(st.integers(min_value=0, max_value=seats // 2)), candidates)
    slates = draw(st.lists(st.integers(min_value=0, max_value=2 ** len(candidates) - 1), min_size=1, max_size=4))
    # who returns a ballot: everybody, or each voter with a turnout probability
    turnout = draw(st.sampled_from([1.0, 0.9, 0.75, 0.5, 0.2]))
    returned = [turnout == 1.0 or rng.random() < turnout for _ in roll.voters]
    voters = [v for v, back in zip(roll.voters, returned, strict=True) if back]
    outsiders = tuple(v.unit_ids[0] for v, back in zip(roll.voters, returned, strict=True) if not back)
    moods = [draw(st.sampled_from([EAGER_ANSWERS, MOTION_ANSWERS])) for _ in motions]
    forms = draw(st.sampled_from(STYLES))
    ballots = []
    for index, voter in enumerate(voters):
        answers = [rng.choice(mood) for mood in moods]
        choices = {m.matter_id: a for m, a in zip(motions, answers, strict=True) if a is not MISSING}
        mask = rng.randrange(2 ** len(candidates))
        choices["e"] = _election_answer(rng.choice(forms), mask, slates, index, election)
        ballots.append(Ballot(rng.choice(voter.unit_ids), choices))
    return Scenario(rules, roll, (*motions, election), tuple(ballots), outsiders)


def _with_answer(ballots, index, matter_id, answer):
    changed = list(ballots)
    old = changed[index]
    changed[index] = Ballot(old.unit_id, {**old.choices, matter_id: answer})
    return changed


# --- order


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_ballot_order_does_not_matter(scenario, data):
    shuffled = data.draw(st.permutations(scenario.ballots))
    assert scenario.count(shuffled) == scenario.count()


@PROPERTY
@given(units=unit_lists, rules=rule_settings, data=st.data())
def test_unit_order_does_not_matter(units, rules, data):
    shuffled = data.draw(st.permutations(units))
    assert build_voters(shuffled, DEV, rules) == build_voters(units, DEV, rules)


# --- monotonicity


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_changing_an_answer_to_yes_never_turns_a_pass_into_a_fail(scenario, data):
    if not scenario.ballots:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(scenario.ballots) - 1))
    motion = data.draw(st.sampled_from([m for m in scenario.matters if isinstance(m, Motion)]))
    before = scenario.count().matters[motion.matter_id]
    after = scenario.count(_with_answer(scenario.ballots, index, motion.matter_id, "yes")).matters[motion.matter_id]
    assert not (before.passed and not after.passed)
    for old, new in zip(before.tests, after.tests, strict=True):
        assert new.met or not old.met  # no single test is lost either
    assert after.counts["yes"].heads >= before.counts["yes"].heads


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_a_new_ballot_saying_yes_never_turns_a_pass_into_a_fail(scenario, data):
    if not scenario.outsiders:
        return
    unit_id = data.draw(st.sampled_from(scenario.outsiders))
    motion = data.draw(st.sampled_from([m for m in scenario.matters if isinstance(m, Motion)]))
    before = scenario.count().matters[motion.matter_id]
    after = scenario.count([*scenario.ballots, Ballot(unit_id, {motion.matter_id: "yes"})]).matters[motion.matter_id]
    assert not (before.passed and not after.passed)


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_naming_a_candidate_never_unqualifies_that_candidate(scenario, data):
    """Adding c to a valid list with room left (or giving [c] instead of a blank or invalid answer)."""
    if not scenario.ballots:
        return
    election = scenario.matters[-1]
    assert isinstance(election, Election)
    index = data.draw(st.integers(min_value=0, max_value=len(scenario.ballots) - 1))
    candidate = data.draw(st.sampled_from(election.candidates))
    kind, names = classify_election_answer(scenario.ballots[index].choices.get("e"), election)
    if kind != "valid":
        names = ()
    if candidate in names or len(names) >= election.seats:
        return
    before = scenario.count().matters["e"]
    after = scenario.count(_with_answer(scenario.ballots, index, "e", [*names, candidate])).matters["e"]
    old = next(c for c in before.candidates if c.candidate_id == candidate)
    new = next(c for c in after.candidates if c.candidate_id == candidate)
    assert new.qualified or not old.qualified
    assert new.yes.heads == old.yes.heads + 1
    others_before = {c.candidate_id: c.yes for c in before.candidates if c.candidate_id != candidate}
    others_after = {c.candidate_id: c.yes for c in after.candidates if c.candidate_id != candidate}
    assert others_before == others_after


# --- counts add up


@PROPERTY
@given(scenario=scenarios())
def test_answer_counts_sum_to_participation_in_both_dimensions(scenario):
    result = scenario.count()
    assert result.participation.heads == len(scenario.ballots)
    for matter in scenario.matters:
        counted = result.matters[matter.matter_id]
        assert sum(w.heads for w in counted.counts.values()) == result.participation.heads
        assert sum(w.area_centi for w in counted.counts.values()) == result.participation.area_centi
        if isinstance(counted, MotionResult):
            kinds = ("yes", "no", "abstain", "blank", "invalid")
            taking_part_always = ("yes", "no", "abstain")
        else:
            kinds = ("valid", "blank", "invalid")
            taking_part_always = ("valid",)
        assert tuple(counted.counts) == kinds
        in_matter = kinds if scenario.settings.blank_and_invalid_take_part else taking_part_always
        heads = sum(counted.counts[k].heads for k in in_matter)
        area = sum(counted.counts[k].area_centi for k in in_matter)
        quorum_area, quorum_heads = counted.tests[:2]
        assert (quorum_area.value, quorum_heads.value) == (area, heads)
        assert (quorum_area.total, quorum_heads.total) == (scenario.roll.total_area_centi, scenario.roll.total_heads)
        if isinstance(counted, MotionResult):
            approval_area, approval_heads = counted.tests[2:]
            assert (approval_area.total, approval_heads.total) == (area, heads)
            assert counted.passed == all(t.met for t in counted.tests)
            assert counted.failed_on == tuple(t.name for t in counted.tests if not t.met)
        else:
            for candidate in counted.candidates:
                assert (candidate.tests[0].total, candidate.tests[1].total) == (area, heads)


@PROPERTY
@given(scenario=scenarios())
def test_counting_from_the_totals_decides_as_counting_the_ballots(scenario):
    """The encrypted count (issue 17) decrypts totals only: deciding from them gives the same result in every
    matter as counting the ballots, ties and lots included."""
    from app.rules.motions import Weight

    seed = "ab" * 32
    counted = tally(scenario.roll, scenario.matters, scenario.ballots, scenario.settings, seed)
    totals = {
        matter_id: MatterTotals(
            result.counts,
            {c.candidate_id: c.yes for c in result.candidates} if not isinstance(result, MotionResult) else None,
        )
        for matter_id, result in counted.matters.items()
    }
    returned = Weight(counted.participation.area_centi, counted.participation.heads)
    assert tally_totals(scenario.roll, scenario.matters, returned, totals, scenario.settings, seed) == counted


# --- elections


def _expected_outcome(ahead: int, through: int, seats: int, last: int) -> str:
    """DOMAIN §5 as places: `ahead` candidates rank strictly higher, `through` rank higher or equal."""
    if ahead < seats < through or ahead < last < through:
        return TIE_UNRESOLVED  # an equal group that straddles the last seat or the last alternate place
    if through <= seats:
        return MEMBER
    if through <= last:
        return ALTERNATE
    return NOT_ELECTED


@PROPERTY
@given(scenario=scenarios())
def test_election_outcomes_follow_the_ranking_and_the_boundaries(scenario):
    election = scenario.matters[-1]
    result = scenario.count().matters["e"]
    keys = {
        c.candidate_id: tuple(c.yes.heads if k == "heads" else c.yes.area_centi for k in scenario.settings.rank_by)
        for c in result.candidates
    }
    qualified = [c for c in result.candidates if c.qualified]
    assert [c.candidate_id for c in result.candidates[: len(qualified)]] == [c.candidate_id for c in qualified]
    assert sorted(c.candidate_id for c in result.candidates) == sorted(election.candidates)
    if not result.quorum_met:
        assert qualified == []
    last = election.seats + election.max_alternates
    for c in result.candidates:
        if not c.qualified:
            assert (c.rank, c.outcome) == (None, NOT_ELECTED)
            assert not (result.quorum_met and all(t.met for t in c.tests))
            continue
        assert all(t.met for t in c.tests)
        ahead = sum(1 for q in qualified if keys[q.candidate_id] > keys[c.candidate_id])
        through = sum(1 for q in qualified if keys[q.candidate_id] >= keys[c.candidate_id])
        assert c.rank == ahead + 1
        assert c.outcome == _expected_outcome(ahead, through, election.seats, last)
    assert len(result.members) <= election.seats
    assert len(result.members) + len(result.alternates) <= last
    assert all(len(group) >= 2 for group in result.unresolved_ties)
    assert result.runoff_needed == any(c.outcome == TIE_UNRESOLVED for c in result.candidates)
    definite = len(result.members)
    assert result.committee_formed == (
        definite >= scenario.settings.min_committee_members and 2 * definite > election.seats
    )


@PROPERTY
@given(
    seats=st.sampled_from([5, 7]),
    data=st.data(),
    heads=st.lists(st.sampled_from([51, 52, 53, 54]), min_size=1, max_size=8),
)
def test_ties_at_every_boundary_on_random_vote_counts(seats, data, heads):
    """100 voters of equal area; each candidate named by 51 to 54 of them, so equal counts (ties) are common."""
    max_alternates = data.draw(st.integers(min_value=0, max_value=seats // 2))
    names = [f"c{i}" for i in range(len(heads))]
    result = election_by_heads(dict(zip(names, heads, strict=True)), seats, max_alternates, voters=100)
    last = seats + max_alternates
    named = dict(zip(names, heads, strict=True))
    for candidate in result.candidates:
        count = candidate.yes.heads
        assert count == named[candidate.candidate_id]
        ahead = sum(1 for h in heads if h > count)
        through = sum(1 for h in heads if h >= count)
        assert candidate.qualified
        assert candidate.rank == ahead + 1
        assert candidate.outcome == _expected_outcome(ahead, through, seats, last)
    levels = sorted(set(heads), reverse=True)
    # each equal group in ballot order (never in the order of ids)
    groups = {level: [n for n, h in zip(names, heads, strict=True) if h == level] for level in levels}
    places = {level: (sum(1 for h in heads if h > level), sum(1 for h in heads if h >= level)) for level in levels}
    straddling = [groups[lv] for lv in levels if _expected_outcome(*places[lv], seats, last) == TIE_UNRESOLVED]
    ordering = [
        groups[lv] for lv in levels if len(groups[lv]) > 1 and _expected_outcome(*places[lv], seats, last) == ALTERNATE
    ]  # a tie among alternates decides who fills the next vacancy: settled the same way (DOMAIN §5)
    contested = [g for g in groups.values() if g in straddling or g in ordering]
    assert result.unresolved_ties == contested
    assert result.runoff_needed == bool(contested)


# --- merging


def _developers(unit: Unit) -> bool:
    """Unsold, undelivered, or registered to the developer alone: the developer's voter."""
    return unit.status in (UnitStatus.UNSOLD, UnitStatus.UNDELIVERED) or unit.owners == frozenset({DEV})


@PROPERTY
@given(units=unit_lists, rules=rule_settings)
def test_merging_rules_hold_for_random_rolls(units, rules):
    roll = build_voters(units, DEV, rules)
    counted = [u for u in units if rules.count_parking or u.kind != UnitKind.PARKING]
    developers = [u for u in counted if _developers(u)]
    owner_sets = {u.owners for u in counted if u not in developers}
    assert sum(v.area_centi for v in roll.voters) == sum(u.area_centi for u in counted) == roll.total_area_centi
    assert roll.total_heads == len(roll.voters) == len(owner_sets) + (1 if developers else 0)
    assert roll.developer_unit_count == len(developers)
    listed = Counter(unit_id for v in roll.voters for unit_id in v.unit_ids)
    assert listed == Counter(u.unit_id for u in counted)  # every counted unit in exactly one voter
    # a unit that does not count still names the voter of its owner set (or the developer's), if there is one
    voter_of = {v.owners: v.voter_id for v in roll.voters}
    key_of = {u.unit_id: (frozenset({DEV}) if u in developers or _developers(u) else u.owners) for u in units}
    extra = {
        u.unit_id: voter_of[key_of[u.unit_id]] for u in units if u not in counted and key_of[u.unit_id] in voter_of
    }
    assert roll.voter_by_unit == {**{u: roll.voter_by_unit[u] for u in listed}, **extra}
    assert set(roll.voter_by_unit) == set(listed) | set(extra)
    by_id = {u.unit_id: u for u in units}
    for voter in roll.voters:
        assert voter.voter_id == min(voter.unit_ids)
        assert all(roll.voter_by_unit[u] == voter.voter_id for u in voter.unit_ids)
        assert voter.area_centi == sum(by_id[u].area_centi for u in voter.unit_ids)
        if voter.is_developer:
            assert {by_id[u].unit_id for u in voter.unit_ids} == {u.unit_id for u in developers}
        else:
            assert all(by_id[u].owners == voter.owners for u in voter.unit_ids)
            assert all(by_id[u] not in developers for u in voter.unit_ids)
    assert sum(1 for v in roll.voters if v.is_developer) == (1 if developers else 0)


# --- threshold arithmetic

FRACTIONS = st.sampled_from([TWO_THIRDS, ONE_HALF, THREE_QUARTERS])
COMPARISONS = st.sampled_from(list(Comparison))
AMOUNTS = st.integers(min_value=0, max_value=10**10)


@PROPERTY
@given(value=AMOUNTS, total=AMOUNTS, fraction=FRACTIONS, comparison=COMPARISONS)
def test_run_test_agrees_with_fraction_arithmetic(value, total, fraction, comparison):
    test = run_test("t", Dimension.AREA, value, total, fraction, comparison)
    bound = Fraction(total) * fraction
    assert test.met == (value >= bound if comparison == Comparison.AT_LEAST else value > bound)
    smallest = test.smallest_meeting
    assert smallest >= 0
    assert run_test("t", Dimension.AREA, smallest, total, fraction, comparison).met
    if smallest > 0:
        assert not run_test("t", Dimension.AREA, smallest - 1, total, fraction, comparison).met
    assert test.margin == abs(value - smallest)


@PROPERTY
@given(part=AMOUNTS, total=AMOUNTS, yes=AMOUNTS)
def test_wrappers_agree_with_the_cross_multiplied_tests_of_domain_4(part, total, yes):
    area_test, heads_test = quorum_tests(part, part, total, total)
    assert area_test.met == heads_test.met == (3 * part >= 2 * total)
    half_area, half_heads = approval_tests(yes, yes, part, part, three_quarters=False)
    assert half_area.met == half_heads.met == (2 * yes > part)
    most_area, most_heads = approval_tests(yes, yes, part, part, three_quarters=True)
    assert most_area.met == most_heads.met == (4 * yes >= 3 * part)
