"""A real cluster: two API nodes and two Celery workers on PostgreSQL, RabbitMQ and S3.

Jobs submitted to either node run on either worker and end exactly once, also when a worker's
child process is SIGKILLed in the middle of a render.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import figures
from tests.support.clients import sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_job
from tests.support.media import make_clip
from tests.support.rpc import raw_call
from tests.support.s3 import S3Server
from tests.support.server import ServerProcess, dynimg_env, free_port, start_server


@dataclass
class Cluster:
    nodes: list[ServerProcess]
    workers: list[subprocess.Popen[bytes]]
    metrics_ports: list[int]
    """Where each worker started by the fixture serves its Prometheus metrics."""
    env: dict[str, str]
    root: Path
    stored: Callable[[str], list[str]]
    """The keys stored under a key prefix (in the cluster's S3 bucket)."""

    def start_worker(self, name: str, *options: str) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(
            [sys.executable, "-m", "dynimg", "worker", "--concurrency", "1", *options],
            env=dynimg_env(self.root / name, **self.env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its pool children are reaped with it in the fixture
        )
        self.workers.append(worker)
        return worker


@pytest.fixture
def cluster(
    tmp_path: Path,
    postgres_database: str,
    rabbitmq_queue: tuple[str, str],
    s3_server: S3Server,
    s3_bucket: str,
) -> Iterator[Cluster]:
    broker, queue = rabbitmq_queue
    prefix = f"cluster-{uuid.uuid4().hex[:8]}"
    env = {
        **s3_server.env(s3_bucket, prefix),
        "DYNIMG_DATABASE_URL": postgres_database,
        "DYNIMG_QUEUE_URL": broker,
        "DYNIMG_QUEUE_NAME": queue,
        "DYNIMG_URL_SIGNING_KEY": "cluster-test-signing-key-0123456789",
        "DYNIMG_JOB_LEASE_SECONDS": "3",
    }

    def stored(under: str) -> list[str]:
        listed = s3_server.client().list_objects_v2(Bucket=s3_bucket, Prefix=f"{prefix}/{under}")
        return [item["Key"] for item in listed.get("Contents", [])]

    cluster = Cluster([], [], [], env, tmp_path, stored)
    try:
        for name in ("node-a", "node-b"):
            cluster.nodes.append(start_server(tmp_path / name, DYNIMG_WORKERS="0", **env))
        for name in ("worker-1", "worker-2"):
            cluster.metrics_ports.append(free_port())
            cluster.start_worker(name, "--metrics-port", str(cluster.metrics_ports[-1]))
        yield cluster
    finally:
        for worker in cluster.workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in cluster.workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(worker.pid, signal.SIGKILL)  # pool children of a worker killed above
        for node in cluster.nodes:
            node.stop()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_jobs_from_either_node_end_exactly_once_through_a_killed_worker(
    cluster: Cluster, tmp_path: Path
) -> None:
    node_a, node_b = cluster.nodes
    creds = node_a.default_credentials()
    api_a = sdk_api("tea-v3", node_a.endpoint, creds)
    api_b = sdk_api("core-v1", node_b.endpoint, creds)
    clip = make_clip(tmp_path / "c.mp4", seconds=2).path
    video_id = uploaded_video(api_a, clip)  # probed by a Celery worker
    template_id = template(api_a)
    jobs = [
        api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id)[
            "DynamicImageJob"
        ]["JobId"]
        for api in (api_a, api_b) * 3
    ]
    finished = [wait_for_job(node_b, creds, job_id, timeout=120) for job_id in jobs]
    assert [job["Status"] for job in finished] == ["Success"] * 6

    long_clip = make_clip(
        tmp_path / "long.mp4", seconds=16, fps=30, size=(1280, 720),
        options={"preset": "ultrafast"},
    ).path  # fmt: skip
    long_video = uploaded_video(api_b, long_clip)
    config = {"Video": {"Width": "640", "Fps": "30"},
              "Clip": {"TimeSpan": {"Seek": "0", "Duration": "15"}}}  # fmt: skip
    long_job = api_b.call(
        "SubmitDynamicImageJob", VideoId=long_video,
        DynamicImageTemplateId=template(api_b, "gif", **config),
    )["DynamicImageJob"]["JobId"]  # fmt: skip
    deadline = time.monotonic() + 90
    while True:
        job = raw_call(node_a, creds, "GetDynamicImageJob", JobId=long_job)["DynamicImageJob"]
        if job["Status"] == "Processing" and job["Progress"] >= 5:
            break
        assert time.monotonic() < deadline and job["Status"] in ("Queued", "Processing"), job
        time.sleep(0.05)
    # The child rendering the job is the one burning CPU right now.
    pids = [pid for worker in cluster.workers for pid in children(worker.pid)]
    before = {pid: _cpu_seconds(pid) for pid in pids}
    time.sleep(0.3)
    busy = max(pids, key=lambda pid: _cpu_seconds(pid) - before[pid])
    killed_at = time.monotonic()
    os.kill(busy, signal.SIGKILL)
    job = wait_for_job(node_a, creds, long_job, timeout=180)
    recovery = time.monotonic() - killed_at
    assert (job["Status"], job["Attempts"]) == ("Success", 2), job
    figures.record(
        "fault cases (tests/api/test_job_recovery.py, test_events_and_limits.py, cluster)",
        f"Celery worker child SIGKILLed: job Success {recovery:.1f} s later, attempts 2; "
        "6/6 jobs from two nodes Success exactly once",
    )

    for api in (api_a, api_b):
        images = api.call("ListDynamicImage", VideoId=video_id)["DynamicImageList"]
        assert sorted(image["JobId"] for image in images) == sorted(jobs)
        [long_image] = api.call("ListDynamicImage", VideoId=long_video)["DynamicImageList"]
        assert long_image["JobId"] == long_job
        assert httpx.get(long_image["FileURL"], timeout=10).content[:6] == b"GIF89a"
    assert len(cluster.stored(f"{long_video}/image/dynamic/")) == 1, "no second file"
    assert len(cluster.stored(f"{video_id}/image/dynamic/")) == 6

    ready = httpx.get(f"{node_a.url}/readyz", timeout=10).json()
    assert ready["Checks"]["broker"] == "ok"
    # Each worker serves its Celery children's counts; together they saw all seven jobs.
    assert sum(_finished_jobs(port) for port in cluster.metrics_ports) == 7


def _finished_jobs(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "dynimg_job_duration_seconds_count"
        and sample.labels == {"format": "gif", "status": "Success"}
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
