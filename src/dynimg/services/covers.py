"""Video covers for the console's list: one small frame of the video, made on first request and
kept in storage next to the source, so it is made once and deleted with the video."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path

from dynimg.domain.accounts import Account
from dynimg.domain.storage_keys import cover_key
from dynimg.domain.templates import DynamicImageTemplateConfig, ImageFormat, TimeSpan
from dynimg.domain.videos import Video
from dynimg.errors import IllegalStatus
from dynimg.ports import MediaEngine, Storage, UnitOfWorkFactory
from dynimg.services.render_assembly import assemble
from dynimg.services.videos import get_video

COVER_WIDTH = 160
COVER_AT_MS = 1000
"""The frame shown: one second in (a tenth of the way into shorter videos), past fade-ins."""


def video_cover(
    uow_factory: UnitOfWorkFactory,
    storage: Storage,
    engine: MediaEngine,
    account: Account,
    video_id: str,
    *,
    scratch: Path | None = None,
) -> str:
    """The storage key of one of the account's videos' cover, made now if it is not yet.

    Two first requests at once both render and store the same bytes under the same key, which
    is harmless; no database row is involved. The render's files go to ``scratch`` (None: the
    system's temporary directory).
    """
    video = get_video(uow_factory, account, video_id)
    if video.probe is None:
        raise IllegalStatus(f"Status of the video is illegal. Current Status is {video.status}.")
    key = cover_key(video.id)
    if not storage.exists(key):
        _render_cover(storage, engine, video, key, scratch)
    return key


def stored_cover(
    uow_factory: UnitOfWorkFactory, storage: Storage, account: Account, video_id: str
) -> str | None:
    """The storage key of the video's cover if it is made already (None: it needs a render,
    which :func:`video_cover` does)."""
    video = get_video(uow_factory, account, video_id)
    key = cover_key(video.id)
    return key if storage.exists(key) else None


def _render_cover(
    storage: Storage, engine: MediaEngine, video: Video, key: str, scratch: Path | None
) -> None:
    assert video.probe is not None
    at = min(COVER_AT_MS, video.probe.duration_ms // 10)
    config = DynamicImageTemplateConfig(
        format=ImageFormat.WEBP, time_span=TimeSpan(seek_ms=at, duration_ms=1000), fps=1.0,
        width=COVER_WIDTH, quality=70,
    )  # fmt: skip
    with ExitStack() as files:
        spec = assemble(config, (), files, storage.readable)
        source = files.enter_context(storage.readable(video.render_key))
        output = Path(files.enter_context(tempfile.TemporaryDirectory(dir=scratch))) / "cover.webp"
        engine.render(source, spec, output)
        storage.put(key, iter([output.read_bytes()]))
