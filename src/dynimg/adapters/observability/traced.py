"""Spans around the hops a job makes outside the database: the broker, the media engine and the
callback receiver. Each class wraps a port's implementation and is put in place by the
composition root only when tracing is on; off, nothing here runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from dynimg.adapters.observability.tracing import OtelTracer
from dynimg.domain.media import MediaInfo
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.snapshots import SnapshotConfig
from dynimg.domain.storyboard import SnapshotOutput
from dynimg.domain.tasks import TaskKind
from dynimg.ports import CallbackSender, Dispatcher, MediaEngine

Progress = Callable[[float], None] | None


class TracedDispatcher:
    """Implements ``ports.Dispatcher``: a producer span around each announcement.

    The message still carries ids only; the worker continues the trace stored with the row.
    """

    def __init__(self, inner: Dispatcher, tracer: OtelTracer, system: str) -> None:
        self.inner, self._tracer, self._system = inner, tracer, system

    def announce(self, kind: TaskKind, ref: str) -> None:
        from opentelemetry.trace import SpanKind

        attributes = {"messaging.system": self._system, "work.kind": kind.value, "work.ref": ref}
        with self._tracer.kind_span(f"announce {kind.value}", SpanKind.PRODUCER, attributes):
            self.inner.announce(kind, ref)

    def reachable(self) -> bool:
        return self.inner.reachable()


class TracedEngine:
    """Implements ``ports.MediaEngine``: a span around each probe, render and snapshot run."""

    def __init__(self, inner: MediaEngine, tracer: OtelTracer) -> None:
        self.inner, self._tracer = inner, tracer

    def probe(self, path: Path) -> MediaInfo:
        with self._tracer.span("engine probe"):
            return self.inner.probe(path)

    def image_size(self, path: Path) -> tuple[int, int]:
        return self.inner.image_size(path)  # a header read: too small for a span of its own

    def animation_to_video(self, path: Path, output: Path) -> MediaInfo | None:
        with self._tracer.span("engine animation to video"):
            return self.inner.animation_to_video(path, output)

    def render(
        self, source: Path, spec: RenderSpec, output: Path, on_progress: Progress = None
    ) -> RenderResult:
        with self._tracer.span("engine render"):
            result = self.inner.render(source, spec, output, on_progress)
            measured: dict[str, str | int] = {"image.format": str(result.format)}
            self._tracer.annotate(
                measured | {"image.frames": result.frames, "image.bytes": result.size_bytes}
            )
            return result

    def snapshots(
        self, source: Path, config: SnapshotConfig, output: Path, on_progress: Progress = None
    ) -> SnapshotOutput:
        with self._tracer.span("engine snapshots"):
            return self.inner.snapshots(source, config, output, on_progress)


class TracedSender:
    """Implements ``ports.CallbackSender``: a client span around each callback POST.

    Only the receiver's host is recorded: the URL's path and query, and the headers (the
    event's signature), are the account's own.
    """

    def __init__(self, inner: CallbackSender, tracer: OtelTracer) -> None:
        self.inner, self._tracer = inner, tracer

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        from opentelemetry.trace import SpanKind

        parts = urlsplit(url)
        attributes = {"http.request.method": "POST", "server.address": parts.hostname or ""}
        with self._tracer.kind_span("callback POST", SpanKind.CLIENT, attributes):
            self.inner.post(url, body, headers)
