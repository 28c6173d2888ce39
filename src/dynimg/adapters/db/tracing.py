"""Database spans: one client span per SQL statement run inside a traced request or attempt.

Installed on the engine only when tracing is on. A statement outside any span (the workers'
polling, the sweep) starts no trace of its own. The span names the operation and, for writes,
the table; never the statement's parameters (keys, secrets) nor its text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Select, event

from dynimg.adapters.observability.tracing import OtelTracer

SPAN = "_dynimg_span"


def trace_statements(engine: Engine, tracer: OtelTracer) -> None:
    """Open a span around each statement ``engine`` runs within a recording span."""
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind, Status, StatusCode

    system = engine.dialect.name

    def before(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, *_: Any
    ) -> None:
        if context is None or not trace.get_current_span().is_recording():
            return
        operation = (statement.lstrip().split(None, 1) or ["SQL"])[0].upper()
        attributes = {"db.system.name": system, "db.operation.name": operation}
        name = _table(context)
        if name is not None:
            attributes["db.collection.name"] = name
        span_name = f"db {operation} {name}" if name is not None else f"db {operation}"
        span = tracer.tracer.start_span(span_name, kind=SpanKind.CLIENT, attributes=attributes)
        setattr(context, SPAN, span)

    def after(
        _conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, *_: Any
    ) -> None:
        span = getattr(context, SPAN, None)
        if span is not None:
            span.end()
            setattr(context, SPAN, None)

    def failed(exception_context: Any) -> None:
        context = exception_context.execution_context
        span = getattr(context, SPAN, None) if context is not None else None
        if span is not None:
            span.set_status(
                Status(StatusCode.ERROR, type(exception_context.original_exception).__name__)
            )
            span.end()
            setattr(context, SPAN, None)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", failed)


def _table(context: Any) -> str | None:
    """The table a statement writes, or the first one it reads from; None for raw SQL."""
    statement = getattr(getattr(context, "compiled", None), "statement", None)
    table = getattr(statement, "table", None)
    if table is None and isinstance(statement, Select):
        froms = statement.get_final_froms()
        table = froms[0] if froms else None
    name = getattr(table, "name", None)
    return name if isinstance(name, str) else None
