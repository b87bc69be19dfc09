"""Run-offs (另行选举): a further vote of the assembly among tied candidates, for the places their tie contests
(DOMAIN §5; the election rules' tie rule, fixed before the vote).

A run-off is a meeting like any other (app.governance.convening's pipeline): convened by whoever convened the
election (the preparatory group for the first meeting, else the same body), announced 15 days ahead, voted on the
frozen roll, counted, published and certified. It holds one election matter per tie still waiting, among the tied
candidates only (the same nominations, vetted and approved for the election), with the tie's member seats and
alternate places (`app.rules.model.Runoff`). Its certified result completes the election
(`app.rules.completion`): the committee is formed, or the ranks of its alternates are settled, or the community,
which waited for it in the state "runoff", goes back to where it was. A run-off that ties again, or misses its
quorum, settles nothing: it is held again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import bodies
from app.governance.body_models import GoverningBody
from app.results.models import Result
from app.rules.completion import Committee, complete_committee
from app.rules.outcome import forms_committee
from app.text import required_text
from app.voting.meetings import CLOSES_AT, OPENS_AT, local
from app.voting.models import Matter, MatterCandidate, Meeting

#: what a tie decides, in the run-off matter's title (Chinese: it is printed on the ballot)
TITLES = {
    "seat": "另行选举业主委员会委员",
    "place": "另行选举业主委员会候补委员",
    "order": "另行选举确定候补委员递补顺序",
}


def election_parts(package: dict[str, Any]) -> list[dict[str, Any]]:
    """The tally documents that make the committee (one list, or the members' and alternates' parts), with ids."""
    tallies = package["tally"]["matters"]
    return [
        {**tallies[str(m["id"])], "id": str(m["id"])}
        for m in package["matters"]
        if m["type"] == "election" and (forms_committee(m) or m.get("list") == "alternates")
    ]


def runoff_meetings(original: Result) -> list[Meeting]:
    meeting = db.session.get_one(Meeting, original.meeting_id)
    later = db.session.scalars(
        select(Meeting).where(Meeting.community_id == meeting.community_id).order_by(Meeting.id)
    ).all()
    return [m for m in later if m.settings.get("runoff_of") == original.id]


def certified_runoffs(original: Result) -> dict[tuple[str, int], dict[str, Any]]:
    """The latest certified run-off tally of each (election matter, tie rank) of ``original``."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for meeting in runoff_meetings(original):
        result = db.session.scalars(select(Result).where(Result.meeting_id == meeting.id)).first()
        if result is None or result.status != "certified":
            continue
        package = json.loads(result.package)
        for matter in package["matters"]:
            if "runoff" in matter:
                key = (str(matter["runoff"]["matter"]), int(matter["runoff"]["rank"]))
                found[key] = package["tally"]["matters"][str(matter["id"])]
    return found


def committee_of(original: Result) -> Committee:
    """The committee ``original`` elected, with its certified run-offs (app.rules.completion)."""
    package = json.loads(original.package)
    minimum = int(package["settings"].get("min_committee_members", 5))
    return complete_committee(election_parts(package), certified_runoffs(original), minimum)


def latest_election(community: Community) -> Result | None:
    """The community's latest certified result with a committee's election (not a run-off, not a by-election)."""
    results = db.session.scalars(
        select(Result)
        .join(Meeting, Meeting.id == Result.meeting_id)
        .where(Meeting.community_id == community.id, Result.status == "certified")
        .order_by(Result.id.desc())
    ).all()
    for result in results:
        meeting = db.session.get_one(Meeting, result.meeting_id)
        if meeting.settings.get("runoff_of") is None and election_parts(json.loads(result.package)):
            return result
    return None


def waiting_for(community: Community) -> Result | None:
    """The community's latest certified election, when ties of it still wait for a run-off; else None (an earlier
    election's ties are superseded by a later election)."""
    latest = latest_election(community)
    return latest if latest is not None and committee_of(latest).pending else None


def under_way(original: Result) -> Meeting | None:
    """A run-off of ``original`` not yet certified or refused."""
    for meeting in runoff_meetings(original):
        result = db.session.scalars(select(Result).where(Result.meeting_id == meeting.id)).first()
        if result is None or result.status not in ("certified", "refused"):
            return meeting
    return None


