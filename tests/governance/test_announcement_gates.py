"""The announcement's gates, checked where the vote opens, for every convener (issue 14 item 2; DOMAIN §7 item 7):
a meeting prepared as a first meeting is, and one convened by the owners' committee in office, go through the same
`app.voting.announcement.check_before_opening`.

Worked numbers: announced Thu 2026-10-01 (National Day; the announcement's 5 working days end Tue 10-13), the 15
whole days run 10-02 … 10-16, so voting opens on Sat 2026-10-17 at the earliest; on 10-15 (day 14) and 10-16 (day 15)
it is refused, naming 10-17.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale

from app.errors import DomainError
from app.governance import convening
from app.governance.body_models import GoverningBody
from app.preparation import notices
from app.preparation.models import Notice
from app.voting import announcement, meetings
from app.voting.models import Meeting
from tests.factories import gen_community, gen_official, gen_township
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


@pytest.fixture(params=["prepared", "committee"])
def draft(request: pytest.FixtureRequest, app) -> Meeting:
    if request.param == "prepared":
        return _prepared(app)
    return _convened(request.getfixturevalue("elected"))


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
    added = meetings.add_motion(draft, 9, "增设电动车充电桩", "未经公告的事项", None)
    assert announcement.changed_since_announcement(draft)
    error = refusal(opening(draft))
    assert (error.code, error.status) == ("changed_since_announcement", 409)
    meetings.remove_matter(added, None)  # back to exactly what was announced: the announcement holds again
    assert not announcement.changed_since_announcement(draft)

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
