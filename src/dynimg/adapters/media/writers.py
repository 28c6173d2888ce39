"""The animated-image writers, one per format, behind one interface, with the knobs each has.

A format joins by adding its writer to :data:`WRITERS`; a writer whose file shrinks with
``Quality`` (lossy) names ``Knob.QUALITY``, one whose file shrinks with ``MaxColors`` (a
palette) names ``Knob.COLORS``, one with lossy LZW (GIF's ``Lossy``) names ``Knob.LOSSY``.
Frame rate and size work for every writer, so
``Container.MaxFileSize`` works for every format without knowing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from av.video.reformatter import Colorspace

from dynimg.domain.encode_settings import EncodeSettings, Knob
from dynimg.domain.limits import MediaLimits
from dynimg.domain.templates import DynamicImageTemplateConfig, ImageFormat

if TYPE_CHECKING:
    from dynimg.adapters.media.decode import Picture


class AnimationWriter(Protocol):
    """Takes the frames of a clip in order and writes the file once the clip is complete."""

    def add(self, picture: Picture, start: Fraction) -> None:
        """One frame, shown from ``start`` (seconds from the clip start)."""
        ...

    def finish(self, end: Fraction, path: Path) -> list[int]:
        """Write ``path``; the last frame lasts until ``end``. Returns the delays in ms."""
        ...

    def abort(self) -> None:
        """Drop what was collected after a failure."""
        ...


WriterFactory = Callable[
    [DynamicImageTemplateConfig, tuple[int, int], int, Fraction, Path, MediaLimits],
    AnimationWriter,
]
"""``(config, (width, height), expected frames, frame rate, output path, limits) -> writer``.

Streaming writers (APNG, AVIF, MP4) open the output path at once; GIF and WebP write it in
``finish``."""


@dataclass(frozen=True)
class WriterKind:
    """How one format is written."""

    make: WriterFactory
    knobs: frozenset[Knob]
    """What, besides frame rate and size, makes this format's files smaller."""
    yuv: bool
    """Whether the writer takes yuv420p VideoFrames as they come from the decoder."""
    matrix: Colorspace = Colorspace.ITU601
    """The YUV matrix its files' decoders use: WebP's is BT.601 (its specification); AVIF and
    MP4 are tagged BT.709. Decoded YUV of another matrix is converted to it."""


def _gif(
    config: DynamicImageTemplateConfig,
    size: tuple[int, int],
    frames: int,
    _fps: Fraction,
    _path: Path,
    limits: MediaLimits,
) -> AnimationWriter:
    # Each factory imports its writer: a render loads only its own format's encoder stack.
    from dynimg.adapters.media.gif import GifWriter

    return GifWriter(config, size, frames, limits.frame_memory_bytes)


def _webp(
    config: DynamicImageTemplateConfig,
    size: tuple[int, int],
    frames: int,
    _fps: Fraction,
    _path: Path,
    _limits: MediaLimits,
) -> AnimationWriter:
    from dynimg.adapters.media.webp import WebpWriter

    return WebpWriter(config, size, frames)


def _streaming(
    config: DynamicImageTemplateConfig,
    size: tuple[int, int],
    _frames: int,
    fps: Fraction,
    path: Path,
    _limits: MediaLimits,
) -> AnimationWriter:
    from dynimg.adapters.media.streaming import StreamingWriter

    return StreamingWriter(config, size, fps, path)


WRITERS: dict[ImageFormat, WriterKind] = {
    ImageFormat.GIF: WriterKind(_gif, frozenset({Knob.LOSSY, Knob.COLORS}), yuv=False),
    ImageFormat.WEBP: WriterKind(_webp, frozenset({Knob.QUALITY}), yuv=True),
    # APNG is lossless: only frame rate and size make it smaller.
    ImageFormat.APNG: WriterKind(_streaming, frozenset(), yuv=False),
    ImageFormat.AVIF: WriterKind(
        _streaming, frozenset({Knob.QUALITY}), yuv=True, matrix=Colorspace.ITU709
    ),
    ImageFormat.MP4: WriterKind(
        _streaming, frozenset({Knob.QUALITY}), yuv=True, matrix=Colorspace.ITU709
    ),
}


def with_settings(
    config: DynamicImageTemplateConfig, settings: EncodeSettings
) -> DynamicImageTemplateConfig:
    """The template config an encode at ``settings`` uses (frame rate and size are the
    caller's: they decide which frames, at which size, the writer gets)."""
    return replace(
        config, quality=settings.quality, max_colors=settings.colors, lossy=settings.lossy
    )
