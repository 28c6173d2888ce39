"""The console's live preview: a small, fast render of a template's clip, never stored."""

from __future__ import annotations

import json
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from dynimg.domain.accounts import Account
from dynimg.domain.geometry import round_even
from dynimg.domain.json_document import parse_json_object
from dynimg.domain.rendering import RenderSpec, WatermarkLayer
from dynimg.domain.templates import (
    DEFAULT_WATERMARK,
    Crop,
    DynamicImageTemplateConfig,
    ImageFormat,
    TimeSpan,
    parse_template_config,
)
from dynimg.domain.videos import Video
from dynimg.domain.watermarks import Watermark, WatermarkType, parse_watermark_config
from dynimg.errors import InvalidParameter
from dynimg.ports import MediaEngine, Storage, UnitOfWorkFactory
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
    config_text: str,
    *,
    scratch: Path | None = None,
) -> tuple[bytes, str]:
    """Validate the config as AddVodTemplate does, then render a small version of it.

    Returns the file's bytes and its format. The video and watermarks are read first, in short
    transactions, so the render itself holds no database connection. The render's files go to
    ``scratch`` (None: the system's temporary directory).
    """
    config = parse_template_config(parse_json_object(config_text, "TemplateConfig"))
    video = get_video(uow_factory, account, video_id)
    chosen = _watermarks(uow_factory, account, config.watermark_ids)
    return _render(storage, engine, video, preview_config(config), chosen, scratch)


def render_watermark_preview(
    uow_factory: UnitOfWorkFactory,
    storage: Storage,
    engine: MediaEngine,
    account: Account,
    video_id: str,
    watermark: WatermarkDraft | str,
    *,
    scratch: Path | None = None,
) -> tuple[bytes, str]:
    """The first seconds of a video (a small GIF) with one watermark over them: a stored one by
    id, or a text watermark not yet saved, validated as AddWatermark does. Files as in
    :func:`render_preview`."""
    video = get_video(uow_factory, account, video_id)
    if isinstance(watermark, str):
        chosen = _watermarks(uow_factory, account, (watermark,))
    else:
        chosen = [watermark.as_watermark(account)]
    config = DynamicImageTemplateConfig(
        format=ImageFormat.GIF, time_span=TimeSpan(0, PREVIEW_MAX_MS), fps=4.0,
        width=PREVIEW_WIDTH,
    )  # fmt: skip
    return _render(storage, engine, video, config, chosen, scratch)


@dataclass(frozen=True)
class WatermarkDraft:
    """A text watermark being written in the console, previewed before it is saved."""

    config_text: str

    def as_watermark(self, account: Account) -> Watermark:
        document = parse_json_object(self.config_text, "WatermarkConfig")
        parse_watermark_config(WatermarkType.TEXT, document)
        return Watermark("draft", account.id, "draft", WatermarkType.TEXT, self.config_text,
                         "", "", "", False, datetime.fromtimestamp(0, UTC))  # fmt: skip


def _render(
    storage: Storage,
    engine: MediaEngine,
    video: Video,
    small: DynamicImageTemplateConfig,
    chosen: list[Watermark],
    scratch: Path | None,
) -> tuple[bytes, str]:
    with ExitStack() as files:
        layers = tuple(_layer(storage, files, watermark) for watermark in chosen)
        source = files.enter_context(storage.readable(video.storage_key))
        work = Path(files.enter_context(tempfile.TemporaryDirectory(dir=scratch)))
        output = work / f"preview.{small.format.value}"
        engine.render(source, RenderSpec(small, layers), output)
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


def _watermarks(
    uow_factory: UnitOfWorkFactory, account: Account, ids: tuple[str, ...]
) -> list[Watermark]:
    found = []
    with uow_factory() as uow:
        for watermark_id in ids:
            if watermark_id == DEFAULT_WATERMARK:
                default = uow.watermarks.default(account.id)
                found += [default] if default else []
                continue
            watermark = uow.watermarks.get(account.id, watermark_id)
            if watermark is None:
                raise InvalidParameter(
                    "TemplateConfig.WatermarkIds", f"watermark {watermark_id} does not exist"
                )
            found.append(watermark)
    return found


def _layer(storage: Storage, files: ExitStack, watermark: Watermark) -> WatermarkLayer:
    config = parse_watermark_config(watermark.type, json.loads(watermark.config_json))
    image = None
    if watermark.type is WatermarkType.IMAGE:
        image = files.enter_context(storage.readable(watermark.storage_key))
    return WatermarkLayer(watermark.id, config, image)
