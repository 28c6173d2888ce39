"""Decoding just the clip: seek to the keyframe before Seek, pick one source frame per output
frame time, stop right after the last one, and scale and turn each picked frame upright."""

from __future__ import annotations

import bisect
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import av.container
import av.error
import av.video.frame
import av.video.stream
import numpy as np
from av.video.reformatter import Colorspace

from dynimg.adapters.media.colour import HDR_TRANSFERS, HLG, matrix_change
from dynimg.adapters.media.crop import CentreCrop
from dynimg.adapters.media.frame_store import Frame
from dynimg.adapters.media.probe import (
    OpenedSource,
    decoding_stream,
    frame_rate,
    open_input,
    stream_origin,
    untimed,
)
from dynimg.adapters.media.scaler import Scaler
from dynimg.adapters.media.tone_map import ToneMapper
from dynimg.adapters.media.yuv import turned
from dynimg.domain.clip import ClipWindow
from dynimg.domain.geometry import Box
from dynimg.domain.limits import MediaLimits
from dynimg.domain.templates import ToneMap
from dynimg.errors import RenderTimeout, UnreadableMedia

MAX_BAD_PACKETS = 50


@dataclass(frozen=True)
class DecodePlan:
    """Which frames to decode and how to shape them."""

    window: ClipWindow
    times: list[Fraction]
    """Output frame start times, relative to the window start."""
    size: tuple[int, int]
    """Output (upright) width and height."""
    rotation: int
    """Clockwise degrees that turn decoded frames upright."""
    deadline: float
    """``time.monotonic()`` value after which decoding stops with RenderTimeout."""
    limits: MediaLimits
    """What the source may cost to decode."""
    yuv: bool = False
    """Hand over yuv420p VideoFrames instead of RGB arrays (WebP; turned ones if sides are even)."""
    crop: bool = False
    """Cut the centre of each frame to the output's shape instead of stretching (Crop=fill)."""
    pixel_aspect: Fraction = Fraction(1)
    """The source's sample aspect ratio, which shapes the centre cut."""
    matrix: Colorspace = Colorspace.ITU601
    """The YUV matrix of yuv420p pictures handed over (the writer's)."""
    tone_map: ToneMap = ToneMap.BT2390
    """How HDR frames become SDR (SDR frames never meet it)."""
    cut: Box | None = None
    """The part of each frame to keep (coded pixels): the picture inside letterbox bars."""


Picture = Frame | av.video.frame.VideoFrame
"""An output picture: an RGB array, or a yuv420p VideoFrame for encoders that want YUV."""


