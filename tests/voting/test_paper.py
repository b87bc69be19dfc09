"""Paper ballots entered twice by different tellers (issue 6 item 5): agreement casts, disagreement queues, a phone
ballot cast first wins (DOMAIN §8), marks over the seats are invalid for the election (DOMAIN §5)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.errors import DomainError, Forbidden
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


# --- a mismatch never gets stuck (issue 19 item 2) ------------------------------------------------------------------


@pytest.fixture
def staff(opened: OpenMeeting) -> dict[str, Any]:
    """The community's two tellers, its group leader, a community observer, the township's official, and a teller
    of another community."""
    from app.auth import services as accounts
    from app.auth.models import GroupRole
    from app.communities.models import Community
    from tests.factories import PASSWORD

    community = db.session.get_one(Community, opened.meeting.community_id)

    def account(username: str, name: str, role: Role, group_role: GroupRole | None = None) -> Any:
        return accounts.create_community_account(community, username, name, PASSWORD, role, group_role)

    return {
        "t1": account("p-t1", "范计票", Role.TELLER),
        "t2": account("p-t2", "金计票", Role.TELLER),
        "leader": account("p-leader", "吴组长", Role.GROUP_MEMBER, GroupRole.LEADER),
        "observer": account("p-observer", "钱观察", Role.OBSERVER),
        "official": gen_official(community.township),
        "stranger": gen_member(gen_community(community.township), role=Role.TELLER),
        "township": community.township.name,
    }


def refused(call: Any, *args: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


def mismatched(opened: OpenMeeting, staff: dict[str, Any], voter_number: int = 4) -> str:
    """A ballot the two tellers entered differently (the first motion "yes", then "no"); its code."""
    code = paper.paper_code(opened.voters[voter_number])
    paper.record_entry(opened.meeting, code, staff["t1"].id, marks(opened, "yes"))
    assert paper.record_entry(opened.meeting, code, staff["t2"].id, marks(opened, "no")).status == "mismatch"
    return code


def test_two_tellers_alone_settle_a_mismatch_once_the_convener_names_one(opened: OpenMeeting, staff) -> None:
    """With two tellers only, both entered the ballot: neither may enter it again on their own, and the refusal names
    who may (the group and the township, who did not enter it). The convener names the first teller, who takes the
    paper out again and enters "no" like the second: two different people agree, the ballot counts."""
    voter = opened.voters[4]
    code = mismatched(opened, staff)
    error = refused(paper.record_entry, opened.meeting, code, staff["t1"].id, marks(opened, "no"))
    assert error.code == "same_teller"
    said = str(error)
    assert staff["leader"].display_name in said
    assert staff["township"] in said
    assert "范计票" not in said  # both tellers entered it: neither is offered
    assert "金计票" not in said

    named = paper.designate(opened.meeting, voter, staff["t1"].id, staff["official"].id)
    assert (named.user_id, named.designated_by_id, named.entry_id) == (staff["t1"].id, staff["official"].id, None)
    event = db.session.query(AuditEvent).filter_by(action="paper.designate").one()
    assert event.summary == {"meeting": opened.meeting.id, "voter": voter.id, "user": staff["t1"].id, "previous": None}
    makers = paper.EntryMakers.of(opened.meeting).next_entry([staff["t1"].id, staff["t2"].id], "mismatch", named)
    assert makers.named is not None
    assert makers.named.id == staff["t1"].id
    assert makers.words()[0].startswith(staff["t1"].display_name)

    third = paper.record_entry(opened.meeting, code, staff["t1"].id, marks(opened, "no"))
    assert third.status == "matched"
    ballot = ballot_of(voter.id)
    assert ballot is not None
    assert ballot.choices[str(opened.motion.id)] == "no"
    assert named.entry_id == third.id
    entry_events = db.session.query(AuditEvent).filter_by(action="paper.entry").order_by(AuditEvent.seq).all()
    assert entry_events[-1].summary["named"] == named.id
    assert paper.waiting(opened.meeting) == []


def test_a_named_teller_never_agrees_with_themselves(opened: OpenMeeting, staff) -> None:
    """The named first teller enters "yes" again, as on their first entry: one person agreeing with themselves does
    not count; the naming is used up. The convener then names the second teller, who agrees with "yes": counted."""
    voter = opened.voters[4]
    code = mismatched(opened, staff)
    paper.designate(opened.meeting, voter, staff["t1"].id, staff["official"].id)
    again = paper.record_entry(opened.meeting, code, staff["t1"].id, marks(opened, "yes"))
    assert again.status == "mismatch"
    assert ballot_of(voter.id) is None
    assert refused(paper.record_entry, opened.meeting, code, staff["t1"].id, marks(opened, "no")).code == "same_teller"
    paper.designate(opened.meeting, voter, staff["t2"].id, staff["leader"].id)
    assert paper.record_entry(opened.meeting, code, staff["t2"].id, marks(opened, "yes")).status == "matched"
    ballot = ballot_of(voter.id)
    assert ballot is not None
    assert ballot.choices[str(opened.motion.id)] == "yes"
    previous = db.session.query(AuditEvent).filter_by(action="paper.designate").order_by(AuditEvent.seq).all()[-1]
    assert previous.summary["previous"] == staff["t1"].id


def test_the_convener_names_only_accounts_that_enter_paper_ballots(opened: OpenMeeting, staff) -> None:
    """Named: a teller or one of the convener's accounts. Not an observer, not another community's teller, not the
    township's official (who enters ballots without being named); and only a ballot in the mismatch queue."""
    voter = opened.voters[4]
    mismatched(opened, staff)
    assert {u.id for u in paper.designees(opened.meeting)} == {staff[k].id for k in ("t1", "t2", "leader")}
    for who in ("observer", "stranger", "official"):
        error = refused(paper.designate, opened.meeting, voter, staff[who].id, staff["official"].id)
        assert (error.code, error.field) == ("invalid_user_id", "user_id")
    # and only the convener names, checked by the service itself: a teller or an observer is refused
    for who in ("t1", "observer"):
        with pytest.raises(Forbidden):
            paper.designate(opened.meeting, voter, staff["t2"].id, staff[who].id)
    pending = opened.voters[5]
    paper.record_entry(opened.meeting, paper.paper_code(pending), staff["t1"].id, marks(opened))
    for voter_without_queue in (pending, opened.voters[6]):
        error = refused(paper.designate, opened.meeting, voter_without_queue, staff["t2"].id, staff["official"].id)
        assert error.code == "not_in_queue"
    assert db.session.query(AuditEvent).filter_by(action="paper.designate").count() == 0


