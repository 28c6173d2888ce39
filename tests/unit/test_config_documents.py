"""Every typed config written as a document reads back to itself: what lets a job keep its
effective config (and a watermark its config) as text in the database and load it unchanged."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dynimg.domain.json_document import dump_compact
from dynimg.domain.rendering import JobOverrides, read_overrides
from dynimg.domain.template_documents import read_template_config, template_document
from dynimg.domain.templates import (
    DEFAULT_WATERMARK,
    EXTRAS_BY_FORMAT,
    MAX_FILE_SIZE,
    MAX_LOSSY,
    MIN_FILE_SIZE,
    Crop,
    Dither,
    DynamicImageTemplateConfig,
    ImageFormat,
    Playback,
    TimeSpan,
    ToneMap,
    VideoCodec,
)
from dynimg.domain.timecode import MAX_MS
from dynimg.domain.watermark_documents import (
    read_watermark_config,
    read_watermark_document,
    watermark_document,
)
from dynimg.domain.watermarks import (
    FONT_NAMES,
    REFER_POSITIONS,
    ImageWatermarkConfig,
    Length,
    TextWatermarkConfig,
    Timeline,
    WatermarkConfig,
    WatermarkType,
)

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda text: bool(text.strip())
)
WATERMARK_ID = st.one_of(st.just(DEFAULT_WATERMARK), st.text("0123456789abcdef", min_size=32,
                                                             max_size=32))  # fmt: skip


@st.composite
def time_spans(draw: st.DrawFn) -> TimeSpan:
    if draw(st.booleans()):
        return TimeSpan(0, draw(st.integers(1, MAX_MS)), auto=True)
    seek = draw(st.integers(0, MAX_MS))
    kind = draw(st.sampled_from(["end", "duration", "open"]))
    if kind == "end":
        return TimeSpan(seek, end_ms=draw(st.integers(0, MAX_MS)))
    if kind == "duration":
        return TimeSpan(seek, duration_ms=draw(st.integers(1, MAX_MS)))
    return TimeSpan(seek)


def _side(fmt: ImageFormat) -> st.SearchStrategy[int]:
    sides = st.integers(128, 4096)
    return sides.map(lambda n: n - n % 2) if fmt is ImageFormat.MP4 else sides


def _extra(fmt: ImageFormat, name: str, values: st.SearchStrategy[Any], default: Any) -> Any:
    """A value for an extra the format takes; the default for one it refuses."""
    allowed = EXTRAS_BY_FORMAT.get(fmt)
    return values if allowed is None or name in allowed else st.just(default)


@st.composite
def template_configs(draw: st.DrawFn) -> DynamicImageTemplateConfig:
    fmt = draw(st.sampled_from(list(ImageFormat)))
    width = draw(st.none() | _side(fmt))
    height = draw(st.none() | _side(fmt))
    crops = [Crop.NONE, Crop.AUTO, Crop.FILL] if width and height else [Crop.NONE, Crop.AUTO]
    loops = st.integers(0, 65535)
    return DynamicImageTemplateConfig(
        format=fmt,
        time_span=draw(time_spans()),
        width=width,
        height=height,
        fps=draw(st.floats(0, 60, exclude_min=True)),
        name=draw(st.none() | TEXT),
        set_default_cover=fmt is not ImageFormat.MP4 and draw(st.booleans()),
        watermark_ids=tuple(draw(st.lists(WATERMARK_ID, max_size=4, unique=True))),
        quality=draw(_extra(fmt, "Quality", st.integers(1, 100), 75)),
        loop=draw(_extra(fmt, "Loop", loops, 0)),
        max_colors=draw(_extra(fmt, "MaxColors", st.integers(2, 256), 256)),
        dither=draw(_extra(fmt, "Dither", st.sampled_from(list(Dither)), Dither.FLOYD_STEINBERG)),
        lossy=draw(_extra(fmt, "Lossy", st.none() | st.integers(0, MAX_LOSSY), None)),
        max_file_size=draw(st.none() | st.integers(MIN_FILE_SIZE, MAX_FILE_SIZE)),
        crop=draw(st.sampled_from(crops)),
        tone_map=draw(st.sampled_from(list(ToneMap))),
        playback=draw(st.sampled_from(list(Playback))),
        speed=draw(st.floats(0.25, 4)),
        codec=draw(st.sampled_from(list(VideoCodec))) if fmt is ImageFormat.MP4 else VideoCodec.AV1,
    )


def test_the_strategy_draws_every_field_so_a_new_one_must_be_written_too() -> None:
    drawn = {"format", "time_span", "width", "height", "fps", "name", "set_default_cover",
             "watermark_ids", "quality", "loop", "max_colors", "dither", "lossy",
             "max_file_size", "crop", "tone_map", "playback", "speed", "codec"}  # fmt: skip
    assert {f.name for f in fields(DynamicImageTemplateConfig)} == drawn


@settings(max_examples=200)
@given(template_configs())
def test_a_template_config_reads_back_from_its_document(config: DynamicImageTemplateConfig) -> None:
    text = dump_compact(template_document(config))
    assert read_template_config(text).config == config


PIXELS = st.integers(8, 4096).map(lambda n: Length(float(n), False))
RATIOS = st.integers(1, 9999).map(lambda n: Length(n / 10000, True))
OFFSETS = st.just(Length(0, False)) | PIXELS | RATIOS
COLORS = st.tuples(*[st.integers(0, 255)] * 3)
MAX_TIMELINE_MS = 86_400_000


@st.composite
def image_configs(draw: st.DrawFn) -> ImageWatermarkConfig:
    duration = draw(st.none() | st.integers(1, MAX_TIMELINE_MS))
    return ImageWatermarkConfig(
        refer_pos=draw(st.sampled_from(REFER_POSITIONS)),
        dx=draw(OFFSETS),
        dy=draw(OFFSETS),
        width=draw(st.none() | PIXELS | RATIOS),
        height=draw(st.none() | PIXELS | RATIOS),
        timeline=Timeline(draw(st.integers(0, MAX_TIMELINE_MS)), duration),
    )


@st.composite
def text_configs(draw: st.DrawFn) -> TextWatermarkConfig:
    return TextWatermarkConfig(
        content=draw(TEXT),
        font_name=draw(st.sampled_from(FONT_NAMES)),
        font_size=draw(st.integers(4, 120)),
        font_color=draw(COLORS),
        font_alpha=draw(st.floats(0, 1, exclude_min=True)),
        border_width=draw(st.integers(0, 4096)),
        border_color=draw(COLORS),
        top=draw(st.integers(0, 4096)),
        left=draw(st.integers(0, 4096)),
    )


@settings(max_examples=200)
@given(image_configs() | text_configs())
def test_a_watermark_config_reads_back_from_its_document(config: WatermarkConfig) -> None:
    kind = WatermarkType.TEXT if isinstance(config, TextWatermarkConfig) else WatermarkType.IMAGE
    document = read_watermark_document(dump_compact(watermark_document(config)))
    assert read_watermark_config(kind, document).config == config


@st.composite
def overrides(draw: st.DrawFn) -> JobOverrides:
    ids = draw(st.lists(st.text("0123456789abcdef", min_size=32, max_size=32), max_size=4,
                        unique=True))  # fmt: skip
    marks = [{"WatermarkId": i, "Content": draw(TEXT)} for i in ids]
    document: dict[str, Any] = {"Watermarks": marks}
    if draw(st.booleans()):
        document["Video"] = {"Width": draw(st.integers(128, 4096))}
    return read_overrides(dump_compact(document))


@given(overrides())
def test_overrides_read_back_from_their_document(parsed: JobOverrides) -> None:
    assert parsed.document is not None
    assert read_overrides(dump_compact(parsed.document)) == parsed
