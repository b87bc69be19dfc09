"""Casting a ballot (issue 6 items 4 and 7; DOMAIN §5, §8): the choices checked against the matters, one ballot per
voter whatever the channel, a receipt that is the SHA-256 of the canonical ballot record, and an audit event that says
a ballot was cast but not how."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.communities.models import Township
from app.db_types import utcnow
from app.extensions import db
from app.voting import ballots
from app.voting.ballots import sealed_receipt
from app.voting.models import Ballot, MeetingVoter
from crypto.canonical import canonical_json
from tests.factories import gen_community, gen_official, gen_township
from tests.preparation.helpers import refused
from tests.voting.helpers import OpenMeeting, gen_open_meeting

RECEIPT_CODE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2}")


def english(error: Exception) -> str:
    """A refusal's message as an English page shows it (the catalogue translates it into Chinese by default)."""
    from flask_babel import force_locale

    with force_locale("en"):
        return str(error)


@pytest.fixture
def township(app: Flask) -> Township:
    return gen_township()


@pytest.fixture
def official(township: Township) -> User:
    return gen_official(township)


@pytest.fixture
def opened(township: Township, official: User) -> OpenMeeting:
    return gen_open_meeting(gen_community(township), official)


@pytest.fixture
def voter(opened: OpenMeeting) -> MeetingVoter:
    return next(v for v in opened.voters if not v.is_developer)


def keys(opened: OpenMeeting) -> tuple[str, str, str]:
    rules, covenant, election = (str(m.id) for m in opened.meeting.matters)
    return rules, covenant, election


def candidate_ids(opened: OpenMeeting) -> list[int]:
    return [c.id for c in opened.election.candidates]


def full_choices(opened: OpenMeeting) -> dict[str, Any]:
    rules, covenant, election = keys(opened)
    return {rules: "yes", covenant: "no", election: candidate_ids(opened)[:5][::-1]}


def ballots_of(voter: MeetingVoter) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.meeting_voter_id == voter.id)) or 0


def cast_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ballot.cast").order_by(AuditEvent.seq))
    )


# --- the choices -----------------------------------------------------------------------------------------------------


def test_check_choices_keeps_every_matter_and_sorts_the_election(opened: OpenMeeting) -> None:
    rules, covenant, election = keys(opened)
    ids = candidate_ids(opened)
    checked = ballots.check_choices(opened.meeting, {rules: "abstain", covenant: "yes", election: [ids[3], ids[0]]})
    assert checked == {rules: "abstain", covenant: "yes", election: sorted([ids[3], ids[0]])}


def test_blank_matters_are_allowed(opened: OpenMeeting) -> None:
    rules, covenant, election = keys(opened)
    assert ballots.check_choices(opened.meeting, {}) == {rules: None, covenant: None, election: []}
    assert ballots.check_choices(opened.meeting, {rules: None, covenant: "no", election: []}) == {
        rules: None,
        covenant: "no",
        election: [],
    }


def test_as_many_candidates_as_seats_is_allowed(opened: OpenMeeting) -> None:
    election = keys(opened)[2]
    ids = candidate_ids(opened)
    assert opened.election.seats == 5
    assert ballots.check_choices(opened.meeting, {election: ids[:5]})[election] == sorted(ids[:5])


def test_choices_for_unknown_matters_are_not_kept(opened: OpenMeeting) -> None:
    checked = ballots.check_choices(opened.meeting, {**full_choices(opened), "999999": "yes"})
    assert set(checked) == set(keys(opened))


@pytest.mark.parametrize("answer", ["maybe", "YES", "", "yes ", 1, True])
def test_an_unknown_motion_answer_is_refused(opened: OpenMeeting, answer: Any) -> None:
    rules = keys(opened)[0]
    error = refused(ballots.check_choices, opened.meeting, {rules: answer})
    assert (error.code, error.status) == ("invalid_choice", 422)
    assert opened.motion.title in str(error)


def test_an_unknown_candidate_is_refused(opened: OpenMeeting, township: Township, official: User) -> None:
    election = keys(opened)[2]
    ids = candidate_ids(opened)
    elsewhere = gen_open_meeting(gen_community(township), official)  # a candidate of another meeting's election
    for picked in ([max(ids) + 1000], [ids[0], elsewhere.election.candidates[0].id]):
        error = refused(ballots.check_choices, opened.meeting, {election: picked})
        assert error.code == "invalid_choice"
        assert opened.election.title in str(error)


def test_a_candidate_chosen_twice_is_refused(opened: OpenMeeting) -> None:
    election = keys(opened)[2]
    ids = candidate_ids(opened)
    assert refused(ballots.check_choices, opened.meeting, {election: [ids[0], ids[1], ids[0]]}).code == "invalid_choice"


def test_more_candidates_than_seats_is_refused(opened: OpenMeeting) -> None:
    election = keys(opened)[2]
    error = refused(ballots.check_choices, opened.meeting, {election: candidate_ids(opened)})  # 6 for 5 seats
    assert (error.code, error.status) == ("too_many_candidates", 422)
    assert english(error) == f"Choose at most 5 candidates on: {opened.election.title}"


