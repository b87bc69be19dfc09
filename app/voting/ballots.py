"""Casting a ballot: choices checked against the matters, one ballot per voter enforced by the database, and a
receipt (a short code and the SHA-256 of the canonical ballot record) the voter keeps (DOMAIN §8).

Idempotent: a double tap, a retried request or a second channel finds the voter's ballot and returns its receipt
(the first ballot accepted counts; DOMAIN §8 decision). Concurrent submissions for one voter queue on the voter's row
lock (`lock_voter`) on PostgreSQL, and on SQLite race on the unique constraint (meeting, voter) inside a savepoint:
exactly one is stored.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import lookup_hash
from app.voting import owner_notices, proxies
from app.voting.meetings import window_state
from app.voting.models import Ballot, Credential, Meeting, MeetingVoter
from crypto.canonical import canonical_json

MOTION_ANSWERS = ("yes", "no", "abstain")
CHANNELS = ("phone", "paper", "proxy")


@dataclass(frozen=True)
class Cast:
    """The voter's ballot, and whether this call stored it (False: it was there already)."""

    ballot: Ballot
    stored: bool


#: a paper ballot's matter marked so that it cannot be read (twice, or more candidates than seats): it takes part
#: and is not a yes (DOMAIN §4); the engine counts any answer it does not know as invalid
INVALID = "invalid"


def check_choices(meeting: Meeting, choices: dict[str, Any], *, allow_invalid: bool = False) -> dict[str, Any]:
    """The choices keyed by matter id (text), every matter present: a motion takes "yes", "no", "abstain" or None
    (blank); the election a list of distinct candidate ids of that matter, at most as many as its seats (DOMAIN §5).
    With ``allow_invalid`` (paper ballots, checked by `app.voting.paper.check_paper_choices`) a matter may also be
    "invalid". Anything else is refused with the matter named (the phone ballot never produces it)."""
    checked: dict[str, Any] = {}
    for matter in meeting.matters:
        answer = choices.get(str(matter.id))
        if allow_invalid and answer == INVALID:
            checked[str(matter.id)] = INVALID
            continue
        if matter.kind == "motion":
            if answer is not None and answer not in MOTION_ANSWERS:
                raise DomainError("invalid_choice", _l("Choose yes, no or abstain on: %(m)s", m=matter.title))
            checked[str(matter.id)] = answer
            continue
        if answer is not None and not (isinstance(answer, list | tuple) and all(type(item) is int for item in answer)):
            raise DomainError("invalid_choice", _l("Choose among the candidates of: %(m)s", m=matter.title))
        picked = list(answer or [])
        allowed = {c.id for c in matter.candidates}
        if len(set(picked)) != len(picked) or not set(picked) <= allowed:
            raise DomainError("invalid_choice", _l("Choose among the candidates of: %(m)s", m=matter.title))
        if matter.kind == "election" and len(picked) > matter.marks:
            raise DomainError(
                "too_many_candidates",
                _l("Choose at most %(n)d candidates on: %(m)s", n=matter.marks, m=matter.title),
            )
        checked[str(matter.id)] = sorted(picked)
    return checked


def ballot_record(ballot: Ballot, voter: MeetingVoter) -> dict[str, Any]:
    """The canonical record a receipt hashes (and the ledger will publish): no name, a salt against guessing."""
    return {
        "format": "gongjue.ballot/1",
        "meeting": ballot.meeting_id,
        "voter": voter.voter_key,
        "channel": ballot.channel,
        "cast_at": ballot.cast_at.isoformat(),
        "choices": ballot.choices,
        "nonce": ballot.nonce,
    }


def receipt_code(digest: str) -> str:
    """Ten characters of base32 from the hash, grouped for reading aloud: "K3QF-7TZX-PA"."""
    raw = base64.b32encode(bytes.fromhex(digest)[:7]).decode()[:10]
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def existing_ballot(voter: MeetingVoter) -> Ballot | None:
    return db.session.scalars(
        select(Ballot).where(Ballot.meeting_id == voter.meeting_id, Ballot.meeting_voter_id == voter.id)
    ).first()


def seal(ballot: Ballot, voter: MeetingVoter) -> None:
    """A fresh salt, the record's hash and the receipt code."""
    ballot.nonce = secrets.token_hex(16)
    digest = hashlib.sha256(canonical_json(ballot_record(ballot, voter))).hexdigest()
    ballot.receipt_sha256, ballot.receipt_code = digest, receipt_code(digest)


