"""Animated-image templates: the `DynamicImageTemplateConfig` document and its rules.

Alibaba's fields, with the defaults dynimg chose where Alibaba documents none:

- ``Video.Width`` / ``Video.Height`` in [128, 4096]. Both left out: the source size. One left
  out: the other follows the source's display aspect ratio (rounded to an even number).
- ``Video.Fps`` in (0, 60]; left out: 10. Never more than the source's frame rate.
- ``Container.Format``: ``gif`` or ``webp`` (required); dynimg adds ``apng``, ``avif`` (animated)
  and ``mp4`` (a silent video, for ``<video autoplay loop muted>``), whose Width and Height must
  be even.
- ``Clip.TimeSpan``: ``Seek`` (required), ``Duration`` or ``End`` (End wins); neither: to the
  end of the video. ``Seek`` may be ``auto`` (a dynimg extension, with a Duration and no End):
  the most interesting ``Duration`` of the video, see :mod:`dynimg.domain.highlight`.
- ``SetDefaultCover``: ``true`` makes the animated image the video's cover.
- ``WatermarkIds``: at most 4 watermark ids; ``USER_DEFAULT_WATERMARK`` is the account default.

Extras beyond Alibaba: ``Quality`` (1-100, WebP, AVIF and MP4, default 75), ``Loop`` (0 =
forever, the default, else the number of plays; an MP4 has no loop count, its player loops it),
``MaxColors`` (2-256, GIF), ``Dither`` (``floyd_steinberg`` default, ``bayer`` for smaller files,
``none``; GIF). An extra given for a format it does not apply to is refused for the formats
dynimg added; GIF and WebP templates keep ignoring them, as they always have.
``Codec`` (mp4 only): ``av1`` (default) or ``h264``, which the operator must allow
(``DYNIMG_ALLOW_H264``; see :class:`dynimg.domain.codecs.CodecPolicy`).
``Container.MaxFileSize`` (bytes, 1 KiB to 4 GiB: the output is made to fit; see
:mod:`dynimg.domain.size_search`).

``Video.ToneMap`` (``bt2390`` default, ``hable``, ``clip``): how HDR sources become SDR.

Shaping extras: ``Video.Crop`` (``none`` default; ``fill`` fills exactly Width x Height with the
centre of the picture, so both are required; ``auto`` cuts off letterbox or pillarbox bars),
``Clip.Playback`` (``forward`` default, ``reverse``, ``bounce``) and ``Clip.Speed`` (0.25 to 4,
default 1). The TimeSpan is always source time: at Speed 2 a 4-second TimeSpan plays in 2 s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dynimg.domain.snapshots import SnapshotConfig

DEFAULT_WATERMARK = "USER_DEFAULT_WATERMARK"
MAX_WATERMARKS = 4
DEFAULT_FPS = 10.0
AUTO_SEEK = "auto"
MIN_FILE_SIZE = 1024
"""Smallest ``Container.MaxFileSize``: below this not even one small frame fits."""
MAX_FILE_SIZE = 4 * 1024**3
"""Largest ``Container.MaxFileSize``: the largest object dynimg stores by default
(``DYNIMG_MAX_UPLOAD_BYTES``); no animated image within the media limits comes near it."""


class TemplateType(StrEnum):
    """Alibaba's TemplateType values; dynimg implements the animated-image one."""

    DYNAMIC_IMAGE = "DynamicImage"
    SNAPSHOT = "Snapshot"


class ImageFormat(StrEnum):
    """Output containers an animated image can have."""

    GIF = "gif"
    WEBP = "webp"
    APNG = "apng"
    AVIF = "avif"
    MP4 = "mp4"

    @property
    def media_type(self) -> str:
        """The Content-Type a file of this format is served with (its extension is the value)."""
        return _MEDIA_TYPES[self]


_MEDIA_TYPES = {
    ImageFormat.GIF: "image/gif",
    ImageFormat.WEBP: "image/webp",
    ImageFormat.APNG: "image/apng",
    ImageFormat.AVIF: "image/avif",
    ImageFormat.MP4: "video/mp4",
}


