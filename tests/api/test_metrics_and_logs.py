"""/metrics after a job ran through a real server (its worker in another process), and the
JSON log lines that server wrote."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.clients import sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_job
from tests.support.media import make_clip
from tests.support.server import start_server

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Samples:
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape_until_job_observed(url: str, fmt: str, timeout: float = 20) -> Samples:
    """The worker records a job's duration just after its status commits: wait for it."""
    deadline = time.monotonic() + timeout
    while True:
        samples = scrape(url)
        observed = value(samples, "dynimg_job_duration_seconds_count", format=fmt, status="Success")
        if observed >= 1 or time.monotonic() > deadline:
            return samples
        time.sleep(0.2)


def test_a_job_shows_in_metrics_and_json_logs_carry_request_ids(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=2).path
    server = start_server(
        tmp_path / "home",
        DYNIMG_WORKERS="1",
        DYNIMG_LOG_FORMAT="json",
        DYNIMG_LOG_LEVEL="info",
        DYNIMG_METRICS_JOB_COUNT_SECONDS="0",  # the gauges as of this scrape, not 15 s ago
    )
    try:
        api = sdk_api("tea-v3", server.endpoint, server.default_credentials())
        video_id = uploaded_video(api, clip)
        body = api.call(
            "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template(api, "gif")
        )
        job_id = body["DynamicImageJob"]["JobId"]
        job = wait_for_job(server, server.default_credentials(), job_id)
        assert job["Status"] == "Success"
        samples = scrape_until_job_observed(server.url, "gif")
        # A query string full of secrets, to see that none of it reaches a log line.
        httpx.get(f"{server.url}/?Action=Nope&SecurityToken=TOKEN-SECRET-1", timeout=10)
    finally:
        server.stop()

    submitted = value(
        samples, "dynimg_rpc_requests_total", action="SubmitDynamicImageJob", code="200"
    )
    assert submitted == 1
    assert (
        value(samples, "dynimg_rpc_request_duration_seconds_count", action="SubmitDynamicImageJob")
        == 1
    )
    assert value(samples, "dynimg_job_duration_seconds_count", format="gif", status="Success") == 1
    assert value(samples, "dynimg_render_duration_seconds_count", format="gif") == 1
    assert value(samples, "dynimg_jobs", state="Success") >= 1
    assert value(samples, "dynimg_queue_depth") == 0
    assert value(samples, "dynimg_queue_oldest_age_seconds") == 0
    assert value(samples, "dynimg_upload_bytes_total") == clip.stat().st_size

    lines = [line for line in server.output if line.startswith("{")]
    entries = [json.loads(line) for line in lines]  # every JSON-looking line is JSON
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    answered = [e for e in entries if e["message"].startswith("SubmitDynamicImageJob answered")]
    assert answered and answered[0]["request_id"] == body["RequestId"]
    assert not any("TOKEN-SECRET-1" in line for line in server.output)
    assert not any(server.default_credentials().secret in line for line in lines)
