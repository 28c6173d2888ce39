"""Jobs survive dead workers and restarts, and still end with exactly one animated image."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import figures
from tests.support.clients import sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_job
from tests.support.media import make_clip
from tests.support.rpc import raw_call
from tests.support.server import dynimg_env, start_server


def start_worker(home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dynimg", "worker", "--concurrency", "1"],
        env=dynimg_env(home, DYNIMG_JOB_LEASE_SECONDS="3"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until(predicate: object, timeout: float = 60) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Long and large enough that rendering it takes a few seconds."""
    path = tmp_path_factory.mktemp("long") / "long.mp4"
    return make_clip(
        path, seconds=20, fps=30, size=(1280, 720), options={"preset": "ultrafast"}
    ).path


FAULTS = "fault cases (tests/api/test_job_recovery.py, test_events_and_limits.py, cluster)"


def test_a_worker_killed_mid_job_leaves_exactly_one_result(tmp_path: Path, long_clip: Path) -> None:
    server = start_server(tmp_path, DYNIMG_WORKERS="0", DYNIMG_JOB_LEASE_SECONDS="3")
    first = start_worker(tmp_path)
    second: subprocess.Popen[bytes] | None = None
    try:
        creds = server.default_credentials()
        api = sdk_api("tea-v3", server.endpoint, creds)
        video_id = uploaded_video(api, long_clip)
        config = {
            "Video": {"Width": "640", "Fps": "30"},
            "Clip": {"TimeSpan": {"Seek": "0", "Duration": "19"}},
        }
        body = api.call(
            "SubmitDynamicImageJob",
            VideoId=video_id,
            DynamicImageTemplateId=template(api, "gif", **config),
        )
        job_id = body["DynamicImageJob"]["JobId"]

        def rendering() -> bool:
            job = raw_call(server, creds, "GetDynamicImageJob", JobId=job_id)["DynamicImageJob"]
            return bool(job["Status"] == "Processing" and 5 <= job["Progress"] < 90)

        wait_until(rendering)
        killed = f"{first.pid}-"
        assert list((tmp_path / "scratch").glob(f"{killed}*/job-*"))  # the job's work directory
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        after_kill = raw_call(server, creds, "GetDynamicImageJob", JobId=job_id)["DynamicImageJob"]
        assert after_kill["Status"] == "Processing", after_kill
        second = start_worker(tmp_path)
        job = wait_for_job(server, creds, job_id, timeout=120)
        assert (job["Status"], job["Attempts"]) == ("Success", 2)
        images = api.call("ListDynamicImage", VideoId=video_id)["DynamicImageList"]
        assert len(images) == 1 and images[0]["JobId"] == job_id
        files = list((tmp_path / "storage" / video_id / "image" / "dynamic").iterdir())
        # The second attempt stored its own file (an attempt-specific key), the one its URL names.
        assert [f.name for f in files] == [f"{images[0]['DynamicImageId']}-2.gif"]
        assert f"/{files[0].name}?auth_key=" in images[0]["FileURL"]
        # The killed worker's half-written work files went when the new one started.
        left = [p.name for p in (tmp_path / "scratch").iterdir() if p.name.startswith(killed)]
        assert left == []
        figures.record(
            FAULTS, f"worker SIGKILLed mid-job: job {job['Status']} after {job['Attempts']} "
            f"attempts, {len(images)} image, {len(files)} file, {len(left)} scratch left",
        )  # fmt: skip
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait()
        server.stop()


def test_queued_jobs_survive_a_restart(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=2).path
    idle = start_server(tmp_path, DYNIMG_WORKERS="0")
    prober = start_worker(tmp_path)  # an API-only node does no background work at all
    try:
        creds = idle.default_credentials()
        api = sdk_api("core-v1", idle.endpoint, creds)
        video_id, template_id = uploaded_video(api, clip), template(api)
        prober.terminate()
        prober.wait()
        jobs = [
            api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id)[
                "DynamicImageJob"
            ]["JobId"]
            for _ in range(3)
        ]
        time.sleep(1)
        assert {
            raw_call(idle, creds, "GetDynamicImageJob", JobId=j)["DynamicImageJob"]["Status"]
            for j in jobs
        } == {"Queued"}
    finally:
        if prober.poll() is None:
            prober.kill()
            prober.wait()
        idle.process.kill()  # SIGKILL: no shutdown code runs; the database is the record
        idle.process.wait()
        idle.stop()
    busy = start_server(tmp_path)
    try:
        finished = [wait_for_job(busy, creds, job_id)["Status"] for job_id in jobs]
        assert finished == ["Success"] * 3
        images = sdk_api("tea-v3", busy.endpoint, creds).call("ListDynamicImage", VideoId=video_id)
        assert sorted(i["JobId"] for i in images["DynamicImageList"]) == sorted(jobs)
        figures.record(
            FAULTS, f"serve SIGKILLed with {len(jobs)} queued jobs: "
            f"{finished.count('Success')}/{len(jobs)} Success after restart, no duplicate image",
        )  # fmt: skip
    finally:
        busy.stop()


def test_jobs_still_render_after_the_scratch_directory_is_removed(tmp_path: Path) -> None:
    """An operator empties ``$DYNIMG_HOME/scratch`` under a running worker (a disk clean-up, a
    new volume mounted): the next job claims a new directory instead of failing."""
    server = start_server(tmp_path)
    try:
        creds = server.default_credentials()
        api = sdk_api("tea-v3", server.endpoint, creds)
        video_id = uploaded_video(api, make_clip(tmp_path / "c.mp4", seconds=1).path)
        template_id = template(api)

        def render() -> str:
            submitted = api.call(
                "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id
            )
            job_id = submitted["DynamicImageJob"]["JobId"]
            return str(wait_for_job(server, creds, job_id)["Status"])

        assert render() == "Success"
        shutil.rmtree(tmp_path / "scratch")
        assert render() == "Success"
        assert list((tmp_path / "scratch").glob("*.lock"))  # claimed again
    finally:
        server.stop()
