"""The schema is built by the migrations; they have one head, match the models, and downgrade cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.conftest import make_test_app
from tests.databases import fresh_database_url


def _script_directory(app) -> ScriptDirectory:
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def test_there_is_exactly_one_migration_head(app):
    heads = _script_directory(app).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; merge them"


def test_models_and_migrations_agree(app):
    """Autogenerate finds nothing to do on the migrated database: no column, index or type differs."""
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_downgrade_to_empty_and_upgrade_again(tmp_path):
    app = make_test_app(fresh_database_url(tmp_path, "roundtrip"), tmp_path)
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "townships", "communities", "audit_events", "roll_units"} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(sa.inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()
