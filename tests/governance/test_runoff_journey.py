"""A tie for the fifth of five seats, through the pipeline (issue 15, done when; DOMAIN §5): the certified election
waits for its run-off (the community in "runoff", the four winners kept); the property management committee convenes
the run-off among the two tied candidates, announces and holds it; its certified result forms the committee with
the run-off's winner as fifth member and the loser as first alternate. Services only; the browser journey is
tests/browser/test_runoff.py."""

from __future__ import annotations

from datetime import date

import pytest

from app.auth.models import User
from app.communities.models import Community
from app.governance import acting, bodies, convening, decisions, runoffs
from app.governance.body_models import GoverningBody
from app.roll.services import today
from tests.factories import gen_community, gen_official, gen_township
from tests.governance.pipeline import body_account, hold
from tests.governance.test_journey import _elect, _second_first_meeting_without_a_committee
from tests.preparation.helpers import gen_preparation, refused


def pmc_with_chair(monkeypatch: pytest.MonkeyPatch, username: str) -> tuple[Community, User, GoverningBody, User]:
    """A community whose assembly is established without a committee, its group converted into a property management
    committee, and the account of that committee's chair."""
    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    gen_preparation(community, official, with_candidates=False)
    _second_first_meeting_without_a_committee(community, official, monkeypatch)
    pmc = decisions.decide_conversion(community, True, "组织选举业主委员会", today(), official.id)
    assert pmc is not None
    return community, official, pmc, body_account(community, pmc, username)


