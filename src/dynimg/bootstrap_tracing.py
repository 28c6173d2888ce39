"""The composition root's tracing part: when ``OTEL_*`` turns tracing on, the adapters that
make a job's hops (database, broker, engine, storage, callbacks, HTTP) are wrapped in spans.

Off (the default), :func:`traced` and :func:`traced_app` hand back what they were given and
nothing of OpenTelemetry is imported.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from dynimg.adapters.observability.tracing import active, process_tracer

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dynimg.services.deps import Deps

App = TypeVar("App")
FLUSH_MILLIS = 5000
"""How long a stopping process waits for its last spans to be exported."""


def traced(deps: Deps, engine: Engine, queue_scheme: str) -> Deps:
    """``deps`` with spans around each hop when ``OTEL_*`` turns tracing on (else ``deps``)."""
    process_tracer()
    tracer = active()
    if tracer is None:
        return deps
    from dynimg.adapters.db.tracing import trace_statements
    from dynimg.adapters.observability.traced import TracedDispatcher, TracedEngine, TracedSender
    from dynimg.adapters.storage.observed import ObservedStorage

    trace_statements(engine, tracer)
    storage = deps.storage
    if isinstance(storage, ObservedStorage):
        storage = ObservedStorage(storage.inner, deps.metrics, tracer)
    dispatcher = deps.dispatcher  # memory://: no broker hop (the worker reads the row's trace)
    if queue_scheme != "memory":
        dispatcher = TracedDispatcher(dispatcher, tracer, queue_scheme)
    return replace(
        deps, tracer=tracer, storage=storage, dispatcher=dispatcher,
        engine=TracedEngine(deps.engine, tracer), sender=TracedSender(deps.sender, tracer),
    )  # fmt: skip


def flush_traces() -> None:
    """Export the spans still waiting in this process (one that exits without ``atexit``)."""
    tracer = active()
    if tracer is not None:
        tracer.provider.force_flush(FLUSH_MILLIS)


def traced_app(app: App) -> App:
    """The ASGI ``app`` with a server span per request when tracing is on."""
    tracer = active()
    if tracer is None:
        return app
    from dynimg.adapters.observability.tracing_asgi import TracingMiddleware

    return TracingMiddleware(app, tracer)  # type: ignore[arg-type, return-value]
