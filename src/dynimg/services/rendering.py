"""Rendering one animated image from a local file (the ``dynimg render`` command)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from dynimg.domain.rendering import NO_OVERRIDES, JobOverrides, RenderResult, effective_template
from dynimg.domain.template_documents import TemplateConfigInput
from dynimg.errors import InvalidParameter
from dynimg.services.render_assembly import PlannedLayer, assemble, with_override

if TYPE_CHECKING:
    # ports names every repository and domain type; rendering needs only the engine's shape.
    # LocalWatermark's module is read by the caller, only when a render has watermarks.
    from dynimg.domain.watermark_documents import LocalWatermark
    from dynimg.ports import MediaEngine

FileResolver = Callable[[str], Path]


def render_file(
    engine: MediaEngine,
    source: Path,
    output: Path,
    template: TemplateConfigInput,
    watermarks: Sequence[LocalWatermark] = (),
    overrides: JobOverrides = NO_OVERRIDES,
    resolve_file: FileResolver = Path,
    on_progress: Callable[[float], None] | None = None,
) -> RenderResult:
    """Apply the overrides to the template and its watermarks, and render ``source`` into
    ``output``; ``on_progress`` is given the fraction done, as the engine reports it."""
    config = effective_template(template.document, overrides.document)
    layers = [_planned(w, index, overrides) for index, w in enumerate(watermarks)]
    with ExitStack() as files:
        spec = assemble(config, layers, files, lambda name: nullcontext(resolve_file(name)))
        return engine.render(_as_video(engine, source, files), spec, output, on_progress)


def _as_video(engine: MediaEngine, source: Path, files: ExitStack) -> Path:
    """An animated image (GIF, APNG, animated WebP) is rendered from the video it is rewritten
    as, exactly as an uploaded one is (see ``MediaEngine.animation_to_video``)."""
    work = Path(files.enter_context(tempfile.TemporaryDirectory(prefix="animation-")))
    converted = work / "frames.mkv"
    return converted if engine.animation_to_video(source, converted) is not None else source


def _planned(watermark: LocalWatermark, index: int, overrides: JobOverrides) -> PlannedLayer:
    from dynimg.domain.watermarks import ImageWatermarkConfig  # see LocalWatermark's import

    override = overrides.watermarks.get(watermark.watermark_id)
    image = None
    if isinstance(watermark.config, ImageWatermarkConfig):
        image = override.file_url if override and override.file_url else watermark.file_url
        if not image:
            raise InvalidParameter(f"Watermark[{index}].FileUrl", "an image watermark needs a file")
    return with_override(PlannedLayer(watermark.watermark_id, watermark.config, image), override)
