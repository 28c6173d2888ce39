"""Rendering one animated image from a local file (the ``dynimg render`` command)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynimg.domain.fields import read_choice, read_object, read_text
from dynimg.domain.json_document import parse_json_object
from dynimg.domain.rendering import (
    RenderResult,
    RenderSpec,
    WatermarkLayer,
    WatermarkOverride,
    apply_override,
    effective_template,
    parse_overrides,
)
from dynimg.domain.watermarks import WatermarkType, parse_watermark_config
from dynimg.errors import InvalidParameter

if TYPE_CHECKING:
    # ports names every repository and domain type; rendering needs only the engine's shape.
    from dynimg.ports import MediaEngine

FileResolver = Callable[[str], Path]


def render_file(
    engine: MediaEngine,
    source: Path,
    output: Path,
    *,
    template_config: str,
    watermarks: Sequence[str] = (),
    override_params: str | None = None,
    resolve_file: FileResolver = Path,
    on_progress: Callable[[float], None] | None = None,
) -> RenderResult:
    """Validate the documents, apply the overrides and render ``source`` into ``output``;
    ``on_progress`` is given the fraction done, as the engine reports it."""
    document = parse_json_object(override_params, "OverrideParams") if override_params else {}
    template = effective_template(parse_json_object(template_config, "TemplateConfig"), document)
    overrides = parse_overrides(document)
    layers = tuple(
        _layer(parse_json_object(text, f"Watermark[{index}]"), index, overrides, resolve_file)
        for index, text in enumerate(watermarks)
    )
    return engine.render(source, RenderSpec(template, layers), output, on_progress)


def _layer(
    doc: dict[str, Any],
    index: int,
    overrides: dict[str, WatermarkOverride],
    resolve_file: FileResolver,
) -> WatermarkLayer:
    path = f"Watermark[{index}]"
    watermark_id = str(doc.get("WatermarkId") or f"watermark-{index}")
    kind = WatermarkType(
        read_choice(doc.get("Type", "Image"), f"{path}.Type", [t.value for t in WatermarkType])
    )
    raw_config = doc.get("WatermarkConfig", {})
    if isinstance(raw_config, str):
        raw_config = parse_json_object(raw_config, f"{path}.WatermarkConfig")
    config = parse_watermark_config(
        kind, read_object(raw_config, f"{path}.WatermarkConfig"), f"{path}.WatermarkConfig"
    )
    override = overrides.get(watermark_id)
    file_url = override.file_url if override and override.file_url else doc.get("FileUrl")
    image = None
    if kind is WatermarkType.IMAGE:
        if not file_url:
            raise InvalidParameter(f"{path}.FileUrl", "an image watermark needs a file")
        image = resolve_file(read_text(file_url, f"{path}.FileUrl", max_bytes=2048))
    return apply_override(WatermarkLayer(watermark_id, config, image), override)
