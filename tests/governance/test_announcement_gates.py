"""The announcement's gates, checked where the vote opens, for every convener (issue 14 items 2 and 3; DOMAIN §7
item 7): a meeting prepared as a first meeting, and one convened by a property management committee, by the owners'
committee in office, or by the township's re-election group, go through the same
`app.voting.announcement.check_before_opening` and the same candidate check of `app.voting.meetings.open_voting`.

Worked numbers: announced Thu 2026-10-01 (National Day; the announcement's 5 working days end Tue 10-13), the 15
whole days run 10-02 … 10-16, so voting opens on Sat 2026-10-17 at the earliest; on 10-15 (day 14) and 10-16 (day 15)
it is refused, naming 10-17.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale

from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import convening, decisions, services
from app.governance.body_models import GoverningBody
from app.preparation import notices
from app.preparation.models import Notice
from app.roll.services import today
from app.rules.governance import Facts
from app.voting import announcement, meetings
from app.voting.models import Matter, MatterCandidate, Meeting
from tests.factories import gen_community, gen_official, gen_township
from tests.governance.pipeline import approve, re_election_group
from tests.preparation.helpers import load_roll
from tests.results.helpers_lifecycle import Voted
from tests.voting.helpers import gen_meeting

ANNOUNCED = date(2026, 10, 1)
EARLIEST = date(2026, 10, 17)


def _window(meeting: Meeting, opens_on: date) -> None:
    meetings.configure(
        meeting,
        opens_at=meetings.local(opens_on, time(8, 0)),
        closes_at=meetings.local(opens_on + timedelta(days=7), time(20, 0)),
        channels="phone,paper",
        second_factor="id_last6",
        allow_change=False,
        user_id=None,
    )


def _prepared(app) -> Meeting:
    """A meeting as the preparation makes it (rules, covenant, the election), not yet announced."""
    township = gen_township()
    official = gen_official(township)
    community = gen_community(township)
    load_roll(community, official)
    return gen_meeting(community, official, announced=False)


def _convened(elected: tuple[Voted, GoverningBody]) -> Meeting:
    """A later meeting convened by the owners' committee in office, on the maintenance fund."""
    voted, _body = elected
    meeting = convening.convene(voted.community, "使用专项维修资金", ANNOUNCED, ANNOUNCED, None)
    meetings.add_motion(meeting, 5, "使用专项维修资金更换电梯", "更换 3 幢电梯两台，费用见附件。", None)
    return meeting


def _election_of(community: Community, title: str) -> Meeting:
    """A meeting convened by the community's convener that elects the committee from its approved list."""
    meeting = convening.convene(community, title, ANNOUNCED, ANNOUNCED, None)
    approve(meeting, 6)
    convening.add_election(meeting, 5, 1, None)
    return meeting


def _by_the_pmc() -> Meeting:
    """The property management committee's election of the committee (Shaoxing Art 16 ¶3)."""
    from tests.governance.test_governance_flow import group_awaiting_decision

    community, official = group_awaiting_decision()
    decisions.decide_conversion(community, True, "组织选举业主委员会", today(), official.id)
    return _election_of(community, "选举业主委员会")


def _by_the_re_election_group(elected: tuple[Voted, GoverningBody]) -> Meeting:
    """The re-election convened by the township's re-election group (Shaoxing Art 24 ¶3)."""
    community = elected[0].community
    services.transition(community, "form_re_election_group", today(), facts=Facts(township_called=True))
    re_election_group(community)
    return _election_of(community, "换届选举")


CONVENERS = ["prepared", "pmc", "committee", "re_election_group"]


@pytest.fixture(params=CONVENERS)
def draft(request: pytest.FixtureRequest, app) -> Meeting:
    if request.param == "prepared":
        return _prepared(app)
    if request.param == "pmc":
        return _by_the_pmc()
    if request.param == "committee":
        return _convened(request.getfixturevalue("elected"))
    return _by_the_re_election_group(request.getfixturevalue("elected"))


def refusal(call: Callable[[], object]) -> DomainError:
    with force_locale("en"), pytest.raises(DomainError) as caught:
        call()
    return caught.value


def opening(meeting: Meeting) -> Callable[[], object]:
    return lambda: meetings.open_voting(meeting, date(2026, 10, 17), None)


def test_a_meeting_never_announced_cannot_open(draft: Meeting) -> None:
    _window(draft, EARLIEST)
    error = refusal(opening(draft))
    assert (error.code, error.status) == ("not_announced", 409)
    with force_locale("en"):
        assert "15 days" in str(error)
    assert draft.status == "draft"


