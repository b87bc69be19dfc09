"""The demo's self-governance (issue 8): communities whose first meeting is certified, so that each state can be
seen and acted on.

- 竹林苑: the assembly is established but no committee was elected; the township (`jiyang1`) decides on its
  community page whether to convert the preparatory group into a property management committee.
- 松涛苑: an owners' committee was elected and certified; it is not filed yet, so the filing clock runs, and the
  township records its officers, its filing, and members leaving with alternates moving up.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.communities.models import Township
from app.demo.results import Choose, established_with_committee, established_without_committee, open_now, vote_back
from app.demo.voting import demo_community, open_first_meeting, voters_of
from app.results import certification, closing, counting
from app.results.models import Result
from app.voting.models import Meeting


def _certified(township: Township, name: str, seed: int, choose: Choose, today: date, official_id: int) -> Result:
    """A first meeting voted 30 days ago, counted, published for its notice and certified three days ago."""
    community = demo_community(
        township, name, f"诸暨市暨阳街道{name}路1号", f"诸暨{name}置业有限公司", seed, today - timedelta(days=25)
    )
    meeting: Meeting = open_first_meeting(community, today - timedelta(days=30), *open_now())
    voters = [v for v in voters_of(meeting) if not v.is_developer]
    vote_back(meeting, voters[: len(voters) * 9 // 10], choose, days_ago=30)
    closing.close(meeting, now=meeting.closes_at + timedelta(minutes=1))
    result = counting.count(meeting, None)
    certification.publish(result, today - timedelta(days=15))
    certification.certify(result, today - timedelta(days=3), official_id)
    return result


def certified_communities(township: Township, today: date, official_id: int) -> None:
    _certified(township, "竹林苑", 41, established_without_committee, today, official_id)
    _certified(township, "松涛苑", 43, established_with_committee, today, official_id)
