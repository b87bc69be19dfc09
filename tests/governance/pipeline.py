"""Helpers of the tests of later meetings: candidates through the pipeline, and the bodies' own accounts."""

from __future__ import annotations

from app.auth import services as accounts
from app.auth.models import BodyOffice, Role, User
from app.communities.models import Community
from app.governance import bodies
from app.governance.body_models import GoverningBody
from app.preparation.models import Candidate
from app.roll.services import today
from app.voting.models import Meeting
from tests.factories import PASSWORD
from tests.preparation.helpers import roll_owners, valid_members


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
