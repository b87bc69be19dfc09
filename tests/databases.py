"""Test databases: PostgreSQL when TEST_DATABASE_URL is set, otherwise SQLite files in a temporary folder.

Every database is built by running the migrations (`upgrade head`), so every run tests them.
Separate databases (for the migration round trip, the browser, the worker and the smoke test) are PostgreSQL
schemas of the test database, or separate SQLite files.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


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
    schema = f"t_{name}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(sqlalchemy_url(TEST_DATABASE_URL))
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    return sqlalchemy_url(TEST_DATABASE_URL) + separator + "options=" + quote(f"-csearch_path={schema}")


def reset_main_database(tmp_dir: Path) -> str:
    """The suite's main database, emptied: PostgreSQL's public schema recreated, or a new SQLite file."""
    if not uses_postgresql():
        return f"sqlite:///{tmp_dir / 'main.db'}"
    engine = sa.create_engine(sqlalchemy_url(TEST_DATABASE_URL))
    with engine.begin() as connection:
        for (schema,) in connection.execute(
            sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%' ESCAPE '\\'")
        ):
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return sqlalchemy_url(TEST_DATABASE_URL)
