"""Fixtures of the governance tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.governance import bodies
from app.governance.body_models import GoverningBody
from app.results import certification, closing, count_runs
from app.roll.services import today
from tests.results.helpers_lifecycle import Voted, choices, end_window, gen_voted, owner_voters


@pytest.fixture
def elected(app: Any) -> tuple[Voted, GoverningBody]:
    """A first meeting whose five candidates with most votes are members, the sixth an alternate."""
    voted = gen_voted(share=0.0)
    election = voted.meeting.matters[2]
    ids = [c.id for c in election.candidates]
    from app.voting import ballots

    # each ballot marks candidates 1 and 2 and three of 3–6, leaving out 3 on one ballot in ten, 4 on two, 5 on
    # three and 6 on four: all six win more than half, in the order 1–2, 3, 4, 5, 6
    left_out = [2, 3, 3, 4, 4, 4, 5, 5, 5, 5]
    for number, voter in enumerate(owner_voters(voted)):
        picked = [cid for i, cid in enumerate(ids[:6]) if i != left_out[number % 10]]
        ballots.cast(voter, {**choices(voted.opened), str(election.id): picked}, "phone")
    end_window(voted.meeting)
    closing.close(voted.meeting)
    result = count_runs.count(voted.meeting, voted.official.id)
    certification.publish(result, today(), voted.official.id)
    certification.certify(result, (result.objections_until or today()) + timedelta(days=1), voted.other_official.id)
    body = bodies.in_office(voted.community)
    assert body is not None
    return voted, body
