"""Alembic environment: runs against the engine dynimg hands over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from dynimg.adapters.db.tables import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # Alembic assumes pysqlite cannot run DDL in a transaction and commits each revision
        # apart, so two processes migrating at once could interleave revisions. dynimg's
        # engine issues BEGIN IMMEDIATE itself: one transaction holds the write lock for the
        # whole upgrade, and a failed upgrade leaves nothing half done.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
