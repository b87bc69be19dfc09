"""Helpers of the tests of later meetings: candidates through the pipeline, the bodies' own accounts, and a meeting
held from its announcement to its certification."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from app.auth import services as accounts
from app.auth.models import BodyOffice, Role, User
from app.communities.models import Community
from app.db_types import utcnow
from app.extensions import db
from app.governance import bodies
from app.governance.body_models import GoverningBody
from app.preparation.models import Candidate
from app.results import certification, closing, count_runs
from app.results.models import Result
from app.roll.services import today
from app.voting import announcement, ballots, meetings
from app.voting.models import Meeting, MeetingVoter
from tests.factories import PASSWORD
from tests.preparation.helpers import freeze_today, roll_owners, valid_members
from tests.results.helpers_lifecycle import end_window


def approve(meeting: Meeting, count: int, start: int = 10) -> list[Candidate]:
    """``count`` owners of the community's roll (from the ``start``-th on) nominated for the meeting's election,
    accepted by its convener and approved by the township, through the services of app.preparation.candidates."""
    from app.demo.candidates import approved_list

    return approved_list(meeting, [f"候选人{i}的陈述" for i in range(1, count + 1)], today(), start=start)


def body_account(community: Community, body: GoverningBody, username: str, office: str = "chair") -> User:
    """An account of a member of ``body``, as the township invites it."""
    return accounts.create_community_account(
        community, username, "委员", PASSWORD, Role.BODY_MEMBER, body_id=body.id, office=BodyOffice(office)
    )


def re_election_group(community: Community) -> GoverningBody:
    """The township's re-election group, composed as a preparatory group (its residents' committee member included)."""
    return bodies.form_re_election_group(community, valid_members(roll_owners()), "", today(), None)


def hold(
    meeting: Meeting,
    actor: User,
    official: User,
    ballot_of: Callable[[int], dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    *,
    developer_votes: bool = False,
) -> Result:
    """Announced 30 days before its window (which is open now), opened by the convener, the n-th owner votes
    ``ballot_of(n)``, closed, counted and published by the convener, certified by the township after the notice."""
    now = utcnow()
    meeting.opens_at, meeting.closes_at = now - timedelta(hours=1), now + timedelta(days=1)
    announced = today() - timedelta(days=30)
    announcement.announce(meeting, announced, actor.id, recorded_on=announced)
    meetings.open_voting(meeting, today(), actor.id)
    voters = db.session.query(MeetingVoter).filter_by(meeting_id=meeting.id).order_by(MeetingVoter.id).all()
    for number, voter in enumerate(v for v in voters if developer_votes or not v.is_developer):
        ballots.cast(voter, ballot_of(number), "phone")
    end_window(meeting)
    closing.close(meeting)
    result = count_runs.count(meeting, actor.id)
    certification.publish(result, today(), actor.id)
    after = (result.objections_until or today()) + timedelta(days=1)
    freeze_today(monkeypatch, after)
    certification.certify(result, after, official.id)
    return result