def test_an_account_that_does_not_enter_paper_ballots_is_refused(opened: OpenMeeting, staff) -> None:
    code = paper.paper_code(opened.voters[3])
    for who in ("observer", "stranger"):
        error = refused(paper.record_entry, opened.meeting, code, staff[who].id, marks(opened))
        assert (error.code, error.status) == ("forbidden", 403)
    assert paper.waiting(opened.meeting) == []
    # the group and the township enter ballots themselves
    paper.record_entry(opened.meeting, code, staff["leader"].id, marks(opened))
    assert paper.record_entry(opened.meeting, code, staff["official"].id, marks(opened)).status == "matched"


def test_the_waiting_ballots_say_who_entered_them_never_what(opened: OpenMeeting, staff) -> None:
    pending = opened.voters[3]
    paper.record_entry(opened.meeting, paper.paper_code(pending), staff["t1"].id, marks(opened, "abstain"))
    code = mismatched(opened, staff)
    found = paper.waiting(opened.meeting)
    assert [(w.code, w.status, w.teller_ids) for w in found] == [
        (paper.paper_code(pending), "pending", [staff["t1"].id]),
        (code, "mismatch", [staff["t1"].id, staff["t2"].id]),
    ]
    assert "abstain" not in repr(found)
    assert not hasattr(found[0], "choices")


def test_the_channel_of_a_ballot_counted_first_is_told(opened: OpenMeeting, staff) -> None:
    """A teller is told at the first entry that the owner voted by phone (DOMAIN §8), not how."""
    voter = opened.voters[5]
    assert paper.counted_channel(voter) is None
    ballots.cast(voter, marks(opened, "abstain"), "phone")
    assert paper.counted_channel(voter) == "phone"


def test_the_queue_marks_the_candidates_that_differ(opened: OpenMeeting, staff) -> None:
    """Entry 1 ticks candidates 1, 2, 3; entry 2 ticks 1, 2, 4: candidates 3 and 4 differ, each entry lists the one
    the other ticked as not ticked here; the motion's answers differ as a whole."""
    from app.voting.paper_forms import MOTION_MARKS, side_by_side

    candidates = opened.election.candidates
    code = paper.paper_code(opened.voters[4])
    paper.record_entry(opened.meeting, code, staff["t1"].id, marks(opened, "yes", [c.id for c in candidates[:3]]))
    picked = [candidates[0].id, candidates[1].id, candidates[3].id]
    paper.record_entry(opened.meeting, code, staff["t2"].id, marks(opened, "no", picked))
    [(_voter, entries)] = paper.mismatch_queue(opened.meeting)
    rows = {row.matter.id: row for row in side_by_side(opened.meeting, entries)}
    motion, election = rows[opened.motion.id], rows[opened.election.id]
    assert motion.differs
    assert election.differs
    assert [[(p.text, p.differs) for p in cell.parts] for cell in motion.cells] == [
        [(str(MOTION_MARKS["yes"]), True)],
        [(str(MOTION_MARKS["no"]), True)],
    ]
    first, second = election.cells
    assert [(p.text, p.differs) for p in first.parts] == [
        (candidates[0].name, False),
        (candidates[1].name, False),
        (candidates[2].name, True),
    ]
    assert [(p.text, p.differs) for p in second.parts] == [
        (candidates[0].name, False),
        (candidates[1].name, False),
        (candidates[3].name, True),
    ]
    assert (first.missing, second.missing) == ([candidates[3].name], [candidates[2].name])
