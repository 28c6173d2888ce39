"""The console's live preview: a small, fast render of a template's clip, never stored."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from dynimg.domain.accounts import Account
from dynimg.domain.geometry import round_even
from dynimg.domain.templates import (
    Crop,
    DynamicImageTemplateConfig,
    ImageFormat,
    TimeSpan,
)
from dynimg.domain.videos import Video
from dynimg.domain.watermarks import WatermarkConfig
from dynimg.ports import MediaEngine, Storage, UnitOfWorkFactory
from dynimg.services.render_assembly import PlannedLayer, assemble, planned, require_watermarks
from dynimg.services.videos import get_video

PREVIEW_WIDTH = 240
PREVIEW_MAX_FPS = 8.0
PREVIEW_MAX_MS = 3000


def render_preview(
    uow_factory: UnitOfWorkFactory,
    storage: Storage,
    engine: MediaEngine,
    account: Account,
    video_id: str,
    config: DynamicImageTemplateConfig,
    *,
    scratch: Path | None = None,
) -> tuple[bytes, str]:
    """A small version of a template config (validated by the caller as AddVodTemplate does).

    Returns the file's bytes and its format. The video and watermarks are read first, in short
    transactions, so the render itself holds no database connection. The render's files go to
    ``scratch`` (None: the system's temporary directory).
    """
    video = get_video(uow_factory, account, video_id)
    with uow_factory() as uow:
        chosen = require_watermarks(uow, account.id, config.watermark_ids)
    layers = [planned(watermark) for watermark in chosen]
    return _render(storage, engine, video, preview_config(config), layers, scratch)


def render_watermark_preview(
    uow_factory: UnitOfWorkFactory,
    storage: Storage,
    engine: MediaEngine,
    account: Account,
    video_id: str,
    watermark: WatermarkConfig | str,
    *,
    scratch: Path | None = None,
) -> tuple[bytes, str]:
    """The first seconds of a video (a small GIF) with one watermark over them: a stored one by
    id, or a text watermark not yet saved (validated by the caller as AddWatermark does). Files
    as in :func:`render_preview`."""
    video = get_video(uow_factory, account, video_id)
    if isinstance(watermark, str):
        with uow_factory() as uow:
            layers = [planned(found) for found in require_watermarks(uow, account.id, (watermark,))]
    else:
        layers = [PlannedLayer("draft", watermark)]
    config = DynamicImageTemplateConfig(
        format=ImageFormat.GIF, time_span=TimeSpan(0, PREVIEW_MAX_MS), fps=4.0,
        width=PREVIEW_WIDTH,
    )  # fmt: skip
    return _render(storage, engine, video, config, layers, scratch)


def _render(
    storage: Storage,
    engine: MediaEngine,
    video: Video,
    small: DynamicImageTemplateConfig,
    layers: list[PlannedLayer],
    scratch: Path | None,
) -> tuple[bytes, str]:
    with ExitStack() as files:
        spec = assemble(small, layers, files, storage.readable)
        source = files.enter_context(storage.readable(video.render_key))
        work = Path(files.enter_context(tempfile.TemporaryDirectory(dir=scratch)))
        output = work / f"preview.{small.format.value}"
        engine.render(source, spec, output)
        return output.read_bytes(), small.format.value


def preview_config(config: DynamicImageTemplateConfig) -> DynamicImageTemplateConfig:
    """At most 240 px wide, 8 fps and 3 seconds of the source, from the same Seek (``auto``: the
    best 3 s).

    A centre-cropped template keeps its shape (Crop=fill needs both sides); Playback and
    Speed are kept as they are. MaxFileSize is not: the preview shows how the clip looks, and
    a size search would cost up to eight encodes for a file that is never kept.
    """
    span = config.time_span
    duration = min(span.duration_ms or PREVIEW_MAX_MS, PREVIEW_MAX_MS)
    width = min(config.width or PREVIEW_WIDTH, PREVIEW_WIDTH)
    height = None
    if config.crop is Crop.FILL and config.width and config.height:
        height = round_even(width * config.height / config.width)
    return replace(
        config,
        width=width,
        height=height,
        fps=min(config.fps, PREVIEW_MAX_FPS),
        time_span=TimeSpan(seek_ms=span.seek_ms, duration_ms=duration, auto=span.auto),
        set_default_cover=False,
        max_file_size=None,
    )
