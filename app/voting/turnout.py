"""Live turnout of an open meeting: who has voted, by heads and by area, overall and by building (DOMAIN §8; issue 6
items 8 and 9).

Only the existence of a voter's ballot is read here, never its choices: the queries select the ballot's id and
nothing else, so no page built on them can show how anyone voted. The arithmetic is `app.rules.turnout`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select

from app.extensions import db
from app.rules.turnout import Participation, combined
from app.voting.models import Ballot, Credential, Meeting, MeetingVoter

PAGE_SIZE = 50


@dataclass(frozen=True)
class BuildingTurnout:
    building: str
    participation: Participation


@dataclass(frozen=True)
class Turnout:
    """The meeting's participation so far, overall and for each building (in natural order: 2幢 before 10幢)."""

    overall: Participation
    buildings: list[BuildingTurnout]


@dataclass(frozen=True)
class VoterRow:
    """A voter as the convener sees them: whether they have voted (never how) and since when a link is in force."""

    voter: MeetingVoter
    has_voted: bool
    link_issued_at: datetime | None


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "2幢" before "10幢": digits compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)


def _ballot_join() -> ColumnElement[bool]:
    return and_(Ballot.meeting_voter_id == MeetingVoter.id, Ballot.meeting_id == MeetingVoter.meeting_id)


def meeting_turnout(meeting: Meeting) -> Turnout:
    """Heads and area (0.01 m²) of the meeting's voters, and of those whose ballot is in, by building and overall.

    One voter is one head (the developer's units are one voter); a voter counts in the building of their first unit.
    """
    voted = Ballot.id.is_not(None)
    rows = db.session.execute(
        select(
            MeetingVoter.building,
            func.count(MeetingVoter.id),
            func.coalesce(func.sum(MeetingVoter.area_centi), 0),
            func.count(Ballot.id),
            func.coalesce(func.sum(case((voted, MeetingVoter.area_centi), else_=0)), 0),
        )
        .outerjoin(Ballot, _ballot_join())
        .where(MeetingVoter.meeting_id == meeting.id)
        .group_by(MeetingVoter.building)
    ).all()
    buildings = sorted(
        (
            BuildingTurnout(
                building,
                Participation(
                    voted_heads=int(voted_heads),
                    total_heads=int(heads),
                    voted_area_centi=int(voted_area),  # PostgreSQL sums bigint as numeric: back to int, exactly
                    total_area_centi=int(area),
                ),
            )
            for building, heads, area, voted_heads, voted_area in rows
        ),
        key=lambda row: natural_key(row.building),
    )
    return Turnout(combined(b.participation for b in buildings), buildings)


def buildings_of(meeting: Meeting) -> list[str]:
    """The buildings of the meeting's voters, in natural order."""
    found = db.session.scalars(
        select(MeetingVoter.building).where(MeetingVoter.meeting_id == meeting.id).distinct()
    ).all()
    return sorted(found, key=natural_key)


def voter_rows(
    meeting: Meeting, *, building: str = "", not_voted_only: bool = False, page: int = 1, page_size: int | None = None
) -> tuple[list[VoterRow], bool]:
    """One page of the meeting's voters in roll order, optionally of one building or only those who have not voted;
    and whether a next page exists."""
    link_issued_at = (
        select(func.max(Credential.issued_at))
        .where(
            Credential.meeting_voter_id == MeetingVoter.id,
            Credential.revoked_at.is_(None),
            Credential.proxy_id.is_(None),  # a proxy's link is not the owner's letter
        )
        .correlate(MeetingVoter)
        .scalar_subquery()
    )
    query = (
        select(MeetingVoter, Ballot.id.is_not(None), link_issued_at)
        .outerjoin(Ballot, _ballot_join())
        .where(MeetingVoter.meeting_id == meeting.id)
        .order_by(MeetingVoter.id)
    )
    if building:
        query = query.where(MeetingVoter.building == building)
    if not_voted_only:
        query = query.where(Ballot.id.is_(None))
    page, page_size = max(page, 1), page_size or PAGE_SIZE
    found = db.session.execute(query.offset((page - 1) * page_size).limit(page_size + 1)).all()
    rows = [VoterRow(voter, bool(has_voted), issued_at) for voter, has_voted, issued_at in found[:page_size]]
    return rows, len(found) > page_size
