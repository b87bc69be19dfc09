"""Committees from a certified election, officers, filing, members leaving and alternates moving up (issue 8 item 3;
Shaoxing Arts 17 and 24)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.governance import bodies
from app.governance.body_models import BodyMember, GoverningBody
from app.roll.services import today
from app.rules.governance import Facts, TransitionRefused, next_state
from tests.preparation.helpers import refused
from tests.results.helpers_lifecycle import Voted


def test_the_certified_election_forms_the_committee_in_its_ranking(elected: tuple[Voted, GoverningBody]) -> None:
    voted, body = elected
    election = voted.meeting.matters[2]
    names = [c.name for c in election.candidates]
    assert voted.community.governance == "committee"
    assert (body.kind, body.seats, body.term_years) == ("committee", 5, bodies.DEFAULT_TERM_YEARS)
    members, alternates = bodies.serving(body), bodies.serving(body, "alternate")
    assert sorted(m.name for m in members) == sorted(names[:5])
    assert [m.name for m in alternates] == [names[5]]
    assert all(m.candidate_id is not None for m in members)  # each member linked to their nomination
    # the term runs from the day the election's vote closed, not from the certification (Shaoxing Art 19, DOMAIN §5)
    assert body.elected_on == bodies.election_day(voted.meeting) <= body.formed_on
    elected_on = body.elected_on
    # five years on: the same day, or 28 February when the election was on a 29 February (Civil Code Art 201 ¶2)
    day = 28 if (elected_on.month, elected_on.day) == (2, 29) else elected_on.day
    assert body.term_ends_on == date(elected_on.year + 5, elected_on.month, day) - timedelta(days=1)
    assert bodies.re_election_due(body) == body.term_ends_on - timedelta(days=60)


def test_an_alternate_moves_up_then_seats_wait_for_a_by_election(elected: tuple[Voted, GoverningBody]) -> None:
    voted, body = elected
    members = bodies.serving(body)
    alternate = bodies.serving(body, "alternate")[0]
    moved = bodies.member_leaves(members[1], today(), "resigned", "", voted.official.id)
    assert moved is alternate
    assert alternate.seat == "member"
    assert len(bodies.serving(body)) == 5
    assert bodies.member_leaves(members[2], today(), "lost_ownership", "房屋已出售", None) is None
    assert len(bodies.serving(body)) == 4
    assert refused(bodies.member_leaves, members[2], today(), "resigned", "", None).code == "already_left"
    assert refused(bodies.member_leaves, members[3], today(), "bored", "", None).code == "invalid_reason"
    bodies.member_leaves(members[3], today(), "arrears", "书面催交后仍未缴纳", None)
    # 3 of 5 serving: more than half, no re-election group yet; 2 of 5 would be below half (Art 24)
    serving = len(bodies.serving(body))
    assert serving == 3
    with pytest.raises(TransitionRefused):
        next_state("committee", "form_re_election_group", Facts(members=serving, seats=body.seats))


def test_officers_and_filing(elected: tuple[Voted, GoverningBody]) -> None:
    _voted, body = elected
    members = bodies.serving(body)
    assert refused(bodies.choose_officers, body, members[0].id, [members[0].id], None).code == "invalid_officers"
    bodies.choose_officers(body, members[0].id, [members[1].id], None)
    assert [m.office for m in members[:3]] == ["chair", "vice_chair", None]
    body.formed_on = body.elected_on = date(2026, 9, 1)  # a day the shipped calendar covers, whatever day the test runs
    due = bodies.filing_due(body)
    assert due == date(2026, 10, 8)  # 1 October falls in the National Day holiday: the next working day (Arts 201, 203)
    body.formed_on = date(2026, 9, 10)  # certified nine days after the election: the clock still runs from 09-01
    assert bodies.filing_due(body) == date(2026, 10, 8)
    early = body.formed_on - timedelta(days=1)
    assert refused(bodies.record_filing, body, early, None, [], None).code == "invalid_filing_dates"
    bodies.record_filing(body, body.formed_on + timedelta(days=10), body.formed_on + timedelta(days=12), [], None)
    assert body.filed_on == body.formed_on + timedelta(days=10)


def test_a_later_committee_takes_over_and_the_body_in_office_is_dissolved(elected: tuple[Voted, GoverningBody]) -> None:
    voted, body = elected
    db.session.flush()
    from app.results.models import Result

    result = db.session.query(Result).filter_by(meeting_id=voted.meeting.id).one()
    later = bodies.committee_from_result(voted.community, result, today() + timedelta(days=1), None)
    assert body.dissolved_on == today() + timedelta(days=1)
    assert bodies.in_office(voted.community) is later


def test_the_term_comes_from_the_rules_of_procedure(elected: tuple[Voted, GoverningBody]) -> None:
    """Shaoxing Art 24: three to five years, as the rules of procedure set it (copied to the meeting's settings)."""
    from app.results.models import Result

    voted, _body = elected
    voted.meeting.settings = {**voted.meeting.settings, "term_years": 3}
    result = db.session.query(Result).filter_by(meeting_id=voted.meeting.id).one()
    voted.meeting.closes_at = voted.meeting.closed_at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 20:00 in Beijing
    later = bodies.committee_from_result(voted.community, result, date(2026, 11, 30), None)
    assert later.elected_on == date(2026, 11, 20)
    assert (later.term_years, later.term_ends_on) == (3, date(2029, 11, 19))


def test_alternates_tied_for_their_order_share_a_rank_and_none_moves_up_before_the_run_off(
    elected: tuple[Voted, GoverningBody],
) -> None:
    """DOMAIN §5: a tie among alternates decides who fills the next vacancy; until it is settled, nobody is picked
    by ballot order or id: the seat waits."""
    from app.rules.completion import complete_committee

    def candidate(cid: str, outcome: str) -> dict[str, str]:
        return {"id": cid, "outcome": outcome}

    tally = {
        "id": "e",
        "seats": 5,
        "candidates": [candidate(c, "member") for c in "12345"]
        + [candidate("9", "alternate"), candidate("10", "alternate")],
        "ties": [{"rank": 6, "decides": "order", "drawn": None, "candidates": ["9", "10"], "member_places": 0}],
    }
    ranks = {s.candidate: s.rank for s in complete_committee([tally], {}, 5).standing}
    assert (ranks["9"], ranks["10"]) == (6, 6)
    drawn = {**tally, "ties": [{**tally["ties"][0], "drawn": ["10", "9"]}]}
    ranks = {s.candidate: s.rank for s in complete_committee([drawn], {}, 5).standing}
    assert (ranks["9"], ranks["10"]) == (6, 7)  # settled by lots: ranked as the candidates are listed

    _voted, body = elected
    first = bodies.serving(body)[0]
    (alternate,) = bodies.serving(body, "alternate")
    body.members.append(
        BodyMember(name="并列候补", seat="alternate", rank=alternate.rank, joined_on=alternate.joined_on)
    )
    db.session.flush()
    assert bodies.member_leaves(first, today(), "resigned", "", None) is None
    assert len(bodies.serving(body)) == 4  # the seat waits for the alternates' run-off
