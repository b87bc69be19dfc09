"""Test databases: PostgreSQL when TEST_DATABASE_URL is set, otherwise SQLite files in a temporary folder.

Every database is built by running the migrations (`upgrade head`), so every run tests them.
Separate databases (for the migration round trip, the browser, the worker and the smoke test) are PostgreSQL
schemas of the test database, or separate SQLite files.

Under pytest-xdist (`make test` runs two processes) each process has its own: on PostgreSQL its main database is the
schema ``w_<worker>`` instead of ``public``, and its separate ones are named ``t_<worker>_…``, so that a process
resetting its own never drops another's.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
#: the pytest-xdist process ("gw0", "gw1" …), or "" without xdist
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def uses_postgresql() -> bool:
    return TEST_DATABASE_URL.startswith("postgresql")


def sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def fresh_database_url(tmp_dir: Path, name: str) -> str:
    """An empty database: a new PostgreSQL schema (dropped and recreated) or a new SQLite file."""
    if not uses_postgresql():
        return f"sqlite:///{tmp_dir / (name + '.db')}"
    schema = f"t_{WORKER or 'x'}_{name}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(sqlalchemy_url(TEST_DATABASE_URL))
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return in_schema(schema)


def in_schema(schema: str) -> str:
    """The test database's URL with ``schema`` as its search path."""
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    return sqlalchemy_url(TEST_DATABASE_URL) + separator + "options=" + quote(f"-csearch_path={schema}")


def reset_main_database(tmp_dir: Path) -> str:
    """The suite's main database, emptied: PostgreSQL's public schema recreated (an xdist process's own schema), or
    a new SQLite file. The separate databases left by an earlier run (of this process) are dropped."""
    if not uses_postgresql():
        return f"sqlite:///{tmp_dir / 'main.db'}"
    main = f"w_{WORKER}" if WORKER else "public"
    left_over = f"t\\_{WORKER}\\_%" if WORKER else "_\\_%"  # without xdist: every t_ and w_ schema
    engine = sa.create_engine(sqlalchemy_url(TEST_DATABASE_URL))
    with engine.connect() as connection:
        left = connection.execute(
            sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern ESCAPE '\\' AND nspname ~ '^[tw]_'"),
            {"pattern": left_over},
        ).scalars()
        schemas = [*left, main]
    for schema in schemas:  # one at a time: a schema's tables each take a lock until the transaction ends
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{main}"'))
    engine.dispose()
    return in_schema(main) if WORKER else sqlalchemy_url(TEST_DATABASE_URL)
