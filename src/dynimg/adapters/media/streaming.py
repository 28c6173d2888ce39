"""APNG, animated AVIF and MP4: frames streamed straight into one FFmpeg encoder and muxer.

Unlike GIF (which needs the whole clip for its palette) these need no second pass, so a frame
is encoded as soon as the next one says how long it lasts: one frame is held, plus whatever the
encoder itself keeps for lookahead.

Encoders, by licence: APNG is FFmpeg's own (LGPL, as the rest of the ``av`` wheel). AVIF and MP4
use SVT-AV1 (BSD-2-Clause with the AOMedia patent licence). AV1 in MP4 plays in Chrome, Edge,
Firefox and Android, and in Safari where the device decodes AV1. H.264, which every chat app
plays, goes through libx264, the only H.264 encoder in PyAV's wheel (GPL; OpenH264 is not built
in): only when the operator allows it (``DYNIMG_ALLOW_H264``, :mod:`dynimg.domain.codecs`) and
a template asks for it (``"Codec": "h264"``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.video.stream
from av.video.reformatter import Colorspace

from dynimg.adapters.media.apng_container import set_last_delay
from dynimg.adapters.media.colour import BT709, LIMITED_RANGE
from dynimg.adapters.media.decode import Picture
from dynimg.adapters.media.realtime import demote_realtime_threads
from dynimg.adapters.media.scaler import Scaler
from dynimg.domain.clip import rounded_delays
from dynimg.domain.templates import DynamicImageTemplateConfig, ImageFormat, VideoCodec

# SVT-AV1 prints a banner and notices to stderr for every encoder; errors still show.
os.environ.setdefault("SVT_LOG", "1")

MILLISECOND = Fraction(1, 1000)
AV1_PRESET = 8
"""SVT-AV1 speed (0 slowest .. 13): 8 is its fastest preset meant for watching (9+ warn that
visual artifacts may occur); encoding a short clip costs about what decoding it does."""
AV1_KEYFRAME_SECONDS = 5
AV1_PARAMS = "lp=2"
"""At most two encoder threads: jobs share the machine, and each thread holds its own frames."""
AV1_LARGE_FRAME = 1280 * 720
AV1_LARGE_PARAMS = "lp=1:lookahead=0:enable-tf=0"
"""Above 720p: one thread, no lookahead, no temporal filter. SVT-AV1 otherwise holds enough
1080p frames to take a job past its 512 MB bound (measured, worst case the limits allow: 606 MB
with ``lp=2``; 476 MB with ``lp=2`` and no lookahead or filter; 415 MB like this, ~15% slower)."""


@dataclass(frozen=True)
class Profile:
    """How one format is written: muxer, encoder, pixel format and their options."""

    muxer: str
    codec: str
    pix_fmt: str
    muxer_options: Callable[[DynamicImageTemplateConfig], dict[str, str]]
    codec_options: Callable[[DynamicImageTemplateConfig, Fraction, int], dict[str, str]]
    """Encoder options for a config, frame rate and frame size in pixels."""
    bt709: bool = False
    """Tag the stream BT.709 (primaries, transfer, matrix, limited range) and convert RGB
    with its matrix: without tags players guess, and Chrome and Firefox guess differently."""


def av1_crf(quality: int) -> int:
    """``Quality`` 1..100 as SVT-AV1's CRF 58..18 (75, the default, is CRF 28)."""
    return round(58 - (quality - 1) * 40 / 99)


def _av1_options(config: DynamicImageTemplateConfig, fps: Fraction, pixels: int) -> dict[str, str]:
    return {
        "crf": str(av1_crf(config.quality)),
        "preset": str(AV1_PRESET),
        "g": str(max(1, round(fps * AV1_KEYFRAME_SECONDS))),
        "svtav1-params": AV1_LARGE_PARAMS if pixels > AV1_LARGE_FRAME else AV1_PARAMS,
    }


H264_PRESET = "veryfast"
"""x264's speed: as fast as SVT-AV1's preset 8 on short clips, and a lookahead of 10 frames."""


def x264_crf(quality: int) -> int:
    """``Quality`` 1..100 as x264's CRF 45..15 (75, the default, is CRF 23, x264's own)."""
    return round(45 - (quality - 1) * 30 / 99)


def _h264_options(config: DynamicImageTemplateConfig, fps: Fraction, pixels: int) -> dict[str, str]:
    return {
        "crf": str(x264_crf(config.quality)),
        "preset": H264_PRESET,
        "profile": "high",
        "g": str(max(1, round(fps * AV1_KEYFRAME_SECONDS))),
        "threads": "2",
    }


