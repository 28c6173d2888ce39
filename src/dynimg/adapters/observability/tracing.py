"""OpenTelemetry tracing, off unless the standard ``OTEL_*`` variables ask for it.

Tracing is on when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, ``console``) or an OTLP
endpoint is set (``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``..._TRACES_ENDPOINT``), and
``OTEL_SDK_DISABLED`` is not ``true``. The SDK reads the rest itself: the endpoint, headers and
timeout of the exporter, ``OTEL_SERVICE_NAME`` (default ``dynimg``), ``OTEL_RESOURCE_ATTRIBUTES``,
the sampler and the batch settings. Off, nothing of OpenTelemetry is imported: the process's
tracer is :data:`~dynimg.ports.tracing.NO_TRACING` and every hook here returns at once.

One process has one tracer (:func:`process_tracer`); its provider is not made the global one,
so a test can configure its own exporter (:func:`start`) and stop it again (:func:`stop`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from dynimg.errors import ConfigurationError
from dynimg.ports.tracing import NO_TRACING, Attributes, Tracer

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, SpanKind

SCOPE = "dynimg"
DEFAULT_SERVICE_NAME = "dynimg"
MISSING = (
    "OTEL_* asks for tracing but OpenTelemetry is not installed: "
    "pip install 'dynimg[otel]' (or unset OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_ENDPOINT)"
)

_process: OtelTracer | None = None


def wanted(environ: Mapping[str, str]) -> bool:
    """Whether ``environ``'s ``OTEL_*`` variables ask for tracing (see the module's text)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return any(environ.get(name, "").strip() for name in endpoints)


def process_tracer(environ: Mapping[str, str] | None = None) -> Tracer:
    """This process's tracer: started from ``OTEL_*`` on first use when they ask for it."""
    if _process is not None:
        return _process
    environ = os.environ if environ is None else environ
    if not wanted(environ):
        return NO_TRACING
    return start(_exporters(environ), environ)


def start(
    exporters: list[SpanExporter], environ: Mapping[str, str], batch: bool = True
) -> OtelTracer:
    """Trace this process into ``exporters`` (batched, or each span as it ends)."""
    global _process
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    name = environ.get("OTEL_SERVICE_NAME", "").strip() or DEFAULT_SERVICE_NAME
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    for exporter in exporters:
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
    _process = OtelTracer(provider)
    return _process


def stop() -> None:
    """Flush and stop this process's tracing (it is off again after)."""
    global _process
    if _process is not None:
        _process.provider.shutdown()
    _process = None


def active() -> OtelTracer | None:
    """This process's OpenTelemetry tracer, None while tracing is off."""
    return _process


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, stored with new work rows (None: off or
    outside any span)."""
    return None if _process is None else _process.traceparent()


def _exporters(environ: Mapping[str, str]) -> list[SpanExporter]:
    names = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() or "otlp"
    try:
        return [_exporter(name.strip(), environ) for name in names.split(",") if name.strip()]
    except ImportError as exc:
        raise ConfigurationError(f"{MISSING} ({exc.name} is missing)") from exc


def _exporter(name: str, environ: Mapping[str, str]) -> SpanExporter:
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if name != "otlp":
        raise ConfigurationError(f"OTEL_TRACES_EXPORTER={name!r}: dynimg knows otlp and console")
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol.strip() == "grpc":  # only with opentelemetry-exporter-otlp-proto-grpc installed
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # type: ignore[import-not-found, unused-ignore]
            OTLPSpanExporter as GrpcExporter,
        )

        return GrpcExporter()  # type: ignore[no-any-return, unused-ignore]
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


class OtelTracer:
    """Implements ``ports.Tracer`` with an OpenTelemetry SDK provider of this process."""

    def __init__(self, provider: TracerProvider) -> None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self.provider = provider
        self.tracer = provider.get_tracer(SCOPE)
        self._propagator = TraceContextTextMapPropagator()

    def span(
        self, name: str, attributes: Attributes | None = None, *, parent: str | None = None
    ) -> AbstractContextManager[object]:
        """A span of the current trace; with ``parent``, a consumer span continuing the trace
        of the stored ``traceparent`` (work picked up from its row)."""
        from opentelemetry.trace import SpanKind

        if parent is None:
            return self.tracer.start_as_current_span(name, attributes=attributes)
        context = self.extract({"traceparent": parent})
        return self.tracer.start_as_current_span(
            name, context=context, kind=SpanKind.CONSUMER, attributes=attributes
        )

    @contextmanager
    def kind_span(
        self, name: str, kind: SpanKind, attributes: Attributes | None = None
    ) -> Iterator[Span]:
        """A span of the current trace with its ``kind`` (client, producer), for adapters."""
        with self.tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
            yield span

    def annotate(self, attributes: Attributes) -> None:
        from opentelemetry import trace

        trace.get_current_span().set_attributes(dict(attributes))

    def traceparent(self) -> str | None:
        """The current span's ``traceparent``; None outside any span."""
        carrier: dict[str, str] = {}
        self._propagator.inject(carrier)
        return carrier.get("traceparent")

    def extract(self, carrier: Mapping[str, Any]) -> Context:
        """The context a ``traceparent`` (and ``tracestate``) in ``carrier`` names."""
        return self._propagator.extract(carrier)
