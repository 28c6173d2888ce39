"""OpenTelemetry tracing: a job is one trace from SubmitDynamicImageJob to its callback.

The service runs in this process (the app behind Starlette's test client, a worker pool or a
Celery worker on threads) so that the SDK's in-memory exporter sees every span; the trace is
carried from the request to the worker by the job's row, whichever dispatcher rang.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dynimg.adapters.observability import tracing
from dynimg.api.app import create_app
from dynimg.bootstrap import Services, build_services
from dynimg.bootstrap_tracing import traced_app
from dynimg.domain.upload_requests import read_new_video
from dynimg.domain.uploads import UploadGrant, UploadTarget
from dynimg.services import accounts
from dynimg.services.processing import finish_upload, run_probe
from dynimg.services.uploads import create_upload_video
from dynimg.settings import load_settings
from tests.support import signer
from tests.support.media import make_clip
from tests.support.receiver import Receiver

AUTH_KEY = "NeverTraced4CallbackKey"
TEMPLATE = '{"Container":{"Format":"gif"},"Video":{"Width":"128","Fps":"5"},"Clip":{"TimeSpan":{"Seek":"0","Duration":"0.6"}}}'  # noqa: E501


@dataclass
class Traced:
    """A service in this process whose spans go to ``spans``."""

    services: Services
    spans: InMemorySpanExporter
    app: Any
    key: tuple[str, str]

    def call(self, action: str, **params: str) -> dict[str, Any]:
        signed = signer.v1_params({"Action": action, **params}, *self.key)
        response = asyncio.run(self._post(f"/?{signer.query_string(signed)}"))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def _post(self, url: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dynimg") as client:
            return await client.post(url)


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    tracing.start([spans], {}, batch=False)
    yield spans
    tracing.stop()


def traced_service(home: Path, spans: InMemorySpanExporter, env: dict[str, str]) -> Traced:
    settings = load_settings(
        {"DYNIMG_HOME": str(home), "DYNIMG_ALLOW_PRIVATE_CALLBACKS": "true", **env}
    )
    services = build_services(settings)
    _, key = accounts.ensure_default_key(services.deps.uow_factory, services.deps.clock)
    return Traced(services, spans, traced_app(create_app(services)), (key.id, key.secret))


def probed_video(traced: Traced, tmp_path: Path) -> str:
    """A video uploaded and probed, outside any trace (as its own steps are not this test's)."""
    deps = traced.services.deps
    account, _ = accounts.ensure_default_key(deps.uow_factory, deps.clock)
    ticket = create_upload_video(
        deps.uow_factory, deps.clock, deps.upload_policy, account,
        read_new_video({"Title": "t", "FileName": "c.mp4"}),
    )  # fmt: skip
    with deps.uow_factory() as uow:
        video = uow.videos.get(account.id, ticket.target_id)
    assert video is not None
    clip = make_clip(tmp_path / "c.mp4", seconds=1).path
    stored = deps.storage.put(video.storage_key, iter([clip.read_bytes()]))
    grant = UploadGrant(
        key_id="k", secret="s", token_sha256="", account_id=account.id,
        target=UploadTarget.VIDEO, target_id=video.id, bucket="b", object_key=stored.key,
        max_bytes=1 << 30, expires_at=deps.clock.now() + timedelta(hours=1),
    )  # fmt: skip
    finish_upload(deps.uow_factory, deps.clock, deps.dispatcher, grant, stored)
    run_probe(traced.services.task_deps.probes, video.id)
    return video.id


def submit(traced: Traced, video_id: str, receiver: Receiver) -> str:
    """Set the callback, add a template, submit a job through the RPC API; its id."""
    traced.call(
        "SetMessageCallback", CallbackType="HTTP", CallbackURL=receiver.url,
        EventTypeList="DynamicImageComplete", AuthSwitch="on", AuthKey=AUTH_KEY,
    )  # fmt: skip
    template = traced.call(
        "AddVodTemplate", Name="t", TemplateType="DynamicImage", TemplateConfig=TEMPLATE
    )["VodTemplateId"]
    body = traced.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template)
    return str(body["DynamicImageJob"]["JobId"])


