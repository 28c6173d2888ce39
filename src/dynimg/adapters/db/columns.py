"""The schema's shared pieces: one ``MetaData`` (with its naming convention) and the column
types every table module uses; apart so that the table modules need not import each other."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect

from dynimg.adapters.observability.tracing import current_traceparent

TRACE = "trace_parent"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def trace_column() -> Column[Any]:
    """The W3C ``traceparent`` of the span a work row was stored in (NULL while tracing is off):
    filled in on insert, so whatever stores work (a request, a job's outbox event) passes its
    trace on to the attempt that runs it, in whichever process."""
    return Column(TRACE, String(55), nullable=True, default=current_traceparent)