class ClipDecoder:
    """Yields ``(output index, upright picture)`` for every output frame time of a plan.

    An output time shows the source frame nearest to it (of two as near, the earlier: the one
    on screen then), as an even resampling of the source's timeline would; the first output
    frame is the frame at Seek, not the keyframe before it. After iterating,
    ``source_end`` is where the video really ended (relative to the window start) when that is
    before the window's end.
    """

    def __init__(self, source: OpenedSource, plan: DecodePlan) -> None:
        self._path = source.path
        self._plan = plan
        self._opened: OpenedSource | None = source
        """The probe's open source: its decoder is taken (once) and decoded on from there; a
        second pass over the clip opens the file again."""
        self.source_end: Fraction | None = None

    def __iter__(self) -> Iterator[tuple[int, Picture]]:
        opened, self._opened = self._opened, None
        decoding = opened.take() if opened is not None else None
        if decoding is None:
            container = open_input(self._path, self._plan.limits)
            try:
                decoding = (container, decoding_stream(container, self._plan.limits), [])
            except BaseException:
                container.close()
                raise
        container, stream, pending = decoding
        del decoding
        # Closed as soon as the clip is decoded, and nothing else holds the decoder: a 4K
        # decoder keeps about 130 MB of frames, which the encoder's own peak must not add to.
        with container:
            base = Fraction(stream.time_base or Fraction(1, 90000))
            start = stream_origin(stream) + self._plan.window.start
            if self._plan.window.start > 0 and _must_seek(stream, pending, int(start / base)):
                _seek_before(container, stream, int(start / base))
                pending = []
            wanted = _WantedFrames(self._plan.times, stream, base, start)
            decoded = self._decoded(container, stream, wanted, pending)
            yield from self._select(decoded, base, start)

    def _select(
        self, frames: Iterator[av.video.frame.VideoFrame], base: Fraction, start: Fraction
    ) -> Iterator[tuple[int, Picture]]:
        slots, index = self._plan.times, 0
        shown: av.video.frame.VideoFrame | None = None
        shown_at = Fraction(0)
        converter = _Converter(self._plan)
        for frame in frames:
            if time.monotonic() > self._plan.deadline:
                raise RenderTimeout()
            at = Fraction(frame.pts or 0) * base - start
            if shown is None:  # before the first frame, the first frame stands in
                while index < len(slots) and slots[index] < at:
                    yield index, converter(frame)
                    index += 1
            else:  # the frame shown so far, up to halfway to this one (a tie keeps it)
                halfway = (shown_at + at) / 2
                while index < len(slots) and slots[index] <= halfway:
                    yield index, converter(shown)
                    index += 1
            if index >= len(slots):
                return
            shown, shown_at = frame, at
        if shown is None:
            raise UnreadableMedia("No video frame could be decoded in the clip.")
        self.source_end = shown_at + _frame_length(shown, base)
        while index < len(slots) and slots[index] < self.source_end:
            yield index, converter(shown)
            index += 1

    def _decoded(
        self,
        container: av.container.InputContainer,
        stream: av.video.stream.VideoStream,
        wanted: _WantedFrames,
        pending: list[av.video.frame.VideoFrame],
    ) -> Iterator[av.video.frame.VideoFrame]:
        bad = 0
        clock = _RawStreamClock(stream)
        while pending:  # popped, so that no list keeps them alive once passed on
            if (frame := clock(pending.pop(0))).pts is not None:
                yield frame
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                return
            except av.error.FFmpegError:
                return  # a truncated or damaged tail ends the video where it breaks
            wanted.prepare(packet)
            try:
                frames = packet.decode()
            except av.error.EOFError:
                return  # drained already: the probe's first picture was the last one
            except av.error.InvalidDataError as exc:
                bad += 1
                if bad > MAX_BAD_PACKETS:
                    raise UnreadableMedia("Too many damaged packets.") from exc
                continue
            yield from (f for f in map(clock, frames) if f.pts is not None)


class _RawStreamClock:
    """Times the frames of a stream that carries no timestamps at all: frame n at n / rate.

    Raw H.264 or HEVC elementary streams (a ``.h264`` upload) have none, and such inputs
    cannot seek, so counting from the first frame is exact. In other streams a frame without a
    timestamp is left without one (and passed over): counting there would misplace it.
    """

    def __init__(self, stream: av.video.stream.VideoStream) -> None:
        rate = frame_rate(stream)
        base = Fraction(stream.time_base or Fraction(1, 90000))
        self._step = 1 / (rate * base) if untimed(stream) and rate else None
        self._count = 0

    def __call__(self, frame: av.video.frame.VideoFrame) -> av.video.frame.VideoFrame:
        if self._step is not None and frame.pts is None:
            frame.pts = round(self._count * self._step)
        self._count += 1
        return frame


class _WantedFrames:
    """Lets the decoder skip non-reference frames that fill no output time.

    Only for constant-frame-rate streams, where a frame at time t is shown until t + 1/rate;
    reference frames are always decoded, so skipping can only ever drop a picture nobody sees.
    Only for decoders that apply the setting to the packet being sent: dav1d (AV1) applies it
    when frames leave its pipeline, which would drop the wrong pictures.
    """

    CODECS = frozenset({"h264", "hevc"})

    def __init__(
        self,
        times: list[Fraction],
        stream: av.video.stream.VideoStream,
        base: Fraction,
        start: Fraction,
    ) -> None:
        rate = stream.average_rate
        constant = bool(rate and stream.guessed_rate and rate == stream.guessed_rate)
        self._enabled = constant and stream.codec_context.name in self.CODECS
        self._context = stream.codec_context
        self._base, self._start = base, start
        self._shown_for = 1 / Fraction(rate) if rate else Fraction(0)
        self._times = times
        self._skipping = False

    def prepare(self, packet: av.Packet) -> None:  # type: ignore[type-arg]
        if not self._enabled or packet.pts is None:
            return
        at = Fraction(packet.pts) * self._base - self._start
        skip = not self._needed(at)
        if skip != self._skipping:
            self._context.skip_frame = "NONREF" if skip else "DEFAULT"
            self._skipping = skip

    def _needed(self, at: Fraction) -> bool:
        # Generous by one frame on each side: a wrongly kept frame only costs a little time.
        low, high = at - self._shown_for, at + 2 * self._shown_for
        index = bisect.bisect_left(self._times, low)
        return index < len(self._times) and self._times[index] < high


