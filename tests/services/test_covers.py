"""Video covers: made once on first request, kept in storage, another account's refused,
deleted with the video."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dynimg.bootstrap import build_services
from dynimg.domain.upload_requests import read_new_video
from dynimg.domain.uploads import UploadTarget
from dynimg.domain.videos import VideoStatus
from dynimg.errors import VideoNotFound
from dynimg.services import accounts, videos
from dynimg.services.covers import COVER_WIDTH, video_cover
from dynimg.services.processing import ProbeDeps, process_upload
from dynimg.services.uploads import create_upload_video
from dynimg.settings import load_settings
from tests.support.clock import FixedClock
from tests.support.media import make_clip


class CountingEngine:
    """The real engine, counting renders."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.renders = engine, 0

    def render(self, *args: Any, **kwargs: Any) -> Any:
        self.renders += 1
        return self.engine.render(*args, **kwargs)


def test_a_cover_is_made_once_and_goes_with_its_video(tmp_path: Path) -> None:
    clock = FixedClock()
    services = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}), clock=clock)
    try:
        account, _ = accounts.ensure_default_key(services.deps.uow_factory, clock)
        other = dataclasses.replace(account, id="someone-else")
        ticket = create_upload_video(
            services.deps.uow_factory, clock, services.deps.upload_policy, account,
            read_new_video({"Title": "t", "FileName": "c.mp4"}),
        )  # fmt: skip
        video = videos.get_video(services.deps.uow_factory, account, ticket.target_id)
        clip = make_clip(tmp_path / "c.mp4", seconds=2, size=(320, 240)).path
        stored = services.deps.storage.put(video.storage_key, iter([clip.read_bytes()]))
        with services.deps.uow_factory() as uow:
            uploaded = dataclasses.replace(video, status=VideoStatus.UPLOAD_SUCC, size=stored.size)
            uow.videos.update(uploaded)
            uow.commit()
        probe = ProbeDeps(
            services.deps.uow_factory, clock, services.deps.storage, services.deps.engine
        )
        process_upload(probe, UploadTarget.VIDEO, video.id)
        engine = CountingEngine(services.deps.engine)
        deps = services.deps
        made = [video_cover(deps.uow_factory, deps.storage, engine, account, video.id)
                for _ in range(2)]  # fmt: skip
        assert made[0] == made[1] and engine.renders == 1
        with services.deps.storage.readable(made[0]) as path, Image.open(path) as cover:
            assert (cover.format, cover.size) == ("WEBP", (COVER_WIDTH, 120))
        with pytest.raises(VideoNotFound):
            video_cover(services.deps.uow_factory, services.deps.storage, engine, other, video.id)
        videos.delete_videos(services.deps.uow_factory, services.deps.storage, account, [video.id])
        assert not services.deps.storage.exists(made[0])
    finally:
        services.close()