EXTRAS_BY_FORMAT: dict[ImageFormat, frozenset[str]] = {
    ImageFormat.APNG: frozenset({"Loop"}),
    ImageFormat.AVIF: frozenset({"Quality", "Loop"}),
    ImageFormat.MP4: frozenset({"Quality"}),
}
"""The extras each format added by dynimg takes; any other extra is refused for it (GIF and
WebP, older, keep ignoring extras they do not use)."""
EXTRAS_USED: dict[ImageFormat, frozenset[str]] = {
    ImageFormat.GIF: frozenset({"Loop", "MaxColors", "Dither", "Lossy"}),
    ImageFormat.WEBP: frozenset({"Quality", "Loop"}),
    **EXTRAS_BY_FORMAT,
}
"""The extras each format's writer honours: ``EXTRAS_BY_FORMAT`` plus what GIF and WebP use
(the console offers only these for the chosen format)."""
EXTRAS = ("Quality", "Loop", "MaxColors", "Dither", "Lossy")
MAX_LOSSY = 200
"""``Lossy`` runs from 0 (lossless LZW) to 200, as gifsicle's ``--lossy`` does."""


class VideoCodec(StrEnum):
    """The video codec of an ``mp4`` (the ``Codec`` extra)."""

    AV1 = "av1"
    """SVT-AV1 (BSD): always available, the default."""
    H264 = "h264"
    """libx264 (GPL): only where the operator allows it (``DYNIMG_ALLOW_H264``)."""


class Crop(StrEnum):
    """How the picture is fitted to Width x Height."""

    NONE = "none"
    """Scaled to Width x Height (the aspect ratio changes when both are given)."""
    FILL = "fill"
    """Scaled to cover Width x Height, then the centre cut out: nothing is stretched."""
    AUTO = "auto"
    """Black (or flat) bars around the picture, letterbox or pillarbox, cut off first."""


class ToneMap(StrEnum):
    """How an HDR (PQ or HLG) source's highlights are brought into SDR (``Video.ToneMap``)."""

    BT2390 = "bt2390"
    """ITU-R BT.2390's EETF: a knee in PQ space; below it the picture is untouched."""
    HABLE = "hable"
    """John Hable's filmic curve: softer, darker highlights."""
    CLIP = "clip"
    """No compression: everything brighter than SDR white clips."""


class Playback(StrEnum):
    """The order the clip's frames play in."""

    FORWARD = "forward"
    REVERSE = "reverse"
    BOUNCE = "bounce"
    """Forward, then backward, without repeating the frames it turns around on."""


MIN_SPEED = 0.25
MAX_SPEED = 4.0


class Dither(StrEnum):
    """How GIF colours are reduced to the palette."""

    FLOYD_STEINBERG = "floyd_steinberg"
    BAYER = "bayer"
    NONE = "none"


@dataclass(frozen=True)
class TimeSpan:
    """The part of the video to capture, in milliseconds; ``end_ms`` is trimmed off the tail."""

    seek_ms: int
    duration_ms: int | None = None
    end_ms: int | None = None
    auto: bool = False
    """``Seek=auto``: the renderer picks ``seek_ms`` (0 until then) for the best window."""


@dataclass(frozen=True)
class DynamicImageTemplateConfig:
    """A validated `DynamicImageTemplateConfig`."""

    format: ImageFormat
    time_span: TimeSpan
    width: int | None = None
    height: int | None = None
    fps: float = DEFAULT_FPS
    name: str | None = None
    set_default_cover: bool = False
    watermark_ids: tuple[str, ...] = ()
    quality: int = 75
    loop: int = 0
    max_colors: int = 256
    dither: Dither = Dither.FLOYD_STEINBERG
    lossy: int | None = None
    """GIF lossy LZW: how far (0 = not at all) a pixel's colour may stray so that LZW can
    reuse a longer string (see docs/media.md). None, when the template does not say: the
    engine's default (1 where its compiled encoder is installed, else 0)."""
    max_file_size: int | None = None
    """``Container.MaxFileSize``: the output is at most this many bytes, or the job fails."""
    crop: Crop = Crop.NONE
    tone_map: ToneMap = ToneMap.BT2390
    """How an HDR source is tone-mapped to SDR; SDR sources ignore it."""
    playback: Playback = Playback.FORWARD
    speed: float = 1.0
    """Playback speed; the TimeSpan is source time, the output lasts its length / speed."""
    codec: VideoCodec = VideoCodec.AV1
    """The video codec of an ``mp4`` (every other format has its own)."""


@dataclass(frozen=True)
class Template:
    """An account's animated-image template as stored."""

    id: str
    account_id: str
    name: str
    type: TemplateType
    config: DynamicImageTemplateConfig | SnapshotConfig
    document: Mapping[str, Any]
    """The TemplateConfig as the client wrote it: stored, and echoed back by GetVodTemplate."""
    app_id: str
    is_default: bool
    created_at: datetime
    modified_at: datetime