@pytest.mark.parametrize(
    ("opens_on", "allowed"), [(date(2026, 10, 15), False), (date(2026, 10, 16), False), (EARLIEST, True)]
)
def test_voting_opens_15_whole_days_after_the_announcement(draft: Meeting, opens_on: date, allowed: bool) -> None:
    _window(draft, opens_on)
    announcement.announce(draft, ANNOUNCED, None, recorded_on=ANNOUNCED)
    assert announcement.earliest_opening(draft) == EARLIEST
    if allowed:
        meetings.open_voting(draft, date(2026, 10, 17), None)
        assert draft.status == "open"
        return
    error = refusal(opening(draft))
    assert (error.code, error.status) == ("announcement_too_recent", 409)
    assert "2026-10-17" in str(error)  # the first day it becomes possible
    assert draft.status == "draft"


def test_a_change_after_the_announcement_needs_a_new_one_and_the_15_days_start_again(draft: Meeting) -> None:
    _window(draft, EARLIEST)
    announcement.announce(draft, ANNOUNCED, None, recorded_on=ANNOUNCED)
    if db.session.get_one(Community, draft.community_id).governance == "re_election":
        # no motion while the re-election group works (Art 24 ¶3): the change is the election taken off
        election = draft.matters[0]
        meetings.remove_matter(election, None)
        assert announcement.changed_since_announcement(draft)
        assert refusal(opening(draft)).code in ("changed_since_announcement", "no_matters")
        convening.add_election(draft, election.seats or 0, election.max_alternates or 0, None)
    else:
        added = meetings.add_motion(draft, 9, "增设电动车充电桩", "未经公告的事项", None)
        assert announcement.changed_since_announcement(draft)
        error = refusal(opening(draft))
        assert (error.code, error.status) == ("changed_since_announcement", 409)
        meetings.remove_matter(added, None)
    assert not announcement.changed_since_announcement(draft)  # exactly what was announced: it holds again

    _window(draft, date(2026, 10, 20))  # moving the window is a change too
    assert refusal(opening(draft)).code == "changed_since_announcement"
    again = date(2026, 10, 5)
    announcement.announce(draft, again, None, recorded_on=again)
    error = refusal(opening(draft))
    assert error.code == "announcement_too_recent"
    assert "2026-10-21" in str(error)  # 15 whole days from the new announcement
    _window(draft, date(2026, 10, 21))
    announcement.announce(draft, again, None, recorded_on=again)
    meetings.open_voting(draft, date(2026, 10, 21), None)
    assert draft.status == "open"


def test_an_unanswered_objection_to_the_announcement_stops_the_vote(draft: Meeting) -> None:
    _window(draft, EARLIEST)
    notice = announcement.announce(draft, ANNOUNCED, None, recorded_on=ANNOUNCED)
    assert isinstance(notice, Notice)
    assert "业主大会仅就本公告所列事项作出决定" in notice.body
    objection = notices.record_objection(notice, "业主甲", "3幢101", "表决时间安排在国庆期间，不便参加。", None)
    error = refusal(opening(draft))
    assert (error.code, error.status) == ("announcement_objections_open", 409)
    notices.answer_objection(objection, "表决期共 8 天，并提供书面表决票，可委托他人代为投票。", None)
    meetings.open_voting(draft, EARLIEST, None)
    assert draft.status == "open"


def test_a_candidate_typed_in_is_refused_where_the_vote_opens(draft: Meeting) -> None:
    """However it got onto the meeting (an import, a hand-made row), a candidate who was not nominated, vetted and
    approved stops the vote, for every convener; the approved list opens."""
    _window(draft, EARLIEST)
    election = next((m for m in draft.matters if m.kind == "election"), None)
    if election is None:  # the committee's meeting on the fund: its election is added here, from nobody's list
        election = Matter(
            position=9, kind="election", category=3, title="补选业主委员会委员", seats=1, max_alternates=0
        )
        draft.matters.append(election)
    typed = MatterCandidate(position=len(election.candidates) + 1, name="张手填", unit_labels="9幢", statement="")
    election.candidates.append(typed)
    db.session.flush()
    announcement.announce(draft, ANNOUNCED, None, recorded_on=ANNOUNCED)
    error = refusal(opening(draft))
    assert (error.code, error.status) == ("candidate_not_vetted", 409)
    assert "张手填" in str(error)
    assert draft.status == "draft"
    election.candidates.remove(typed)
    if not election.candidates:
        draft.matters.remove(election)
    db.session.flush()
    announcement.announce(draft, ANNOUNCED, None, recorded_on=ANNOUNCED)
    meetings.open_voting(draft, EARLIEST, None)
    assert draft.status == "open"
