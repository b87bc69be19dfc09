"""The demo's results (issue 7), so that the whole way can be tried:

- 荷花苑: its first meeting's voting window ended yesterday; one paper ballot waits for a second teller. The convener
  (a township official, `jiyang1`) closes it, settles or leaves out the paper ballot, counts, publishes, records and
  answers objections.
- 柳岸花园: its result was counted and published ten days ago and its notice has ended; one owner's objection waits
  for its answer. Once answered, a township official certifies it, and the certificate's QR code opens the public
  verification page. Its rules and covenant passed but no candidate won more than half, so the assembly is
  established without a committee: the case in which the township may convert the preparatory group into a property
  management committee.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from app.auth import services as accounts
from app.auth.models import Role
from app.communities.models import Township
from app.db_types import utcnow
from app.demo.voting import demo_community, open_first_meeting, published_so_that_it_is_over, voters_of
from app.extensions import db
from app.results import certification, closing, count_runs
from app.voting import ballots, paper
from app.voting.models import Meeting, MeetingVoter

Choose = Callable[[int, Meeting], dict[str, Any]]


def vote_back(meeting: Meeting, voters: list[MeetingVoter], choose: Choose, days_ago: int) -> None:
    """Cast the voters' ballots by phone, then move the window back ``days_ago`` days (the ballots' times and
    receipts with it), as if the vote had happened then."""
    for number, voter in enumerate(voters):
        ballots.cast(voter, choose(number, meeting), "phone")
    shift = timedelta(days=days_ago)
    meeting.opens_at -= shift
    meeting.closes_at = meeting.opens_at + timedelta(days=7)
    for number, voter in enumerate(voters):
        stored = ballots.existing_ballot(voter)
        if stored is not None:
            stored.cast_at = (meeting.opens_at + timedelta(hours=2 + number * 3)).replace(microsecond=0)
            ballots.seal(stored, voter)
    db.session.flush()


def open_now() -> tuple[datetime, datetime]:
    """A window around now, so that the ballots can be cast; `vote_back` moves it back afterwards."""
    now = utcnow()
    return now - timedelta(hours=1), now + timedelta(hours=1)


def established_with_committee(number: int, meeting: Meeting) -> dict[str, Any]:
    rules, covenant, election = meeting.matters
    answer = "no" if number % 9 == 0 else "yes"
    candidates = [c.id for c in election.candidates]
    picked = candidates[2:7] if number % 3 == 0 else candidates[:5]  # five candidates win more than half
    return {str(rules.id): answer, str(covenant.id): "yes", str(election.id): picked}


def established_with_a_tie_for_the_fifth_seat(number: int, meeting: Meeting) -> dict[str, Any]:
    """Rules and covenant pass; four candidates clear, the fifth and sixth marked on exactly the same ballots (a tie
    on heads and area for the fifth seat), the seventh by four in ten (not more than half): a run-off is due."""
    rules, covenant, election = meeting.matters
    c = [candidate.id for candidate in election.candidates]
    groups = ([c[0], c[1], c[2], c[3], c[6]], [c[0], c[1], c[2], c[4], c[5]], [c[0], c[1], c[3], c[4], c[5]])
    picked = groups[0 if number % 10 < 4 else 1 if number % 10 < 7 else 2]
    return {str(rules.id): "yes", str(covenant.id): "yes", str(election.id): picked}


def established_without_committee(number: int, meeting: Meeting) -> dict[str, Any]:
    """Rules and covenant pass; each owner marks one candidate, so nobody has more than half."""
    rules, covenant, election = meeting.matters
    candidates = [c.id for c in election.candidates]
    return {str(rules.id): "yes", str(covenant.id): "yes", str(election.id): [candidates[number % len(candidates)]]}


def window_ended(township: Township, today: date, password: str) -> Meeting:
    community = demo_community(township, "荷花苑", "诸暨市暨阳街道荷花路20号", "诸暨荷花置业有限公司", 23, today)
    teller = accounts.create_community_account(community, "hehua-teller1", "吴晓红", password, Role.TELLER)
    now = utcnow()
    meeting = open_first_meeting(
        community, today - timedelta(days=8), now - timedelta(hours=1), now + timedelta(hours=1)
    )
    voters = [v for v in voters_of(meeting) if not v.is_developer]
    vote_back(meeting, voters[: len(voters) * 4 // 5], established_with_committee, days_ago=8)
    late = voters[-1]
    paper.record_entry(meeting, paper.paper_code(late), teller.id, established_with_committee(1, meeting))
    db.session.flush()
    return meeting


def published_for_objections(township: Township, today: date) -> Meeting:
    # the roll was published 35 days ago: its notice was over when voting opened 20 days ago
    community = demo_community(
        township, "柳岸花园", "诸暨市暨阳街道柳岸路6号", "诸暨柳岸房地产有限公司", 31, today - timedelta(days=15)
    )
    meeting = open_first_meeting(community, today - timedelta(days=20), *open_now())
    voters = [v for v in voters_of(meeting) if not v.is_developer]
    vote_back(meeting, voters[: len(voters) * 17 // 20], established_without_committee, days_ago=20)
    closing.close(meeting, now=meeting.closes_at + timedelta(minutes=1))
    result = count_runs.count(meeting, None)
    certification.publish(result, published_so_that_it_is_over(today, today - timedelta(days=10)))
    certification.record_objection(
        result, "业主 3幢2单元502", "我家收到表决票较晚，请说明纸质表决票的送达情况。", today - timedelta(days=8), None
    )
    db.session.flush()
    return meeting
