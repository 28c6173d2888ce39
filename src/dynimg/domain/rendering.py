"""What the media engine is asked to make, and what it reports back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynimg.domain.fields import read_object, read_text
from dynimg.domain.json_document import parse_json_object
from dynimg.domain.template_parsing import parse_template_config
from dynimg.domain.templates import DynamicImageTemplateConfig, ImageFormat
from dynimg.errors import InvalidParameter

if TYPE_CHECKING:
    # Annotations only: the size search's module loads with MaxFileSize's search and the
    # watermarks' with a watermark, so a render without them does not import them before its
    # first frame (``dynimg render`` start-up).
    from dynimg.domain.size_search import SizeSearchReport
    from dynimg.domain.watermarks import WatermarkConfig


@dataclass(frozen=True)
class WatermarkLayer:
    """One watermark to draw: its config and, for an image watermark, the image file."""

    watermark_id: str
    config: WatermarkConfig
    image: Path | None = None


@dataclass(frozen=True)
class WatermarkOverride:
    """OverrideParams for one watermark: new text for a text one, a new file for an image one."""

    content: str | None = None
    file_url: str | None = None


@dataclass(frozen=True)
class RenderSpec:
    """A template config plus the watermarks to apply."""

    template: DynamicImageTemplateConfig
    watermarks: tuple[WatermarkLayer, ...] = ()


@dataclass(frozen=True)
class RenderResult:
    """What was written, measured from the output."""

    format: ImageFormat
    width: int
    height: int
    fps: float
    frames: int
    duration_ms: int
    size_bytes: int
    delays_ms: tuple[int, ...] = field(default=(), repr=False)
    seek_ms: int = 0
    """Where the clip started: the template's Seek, or the one chosen for ``Seek=auto``."""
    size_search: SizeSearchReport | None = field(default=None, repr=False)
    """The encodes made to fit ``Container.MaxFileSize``; None when the template set none."""


TEMPLATE_OVERRIDES = frozenset(
    {"Clip", "Video", "Container", "Quality", "MaxColors", "Dither", "Loop", "Lossy"}
)
"""Template fields a request may override (a dynimg extension): one template serves every
moment and size of a video instead of one template per sticker."""
_CONTAINER_OVERRIDES = frozenset({"MaxFileSize"})
"""The format stays the template's: only the byte budget changes per request."""
_VIDEO_OVERRIDES = frozenset({"Width", "Height", "Fps", "Crop"})
_CLIP_OVERRIDES = frozenset({"TimeSpan", "Playback", "Speed"})


@dataclass(frozen=True)
class JobOverrides:
    """OverrideParams, parsed: the document, whose template fields are merged into the
    template's config once, at submit (:func:`effective_template`), and the watermark
    overrides, which a render applies to the watermarks it draws."""

    document: Mapping[str, Any] | None = None
    """As the client wrote it (None: no OverrideParams)."""
    watermarks: Mapping[str, WatermarkOverride] = field(default_factory=dict)


NO_OVERRIDES = JobOverrides()
"""A request without OverrideParams."""


def read_overrides(text: str | None) -> JobOverrides:
    """A client's OverrideParams text (empty or absent: none)."""
    if not text:
        return NO_OVERRIDES
    document = parse_json_object(text, "OverrideParams")
    return JobOverrides(document, parse_overrides(document))


def parse_overrides(
    doc: Mapping[str, Any], path: str = "OverrideParams"
) -> dict[str, WatermarkOverride]:
    """OverrideParams' watermarks: ``{"Watermarks": [{"WatermarkId", "Content" | "FileUrl"}]}``.

    As Alibaba documents it, a text watermark's Content and an image watermark's FileUrl can be
    replaced; dynimg also takes the template fields in ``TEMPLATE_OVERRIDES`` (see
    :func:`effective_template`). Anything else is refused rather than silently ignored.
    """
    unknown = sorted(set(doc) - {"Watermarks"} - TEMPLATE_OVERRIDES)
    if unknown:
        raise InvalidParameter(
            f"{path}.{unknown[0]}",
            "only Watermarks, Clip, Video, Container, Quality, MaxColors, Dither and Loop can be "
            "overridden",
        )
    items = doc.get("Watermarks", [])
    if not isinstance(items, list) or len(items) > 4:
        raise InvalidParameter(f"{path}.Watermarks", "must be a list of at most 4 watermarks")
    overrides: dict[str, WatermarkOverride] = {}
    for index, item in enumerate(items):
        item_path = f"{path}.Watermarks[{index}]"
        entry = read_object(item, item_path)
        watermark_id = read_text(entry.get("WatermarkId"), f"{item_path}.WatermarkId", max_bytes=64)
        content, file_url = entry.get("Content"), entry.get("FileUrl")
        overrides[watermark_id] = WatermarkOverride(
            content=None
            if content is None
            else read_text(content, f"{item_path}.Content", max_bytes=1024),
            file_url=None
            if file_url is None
            else read_text(file_url, f"{item_path}.FileUrl", max_bytes=2048),
        )
    return overrides


def effective_template(
    template: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> DynamicImageTemplateConfig:
    """The template's config with the request's own clip, size and extras.

    ``Clip.TimeSpan`` replaces the template's whole TimeSpan (Seek with Duration or End), and
    ``Clip.Playback``/``Clip.Speed`` their values; ``Video`` replaces Width, Height, Fps and
    Crop one by one; ``Container`` only MaxFileSize; each extra replaces its value. The
    result is validated by the template rules, its errors named under ``OverrideParams``.
    """
    if not overrides or not TEMPLATE_OVERRIDES & set(overrides):
        return parse_template_config(template)
    merged = dict(template)
    if "Clip" in overrides:
        clip = _only(overrides["Clip"], "OverrideParams.Clip", _CLIP_OVERRIDES)
        merged["Clip"] = {**read_object(template.get("Clip", {}), "TemplateConfig.Clip"), **clip}
    if "Video" in overrides:
        video = _only(overrides["Video"], "OverrideParams.Video", _VIDEO_OVERRIDES)
        merged["Video"] = {
            **read_object(template.get("Video", {}), "TemplateConfig.Video"),
            **video,
        }
    if "Container" in overrides:
        container = _only(overrides["Container"], "OverrideParams.Container", _CONTAINER_OVERRIDES)
        merged["Container"] = {
            **read_object(template.get("Container", {}), "TemplateConfig.Container"),
            **container,
        }
    for key in TEMPLATE_OVERRIDES - {"Clip", "Video", "Container"}:
        if key in overrides:
            merged[key] = overrides[key]
    return parse_template_config(merged, "OverrideParams")


def _only(value: Any, path: str, allowed: frozenset[str] | set[str]) -> dict[str, Any]:
    document = dict(read_object(value, path))
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise InvalidParameter(f"{path}.{unknown[0]}", f"only {', '.join(sorted(allowed))}")
    return document


def apply_override(layer: WatermarkLayer, override: WatermarkOverride | None) -> WatermarkLayer:
    """The layer with its Content replaced (text watermarks); FileUrl is resolved by the caller."""
    if override is None or override.content is None:
        return layer
    # Here, not at the top: a render without watermarks never imports their module.
    from dynimg.domain.watermarks import ImageWatermarkConfig, TextWatermarkConfig

    if not isinstance(layer.config, TextWatermarkConfig):
        if isinstance(layer.config, ImageWatermarkConfig):
            raise InvalidParameter(
                "OverrideParams.Watermarks.Content", "only text watermarks have Content"
            )
        return layer
    return replace(layer, config=replace(layer.config, content=override.content))
