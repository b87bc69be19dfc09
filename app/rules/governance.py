"""The life of a community's self-governance as one state machine (DOMAIN §7; Shaoxing Arts 11–19 and 24).

States:
- ``no_assembly``: nothing started, or a dissolved group waiting for the township to form the next one;
- ``preparing``: a preparatory group prepares the first meeting (Art 12–13);
- ``extended``: the first meeting did not adopt the rules and the covenant; the group's term runs 90 more days, once
  (Art 16 ¶2);
- ``established``: a certified first meeting established the assembly but elected no committee; the township decides
  whether to convert the group (Art 16 ¶3);
- ``pmc``: the property management committee (物业管理委员会) acts until a committee is elected;
- ``committee``: an owners' committee is elected and certified (filing follows within 30 days, Art 17);
- ``re_election``: the township formed a re-election group because the committee fell below half its members or its
  re-election is overdue (Art 24); meanwhile the old committee may not call votes on hiring or firing the property
  company;
- ``runoff``: a certified election waits for its run-off (另行选举) among candidates tied for a seat, which decides
  whether the committee is formed (DOMAIN §5): the election has not failed. The run-off's certified result forms the
  committee, or returns the community to where it was (``Facts.resumes``: established without a committee after a
  first meeting, else the state of the body that convened the election); a run-off that ties again keeps it waiting.

Every transition is an event with its preconditions (facts the caller supplies); anything else is refused with
the reason. Example: ``next_state("preparing", "first_meeting_certified", Facts(outcome="committee"))`` is
``"committee"``; the same event in ``committee`` is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

STATES = ("no_assembly", "preparing", "extended", "established", "pmc", "committee", "re_election", "runoff")
#: the township's re-election group may be formed when the members are below half of the seats (Art 24)
#: or the re-election is late (it is organised 60 days before the term ends)
RE_ELECTION_LEAD_DAYS = 60


class TransitionRefused(ValueError):
    """The event cannot happen in this state, or its precondition is not met; ``reason`` says which, in English and
    Chinese (the service turns it into the user's language)."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Facts:
    """What the caller knows when an event happens."""

    #: a certified result's governance outcome (app/rules/outcome.py): committee, runoff, established or preparing
    outcome: str | None = None
    #: while a run-off is pending: the state to return to when it does not form the committee
    resumes: str | None = None
    #: the group's term was extended once already
    already_extended: bool = False
    #: the committee's members in office and its seats (for the below-half rule)
    members: int = 0
    seats: int = 0
    #: the re-election is overdue (60 days before the term's end have passed without one)
    re_election_overdue: bool = False
    #: the township called a temporary meeting to re-elect a committee that seriously harms the owners' interests
    #: (the city policy's item 15)
    township_called: bool = False


def _refuse(code: str, reason: str) -> TransitionRefused:
    return TransitionRefused(code, reason)


def _first_meeting(state: str, facts: Facts) -> str:
    """A certified first meeting: committee → committee; established → established; not established → extended the
    first time, and the group is dissolved (no_assembly) the second time (Art 16 ¶2)."""
    if facts.outcome in ("committee", "runoff", "established"):
        return facts.outcome
    if facts.outcome == "preparing":
        return "no_assembly" if state == "extended" or facts.already_extended else "extended"
    raise _refuse("unknown_outcome", f"unknown outcome {facts.outcome!r}")


def _election(state: str, facts: Facts) -> str:
    """A certified election organised by the property management committee or the re-election group."""
    if facts.outcome in ("committee", "runoff"):
        return facts.outcome
    return state  # no committee formed: the same body goes on and organises another election


def _runoff(state: str, facts: Facts) -> str:
    """A certified run-off: the committee formed, still pending (it tied again), or back to where it was."""
    if facts.outcome in ("committee", "runoff"):
        return facts.outcome
    if facts.resumes not in ("established", "pmc", "re_election", "committee"):
        raise _refuse("unknown_outcome", f"a run-off cannot return the community to {facts.resumes!r}")
    return facts.resumes


def _re_election_group(state: str, facts: Facts) -> str:
    below_half = facts.seats > 0 and facts.members * 2 < facts.seats
    if not (below_half or facts.re_election_overdue or facts.township_called):
        raise _refuse(
            "re_election_not_due",
            "a re-election group is formed only when the members are below half, the re-election is overdue, or "
            "the township called a meeting to re-elect the committee",
        )
    return "re_election"


#: the next state: a state's name, or a function of the current state and the facts
Target = str | Callable[[str, Facts], str]
#: event → the states it may happen in, and the next state
TRANSITIONS: dict[str, tuple[tuple[str, ...], Target]] = {
    "form_group": (("no_assembly",), "preparing"),
    "first_meeting_certified": (("preparing", "extended"), _first_meeting),
    # the township dissolves a group whose term ran out (Art 16 ¶2); an established assembly stays established: its
    # group is converted into a property management committee, never dissolved (city policy item 12; DOMAIN §7)
    "dissolve_group": (("preparing", "extended"), "no_assembly"),
    "convert_to_pmc": (("established",), "pmc"),
    # while an election waits for its run-off the body in office goes on; a meeting it convened is certified as usual
    "election_certified": (("pmc", "re_election", "committee", "runoff"), _election),
    "form_re_election_group": (("committee",), _re_election_group),
    "runoff_certified": (("runoff",), _runoff),
}
EVENTS = tuple(TRANSITIONS)


def allowed_events(state: str) -> tuple[str, ...]:
    """The events that may happen in ``state`` (their preconditions aside)."""
    return tuple(event for event, (sources, _) in TRANSITIONS.items() if state in sources)


def next_state(state: str, event: str, facts: Facts = Facts()) -> str:
    """The state after ``event``, or TransitionRefused with the reason."""
    if state not in STATES:
        raise _refuse("unknown_state", f"unknown state {state!r}")
    if event not in TRANSITIONS:
        raise _refuse("unknown_event", f"unknown event {event!r}")
    sources, target = TRANSITIONS[event]
    if state not in sources:
        raise _refuse("not_now", f"{event} cannot happen while the community is {state}")
    if isinstance(target, str):
        return target
    return target(state, facts)


def may_put_to_the_vote(state: str, kind: str) -> bool:
    """Whether a matter of ``kind`` ("motion" or "election") may be put to the assembly in a community in ``state``.

    Shaoxing Art 24 ¶3: from the re-election group's formation until the new committee is elected, the committee may
    not call a meeting on hiring or firing the property company *or any other* matter of joint decision
    (选聘、解聘物业服务人**等**共同决定事项): only the committee's election itself. So in "re_election" every motion is
    refused, whatever its Art 278 ¶1 category (the maintenance fund as much as the property company), and the
    election is allowed; in every other state both are.
    """
    return state != "re_election" or kind == "election"
