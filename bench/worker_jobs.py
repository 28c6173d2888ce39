"""Job time inside a running ``dynimg worker``: what a service's user waits for, start-up excluded.

One ``dynimg serve`` (embedded SQLite, local storage, one worker process) gets every case uploaded
once through the CLI, then one job per case and format, one at a time, after one warm-up job per
format (a worker loads a format's writer on its first job). A job's wall time is
``finished_at - started_at`` from the database: from the worker's claim to the stored result,
render, upload to storage and bookkeeping included, queueing excluded. Its CPU is the worker
process's user + system seconds across the job, read from /proc (the worker idles between jobs,
polling the database twice a second). Both are compared with the recipe's process in the same run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
from corpus import Case
from tools import template_config

BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


def job_times(cases: list[Case], formats: tuple[str, ...]) -> dict[str, dict[str, dict]]:
    """``{case: {fmt: {"wall": s, "cpu": s}}}`` for one job of each case and format."""
    with tempfile.TemporaryDirectory() as tmp, _service(Path(tmp)) as service:
        videos = {case.name: service.upload(case) for case in cases}
        for fmt in formats:  # warm-up: first job of a format in this worker
            service.job(videos[cases[0].name], cases[0], fmt)
        return {
            case.name: {fmt: service.job(videos[case.name], case, fmt) for fmt in formats}
            for case in cases
        }


class _Service:
    """A running ``dynimg serve`` and the CLI pointed at it."""

    def __init__(self, home: Path, env: dict[str, str], serve: subprocess.Popen[bytes]) -> None:
        self._home, self._env, self._serve = home, env, serve

    def upload(self, case: Case) -> str:
        out = self._cli("video", "upload", str(case.source), "--title", case.name)
        return _field(out, "VideoId")

    def job(self, video_id: str, case: Case, fmt: str) -> dict[str, float]:
        config = template_config(case, fmt)
        template = _field(
            self._cli("template", "add", f"{case.name}-{fmt}", "--config", json.dumps(config)),
            "VodTemplateId",
        )
        before = self._worker_cpu()
        job_id = _field(self._cli("submit", video_id, template, "--wait"), "JobId")
        cpu = self._worker_cpu() - before
        return {"wall": self._job_seconds(job_id), "cpu": cpu}

    def _cli(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "dynimg"), *args], env=self._env, capture_output=True, text=True,
            timeout=600, check=True,
        )  # fmt: skip
        return result.stdout

    def _worker_cpu(self) -> float:
        fields = Path(f"/proc/{self._worker_pid()}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime

    def _worker_pid(self) -> int:
        pid = self._serve.pid
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            if b"worker" in Path(f"/proc/{child}/cmdline").read_bytes():
                return int(child)
        raise RuntimeError("dynimg serve has no worker process")

    def _job_seconds(self, job_id: str) -> float:
        with sqlite3.connect(self._home / "dynimg.db") as db:
            started, finished = db.execute(
                "SELECT started_at, finished_at FROM dynamic_image_jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


@contextmanager
def _service(home: Path) -> Iterator[_Service]:
    port = _free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("DYNIMG_")}
    env = {**base, "DYNIMG_HOME": str(home), "DYNIMG_LOG_LEVEL": "warning",
           "DYNIMG_ENDPOINT": f"http://127.0.0.1:{port}"}  # fmt: skip
    serve = subprocess.Popen(
        [str(BIN / "dynimg"), "serve", "--port", str(port)],
        env={**env, "DYNIMG_WORKERS": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_healthy(port, serve)
        yield _Service(home, env, serve)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(60)


def _wait_healthy(port: int, serve: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and serve.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("dynimg serve did not start")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _field(output: str, name: str) -> str:
    found = re.search(rf"{name}: (\S+)", output)
    if found is None:
        raise RuntimeError(f"no {name} in: {output!r}")
    return found.group(1)
