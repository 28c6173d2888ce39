"""The console's live preview: a small, fast render of a template's clip, never stored."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from dynimg.domain.accounts import Account
from dynimg.domain.json_document import parse_json_object
from dynimg.domain.rendering import RenderSpec
from dynimg.domain.templates import DynamicImageTemplateConfig, TimeSpan, parse_template_config
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
) -> tuple[bytes, str]:
    """Validate the config as AddVodTemplate does, then render a small version of it.

    Returns the file's bytes and its format. Runs outside any transaction (the video is read
    first), so a slow render holds no database connection.
    """
    config = parse_template_config(parse_json_object(config_text, "TemplateConfig"))
    video = get_video(uow_factory, account, video_id)
    small = preview_config(config)
    with storage.readable(video.storage_key) as source, tempfile.TemporaryDirectory() as work:
        output = Path(work) / f"preview.{small.format.value}"
        engine.render(source, RenderSpec(small), output)
        return output.read_bytes(), small.format.value


def preview_config(config: DynamicImageTemplateConfig) -> DynamicImageTemplateConfig:
    """At most 240 px wide, 8 fps and 3 seconds, from the same Seek; watermarks left out."""
    span = config.time_span
    duration = min(span.duration_ms or PREVIEW_MAX_MS, PREVIEW_MAX_MS)
    return replace(
        config,
        width=min(config.width or PREVIEW_WIDTH, PREVIEW_WIDTH),
        height=None,
        fps=min(config.fps, PREVIEW_MAX_FPS),
        time_span=TimeSpan(seek_ms=span.seek_ms, duration_ms=duration),
        watermark_ids=(),
        set_default_cover=False,
    )