def test_a_tie_for_the_fifth_seat_waits_for_its_runoff_which_forms_the_committee(
    app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    community, official, pmc, chair = pmc_with_chair(monkeypatch, "runoff-chair")
    election_meeting = convening.convene(community, "选举业主委员会", date(2026, 12, 1), date(2026, 12, 8), chair.id)
    p = _elect(election_meeting, chair, official, start=10)  # six candidates, 5 seats and 1 alternate
    matter = next(m for m in election_meeting.matters if m.kind == "election")
    groups = ([p[0], p[1], p[2], p[3]], [p[0], p[1], p[2], p[4], p[5]], [p[0], p[1], p[3], p[4], p[5]])
    # 4 in 10 owners mark the first four, 3 in 10 each the others with p4 and p5 together: p4 and p5 tie exactly
    election = hold(
        election_meeting,
        chair,
        official,
        lambda n: {str(matter.id): groups[0 if n % 10 < 4 else 1 if n % 10 < 7 else 2]},
        monkeypatch,
    )
    assert election.outcome["committee_pending"]
    assert not election.outcome["committee_formed"]
    assert community.governance == "runoff"
    assert election.outcome["governance"] == "runoff"
    assert bodies.in_office(community) == pmc  # the property management committee acts on while the run-off waits
    (tie,) = runoffs.committee_of(election).pending
    assert (tie["decides"], tie["member_places"], tie["alternate_places"]) == ("seat", 1, 1)
    # the property management committee still convenes its other meetings meanwhile
    other = convening.convene(community, "审议公共收益使用", date(2027, 2, 1), date(2027, 2, 8), chair.id)
    assert other.body_id == pmc.id

    # the run-off: the two tied candidates only, for the fifth seat; convened by the election's convener
    runoff = runoffs.convene_runoff(election, "另行选举第五名委员", date(2027, 2, 1), date(2027, 2, 8), chair.id)
    assert runoff.body_id == pmc.id
    assert runoff.settings["runoff_of"] == election.id
    (contest,) = runoff.matters
    assert [c.name for c in contest.candidates] == [c.name for c in matter.candidates if c.id in (p[4], p[5])]
    assert (contest.seats, contest.max_alternates, contest.marks) == (1, 1, 1)
    # convened again before it opened (a wrong window): the draft is replaced, never doubled
    runoff = runoffs.convene_runoff(
        election, "另行选举第五名委员（改期）", date(2027, 2, 2), date(2027, 2, 9), chair.id
    )
    assert [m.title for m in runoffs.runoff_meetings(election)] == ["另行选举第五名委员（改期）"]
    (contest,) = runoff.matters
    second, first = contest.candidates[1], contest.candidates[0]  # 7 in 10 for the second
    done = hold(
        runoff, chair, official, lambda n: {str(contest.id): [(first if n % 10 < 3 else second).id]}, monkeypatch
    )
    assert done.status == "certified"
    assert done.outcome["governance"] == "runoff_result"

    assert community.governance == "committee"
    committee = bodies.in_office(community)
    assert committee is not None
    assert committee.kind == "committee"
    assert committee.result_id == election.id
    names = {c.id: c.name for c in matter.candidates}
    members = [m.name for m in bodies.serving(committee)]
    assert sorted(members[:4]) == sorted(names[i] for i in p[:4])
    assert members[4] == second.name
    assert [m.name for m in bodies.serving(committee, "alternate")] == [first.name]
    assert committee.elected_on == bodies.election_day(runoff)
    assert runoffs.committee_of(election).pending == ()
    assert refused(runoffs.convene_runoff, election, "又一次", date(2027, 3, 1), date(2027, 3, 8), chair.id).code == (
        "no_runoff_due"
    )


def test_a_later_meeting_and_a_runoff_say_what_they_decide_not_that_the_assembly_failed() -> None:
    """A meeting of an established assembly has no rules or covenant on its agenda: its result never says "the
    assembly is not established" (app.rules.outcome)."""
    from app.rules.outcome import outcome

    election = {"id": "3", "type": "election", "category": 3}
    tally = {"3": {"committee_formed": False, "committee_pending": False, "runoff_needed": False}}
    assert outcome([election], tally).governance == "preparing"  # a first meeting without its rules
    assert outcome([election], tally, "later").governance == "unchanged"
    formed = {"3": {**tally["3"], "committee_formed": True}}
    assert outcome([election], formed, "later").governance == "committee"
    pending = {"3": {**tally["3"], "committee_pending": True, "runoff_needed": True}}
    assert outcome([election], pending, "later").governance == "runoff"
    runoff = {"id": "9", "type": "election", "category": 3, "runoff": {}}
    assert outcome([runoff], {"9": tally["3"]}, "runoff").governance == "runoff_result"


def test_alternates_tied_for_their_order_take_their_ranks_from_the_runoff(
    app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five clear members and two alternates tied on every key: the committee is formed at once, the two alternates
    share a rank (neither fills a vacancy first); their run-off (one mark per ballot) gives them their order in the
    committee in office (`bodies.apply_runoff`)."""
    from tests.governance.pipeline import approve

    community, official, _pmc, chair = pmc_with_chair(monkeypatch, "order-chair")
    meeting = convening.convene(community, "选举业主委员会", date(2026, 12, 1), date(2026, 12, 8), chair.id)
    approve(meeting, 7)
    convening.add_election(meeting, 5, 2, chair.id)
    (matter,) = meeting.matters
    c = [candidate.id for candidate in matter.candidates]
    # in eight ballots: three mark the five first candidates, five mark the last two with three of the first five
    paired = [[c[k % 5], c[(k + 1) % 5], c[(k + 2) % 5], c[5], c[6]] for k in range(5)]
    election = hold(
        meeting, chair, official, lambda n: {str(matter.id): paired[n % 8] if n % 8 < 5 else c[:5]}, monkeypatch
    )
    assert community.governance == "committee"
    (tie,) = runoffs.committee_of(election).pending
    assert tie["decides"] == "order"
    committee = bodies.in_office(community)
    assert committee is not None
    waiting = bodies.serving(committee, "alternate")
    assert len({m.rank for m in waiting}) == 1  # one shared rank: nobody moves up first

    # the committee this election formed convenes its own run-off: the property management committee is handing over
    assert runoffs.convener_of(election) == committee
    assert not acting.can_convene_runoff(chair, election)
    committee_chair = body_account(community, committee, "order-committee-chair")
    assert acting.can_convene_runoff(committee_chair, election)
    runoff = runoffs.convene_runoff(
        election, "另行选举确定候补委员递补顺序", date(2027, 2, 1), date(2027, 2, 8), committee_chair.id
    )
    assert runoff.body_id == committee.id
    (contest,) = runoff.matters
    assert (contest.seats, contest.max_alternates, contest.marks) == (0, 2, 1)
    second = contest.candidates[1]
    hold(runoff, committee_chair, official, lambda n: {str(contest.id): [second.id]}, monkeypatch)
    assert community.governance == "committee"
    settled = sorted(bodies.serving(committee, "alternate"), key=lambda m: m.rank)
    assert [m.name for m in settled] == [second.name, contest.candidates[0].name]
    assert settled[0].rank < settled[1].rank
