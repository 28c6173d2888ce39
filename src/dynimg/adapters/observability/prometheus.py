"""Prometheus metrics: the ``Metrics`` port, the scrape-time job collector, the exposition.

Importing this module imports prometheus-client, so in a process that shares a multiprocess
directory it must come after :func:`dynimg.adapters.observability.multiproc.use_directory`.
Metrics are module-level because a registry refuses the same name twice, and tests build
services many times in one process.

The job gauges are not kept by any process: they are read from the database at each scrape, so
they are right whichever node changed the rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from dynimg.adapters.observability.multiproc import in_use
from dynimg.domain.monitoring import JobsSnapshot

log = logging.getLogger("dynimg.metrics")

REQUESTS = Counter(
    "dynimg_rpc_requests", "RPC requests answered, by Action and HTTP status", ["action", "code"]
)
REQUEST_SECONDS = Histogram(
    "dynimg_rpc_request_duration_seconds",
    "Time to answer an RPC request, by Action",
    ["action"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOB_SECONDS = Histogram(
    "dynimg_job_duration_seconds",
    "Time from submission to Success or Fail, by output format and final status",
    ["format", "status"],
    buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600),
)
RENDER_SECONDS = Histogram(
    "dynimg_render_duration_seconds",
    "Time the media engine took to render one animated image, by output format",
    ["format"],
    buckets=(0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
)
CALLBACKS = Counter(
    "dynimg_callback_deliveries", "Callback delivery attempts, by outcome", ["outcome"]
)
CALLBACK_GIVE_UPS = Counter(
    "dynimg_callback_give_ups", "Callback events given up after their last failed attempt"
)
UPLOAD_BYTES = Counter("dynimg_upload_bytes", "Bytes of objects clients uploaded and completed")
STORAGE_ERRORS = Counter(
    "dynimg_storage_errors", "Storage operations that failed (full or failing)", ["operation"]
)

BODIES_READING = Gauge(
    "dynimg_request_bodies_reading",
    "Request bodies (uploads) arriving now, read without holding a worker thread",
    multiprocess_mode="livesum",
)
SLOW_CLIENTS = Counter(
    "dynimg_slow_clients", "Clients cut off for being too slow, by reason", ["reason"]
)


class PrometheusMetrics:
    """Implements ``ports.Metrics`` with the metrics above."""

    def request_served(self, action: str, code: int, seconds: float) -> None:
        REQUESTS.labels(action, str(code)).inc()
        REQUEST_SECONDS.labels(action).observe(seconds)

    def job_finished(self, fmt: str, status: str, seconds: float) -> None:
        JOB_SECONDS.labels(fmt, status).observe(seconds)

    def rendered(self, fmt: str, seconds: float) -> None:
        RENDER_SECONDS.labels(fmt).observe(seconds)

    def callback_attempted(self, delivered: bool, gave_up: bool) -> None:
        CALLBACKS.labels("delivered" if delivered else "failed").inc()
        if gave_up:
            CALLBACK_GIVE_UPS.inc()

    def uploaded(self, size: int) -> None:
        UPLOAD_BYTES.inc(size)

    def storage_failed(self, operation: str) -> None:
        STORAGE_ERRORS.labels(operation).inc()

    def body_reading(self, delta: int) -> None:
        BODIES_READING.inc(delta)

    def slow_client(self, reason: str) -> None:
        SLOW_CLIENTS.labels(reason).inc()


class JobsCollector(Collector):
    """Jobs by state, queue depth and the oldest queued job's age, asked of the database."""

    def __init__(self, snapshot: Callable[[], JobsSnapshot]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        try:
            snapshot = self._snapshot()
        except Exception as exc:  # a scrape must still show the process metrics
            log.warning("metrics: could not count jobs: %s", type(exc).__name__)
            return
        jobs = GaugeMetricFamily("dynimg_jobs", "Jobs in each state", labels=["state"])
        for state, count in snapshot.by_status.items():
            jobs.add_metric([state], count)
        yield jobs
        yield GaugeMetricFamily("dynimg_queue_depth", "Jobs Queued", value=snapshot.queued)
        yield GaugeMetricFamily(
            "dynimg_queue_oldest_age_seconds",
            "How long the longest-waiting Queued job has waited since it was submitted",
            value=snapshot.oldest_queued_seconds,
        )


class _Forward(Collector):
    """The process's default registry inside a per-scrape one (single-process mode)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _process_registry() -> CollectorRegistry:
    """Every process's counts when they share a directory, else this process's."""
    registry = CollectorRegistry(auto_describe=False)
    if in_use():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward())
    return registry


def exposition(snapshot: Callable[[], JobsSnapshot] | None) -> tuple[bytes, str]:
    """The text a scrape gets, and its content type; ``snapshot`` adds the job gauges."""
    registry = _process_registry()
    if snapshot is not None:
        registry.register(JobsCollector(snapshot))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def start_exporter(host: str, port: int) -> None:
    """Serve this process's (and its children's) metrics on ``host:port`` in a thread."""
    start_http_server(port, addr=host, registry=_process_registry())
