"""Paper ballots entered twice by different tellers (issue 6 item 5): agreement casts, disagreement queues, a phone
ballot cast first wins (DOMAIN §8), marks over the seats are invalid for the election (DOMAIN §5)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.errors import DomainError
from app.extensions import db
from app.voting import ballots, paper
from app.voting.models import Ballot
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.voting.helpers import OpenMeeting, gen_open_meeting


@pytest.fixture
def opened(app: Any) -> OpenMeeting:
    township = gen_township()
    return gen_open_meeting(gen_community(township), gen_official(township))


@pytest.fixture
def tellers(opened: OpenMeeting) -> tuple[int, int, int]:
    from app.communities.models import Community

    community = db.session.get_one(Community, opened.meeting.community_id)
    return tuple(gen_member(community, role=Role.TELLER).id for _ in range(3))  # type: ignore[return-value]


def marks(opened: OpenMeeting, motion: Any = "yes", picked: Any = None) -> dict[str, Any]:
    first = [c.id for c in opened.election.candidates[:3]]
    return {str(opened.motion.id): motion, str(opened.election.id): first if picked is None else picked}


def ballot_of(voter_id: int) -> Ballot | None:
    return db.session.query(Ballot).filter_by(meeting_voter_id=voter_id).one_or_none()


def test_two_tellers_who_agree_cast_the_ballot(opened: OpenMeeting, tellers: tuple[int, int, int]) -> None:
    voter = opened.voters[3]
    code = paper.paper_code(voter)
    first = paper.record_entry(opened.meeting, code, tellers[0], marks(opened))
    assert first.status == "pending"
    assert ballot_of(voter.id) is None  # one entry never counts
    second = paper.record_entry(opened.meeting, code.lower(), tellers[1], marks(opened))
    assert (first.status, second.status) == ("matched", "matched")
    ballot = ballot_of(voter.id)
    assert ballot is not None
    assert ballot.channel == "paper"
    assert ballot.choices[str(opened.motion.id)] == "yes"
    assert paper.pending_count(opened.meeting) == 0


def test_the_same_teller_cannot_enter_a_ballot_twice(opened: OpenMeeting, tellers: tuple[int, int, int]) -> None:
    code = paper.paper_code(opened.voters[3])
    paper.record_entry(opened.meeting, code, tellers[0], marks(opened))
    with pytest.raises(DomainError) as caught:
        paper.record_entry(opened.meeting, code, tellers[0], marks(opened))
    assert caught.value.code == "same_teller"
    assert ballot_of(opened.voters[3].id) is None


def test_a_mismatch_waits_in_the_queue_until_a_third_entry_agrees(
    opened: OpenMeeting, tellers: tuple[int, int, int]
) -> None:
    voter = opened.voters[4]
    code = paper.paper_code(voter)
    paper.record_entry(opened.meeting, code, tellers[0], marks(opened, "yes"))
    paper.record_entry(opened.meeting, code, tellers[1], marks(opened, "no"))
    [(queued, entries)] = paper.mismatch_queue(opened.meeting)
    assert queued.id == voter.id
    assert [e.choices[str(opened.motion.id)] for e in entries] == ["yes", "no"]
    assert ballot_of(voter.id) is None
    assert paper.pending_count(opened.meeting) == 2
    paper.record_entry(opened.meeting, code, tellers[2], marks(opened, "no"))
    ballot = ballot_of(voter.id)
    assert ballot is not None
    assert ballot.choices[str(opened.motion.id)] == "no"
    assert paper.mismatch_queue(opened.meeting) == []


def test_a_phone_ballot_cast_first_wins_and_the_paper_is_a_conflict(
    opened: OpenMeeting, tellers: tuple[int, int, int]
) -> None:
    voter = opened.voters[5]
    phone = ballots.cast(voter, marks(opened, "abstain"), "phone")
    code = paper.paper_code(voter)
    paper.record_entry(opened.meeting, code, tellers[0], marks(opened, "yes"))
    second = paper.record_entry(opened.meeting, code, tellers[1], marks(opened, "yes"))
    assert second.status == "conflict"
    ballot = ballot_of(voter.id)
    assert ballot is not None
    assert (ballot.id, ballot.channel, ballot.choices[str(opened.motion.id)]) == (phone.ballot.id, "phone", "abstain")


def test_more_marks_than_seats_make_the_election_invalid_not_the_ballot(opened: OpenMeeting) -> None:
    every = [c.id for c in opened.election.candidates]  # 6 marks for 5 seats
    checked = paper.check_paper_choices(opened.meeting, marks(opened, "yes", every))
    assert checked[str(opened.election.id)] == paper.INVALID
    assert checked[str(opened.motion.id)] == "yes"
    assert paper.check_paper_choices(opened.meeting, marks(opened, "invalid"))[str(opened.motion.id)] == "invalid"


@pytest.mark.parametrize("code", ["", "abc", "99999-ABCD", "1-0000", "²-ABCD", "１-ABCD"])
def test_a_mistyped_code_is_refused(opened: OpenMeeting, tellers: tuple[int, int, int], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        paper.record_entry(opened.meeting, code, tellers[0], marks(opened))
    assert (caught.value.code, caught.value.field) == ("invalid_paper_code", "code")


def test_an_entry_keeps_the_scan_hash_and_is_audited_without_marks(
    opened: OpenMeeting, tellers: tuple[int, int, int]
) -> None:
    entry = paper.record_entry(opened.meeting, paper.paper_code(opened.voters[6]), tellers[0], marks(opened), b"scan")
    assert entry.image_sha256 == hashlib.sha256(b"scan").hexdigest()
    [event] = db.session.query(AuditEvent).filter_by(action="paper.entry").all()
    assert "yes" not in str(event.summary)
    assert event.summary["status"] == "pending"