@pytest.mark.parametrize("answer", ["12", {"a": 1}, "yes", ["1"]])
def test_a_malformed_election_answer_is_refused(opened: OpenMeeting, answer: Any) -> None:
    election = keys(opened)[2]
    assert refused(ballots.check_choices, opened.meeting, {election: answer}).code == "invalid_choice"


@pytest.mark.parametrize("answer", [5, [[1]], [{"id": 1}]])
def test_a_non_list_election_answer_is_refused(opened: OpenMeeting, answer: Any) -> None:
    election = keys(opened)[2]
    assert refused(ballots.check_choices, opened.meeting, {election: answer}).code == "invalid_choice"


# --- casting ---------------------------------------------------------------------------------------------------------


def test_cast_stores_one_ballot_with_its_receipt(opened: OpenMeeting, voter: MeetingVoter) -> None:
    choices = full_choices(opened)
    before = utcnow().replace(microsecond=0)
    result = ballots.cast(voter, choices, "phone")
    assert result.stored is True
    ballot_id = result.ballot.id
    db.session.expire_all()  # the receipt must follow from what was stored
    ballot = db.session.get_one(Ballot, ballot_id)
    stored_voter = db.session.get_one(MeetingVoter, voter.id)
    assert (ballot.meeting_id, ballot.meeting_voter_id, ballot.channel) == (opened.meeting.id, voter.id, "phone")
    assert ballot.choices == ballots.check_choices(opened.meeting, choices)
    assert before <= ballot.cast_at <= utcnow()
    assert re.fullmatch(r"[0-9a-f]{32}", ballot.nonce)

    record = ballots.ballot_record(ballot, stored_voter)
    digest = hashlib.sha256(canonical_json(record)).hexdigest()
    assert ballot.receipt_sha256 == digest
    assert ballot.receipt_code == ballots.receipt_code(digest)
    assert RECEIPT_CODE.fullmatch(ballot.receipt_code)
    assert record["voter"] == voter.voter_key
    assert voter.holder_name not in json.dumps(record, ensure_ascii=False)
    assert ballots_of(voter) == 1


def test_the_receipt_code_is_read_from_the_hash() -> None:
    digest = hashlib.sha256(b"ballot").hexdigest()
    code = ballots.receipt_code(digest)
    assert RECEIPT_CODE.fullmatch(code)
    assert code == ballots.receipt_code(digest)
    assert code != ballots.receipt_code(hashlib.sha256(b"ballot2").hexdigest())


def test_the_same_choices_give_different_receipts(opened: OpenMeeting) -> None:
    """The nonce: a published receipt hash cannot be matched against the few possible ballots."""
    first, second = [v for v in opened.voters if not v.is_developer][:2]
    choices = full_choices(opened)
    one, two = ballots.cast(first, choices, "phone").ballot, ballots.cast(second, choices, "phone").ballot
    assert one.choices == two.choices
    assert one.nonce != two.nonce
    assert one.receipt_sha256 != two.receipt_sha256


@pytest.mark.parametrize("channel", ["phone", "paper", "proxy"])
def test_a_second_cast_returns_the_first_ballot(opened: OpenMeeting, voter: MeetingVoter, channel: str) -> None:
    rules, covenant, election = keys(opened)
    first = ballots.cast(voter, full_choices(opened), "phone")
    again = ballots.cast(voter, {rules: "no", covenant: "yes", election: []}, channel)
    assert again.stored is False
    assert again.ballot.id == first.ballot.id
    assert (again.ballot.receipt_sha256, again.ballot.receipt_code) == (
        first.ballot.receipt_sha256,
        first.ballot.receipt_code,
    )
    db.session.expire_all()
    [ballot] = db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == voter.id)).all()
    assert (ballot.channel, ballot.choices[rules]) == ("phone", "yes")  # the first accepted counts
    assert len(cast_events()) == 1


def test_a_repeat_is_returned_even_after_the_window(opened: OpenMeeting, voter: MeetingVoter) -> None:
    first = ballots.cast(voter, full_choices(opened), "phone")
    opened.meeting.closes_at = utcnow() - timedelta(minutes=1)
    again = ballots.cast(voter, {}, "phone")
    assert (again.stored, again.ballot.id) == (False, first.ballot.id)


def test_each_voter_has_a_ballot_of_their_own(opened: OpenMeeting) -> None:
    first, second = [v for v in opened.voters if not v.is_developer][:2]
    one = ballots.cast(first, full_choices(opened), "phone")
    two = ballots.cast(second, {}, "paper")
    assert one.stored
    assert two.stored
    assert one.ballot.id != two.ballot.id
    assert (ballots_of(first), ballots_of(second)) == (1, 1)
    assert ballots.existing_ballot(first) is one.ballot
    assert ballots.existing_ballot(opened.voters[-1]) is None


