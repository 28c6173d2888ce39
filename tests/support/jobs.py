"""Preparing videos, templates and jobs for the job tests."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.support.clients import SdkApi
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess
from tests.support.uploads import create_upload, upload_file, wait_for_status


def uploaded_video(api: SdkApi, clip: Path) -> str:
    ticket = create_upload(api)
    upload_file(ticket, clip)
    assert wait_for_status(api, ticket["VideoId"], "Normal")["Status"] == "Normal"
    return str(ticket["VideoId"])


def template(api: SdkApi, fmt: str = "gif", **extra: Any) -> str:
    config = {
        "Container": {"Format": fmt},
        "Video": {"Width": "160", "Fps": "10"},
        "Clip": {"TimeSpan": {"Seek": "0.5", "Duration": "1"}},
        **extra,
    }
    body = api.call(
        "AddVodTemplate", Name=fmt, TemplateType="DynamicImage", TemplateConfig=json.dumps(config)
    )
    return str(body["VodTemplateId"])


def wait_for_job(
    server: ServerProcess, creds: Credentials, job_id: str, timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = raw_call(server, creds, "GetDynamicImageJob", JobId=job_id)[
            "DynamicImageJob"
        ]
        if job["Status"] in ("Success", "Fail") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def wait_for_images(
    api: SdkApi, video_id: str, count: int = 1, timeout: float = 60
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        images: list[dict[str, Any]] = api.call("ListDynamicImage", VideoId=video_id)[
            "DynamicImageList"
        ]
        if len(images) >= count or time.monotonic() > deadline:
            return images
        time.sleep(0.1)
