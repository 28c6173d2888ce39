"""``Seek=auto``: a sparse, low-resolution look at a video, scored by the domain's highlight.

Up to 4 probes a second (at most 240 over the whole video) each decode a few frames: the first
frame at or after the probe time and one about 0.1 s later, both shrunk to 64 px wide luma.
Between probes the decoder moves forward when the next probe is a few frames away and seeks to
the keyframe before it otherwise; every probe may decode only its share of a frame budget (an
hour of 1080p never costs more than about 1,800 decoded 1080p frames), so on a long video with
far-apart keyframes a probe takes the frame where its share runs out. Time and memory are
bounded whatever the video; the result depends only on the file.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av.container
import av.error
import av.video.frame
import av.video.stream
import numpy as np
import numpy.typing as npt

from dynimg.adapters.media.probe import open_input, stream_origin, video_stream
from dynimg.domain.highlight import Sample, best_window
from dynimg.domain.limits import MediaLimits
from dynimg.domain.media import MediaInfo
from dynimg.domain.templates import DynamicImageTemplateConfig, TimeSpan
from dynimg.errors import EmptyClip, RenderTimeout

PROBES_PER_SECOND = 4
MAX_PROBES = 240
THUMB_WIDTH = 64
MOTION_GAP = 0.1
"""Seconds between the two frames a probe compares for motion."""
MAX_MOTION_FRAMES = 4
PIXEL_BUDGET = 1800 * 1920 * 1080
"""Decoded pixels a whole look may cost; in frames, between ``MIN_FRAMES`` and ``MAX_FRAMES``."""
MIN_FRAMES, MAX_FRAMES = 480, 3600
HISTOGRAM_BINS = 16

Luma = npt.NDArray[np.float32]


def resolve_auto_seek(
    source: Path,
    info: MediaInfo,
    template: DynamicImageTemplateConfig,
    limits: MediaLimits,
    deadline: float,
) -> DynamicImageTemplateConfig:
    """The template with ``Seek=auto`` replaced by the chosen Seek; other templates unchanged."""
    span = template.time_span
    if not span.auto:
        return template
    if info.duration is None:
        raise EmptyClip("Seek auto needs the video's duration, which could not be determined.")
    video, clip = float(info.duration), (span.duration_ms or 0) / 1000
    start = 0.0
    if clip < video:
        look = sample_video(source, info, limits, deadline)
        start = best_window(look.samples, video, clip).start
    chosen = TimeSpan(seek_ms=round(start * 1000), duration_ms=span.duration_ms)
    return replace(template, time_span=chosen)


@dataclass(frozen=True)
class Look:
    """The samples a look took, and how many frames it decoded to take them."""

    samples: list[Sample]
    decoded: int


def sample_video(source: Path, info: MediaInfo, limits: MediaLimits, deadline: float) -> Look:
    """Measure motion, detail, brightness and histogram changes at probes spread over the video."""
    duration = float(info.duration or 0)
    count = max(2, min(MAX_PROBES, math.ceil(duration * PROBES_PER_SECOND)))
    budget = min(MAX_FRAMES, max(MIN_FRAMES, PIXEL_BUDGET // max(info.width * info.height, 1)))
    times = [(k + 0.5) * duration / count for k in range(count)]
    with open_input(source, limits) as container:
        stream = video_stream(container, limits)
        looker = _Looker(container, stream, info, budget // count, deadline)
        return Look(looker.look(times), looker.decoded)


@dataclass
class _Position:
    """The frames of the current decoding run, and the time of the last one taken."""

    frames: Iterator[av.video.frame.VideoFrame]
    at: float


class _Looker:
    """Walks the probe times in order, seeking only when moving forward would cost more."""

    def __init__(
        self,
        container: av.container.InputContainer,
        stream: av.video.stream.VideoStream,
        info: MediaInfo,
        per_probe: int,
        deadline: float,
    ) -> None:
        self._container, self._stream, self._deadline = container, stream, deadline
        self._base = Fraction(stream.time_base or Fraction(1, 90000))
        self._origin = stream_origin(stream)
        self._fps = float(info.fps or 25)
        self._motion_frames = max(1, min(MAX_MOTION_FRAMES, math.ceil(MOTION_GAP * self._fps)))
        self._approach = max(2, per_probe - self._motion_frames)
        height = max(8, round(THUMB_WIDTH * info.height / max(info.width, 1)))
        self._size = (THUMB_WIDTH, height + height % 2)
        self._position: _Position | None = None
        self.decoded = 0

    def look(self, times: list[float]) -> list[Sample]:
        samples: list[Sample] = []
        previous: tuple[Luma, float] | None = None
        for target in times:
            taken = self._probe(target)
            if taken is None:
                break  # the video ended early
            (first, at), (last, until) = taken
            if samples and at <= samples[-1].at:
                continue  # a far-apart keyframe answered this probe too
            samples.append(_measure(first, at, last, until, previous))
            previous = (last, until)
        return samples

    def _probe(self, target: float) -> tuple[tuple[Luma, float], tuple[Luma, float]] | None:
        position = self._position
        # Seek only when the target is too far ahead; when already past it, the next frame does.
        if position is None or (target - position.at) * self._fps > self._approach:
            position = self._seek(target)
        first = self._next_at(position, target, self._approach)
        if first is None:
            return None
        last = self._next_at(position, first[1] + MOTION_GAP, self._motion_frames) or first
        return first, last

    def _seek(self, target: float) -> _Position:
        offset = int((self._origin + Fraction(target)) / self._base)
        self._container.seek(offset, stream=self._stream, backward=True)
        self._position = _Position(self._decoded(), -math.inf)
        return self._position

    def _next_at(
        self, position: _Position, target: float, budget: int
    ) -> tuple[Luma, float] | None:
        """The first frame shown at or after ``target``, or the last one the budget allows."""
        taken: tuple[Luma, float] | None = None
        for count in range(1, budget + 1):
            frame = next(position.frames, None)
            if frame is None:
                break
            at = float(Fraction(frame.pts or 0) * self._base - self._origin)
            position.at = at
            if at >= target or count == budget:
                taken = (_luma(frame, self._size), at)
                break
        return taken

    def _decoded(self) -> Iterator[av.video.frame.VideoFrame]:
        packets = self._container.demux(self._stream)
        while True:
            if time.monotonic() > self._deadline:
                raise RenderTimeout()
            try:
                packet = next(packets)
                frames = packet.decode()
            except StopIteration:
                return
            except av.error.FFmpegError:
                continue  # a damaged packet: the next one may decode
            self.decoded += len(frames)
            yield from (f for f in frames if f.pts is not None)


def _luma(frame: av.video.frame.VideoFrame, size: tuple[int, int]) -> Luma:
    small = frame.reformat(width=size[0], height=size[1], format="gray", interpolation="AREA")
    return np.asarray(small.to_ndarray(), dtype=np.float32)


def _measure(
    first: Luma, at: float, last: Luma, until: float, previous: tuple[Luma, float] | None
) -> Sample:
    detail = (np.abs(np.diff(first, axis=0)).mean() + np.abs(np.diff(first, axis=1)).mean()) / 2
    return Sample(
        at=at,
        until=until,
        motion=float(np.abs(first - last).mean()),
        detail=float(detail),
        brightness=float(first.mean()),
        change_before=_distance(previous[0], first) if previous else 0.0,
        change_within=_distance(first, last),
    )


def _distance(a: Luma, b: Luma) -> float:
    """Half the L1 distance of two luma histograms: 0 the same, 1 nothing in common."""
    bins = (0, 256)
    ha, _ = np.histogram(a, bins=HISTOGRAM_BINS, range=bins)
    hb, _ = np.histogram(b, bins=HISTOGRAM_BINS, range=bins)
    return float(np.abs(ha / a.size - hb / b.size).sum() / 2)