def wait_for_callback(receiver: Receiver, spans: InMemorySpanExporter) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if receiver.accepted and any(
            s.name == "deliver attempt" for s in spans.get_finished_spans()
        ):
            return
        time.sleep(0.05)
    raise AssertionError("the job's callback never arrived")


def the_job_trace(
    spans: InMemorySpanExporter, job_id: str, action: str = "SubmitDynamicImageJob"
) -> list[ReadableSpan]:
    """Every span of the trace whose request (``action``) submitted ``job_id``."""
    finished = spans.get_finished_spans()
    [request] = [
        s for s in finished if s.attributes and s.attributes.get("rpc.method") == action
    ]  # fmt: skip
    assert request.attributes is not None and request.attributes["job.id"] == job_id
    assert request.context is not None
    return [
        s
        for s in finished
        if s.context is not None and s.context.trace_id == request.context.trace_id
    ]


def assert_one_trace_of_every_hop(trace: list[ReadableSpan], job_id: str, secret: str) -> None:
    names = {s.name for s in trace}
    expected = {
        "POST /", "render attempt", "engine render", "storage read", "storage put",
        "db SELECT videos", "db INSERT dynamic_image_jobs", "db UPDATE dynamic_image_jobs",
        "deliver attempt",
        "callback POST",
    }  # fmt: skip
    assert expected <= names, f"missing hops: {expected - names}"
    [attempt] = [s for s in trace if s.name == "render attempt"]
    assert attempt.attributes is not None
    assert attempt.attributes["job.id"] == job_id
    assert str(attempt.attributes["account.id"]).strip()
    assert attempt.attributes["work.outcome"] == "done"
    by_id = {s.context.span_id: s for s in trace if s.context is not None}
    [delivery] = [s for s in trace if s.name == "deliver attempt"]
    assert delivery.parent is not None
    assert by_id[delivery.parent.span_id].name == "render attempt", "the event came from it"
    for span in trace:  # no secret, signature or query ever reaches a span
        for value in (span.attributes or {}).values():
            text = str(value)
            assert secret not in text and AUTH_KEY not in text
            assert "Signature" not in text and "auth_key" not in text and "?" not in text


def assert_snapshot_traced(spans: InMemorySpanExporter, job_id: str) -> None:
    """A snapshot job rides the same lifecycle, so the same trace reaches its attempt."""
    deadline = time.monotonic() + 60
    while not any(  # (the video's cover, taken when it arrived, is a snapshot job too)
        s.name == "snapshot attempt" and s.attributes and s.attributes["job.id"] == job_id
        for s in spans.get_finished_spans()
    ):
        assert time.monotonic() < deadline, "the snapshot job never ran"
        time.sleep(0.05)
    trace = the_job_trace(spans, job_id, "SubmitSnapshotJob")
    [attempt] = [s for s in trace if s.name == "snapshot attempt"]
    assert attempt.attributes is not None and attempt.attributes["job.id"] == job_id
    assert attempt.attributes["work.outcome"] == "done"
    assert {"engine snapshots", "storage put"} <= {s.name for s in trace}


@pytest.mark.timeout(120)
def test_a_job_is_one_trace_from_the_request_to_the_callback_and_a_snapshot_job_too(
    tmp_path: Path, exporter: InMemorySpanExporter
) -> None:
    from dynimg.adapters.dispatch.memory import InProcessDispatcher
    from dynimg.worker import WorkerPool

    traced = traced_service(tmp_path / "home", exporter, {})
    receiver = Receiver(failures=0)
    dispatcher = traced.services.deps.dispatcher
    assert isinstance(dispatcher, InProcessDispatcher)
    pool = WorkerPool(traced.services.task_deps, dispatcher, 1)
    try:
        video_id = probed_video(traced, tmp_path)
        pool.start()
        job_id = submit(traced, video_id, receiver)
        wait_for_callback(receiver, exporter)
        trace = the_job_trace(exporter, job_id)
        assert_one_trace_of_every_hop(trace, job_id, traced.key[1])
        snapshot = traced.call(
            "SubmitSnapshotJob", VideoId=video_id, SpecifiedOffsetTime="200", Count="1",
            Height="60",
        )["SnapshotJob"]["JobId"]  # fmt: skip
        assert_snapshot_traced(exporter, snapshot)
    finally:
        pool.stop()
        receiver.close()
        traced.services.close()


