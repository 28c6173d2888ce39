"""Every door that takes uploads finishes them the same way: the video is marked uploaded, its
probe is queued, and the stored bytes count into ``dynimg_upload_bytes``."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from dynimg.api.console.core import Console
from dynimg.api.console.videos import upload_context
from dynimg.bootstrap import build_services
from dynimg.domain.upload_requests import browser_video
from dynimg.domain.videos import VideoStatus
from dynimg.ports.metrics import NullMetrics
from dynimg.services import accounts, uploads, videos
from dynimg.services import object_uploads as objects
from dynimg.settings import load_settings
from tests.support.clock import FixedClock


class CountingMetrics(NullMetrics):
    """Remembers the uploads it is told of."""

    def __init__(self) -> None:
        self.uploads: list[int] = []

    def uploaded(self, size: int) -> None:
        self.uploads.append(size)


@pytest.mark.timeout(60)
def test_a_browser_upload_is_finished_and_counted_like_an_oss_upload(tmp_path: Path) -> None:
    clock, metrics = FixedClock(), CountingMetrics()
    services = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}), clock=clock)
    services.deps = dataclasses.replace(services.deps, metrics=metrics)
    try:
        deps = services.deps
        account, _ = accounts.ensure_default_key(deps.uow_factory, clock)
        body = b"not really a video, but bytes all the same" * 100
        command = browser_video("c.mp4", "c", len(body))
        grant = uploads.start_browser_upload(
            deps.uow_factory, clock, deps.upload_policy, account, command
        )
        ctx = upload_context(Console(services), grant)
        upload_id = objects.initiate_multipart(ctx)
        objects.upload_part(ctx, upload_id, 1, iter([body]), None)
        md5 = hashlib.md5(body).hexdigest()
        objects.complete_multipart(ctx, upload_id, [(1, md5)])
        video = videos.get_video(deps.uow_factory, account, grant.target_id)
        assert video.status is VideoStatus.UPLOAD_SUCC and video.size == len(body)
        assert metrics.uploads == [len(body)]
    finally:
        services.close()