PROFILES = {
    ImageFormat.APNG: Profile(
        "apng",
        "apng",
        "rgb24",
        lambda c: {"plays": str(c.loop)},  # 0 plays = forever, as Loop
        lambda c, fps, pixels: {"pred": "mixed"},
    ),
    ImageFormat.AVIF: Profile(
        "avif", "libsvtav1", "yuv420p", lambda c: {"loop": str(c.loop)}, _av1_options, bt709=True
    ),
    ImageFormat.MP4: Profile(
        # moov before mdat so a browser starts playing while the rest downloads
        "mp4",
        "libsvtav1",
        "yuv420p",
        lambda c: {"movflags": "+faststart"},
        _av1_options,
        bt709=True,
    ),
}
"""The formats this writer handles."""
H264_MP4 = Profile(
    "mp4", "libx264", "yuv420p", lambda c: {"movflags": "+faststart"}, _h264_options, bt709=True
)
"""``mp4`` with ``"Codec": "h264"``: H.264 High profile, yuv420p, ``moov`` first."""


def profile_of(config: DynamicImageTemplateConfig) -> Profile:
    """How ``config``'s format (and an mp4's codec) is written."""
    if config.format is ImageFormat.MP4 and config.codec is VideoCodec.H264:
        return H264_MP4
    return PROFILES[config.format]


class StreamingWriter:
    """Encodes frames as they come, one frame behind (its length is known from the next)."""

    def __init__(
        self, config: DynamicImageTemplateConfig, size: tuple[int, int], fps: Fraction, path: Path
    ) -> None:
        profile = profile_of(config)
        self._path = path
        self._profile = profile
        self._container: av.container.OutputContainer = av.open(
            str(path), "w", format=profile.muxer, options=profile.muxer_options(config)
        )
        # SVT-AV1 takes the nominal rate for its rate control; timestamps stay in milliseconds.
        try:
            stream = self._container.add_stream(
                profile.codec,
                rate=fps,
                options=profile.codec_options(config, fps, size[0] * size[1]),
            )
        except BaseException:
            self._container.close()
            raise
        assert isinstance(stream, av.video.stream.VideoStream)
        self._stream = stream
        self._stream.width, self._stream.height = size
        self._stream.pix_fmt = profile.pix_fmt
        self._stream.codec_context.time_base = MILLISECOND
        self._matrix = Colorspace.ITU709 if profile.bt709 else None
        if profile.bt709:
            _tag_bt709(self._stream)
        self._open_encoder()
        self._durations: dict[int, int] = {}
        self._starts: list[Fraction] = []
        self._scaler = Scaler()
        self._pending: tuple[Picture, Fraction] | None = None

    def _open_encoder(self) -> None:
        """Open the encoder now (not at the first frame) and undo SVT-AV1's switch of this
        process's threads to real-time scheduling (see :mod:`.realtime`)."""
        try:
            self._stream.codec_context.open()
        except BaseException:
            self._container.close()
            raise
        demote_realtime_threads()

    def add(self, picture: Picture, start: Fraction) -> None:
        """Take the next frame; the one before it is encoded now that its length is known."""
        self._flush_pending(start)
        self._pending = (picture, start)
        self._starts.append(start)

    def finish(self, end: Fraction, path: Path) -> list[int]:
        """Encode the last frame (lasting until ``end``), flush and close ``path``."""
        assert path == self._path, "the file was opened when the writer was made"
        self._flush_pending(end)
        self._mux(self._stream.encode(None))
        self._container.close()
        delays = rounded_delays(self._starts, end, 1000)
        if self._profile.muxer == "apng":
            set_last_delay(path, delays[-1])
        return delays

    def abort(self) -> None:
        """Close the half-written file after a failure (the caller deletes it)."""
        # Closing writes a trailer, which a broken encoder may refuse: the first error is the
        # one the caller reports.
        with contextlib.suppress(av.error.FFmpegError):
            self._container.close()

    def _flush_pending(self, until: Fraction) -> None:
        if self._pending is None:
            return
        picture, start = self._pending
        frame = self._scaler.as_format(picture, self._profile.pix_fmt, self._matrix)
        pts = _ms(start)
        frame.pts, frame.time_base = pts, MILLISECOND
        self._durations[pts] = max(_ms(until) - pts, 1)
        self._mux(self._stream.encode(frame))
        self._pending = None

    def _mux(self, packets: Iterable[av.Packet]) -> None:  # type: ignore[type-arg]
        for packet in packets:
            # Encoders drop frame durations; the muxers need them for the last frame's length.
            if packet.pts is not None:
                packet.duration = self._durations.pop(packet.pts, packet.duration)
            self._container.mux(packet)


def _tag_bt709(stream: av.video.stream.VideoStream) -> None:
    context = stream.codec_context
    context.color_primaries = BT709
    context.color_trc = BT709
    context.colorspace = BT709
    context.color_range = LIMITED_RANGE


def _ms(seconds: Fraction) -> int:
    return int(seconds * 1000 + Fraction(1, 2))
