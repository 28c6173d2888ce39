from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from dynimg.adapters.db.job_repositories import SqlDynamicImageRepository
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


def test_images_made_before_0008_have_no_extras(engine: Engine) -> None:
    upgrade(engine, "0007")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO accounts (id, name, uid, created_at) VALUES ('a', 'a', 1, :t)"),
            {"t": now},
        )
        connection.execute(
            text(
                "INSERT INTO dynamic_images (id, account_id, video_id, job_id, format, width,"
                " height, fps, duration_ms, file_size, storage_key, created_at) VALUES"
                " ('i', 'a', 'v', 'j', 'gif', 160, 120, '10', 1000, 99, 'k', :t)"
            ),
            {"t": now},
        )
    upgrade(engine)
    with Session(engine) as session:
        image = SqlDynamicImageRepository(session).get("i")
    assert image is not None and image.file_size == 99
    assert (image.frame_count, image.loop_count, image.seek_ms, image.md5_hex) == (None,) * 4
