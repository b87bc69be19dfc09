"""Ballots that a staff action made possible, for the township (issue 16 item 2): every ballot cast by a proxy,
and every ballot cast with a letter that replaced an earlier one. These are where an insider could cast a ballot in
an owner's name ("代投"), so the township that certifies the result sees them, per meeting, with who recorded,
confirmed or reissued; the owner was told of each by SMS (app.voting.owner_notices).

Who voted is shown, never how (DOMAIN §8): the list has no choice and no receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.extensions import db
from app.voting.models import Ballot, Credential, Meeting, MeetingVoter
from app.voting.proxy_models import Proxy


@dataclass(frozen=True)
class AssistedBallot:
    """One ballot and the staff action behind it: "proxy" (recorded by, confirmed how and by whom) or "reissue"
    (the letter that cast it replaced ``earlier`` letters; issued by)."""

    voter: MeetingVoter
    channel: str
    kind: str
    cast_at: datetime
    staff: str
    confirmed_via: str | None = None
    confirmed_by: str | None = None
    earlier: int = 0


def _name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else "—"


def _proxy_ballots(meeting: Meeting) -> list[AssistedBallot]:
    rows = db.session.execute(
        select(Ballot, MeetingVoter, Proxy)
        .join(MeetingVoter, MeetingVoter.id == Ballot.meeting_voter_id)
        .join(Proxy, (Proxy.meeting_voter_id == Ballot.meeting_voter_id) & (Proxy.status == "used"))
        .where(Ballot.meeting_id == meeting.id, Ballot.channel == "proxy")
    ).all()
    return [
        AssistedBallot(
            voter,
            ballot.channel,
            "proxy",
            ballot.cast_at,
            _name(proxy.recorded_by_id),
            proxy.confirmed_via,
            _name(proxy.confirmed_by_id) if proxy.confirmed_by_id else None,
        )
        for ballot, voter, proxy in rows
    ]


def _reissued_ballots(meeting: Meeting) -> list[AssistedBallot]:
    """Owners' own ballots cast with a letter issued after an earlier one of theirs (the first letter of every
    owner is issued by staff too; a replacement is the act to watch)."""
    earlier = aliased(Credential)
    replaced = (
        select(func.count(earlier.id))
        .where(
            earlier.meeting_voter_id == Credential.meeting_voter_id,
            earlier.proxy_id.is_(None),
            earlier.id < Credential.id,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Ballot, MeetingVoter, Credential, replaced)
        .join(MeetingVoter, MeetingVoter.id == Ballot.meeting_voter_id)
        .join(Credential, Credential.id == Ballot.credential_id)
        .where(Ballot.meeting_id == meeting.id, Credential.proxy_id.is_(None), replaced > 0)
    ).all()
    return [
        AssistedBallot(voter, ballot.channel, "reissue", ballot.cast_at, _name(credential.issued_by_id), earlier=n)
        for ballot, voter, credential, n in rows
    ]


def assisted_ballots(meeting: Meeting) -> list[AssistedBallot]:
    """The meeting's ballots by proxy or after a reissue, by unit."""
    return sorted(_proxy_ballots(meeting) + _reissued_ballots(meeting), key=lambda row: row.voter.units_label)
