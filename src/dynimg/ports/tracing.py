"""Tracing: spans around the steps of a request or of a piece of durable work.

Use cases and the lifecycle see only this protocol; the OpenTelemetry adapter
(:mod:`dynimg.adapters.observability.tracing`) implements it when ``OTEL_*`` turns tracing on,
and :data:`NO_TRACING` (which does nothing) otherwise. Attribute values are ids and names only:
never a secret, a signature or a URL's query.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

Attributes = Mapping[str, str | int]


class Tracer(Protocol):
    """Opens spans in the current trace, or in the trace a stored ``traceparent`` names."""

    def span(
        self, name: str, attributes: Attributes | None = None, *, parent: str | None = None
    ) -> AbstractContextManager[object]:
        """A span around the block, child of the current span; with ``parent`` (a W3C
        ``traceparent`` stored with a work row), child of that span instead."""
        ...

    def annotate(self, attributes: Attributes) -> None:
        """Add ``attributes`` to the current span (nothing when there is none)."""
        ...


class NoTracing:
    """Implements :class:`Tracer` by doing nothing (tracing off: the default)."""

    def span(
        self, name: str, attributes: Attributes | None = None, *, parent: str | None = None
    ) -> AbstractContextManager[object]:
        return nullcontext()

    def annotate(self, attributes: Attributes) -> None:
        """Nothing to annotate."""


NO_TRACING: Tracer = NoTracing()
"""The tracer of a process whose tracing is off."""