class _Converter:
    """Scales and rotates decoded frames, reusing the result when a frame fills several slots.

    HDR frames (PQ or HLG) are scaled to 16-bit RGB and tone-mapped to SDR RGB, whatever the
    writer wants; SDR frames take the path they always took, converted to the writer's YUV
    matrix only when theirs is another.
    """

    def __init__(self, plan: DecodePlan) -> None:
        width, height = plan.size
        self._turns = plan.rotation // 90
        self._coded = (height, width) if self._turns % 2 else (width, height)
        # A turned frame stays in YUV when its sides are even (chroma then turns exactly).
        self._yuv = plan.yuv and (not self._turns or (width % 2 == 0 and height % 2 == 0))
        self._format = "yuv420p" if self._yuv else "rgb24"
        self._plan = plan
        self._crops: dict[tuple[str, Colorspace | None], CentreCrop] = {}
        self._last: tuple[av.video.frame.VideoFrame, Picture] | None = None
        self._scaler = Scaler()
        self._tone: tuple[int, ToneMapper] | None = None

    def __call__(self, frame: av.video.frame.VideoFrame) -> Picture:
        if self._last is not None and self._last[0] is frame:
            return self._last[1]
        picture = self._hdr(frame) if frame.color_trc in HDR_TRANSFERS else self._sdr(frame)
        self._last = (frame, picture)
        return picture

    def _sdr(self, frame: av.video.frame.VideoFrame) -> Picture:
        if self._yuv:
            scaled = self._scale(frame, self._format, matrix_change(frame, self._plan.matrix))
            return turned(scaled, self._turns) if self._turns else scaled
        return self._upright(np.asarray(self._scale(frame, self._format).to_ndarray()))

    def _hdr(self, frame: av.video.frame.VideoFrame) -> Frame:
        if self._tone is None or self._tone[0] != frame.color_trc:
            mapper = ToneMapper(hlg=frame.color_trc == HLG, operator=self._plan.tone_map)
            self._tone = (frame.color_trc, mapper)
        wide = self._scale(frame, "rgb48le").to_ndarray()
        return self._upright(self._tone[1](np.asarray(wide, dtype=np.uint16)))

    def _upright(self, rgb: Frame) -> Frame:
        if self._turns:
            rgb = np.ascontiguousarray(np.rot90(rgb, k=-self._turns))
        return np.asarray(rgb, dtype=np.uint8)

    def _scale(
        self, frame: av.video.frame.VideoFrame, format: str, matrix: Colorspace | None = None
    ) -> av.video.frame.VideoFrame:
        if self._plan.crop or self._plan.cut:
            if (crop := self._crops.get((format, matrix))) is None:
                aspect, cut = self._plan.pixel_aspect, self._plan.cut
                crop = CentreCrop(self._coded, aspect, format, matrix, cut)
                self._crops[(format, matrix)] = crop
            return crop(frame)
        width, height = self._coded
        return self._scaler(
            frame,
            width=width,
            height=height,
            format=format,
            interpolation="LANCZOS",
            matrix=matrix,
        )


def _must_seek(
    stream: av.video.stream.VideoStream, pending: list[av.video.frame.VideoFrame], target: int
) -> bool:
    """Whether reaching ``target`` needs a seek, or decoding on from the probe's first picture
    gets there as soon (no keyframe lies between them in the index). Untimed streams never
    seek; without an index, or with no picture in hand, seeking is the safe choice."""
    if untimed(stream):
        return False
    entries = stream.index_entries
    if not pending or pending[0].pts is None or not entries or len(entries) == 0:
        return True
    keyframe = entries.search_timestamp(target, backward=True)
    return keyframe >= 0 and keyframe != entries.search_timestamp(pending[0].pts, backward=True)


def _seek_before(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, offset: int
) -> None:
    """Seek to the keyframe before ``offset``.

    Streams without timestamps (raw H.264 or HEVC) are never asked to: they cannot seek, and a
    failed seek leaves the demuxer with nothing more to read. They are decoded from the start,
    frames before the window passed over. Any other input that refuses then ends with a clean
    "no frame" error rather than FFmpeg's.
    """
    with contextlib.suppress(av.error.FFmpegError):
        container.seek(offset, stream=stream, backward=True)


def _frame_length(frame: av.video.frame.VideoFrame, base: Fraction) -> Fraction:
    if frame.duration:
        return Fraction(frame.duration) * base
    return Fraction(1, 25)
