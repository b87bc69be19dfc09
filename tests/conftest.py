"""Fixtures: one migrated database per run; each test inside a transaction rolled back at its end."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.db_types import SHANGHAI
from app.extensions import db, limiter
from app.voting import frozen_matters
from tests.databases import reset_main_database
from tests.factories import PASSWORD

TEST_DATA_KEY = base64.b64encode(b"k" * 32).decode()

#: the day the whole suite runs on: no test reads the machine's clock. The date matrix of .ci/run sets it to the
#: days that have tripped date arithmetic before (a weekend, an adjusted working day, 31 December, a year without the
#: official holiday arrangement …); `make test` runs on this default, an ordinary Wednesday.
TODAY_VARIABLE = "GONGJUE_TEST_TODAY"
DEFAULT_TODAY = date(2026, 12, 9)
#: the time of day the clock starts at on that day (Asia/Shanghai), far from midnight so that a run cannot cross it
START_OF_RUN = time(10, 0)


#: the tests that depend on the day they run (periods, notices, clocks, reminders, results, governance, dashboards,
#: the demo, the calendar itself): marked `dated` here, and run by .ci/run under every day of tests/date_matrix.txt
DATED = (
    "tests/results/",
    "tests/governance/",
    "tests/voting/",
    "tests/roll_flow/test_lifecycle.py",
    "tests/preparation/test_notice_services.py",
    "tests/preparation/test_reminders.py",
    "tests/preparation/test_provisional_dates.py",
    "tests/rules/test_calendar.py",
    "tests/rules/test_provisional_calendar.py",
    "tests/rules/test_preparation.py",
    "tests/test_holidays.py",
    "tests/test_recompute.py",
    "tests/test_demo.py",
)
ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of `DATED` (`pytest -m dated` selects them)."""
    for item in items:
        where = Path(item.path).resolve().relative_to(ROOT).as_posix()
        if where.startswith(DATED):
            item.add_marker(pytest.mark.dated)


def pinned_today() -> date:
    """The day the suite runs on: GONGJUE_TEST_TODAY (YYYY-MM-DD) or DEFAULT_TODAY."""
    configured = os.environ.get(TODAY_VARIABLE, "").strip()
    return date.fromisoformat(configured) if configured else DEFAULT_TODAY


@pytest.fixture(scope="session", autouse=True)
def pinned_clock() -> Iterator[time_machine.Traveller]:
    """Every test, and every session fixture (the demo of the browser tests included), runs on `pinned_today()` from
    10:00 Asia/Shanghai, the clock ticking on from there. A test that needs another moment travels again inside it
    (``time_machine.travel``, or ``pinned_clock.shift``)."""
    with time_machine.travel(datetime.combine(pinned_today(), START_OF_RUN, tzinfo=SHANGHAI), tick=True) as traveller:
        yield traveller


def make_test_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATA_KEY_B64": TEST_DATA_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance_path),
        "SERVER_NAME": None,
        "ARGON2_PROFILE": "CHEAPEST",
    }
    config.update(overrides)
    return create_app(config)


def make_sqlite_savepoints_work(engine: sa.Engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("main")
    application = make_test_app(reset_main_database(tmp), tmp)
    application.test_client_class = FreshContextClient
    with application.app_context():
        upgrade()
        make_sqlite_savepoints_work(db.engine)
        db.engine.dispose()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _rolled_back_transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app runs in one outer transaction, rolled back at its end (Warehouse style).

    Tasks run eagerly inside a request share that transaction through savepoints: a view reads what it needs
    before it commits and enqueues, as it must anyway, so that a task never runs inside a later savepoint.
    """
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    application.extensions["celery"].set_default()
    limiter.reset()
    with application.app_context():
        frozen_matters.forget_all()  # the ids of this test's rolled-back rows come again
        # Flask-SQLAlchemy picks its bind from its engine map, so the test's connection goes there.
        engines = db._app_engines[application]
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        original = db.session
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            engines[None] = engine
            if transaction.is_active:
                transaction.rollback()
            connection.close()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (so its own `g` and session), as in production, although the test
    itself holds an app context open for its factories and assertions."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


class AuthActions:
    """Log in and out through the real login form (with its CSRF token)."""

    def __init__(self, client: FlaskClient):
        self._client = client

    def login(self, username: str, password: str = PASSWORD) -> Any:
        page = self._client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        return self._client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def csrf(self, url: str = "/") -> str:
        return csrf_token_from(self._client.get(url).get_data(as_text=True))

    def logout(self) -> Any:
        return self.post("/logout")

    def post(self, url: str, data: dict[str, Any] | None = None, form_page: str | None = None) -> Any:
        """POST a form as a browser would, with the CSRF token of `form_page` (default: the same URL)."""
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf(form_page or "/account/tokens")
        return self._client.post(url, data=payload)


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
