"""Run a unit of work again when PostgreSQL gives it up because of another transaction (issue 18 item 3).

Every path that casts or enters a ballot takes the voter's row first (`app.voting.ballots.lock_voter`), so two of
them wait for each other instead of deadlocking. Should the database still pick a victim (a deadlock through rows
this code does not know of, or a serialisation failure), the request's work is rolled back and done again, a few
times, instead of answering 500: the work reads everything anew, so the second try sees the first winner's ballot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from app.extensions import db

T = TypeVar("T")

#: serialization_failure, deadlock_detected (PostgreSQL's SQLSTATE codes)
RETRYABLE = frozenset({"40001", "40P01"})
ATTEMPTS = 3

log = logging.getLogger(__name__)


def sqlstate(error: DBAPIError) -> str | None:
    """The SQLSTATE of a database error (psycopg's), or None."""
    return getattr(error.orig, "sqlstate", None)


def retrying(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``work()`` (which commits), rolled back and run again on a deadlock or a serialisation failure, at most
    ``attempts`` times in all; any other error, or the last failure, is raised."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as error:
            if sqlstate(error) not in RETRYABLE or attempt == attempts:
                raise
            log.warning("database conflict %s, attempt %d of %d: retried", sqlstate(error), attempt, attempts)
            db.session.rollback()
    raise AssertionError("unreachable")  # the loop returns or raises
