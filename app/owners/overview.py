"""What an owner's "my community" page shows (issue 20 item 2), gathered in one place for the page and the API:
my units, the community's stage in plain words (app.dashboard.stage, the township's own source), the notices that
run, the body in office and its members, the meetings with where I stand in each, the published record (Shaoxing
Art 23, DOMAIN §7 item 9), my objections and the community's petitions.

Where I stand in a meeting: "announced" (voting not yet open), "vote_now" (open, no ballot yet), "voted" (a ballot
counts in my name: its channel, time and receipt code, whichever channel it came by, so that every ballot cast in an
owner's name is one they can learn of, DOMAIN §8), "not_voted" (closed without my ballot), then the result:
"counting", "published" (the preliminary result, objections open), "certified" or "refused". Voting itself still
takes the letter's link and its second factor: signing in by a number on the roll is one factor, a ballot needs two.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.dashboard.stage import Stage, community_stage
from app.extensions import db
from app.governance import bodies, transparency
from app.governance.body_models import BodyMember, GoverningBody
from app.governance.transparency_models import Publication
from app.owners import objections
from app.owners.identity import MyCommunity
from app.owners.models import Petition
from app.preparation.models import Notice
from app.results.models import Result
from app.roll.models import RollOwner, RollUnit, RollVersion
from app.voting.meetings import window_state
from app.voting.models import Ballot, Meeting, MeetingVoter

#: where I stand in a meeting, in the order a meeting goes
MEETING_STANDINGS = (
    "announced",
    "vote_now",
    "voted",
    "not_voted",
    "counting",
    "published",
    "certified",
    "refused",
)


@dataclass(frozen=True)
class MyMeeting:
    meeting: Meeting
    standing: str
    #: the ballot that counts in my name, if any (never its choices)
    ballot: Ballot | None
    result: Result | None


@dataclass(frozen=True)
class Overview:
    mine: MyCommunity
    stage: Stage
    roll_notice: RollVersion | None
    notices: list[Notice]
    body: GoverningBody | None
    members: list[BodyMember]
    meetings: list[MyMeeting]
    publications: list[Publication]
    objections: list[objections.FiledObjection]
    petitions: list[Petition]
    results_open: list[Result]


def _my_voter(meeting: Meeting, lookups: Collection[str]) -> MeetingVoter | None:
    """My voter in a meeting: the voter of a unit of mine on the meeting's frozen roll (a voter's key is its first
    unit's, and my voter's units are all mine)."""
    if meeting.roll_version_id is None:
        return None
    keys = [
        f"{row.building}/{row.entrance}/{row.room}"
        for row in db.session.execute(
            select(RollUnit.building, RollUnit.entrance, RollUnit.room)
            .join(RollOwner, RollOwner.roll_unit_id == RollUnit.id)
            .where(RollUnit.roll_version_id == meeting.roll_version_id, RollOwner.id_number_lookup.in_(list(lookups)))
        )
    ]
    if not keys:
        return None
    return db.session.scalars(
        select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id, MeetingVoter.unit_key.in_(keys)).limit(1)
    ).first()


def _standing(meeting: Meeting, ballot: Ballot | None, result: Result | None) -> str:
    if result is not None and result.status in ("published", "certified", "refused"):
        return result.status
    window = window_state(meeting)
    if window in ("not_open", "before"):
        return "announced"
    if ballot is not None:
        return "voted"
    if window == "open":
        return "vote_now"
    return "counting" if meeting.status in ("counting", "counted") else "not_voted"


def my_meetings(mine: MyCommunity, lookups: Collection[str]) -> list[MyMeeting]:
    """The community's announced or opened meetings, newest first, with where I stand in each."""
    found = []
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.community_id == mine.community.id,
            or_(Meeting.status != "draft", Meeting.announced_on.is_not(None)),
        )
        .order_by(Meeting.id.desc())
        .limit(20)
    )
    for meeting in meetings:
        voter = _my_voter(meeting, lookups)
        ballot = (
            db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == voter.id)).first() if voter else None
        )
        result = db.session.scalars(select(Result).where(Result.meeting_id == meeting.id)).first()
        found.append(MyMeeting(meeting, _standing(meeting, ballot, result), ballot, result))
    return found


def _members(body: GoverningBody | None) -> list[BodyMember]:
    if body is None:
        return []
    return sorted(bodies.serving(body), key=lambda m: (m.office is None, m.office != "chair", m.rank))


def overview(mine: MyCommunity, lookups: Collection[str], today: date) -> Overview:
    community = mine.community
    body = bodies.in_office(community)
    return Overview(
        mine=mine,
        stage=community_stage(community, today),
        roll_notice=objections.roll_under_notice(community.id, today),
        notices=objections.notices_open(community.id, today),
        body=body,
        members=_members(body),
        meetings=my_meetings(mine, lookups),
        publications=[p for p in transparency.items(community, published_only=True) if not p.replaced][:20],
        objections=objections.filed_by(mine),
        petitions=list(
            db.session.scalars(
                select(Petition)
                .where(Petition.community_id == community.id, Petition.status != "withdrawn")
                .order_by(Petition.id.desc())
                .limit(20)
            )
        ),
        results_open=objections.results_open(community.id, today),
    )


def stage_words(stage: Stage) -> dict[str, Any]:
    """The stage in plain words, with the clock that matters: when voting closes, until when objections are taken."""
    words: dict[str, Any] = {"code": stage.code, "label": stage.label, "state": stage.state_label}
    if stage.meeting is not None:
        words["opens_at"], words["closes_at"] = stage.meeting.opens_at, stage.meeting.closes_at
    if stage.result is not None and stage.result.objections_until is not None:
        words["objections_until"] = stage.result.objections_until
    return words


STANDING_LABELS: dict[str, Any] = {
    "announced": _l("Announced: voting not yet open"),
    "vote_now": _l("Voting is open: you have not voted yet"),
    "voted": _l("You have voted"),
    "not_voted": _l("Voting has ended: no ballot of yours was received"),
    "counting": _l("Being counted"),
    "published": _l("Preliminary result published: objections are taken"),
    "certified": _l("Result certified by the township"),
    "refused": _l("The township refused to certify the result"),
}
AREA_SOURCE_LABELS: dict[str, Any] = {
    "register": _l("from the real-estate register"),
    "survey": _l("from the survey"),
    "contract": _l("from the purchase contract"),
}
