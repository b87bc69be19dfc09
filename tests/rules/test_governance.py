"""The governance state machine (app/rules/governance.py; DOMAIN §7, Shaoxing Arts 16 and 24)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.governance import (
    EVENTS,
    STATES,
    TRANSITIONS,
    Facts,
    TransitionRefused,
    allowed_events,
    may_put_to_the_vote,
    next_state,
)


@pytest.mark.parametrize(
    ("state", "event", "facts", "expected"),
    [
        ("no_assembly", "form_group", Facts(), "preparing"),
        ("preparing", "first_meeting_certified", Facts(outcome="committee"), "committee"),
        ("preparing", "first_meeting_certified", Facts(outcome="established"), "established"),
        ("preparing", "first_meeting_certified", Facts(outcome="preparing"), "extended"),
        ("extended", "first_meeting_certified", Facts(outcome="preparing"), "no_assembly"),
        ("extended", "first_meeting_certified", Facts(outcome="committee"), "committee"),
        ("preparing", "dissolve_group", Facts(), "no_assembly"),
        ("established", "convert_to_pmc", Facts(), "pmc"),
        ("pmc", "election_certified", Facts(outcome="committee"), "committee"),
        ("pmc", "election_certified", Facts(outcome="established"), "pmc"),
        ("committee", "election_certified", Facts(outcome="committee"), "committee"),
        ("re_election", "election_certified", Facts(outcome="committee"), "committee"),
        ("committee", "form_re_election_group", Facts(members=2, seats=5), "re_election"),
        ("committee", "form_re_election_group", Facts(members=5, seats=5, re_election_overdue=True), "re_election"),
        ("committee", "form_re_election_group", Facts(members=5, seats=5, township_called=True), "re_election"),
    ],
)
def test_every_transition(state: str, event: str, facts: Facts, expected: str) -> None:
    assert next_state(state, event, facts) == expected


def test_an_established_assembly_never_returns_to_no_assembly() -> None:
    """DOMAIN §7 item 4: the group of an established assembly is converted (city policy item 12), not dissolved."""
    with pytest.raises(TransitionRefused) as refused:
        next_state("established", "dissolve_group")
    assert refused.value.code == "not_now"


def test_a_group_that_was_extended_once_is_not_extended_again() -> None:
    assert next_state("preparing", "first_meeting_certified", Facts(outcome="preparing", already_extended=True)) == (
        "no_assembly"
    )


@pytest.mark.parametrize(("members", "seats", "due"), [(3, 5, False), (4, 7, False), (2, 5, True), (3, 7, True)])
def test_below_half_is_strictly_below(members: int, seats: int, due: bool) -> None:
    """Art 24: fewer than half the seats. 3 of 5 and 4 of 7 are more than half; 2 of 5 and 3 of 7 are below."""
    facts = Facts(members=members, seats=seats)
    if due:
        assert next_state("committee", "form_re_election_group", facts) == "re_election"
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_state("committee", "form_re_election_group", facts)
        assert refused.value.code == "re_election_not_due"


@given(
    st.sampled_from(STATES),
    st.sampled_from(EVENTS),
    st.sampled_from(["committee", "runoff", "established", "preparing"]),
    st.sampled_from(["established", "pmc", "re_election", "committee"]),
)
def test_an_event_outside_its_states_is_refused_and_inside_lands_on_a_state(
    state: str, event: str, outcome: str, resumes: str
) -> None:
    facts = Facts(outcome=outcome, members=1, seats=5, resumes=resumes)
    if event in allowed_events(state):
        assert next_state(state, event, facts) in STATES
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_state(state, event, facts)
        assert refused.value.code == "not_now"


def test_every_state_but_committee_and_re_election_is_reachable_from_no_assembly() -> None:
    seen, frontier = {"no_assembly"}, ["no_assembly"]
    while frontier:
        state = frontier.pop()
        for event in allowed_events(state):
            for outcome in ("committee", "runoff", "established", "preparing"):
                try:
                    target = next_state(state, event, Facts(outcome=outcome, members=1, seats=5, resumes="established"))
                except TransitionRefused:
                    continue
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
    assert seen == set(STATES)
    assert set(TRANSITIONS) == set(EVENTS)


@pytest.mark.parametrize(
    ("state", "event", "facts", "after"),
    [
        # a tie for the fifth of five seats: the first meeting's election waits for its run-off (DOMAIN §5)
        ("preparing", "first_meeting_certified", Facts(outcome="runoff"), "runoff"),
        ("pmc", "election_certified", Facts(outcome="runoff"), "runoff"),
        ("re_election", "election_certified", Facts(outcome="runoff"), "runoff"),
        ("runoff", "runoff_certified", Facts(outcome="committee", resumes="established"), "committee"),
        ("runoff", "runoff_certified", Facts(outcome="runoff", resumes="established"), "runoff"),  # tied again
        ("runoff", "runoff_certified", Facts(outcome="preparing", resumes="established"), "established"),
        ("runoff", "runoff_certified", Facts(outcome="preparing", resumes="pmc"), "pmc"),
        ("runoff", "runoff_certified", Facts(outcome="preparing", resumes="re_election"), "re_election"),
    ],
)
def test_an_election_pending_its_runoff_waits_and_the_runoff_decides(
    state: str, event: str, facts: Facts, after: str
) -> None:
    assert next_state(state, event, facts) == after


def test_a_runoff_cannot_send_the_community_back_to_preparing() -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_state("runoff", "runoff_certified", Facts(outcome="preparing", resumes="preparing"))
    assert refused.value.code == "unknown_outcome"


def test_no_property_company_vote_while_a_re_election_group_works() -> None:
    assert not may_put_to_the_vote("re_election", "motion")  # any Art 278 matter, not only the property company
    assert may_put_to_the_vote("re_election", "election")
    assert may_put_to_the_vote("committee", "motion")
    assert may_put_to_the_vote("pmc", "motion")


def test_unknown_states_and_events_are_refused() -> None:
    for state, event in (("nowhere", "form_group"), ("preparing", "abolish")):
        with pytest.raises(TransitionRefused):
            next_state(state, event)
