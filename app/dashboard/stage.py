"""Where a community stands today: one source for the township's dashboard, its exports, the community page and the
API (issue 19 item 1).

A community's legal state (`Community.governance`, DOMAIN §7: no assembly, preparing, committee, …) changes only
when a result is certified (§9). Between those moves its **current meeting** says more: announced, voting (with its
live turnout against the 2/3 lines of Civil Code Art 278 ¶2), window ended, being counted, counted, published for
objections (at least 5 working days, Shaoxing Art 9), waiting for the township's decision. The current meeting is
the community's latest meeting that has been announced or opened, as long as its result is not certified or refused;
without one, a community that prepares its first meeting shows its preparatory group's stage
(`app.preparation.progress.stage`), and any other its legal state.

Example: 梅园小区 has a preparatory group formed 60 days ago and its first meeting open for voting: its stage is
"voting", with 20 of 120 owners and their area so far, not the group's "members to announce".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.communities.models import Community
from app.extensions import db
from app.governance.services import STATE_LABELS
from app.preparation import progress
from app.preparation.group import current_group
from app.results.certification import notice_over
from app.results.models import Result
from app.rules.turnout import Participation
from app.voting.meetings import window_state
from app.voting.models import Meeting
from app.voting.turnout import meeting_turnout

#: the stages of a community's current meeting, in the order they come
MEETING_STAGES: dict[str, Any] = {
    "announced": _l("Meeting announced, voting not yet open"),
    "voting": _l("Voting open"),
    "window_ended": _l("Voting ended: paper ballots to settle, then the count"),
    "counting": _l("Being counted"),
    "counted": _l("Counted: the preliminary result to publish"),
    "objections": _l("Preliminary result published: objections open or to answer"),
    "to_certify": _l("Notice over: the result waits for the township's decision"),
}
#: the stages in which the meeting's turnout is shown (live while voting, final once the window has ended)
TURNOUT_STAGES = ("voting", "window_ended")
#: the legal states in which a preparatory group prepares the first meeting
PREPARING = ("no_assembly", "preparing", "extended")


@dataclass(frozen=True)
class Stage:
    """A community's stage: ``code`` is a `MEETING_STAGES` key when a meeting is under way, else the preparation's
    stage (`progress.STAGES`) while a group prepares, else the legal state (`STATE_LABELS`)."""

    community: Community
    code: str
    meeting: Meeting | None = None
    result: Result | None = None
    #: the preparatory group's overview, while it prepares and no meeting is under way
    preparation: progress.Overview | None = None
    #: the meeting's participation, in the `TURNOUT_STAGES`
    turnout: Participation | None = None

    @property
    def state(self) -> str:
        return self.community.governance

    @property
    def label(self) -> Any:
        if self.meeting is not None:
            return MEETING_STAGES[self.code]
        if self.preparation is not None:
            return progress.STAGES[self.code]
        return STATE_LABELS[self.code]

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.state]


def current_meeting(community: Community) -> tuple[Meeting, Result | None] | None:
    """The latest announced or opened meeting with its result, unless that result is certified or refused."""
    meeting = db.session.scalars(
        select(Meeting)
        .where(Meeting.community_id == community.id, or_(Meeting.status != "draft", Meeting.announced_on.is_not(None)))
        .order_by(Meeting.id.desc())
        .limit(1)
    ).first()
    if meeting is None:
        return None
    result = db.session.scalars(select(Result).where(Result.meeting_id == meeting.id)).first()
    if result is not None and result.status in ("certified", "refused"):
        return None
    return meeting, result


def meeting_stage(meeting: Meeting, result: Result | None, today: date, now: datetime | None = None) -> str:
    """The `MEETING_STAGES` code of a meeting under way."""
    if result is not None:
        if result.status == "published":
            unanswered = any(o.answer is None for o in result.objections)
            return "to_certify" if notice_over(result, today) and not unanswered else "objections"
        return "counted"
    if meeting.status in ("counting", "counted"):
        return meeting.status
    window = window_state(meeting, now)
    if window in ("not_open", "before"):
        return "announced"
    return "voting" if window == "open" else "window_ended"


def community_stage(community: Community, today: date, now: datetime | None = None) -> Stage:
    """Where ``community`` stands on ``today`` (module docstring)."""
    under_way = current_meeting(community)
    if under_way is not None:
        meeting, result = under_way
        code = meeting_stage(meeting, result, today, now)
        turnout = meeting_turnout(meeting).overall if code in TURNOUT_STAGES else None
        return Stage(community, code, meeting, result, turnout=turnout)
    group = current_group(community) if community.governance in PREPARING else None
    if group is not None:
        overview = progress.overview(group)
        return Stage(community, overview.stage, preparation=overview)
    return Stage(community, community.governance)