def _changed(ballot: Ballot, voter: MeetingVoter, meeting: Meeting, choices: dict[str, Any]) -> Cast:
    """The meeting allows changes before the close: the same choices return the receipt (a double tap); others
    replace the ballot's choices under a new receipt (the old receipt no longer matches; audited)."""
    if ballot.choices == choices:
        return Cast(ballot, stored=False)
    previous = ballot.receipt_sha256
    ballot.choices, ballot.cast_at = choices, utcnow().replace(microsecond=0)
    seal(ballot, voter)
    db.session.flush()
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(
        "ballot.change",
        "ballot",
        ballot.id,
        {"meeting": meeting.id, "previous_receipt": sealed_receipt(previous), "receipt": sealed_receipt(ballot)},
        township_id=community.township_id,
        community_id=community.id,
    )
    owner_notices.ballot_counted(voter, meeting, ballot.channel)
    return Cast(ballot, stored=True)


def sealed_receipt(ballot: Ballot | str) -> str:
    """The reference to a ballot that the audit log keeps: a keyed hash of its receipt (app.privacy.lookup_hash).
    The receipt itself is printed in the result package beside the voter's pseudonym, so an audit event holding it
    would tell every reader of the log whose ballot it is (issue 16 item 1); the operator, who holds the data key,
    can still match an event to a ballot in a dispute."""
    receipt = ballot if isinstance(ballot, str) else ballot.receipt_sha256
    return lookup_hash(f"receipt:{receipt}")


def lock_voter(voter: MeetingVoter) -> None:
    """Take the voter's row for this transaction (PostgreSQL ``FOR NO KEY UPDATE``; SQLite locks the whole database on
    the first write anyway) before anything else about their ballot: every path that casts or enters a ballot (the
    phone, a proxy, a teller's entry) takes this one lock first, so two of them for one voter wait for each other in
    order instead of deadlocking (issue 18 item 3). ``NO KEY`` leaves the key-share lock that inserting a ballot
    (its foreign key) takes on the row free."""
    db.session.execute(select(MeetingVoter.id).where(MeetingVoter.id == voter.id).with_for_update(key_share=True))


def _insert(ballot: Ballot, voter: MeetingVoter) -> Ballot | None:
    """Store a new ballot, or return the voter's ballot that another transaction stored first. On PostgreSQL the
    voter's row lock (`lock_voter`), taken before looking for their ballot, already makes a second one impossible,
    so the insert goes straight in (a savepoint costs two statements on every ballot: issue 21 item 2). SQLite, the
    embedded default, has no row lock: there the insert runs in a savepoint, so that a race lost to another ballot
    leaves the transaction usable to read the ballot that won."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.add(ballot)
        db.session.flush()
        return None
    try:
        with db.session.begin_nested():
            db.session.add(ballot)
    except IntegrityError:
        stored = existing_ballot(voter)
        if stored is None:  # the conflict was not this voter's ballot: a receipt code collision (2^-50)
            raise
        return stored
    return None


def cast(voter: MeetingVoter, choices: dict[str, Any], channel: str, credential: Credential | None = None) -> Cast:
    """Store the voter's ballot once; a repeat returns the ballot already stored (the first accepted counts).

    ``credential`` is the link that cast it (phone, proxy): the ballot keeps it, so that the staff action behind it
    (a reissued letter, a proxy) can be listed for the township (app.voting.assisted). The owner is told by SMS
    that a ballot was counted in their name (app.voting.owner_notices; issue 16 item 2)."""
    meeting = db.session.get_one(Meeting, voter.meeting_id)
    if channel not in CHANNELS:
        raise DomainError("invalid_channel", _l("Unknown channel."))
    lock_voter(voter)
    already = existing_ballot(voter)
    if already is not None:
        if meeting.allow_change and channel == already.channel == "phone" and window_state(meeting) == "open":
            return _changed(already, voter, meeting, check_choices(meeting, choices))
        return Cast(already, stored=False)
    # a paper ballot returned in time may be entered after the window and after the close, until the count starts
    state = window_state(meeting)
    if state != "open" and not (
        channel == "paper" and state in ("after", "closed") and meeting.status in ("open", "closed")
    ):
        raise DomainError("window_closed", _l("Voting is not open now."), status=409)
    ballot = Ballot(
        meeting_id=meeting.id,
        meeting_voter_id=voter.id,
        channel=channel,
        choices=check_choices(meeting, choices, allow_invalid=channel == "paper"),
        cast_at=utcnow().replace(microsecond=0),
        credential_id=credential.id if credential is not None else None,
    )
    seal(ballot, voter)
    earlier = _insert(ballot, voter)
    if earlier is not None:
        return Cast(earlier, stored=False)
    proxies.revoke_unused_for(voter, ballot)  # DOMAIN §8: an owner who votes first revokes an unused proxy
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(
        "ballot.cast",
        "ballot",
        ballot.id,
        {"meeting": meeting.id, "channel": channel, "receipt": sealed_receipt(ballot)},
        township_id=community.township_id,
        community_id=community.id,
    )
    owner_notices.ballot_counted(voter, meeting, channel)
    return Cast(ballot, stored=True)
