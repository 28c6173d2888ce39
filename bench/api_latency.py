"""API latency while every core renders: ListDynamicImage idle against busy, same server.

Starts ``dynimg serve`` with its default workers (separate processes, one per core), measures
``--calls`` ListDynamicImage requests while nothing runs, then submits enough long jobs to keep
every worker busy and measures again while they render. Prints p50/p99 of both and the ratio.
Not a test: a figure for the notes (issue 9 #7 asks for p99 <= 25 ms while every core renders).

Usage: python bench/api_latency.py [--calls 300] [--jobs 8]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import httpx
import numpy as np

from dynimg.adapters.vod_client import VodClient


def clip(path: Path, seconds: int = 30, fps: int = 30) -> Path:
    """A noisy 1280x720 clip: costly enough to decode that rendering it keeps a core busy."""
    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        for i in range(seconds * fps):
            rgb = rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8)
            rgb[:, (i * 8) % 1280 :][:, :40] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def start(home: Path, port: int) -> tuple[subprocess.Popen[str], VodClient]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYNIMG_")}
    env.update(DYNIMG_HOME=str(home), DYNIMG_LOG_LEVEL="warning",
               DYNIMG_LIST_RATE_PER_SECOND="100000")  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "dynimg", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    for line in server.stdout:
        if match := re.search(r"AccessKeyId=(\S+) AccessKeySecret=(\S+)", line):
            return server, VodClient(f"http://127.0.0.1:{port}", *match.groups())
    raise RuntimeError("dynimg serve did not start")


def latencies(client: VodClient, video_id: str, calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        client.call("ListDynamicImage", VideoId=video_id)
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2 * (os.cpu_count() or 1))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dynimg-latency-") as scratch:
        home, port = Path(scratch), 18000 + os.getpid() % 1000
        server, client = start(home, port)
        try:
            video_id = upload(home, port, clip(home / "long.mp4"))
            idle = latencies(client, video_id, args.calls)
            template = client.call(
                "AddVodTemplate", Name="busy", TemplateType="DynamicImage",
                TemplateConfig=json.dumps({"Container": {"Format": "gif"},
                    "Video": {"Width": "640", "Fps": "15"},
                    "Clip": {"TimeSpan": {"Seek": "0", "Duration": "28"}}}),
            )["VodTemplateId"]  # fmt: skip
            jobs = [
                client.call("SubmitDynamicImageJob", VideoId=video_id,
                            DynamicImageTemplateId=template)["DynamicImageJob"]["JobId"]
                for _ in range(args.jobs)
            ]  # fmt: skip
            wait_until_busy(client, jobs)
            busy = latencies(client, video_id, args.calls)
            still = sum(
                client.call("GetDynamicImageJob", JobId=j)["DynamicImageJob"]["Status"]
                == "Processing" for j in jobs
            )  # fmt: skip
        finally:
            server.terminate()
            server.wait(30)
    report = {"idle": summary(idle), "busy": summary(busy), "rendering_at_end": still,
              "cores": os.cpu_count()}  # fmt: skip
    report["p99_busy_over_idle"] = round(report["busy"]["p99_ms"] / report["idle"]["p99_ms"], 2)
    print(json.dumps(report, indent=2))


def upload(home: Path, port: int, path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYNIMG_")}
    env["DYNIMG_HOME"] = str(home)
    out = subprocess.run(
        [sys.executable, "-m", "dynimg", "video", "upload", str(path),
         "--endpoint", f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    video_id = re.findall(r"[0-9a-f]{32}", out)[-1]
    deadline = time.monotonic() + 120
    while httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
        client_status = subprocess.run(
            [sys.executable, "-m", "dynimg", "video", "info", video_id,
             "--endpoint", f"http://127.0.0.1:{port}"],
            env=env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        if '"Normal"' in client_status or time.monotonic() > deadline:
            return video_id
        time.sleep(0.5)
    raise RuntimeError("server unhealthy")


def wait_until_busy(client: VodClient, jobs: list[str]) -> None:
    cores = os.cpu_count() or 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = sum(
            client.call("GetDynamicImageJob", JobId=j)["DynamicImageJob"]["Status"] == "Processing"
            for j in jobs
        )
        if running >= cores:
            return
        time.sleep(0.2)
    raise RuntimeError("the workers never all got busy")


if __name__ == "__main__":
    main()
