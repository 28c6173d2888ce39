"""``dynimg render``: one animated image from a local video, no server or database needed."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dynimg.bootstrap import build_media_engine, open_source_ahead
from dynimg.cli.progress import percent_progress
from dynimg.cli.size_search import echo_size_search
from dynimg.cli.startup import collector_paused
from dynimg.domain.limits import MediaLimits
from dynimg.domain.rendering import JobOverrides, RenderResult, read_overrides
from dynimg.domain.template_documents import TemplateConfigInput, read_template_config
from dynimg.media_settings import plain_limits

if TYPE_CHECKING:
    from dynimg.domain.watermark_documents import LocalWatermark


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--template-config", required=True, help="DynamicImageTemplateConfig JSON.")
@click.option(
    "--watermark",
    "watermarks",
    multiple=True,
    help='{"WatermarkId", "Type": "Image"|"Text", "FileUrl": PATH, "WatermarkConfig": {...}}',
)
@click.option("--override", help="OverrideParams JSON, e.g. replacing a text watermark's Content.")
def render(
    source: Path,
    output: Path,
    template_config: str,
    watermarks: tuple[str, ...],
    override: str | None,
) -> None:
    """Render SOURCE (a local video) into OUTPUT: an animated GIF, WebP, APNG or AVIF, or a
    silent MP4, as the template's Container.Format says."""
    limits = media_limits_from_env(os.environ)
    with collector_paused():  # the media stack is imported here, while the source opens
        opening = open_source_ahead(source, limits)
        engine = build_media_engine(limits, opening)
        from dynimg.services.rendering import render_file
    started = time.perf_counter()
    try:
        overrides, template, layers = _read_inputs(template_config, watermarks, override)
        # Silent unless on a terminal: scripts and the benchmark read only the `wrote` line.
        with percent_progress(f"rendering {output.name}", announce=False) as advance:
            result = render_file(
                engine, source, output, template, layers, overrides, resolve_file=_local_file,
                on_progress=lambda fraction: advance(fraction * 100),
            )  # fmt: skip
    finally:
        opening.close()
    _echo_result(output, result, time.perf_counter() - started)


def _read_inputs(
    template_config: str, watermarks: tuple[str, ...], override: str | None
) -> tuple[JobOverrides, TemplateConfigInput, list[LocalWatermark]]:
    """The options, parsed: OverrideParams first, then the template, then each watermark."""
    overrides = read_overrides(override)
    template = read_template_config(template_config)
    return overrides, template, _read_watermarks(watermarks)


def _read_watermarks(texts: tuple[str, ...]) -> list[LocalWatermark]:
    """Each ``--watermark`` option, parsed; their module is imported only when one is given,
    as most renders have none and each module skipped is start-up saved."""
    if not texts:
        return []
    from dynimg.domain.watermark_documents import read_local_watermark

    return [read_local_watermark(text, index) for index, text in enumerate(texts)]


def _echo_result(output: Path, result: RenderResult, elapsed: float) -> None:
    """The one ``wrote`` line scripts and the benchmark read, then any size search."""
    click.echo(
        f"wrote {output}: format={result.format.value} width={result.width} "
        f"height={result.height} fps={result.fps:g} frames={result.frames} "
        f"duration={result.duration_ms / 1000:.3f}s seek={result.seek_ms / 1000:.3f}s "
        f"bytes={result.size_bytes} "
        f"time={elapsed:.2f}s"
    )
    if result.size_search is not None:
        echo_size_search(result.size_search.to_document())


def _local_file(url: str) -> Path:
    return Path(url.removeprefix("file://"))


def media_limits_from_env(environ: Mapping[str, str]) -> MediaLimits:
    """The media limits from an environment: without pydantic when they are written plainly
    (see :mod:`dynimg.media_settings`), else from the full settings, checked as always."""
    limits = plain_limits(environ)
    if limits is not None:
        return limits
    from dynimg.settings import load_settings

    return load_settings(environ).media_limits()
