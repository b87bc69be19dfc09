"""`app.db_retry.retrying` (issue 18 item 3): a deadlock or a serialisation failure is rolled back and the work done
again, a bounded number of times; any other database error is raised at once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from app.db_retry import ATTEMPTS, retrying


class Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def failing(codes: list[str]) -> tuple[Any, list[int]]:
    """Work that fails with the given SQLSTATEs in turn, then answers "done"; and the list of its calls."""
    calls: list[int] = []

    def work() -> str:
        calls.append(len(calls))
        if len(calls) <= len(codes):
            raise OperationalError("SELECT 1", {}, Orig(codes[len(calls) - 1]))
        return "done"

    return work, calls


@pytest.mark.parametrize("code", ["40P01", "40001"])
def test_a_deadlock_or_serialisation_failure_is_tried_again(app: Any, code: str) -> None:
    work, calls = failing([code] * (ATTEMPTS - 1))
    assert retrying(work) == "done"
    assert len(calls) == ATTEMPTS


def test_it_gives_up_after_the_last_attempt(app: Any) -> None:
    work, calls = failing(["40P01"] * ATTEMPTS)
    with pytest.raises(DBAPIError):
        retrying(work)
    assert len(calls) == ATTEMPTS


def test_any_other_database_error_is_raised_at_once(app: Any) -> None:
    work, calls = failing(["23505"])  # a unique violation is not a conflict to wait out
    with pytest.raises(DBAPIError):
        retrying(work)
    assert len(calls) == 1