@pytest.mark.parametrize(
    ("opens", "closes", "channel"),
    [
        (timedelta(hours=1), timedelta(days=1), "phone"),  # before the window
        (timedelta(hours=1), timedelta(days=1), "paper"),
        (-timedelta(days=2), -timedelta(seconds=1), "phone"),  # after it
        (-timedelta(days=2), -timedelta(seconds=1), "proxy"),
    ],
)
def test_no_ballot_outside_the_window(
    opened: OpenMeeting, voter: MeetingVoter, opens: timedelta, closes: timedelta, channel: str
) -> None:
    now = utcnow()
    opened.meeting.opens_at, opened.meeting.closes_at = now + opens, now + closes
    error = refused(ballots.cast, voter, full_choices(opened), channel)
    assert (error.code, error.status) == ("window_closed", 409)
    assert ballots_of(voter) == 0
    assert cast_events() == []


def test_a_paper_ballot_returned_in_time_is_entered_after_the_window(opened: OpenMeeting, voter: MeetingVoter) -> None:
    now = utcnow()
    opened.meeting.opens_at, opened.meeting.closes_at = now - timedelta(days=2), now - timedelta(hours=1)
    assert ballots.cast(voter, full_choices(opened), "paper").stored is True


@pytest.mark.parametrize("status", ["draft", "counted"])
def test_no_ballot_unless_the_meeting_is_open(opened: OpenMeeting, voter: MeetingVoter, status: str) -> None:
    opened.meeting.status = status
    for channel in ballots.CHANNELS:
        assert refused(ballots.cast, voter, full_choices(opened), channel).code == "window_closed"
    assert ballots_of(voter) == 0


def test_after_the_close_only_paper_returned_in_time_is_still_entered(opened: OpenMeeting, voter: MeetingVoter) -> None:
    """Closing ends phone and proxy voting; the tellers finish entering paper ballots until the count (issue 7)."""
    opened.meeting.status = "closed"
    for channel in ("phone", "proxy"):
        assert refused(ballots.cast, voter, full_choices(opened), channel).code == "window_closed"
    assert ballots.cast(voter, full_choices(opened), "paper").stored
    assert ballots_of(voter) == 1


def test_an_unknown_channel_is_refused(opened: OpenMeeting, voter: MeetingVoter) -> None:
    assert refused(ballots.cast, voter, full_choices(opened), "wechat").code == "invalid_channel"
    assert ballots_of(voter) == 0


def test_invalid_choices_store_nothing(opened: OpenMeeting, voter: MeetingVoter) -> None:
    election = keys(opened)[2]
    assert refused(ballots.cast, voter, {election: candidate_ids(opened)}, "phone").code == "too_many_candidates"
    assert ballots_of(voter) == 0
    assert cast_events() == []
    assert ballots.cast(voter, {}, "phone").stored is True  # the voter can still vote


def test_the_audit_event_says_a_ballot_was_cast_not_how(opened: OpenMeeting, voter: MeetingVoter) -> None:
    ballot = ballots.cast(voter, full_choices(opened), "paper").ballot
    [event] = cast_events()
    assert (event.object_type, event.object_id, event.community_id) == (
        "ballot",
        str(ballot.id),
        opened.meeting.community_id,
    )
    # the receipt is printed in the package beside the voter's pseudonym: the log keeps a keyed hash of it only
    assert event.summary == {"meeting": opened.meeting.id, "channel": "paper", "receipt": sealed_receipt(ballot)}
    assert ballot.receipt_sha256 not in json.dumps(event.summary)
    text = json.dumps(event.summary)
    assert '"yes"' not in text
    assert '"no"' not in text
    assert ballot.nonce not in text


def test_when_changes_are_allowed_a_new_choice_replaces_the_ballot_under_a_new_receipt(
    opened: OpenMeeting, voter: MeetingVoter
) -> None:
    opened.meeting.allow_change = True
    motion = str(opened.motion.id)
    first = ballots.cast(voter, {motion: "yes"}, "phone")
    first_receipt = first.ballot.receipt_sha256
    again = ballots.cast(voter, {motion: "yes"}, "phone")  # a double tap: same choices, same receipt
    assert (again.stored, again.ballot.receipt_sha256) == (False, first_receipt)
    changed = ballots.cast(voter, {motion: "no"}, "phone")
    assert changed.stored
    assert changed.ballot.id == first.ballot.id
    assert changed.ballot.choices[motion] == "no"
    assert changed.ballot.receipt_sha256 != first_receipt
    assert ballots_of(voter) == 1
    paper = ballots.cast(voter, {motion: "abstain"}, "paper")  # another channel never changes it
    assert (paper.stored, paper.ballot.choices[motion]) == (False, "no")


def test_without_allow_change_a_new_choice_returns_the_first_ballot(opened: OpenMeeting, voter: MeetingVoter) -> None:
    motion = str(opened.motion.id)
    first = ballots.cast(voter, {motion: "yes"}, "phone")
    later = ballots.cast(voter, {motion: "no"}, "phone")
    assert (later.stored, later.ballot.choices[motion], later.ballot.receipt_sha256) == (
        False,
        "yes",
        first.ballot.receipt_sha256,
    )