@contextmanager
def root_logging_kept() -> Iterator[None]:
    """Celery's test worker sets up logging for a worker (the root logger at ERROR); give the
    root logger back as it was, or later tests' warnings go nowhere."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers


@pytest.mark.timeout(120)
def test_the_trace_rides_the_celery_broker_too(
    tmp_path: Path, exporter: InMemorySpanExporter, rabbitmq_queue: tuple[str, str]
) -> None:
    from celery.contrib.testing.worker import start_worker

    from dynimg.adapters.dispatch.celery_broker import CeleryConfig, make_app
    from dynimg.domain.tasks import TaskKind
    from dynimg.services.tasks import run_task

    url, queue = rabbitmq_queue
    traced = traced_service(
        tmp_path / "home", exporter, {"DYNIMG_QUEUE_URL": url, "DYNIMG_QUEUE_NAME": queue}
    )
    receiver = Receiver(failures=0)
    try:
        video_id = probed_video(traced, tmp_path)
        deps = traced.services.task_deps

        def run(kind: TaskKind, ref: str) -> None:  # as dynimg.run does, with these services
            run_task(deps, kind, ref)

        app = make_app(CeleryConfig(url, queue, 60, 1024, 2), run)
        with (
            root_logging_kept(),
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        ):
            job_id = submit(traced, video_id, receiver)
            wait_for_callback(receiver, exporter)
        trace = the_job_trace(exporter, job_id)
        assert_one_trace_of_every_hop(trace, job_id, traced.key[1])
        [announce] = [s for s in trace if s.name == "announce render"]
        assert announce.attributes is not None and announce.attributes["work.ref"] == job_id
        assert announce.attributes["messaging.system"] == "amqp"
    finally:
        receiver.close()
        traced.services.close()


OFF = """
import os, sys
sys.modules["opentelemetry"] = None  # as if it were not installed
from dynimg.api.app import create_app
from dynimg.bootstrap import build_services
from dynimg.bootstrap_tracing import traced_app
from dynimg.errors import ConfigurationError
from dynimg.settings import load_settings
settings = load_settings({"DYNIMG_HOME": sys.argv[1]})
services = build_services(settings)
traced_app(create_app(services))
services.close()
print("served untraced")
os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318"
try:
    build_services(settings)
except ConfigurationError as exc:
    print(exc.message)
"""


@pytest.mark.timeout(60)
def test_without_opentelemetry_installed_the_service_runs_untraced_or_says_what_is_missing(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    run = [sys.executable, "-c", OFF, str(tmp_path / "home")]
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=50)
    assert done.returncode == 0, done.stderr
    untraced, missing = done.stdout.splitlines()
    assert untraced == "served untraced"
    assert "pip install 'dynimg[otel]'" in missing


def test_tracing_is_off_without_otel_variables(tmp_path: Path) -> None:
    assert tracing.active() is None
    assert not tracing.wanted({})
    assert not tracing.wanted({"OTEL_SERVICE_NAME": "x", "OTEL_TRACES_EXPORTER": "none"})
    assert not tracing.wanted({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert tracing.wanted({"OTEL_TRACES_EXPORTER": "console"})
    services = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}))
    try:
        from dynimg.ports.tracing import NO_TRACING

        assert services.deps.tracer is NO_TRACING
        assert tracing.current_traceparent() is None
    finally:
        services.close()


def test_a_stopping_process_exports_its_batched_spans() -> None:
    from dynimg.bootstrap_tracing import flush_traces

    spans = InMemorySpanExporter()
    tracer = tracing.start([spans], {}, batch=True)
    try:
        with tracer.span("last words", {"work.ref": "r"}):
            pass
        flush_traces()  # as a Celery child does before it exits without atexit
        assert [s.name for s in spans.get_finished_spans()] == ["last words"]
    finally:
        tracing.stop()