def convener_of(original: Result) -> GoverningBody | None:
    """Who convenes the run-off of ``original`` (None: the preparatory group): the committee the election formed, when
    it is in office (its own places wait for the run-off); else the body that convened the election while it acts;
    else the community's convening body (`bodies.convener`) once that body is gone."""
    election = db.session.get_one(Meeting, original.meeting_id)
    community = db.session.get_one(Community, election.community_id)
    formed = bodies.in_office(community)
    if formed is not None and formed.result_id == original.id:
        return formed
    if election.body_id is None:
        return None
    body = db.session.get_one(GoverningBody, election.body_id)
    return body if body.dissolved_on is None else bodies.convener(community)


def _replace_draft(running: Meeting, original: Result, user_id: int | None) -> None:
    """A run-off that never opened (a tied candidate left the roll, the window was wrong …) is replaced by the new
    one, audited; one that opened runs to its certification or refusal."""
    if running.status != "draft":
        raise DomainError(
            "runoff_under_way",
            _l("A run-off of this election is under way: %(title)s.", title=running.title),
            status=409,
        )
    community = db.session.get_one(Community, running.community_id)
    audit.record(
        "meeting.runoff_replace",
        "meeting",
        running.id,
        {"of": original.id, "title": running.title},
        township_id=community.township_id,
        community_id=community.id,
    )
    db.session.delete(running)
    db.session.flush()


def convene_runoff(original: Result, title: str, opens_on: date, closes_on: date, user_id: int | None) -> Meeting:
    """A draft run-off for every tie of ``original`` still waiting (`convener_of` convenes it); announced and opened
    as any meeting. Only the community's latest election is run off: a later election supersedes an earlier one's
    ties. A draft run-off that never opened is replaced."""
    db.session.flush()
    db.session.refresh(original, with_for_update=True)  # two requests at once: the second waits, then sees the first
    if original.status != "certified":
        raise DomainError("not_certified", _l("A run-off follows a certified election."), status=409)
    election = db.session.get_one(Meeting, original.meeting_id)
    if waiting_for(db.session.get_one(Community, election.community_id)) is not original:
        raise DomainError(
            "no_runoff_due",
            _l("No tie of this election waits for a run-off (a later election replaced it, or none is left)."),
            status=409,
        )
    pending = committee_of(original).pending
    running = under_way(original)
    if running is not None:
        _replace_draft(running, original, user_id)
    if closes_on < opens_on:
        raise DomainError("invalid_window", _l("The meeting must end after it starts."), field="closes_on")
    convener = convener_of(original)
    meeting = Meeting(
        community_id=election.community_id,
        group_id=election.group_id,
        body_id=convener.id if convener is not None else None,
        title=required_text(title, "title", 200),
        opens_at=local(opens_on, OPENS_AT),
        closes_at=local(closes_on, CLOSES_AT),
        channels=election.channels,
        second_factor=election.second_factor,
        contact_phone=election.contact_phone,
        settings={**election.settings, "by_election": False, "runoff_of": original.id},
        created_by_id=user_id,
    )
    on_ballot = {str(c.id): c for m in election.matters for c in m.candidates}
    for position, tie in enumerate(pending, start=1):
        meeting.matters.append(_runoff_matter(position, tie, original, on_ballot))
    db.session.add(meeting)
    db.session.flush()
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(
        "meeting.runoff_convene",
        "meeting",
        meeting.id,
        {"of": original.id, "ties": [[tie["matter"], tie["rank"]] for tie in pending]},
        township_id=community.township_id,
        community_id=community.id,
    )
    return meeting


def _runoff_matter(
    position: int, tie: Mapping[str, Any], original: Result, on_ballot: dict[str, MatterCandidate]
) -> Matter:
    tied = [on_ballot[c] for c in tie["candidates"]]
    return Matter(
        position=position,
        kind="election",
        category=3,
        title=TITLES[tie["decides"]],
        text="",
        seats=int(tie["member_places"]),
        max_alternates=int(tie["alternate_places"]),
        runoff={
            "of": original.package_sha256,
            "matter": tie["matter"],
            "rank": int(tie["rank"]),
            "member_places": int(tie["member_places"]),
            "alternate_places": int(tie["alternate_places"]),
            "stood_as": list(tie["candidates"]),
        },
        candidates=[
            MatterCandidate(
                candidate_id=c.candidate_id,
                position=i,
                name=c.name,
                unit_labels=c.unit_labels,
                statement=c.statement,
            )
            for i, c in enumerate(tied, start=1)
        ],
    )
