"""``dynimg serve`` exports over OTLP/HTTP, as deployed: its worker processes too, in one trace.

The receiver is a loopback HTTP server that decodes what the SDK's OTLP exporter posts to
``/v1/traces``. ``DYNIMG_WORKERS=1`` puts the render in a worker process of its own, so a render
span in the request's trace crossed processes through the job's row.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.support.clients import sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_job
from tests.support.media import make_clip
from tests.support.server import start_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

Span = tuple[str, str, str, dict[str, str]]
"""(service.name, span name, trace id, attributes as text)."""


class Collector:
    """An OTLP/HTTP trace receiver on loopback that keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        spans = self.spans

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = ExportTraceServiceRequest()
                request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
                spans.extend(_spans(request))
                body = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _spans(request: ExportTraceServiceRequest) -> list[Span]:
    found: list[Span] = []
    for resource_spans in request.resource_spans:
        resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                attributes = {a.key: _text(a.value) for a in span.attributes}
                found.append((resource["service.name"], span.name, span.trace_id.hex(), attributes))
    return found


def _text(value: object) -> str:
    for field in ("string_value", "int_value"):
        if value.HasField(field):  # type: ignore[attr-defined]
            return str(getattr(value, field))
    return ""


def test_serve_and_its_worker_processes_export_one_trace_over_otlp(tmp_path: Path) -> None:
    collector = Collector()
    server = start_server(
        tmp_path / "home", DYNIMG_WORKERS="1", OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
        OTEL_BSP_SCHEDULE_DELAY="100", OTEL_SERVICE_NAME="dynimg-otlp-test",
    )  # fmt: skip
    try:
        creds = server.default_credentials()
        api = sdk_api("tea-v3", server.endpoint, creds)
        video = uploaded_video(api, make_clip(tmp_path / "c.mp4", seconds=1).path)
        job_id = api.call(
            "SubmitDynamicImageJob", VideoId=video, DynamicImageTemplateId=template(api)
        )["DynamicImageJob"]["JobId"]
        assert wait_for_job(server, creds, job_id)["Status"] == "Success"
        deadline = time.monotonic() + 30
        while not any(
            s[1] == "storage put" and s[2] == _trace(collector, job_id) for s in collector.spans
        ):
            assert time.monotonic() < deadline, f"no render spans: {collector.spans[-5:]}"
            time.sleep(0.1)
    finally:
        server.stop()
        collector.close()
    trace = [s for s in collector.spans if s[2] == _trace(collector, job_id)]
    names = {s[1] for s in trace}
    assert {"POST /", "render attempt", "engine render", "storage put"} <= names
    assert {s[0] for s in trace} == {"dynimg-otlp-test"}
    [attempt] = [s for s in trace if s[1] == "render attempt"]
    assert attempt[3]["job.id"] == job_id and attempt[3]["work.outcome"] == "done"


def _trace(collector: Collector, job_id: str) -> str | None:
    """The trace id of the request that submitted ``job_id``."""
    for _service, name, trace_id, attributes in list(collector.spans):
        if name == "POST /" and attributes.get("job.id") == job_id:
            return trace_id
    return None
