from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from dynimg.adapters.db.migrate import upgrade
from dynimg.adapters.db.tables import metadata


def test_migrations_build_exactly_the_declared_schema(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert {"accounts", "access_keys", "templates"} <= set(inspect(engine).get_table_names())
