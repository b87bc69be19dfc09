"""Moving the suite's pinned clock (tests/conftest.py `pinned_clock`) for one test or one fixture."""

from __future__ import annotations

from datetime import date, datetime

import time_machine

from app.db_types import SHANGHAI
from tests.conftest import START_OF_RUN

#: the day the fixed histories of the tests (a group formed 2026-09-01, notices, nominations and demands in September
#: to November 2026) have all happened by: tests written around those dates run on it, whatever the matrix's day
STORY_DAY = date(2026, 12, 9)


def travel_to(day: date) -> time_machine.travel:
    """The clock on ``day`` at 10:00 Asia/Shanghai, ticking on from there (a context manager)."""
    return time_machine.travel(datetime.combine(day, START_OF_RUN, tzinfo=SHANGHAI), tick=True)
