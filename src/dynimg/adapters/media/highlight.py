"""``Seek=auto``: a sparse, low-resolution look at a video, scored by the domain's highlight.

One pass over the packets (no decoding) finds the keyframes. Up to 4 probes a second (at most
240 over the whole video) each take the first frame at or after the probe time and one about
0.1 s later, both shrunk to 64 px wide luma. Decoding runs forward from a keyframe through the
probes of its GOP, and each GOP may decode only its share of a frame budget (a whole video never
costs more than about 1,800 decoded 1080p frames): a GOP too long for its share is probed from
its keyframe as far as the share goes. Time and memory are bounded whatever the video; the
result depends only on the file.
"""

from __future__ import annotations

import bisect
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
from dynimg.adapters.media.scaler import Scaler
from dynimg.domain.highlight import Sample, best_still, best_window
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
MAX_BAD_PACKETS = 50

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


def best_still_ms(source: Path, info: MediaInfo, limits: MediaLimits, deadline: float) -> int:
    """When (ms) the best still of the video is shown (a thumbnail's ``time=auto``): the same
    look as ``Seek=auto``, scored by :func:`~dynimg.domain.highlight.best_still`."""
    if not info.duration:
        return 0
    look = sample_video(source, info, limits, deadline)
    # The probe's frame is shown from ``at``: rounding up lands on it, never on the one before.
    chosen = math.ceil(best_still(look.samples, float(info.duration)) * 1000)
    return max(min(chosen, int(info.duration * 1000) - 1), 0)


@dataclass(frozen=True)
class Look:
    """The samples a look took, how many frames it decoded, and the keyframes it found."""

    samples: list[Sample]
    decoded: int
    keyframes: int


def sample_video(source: Path, info: MediaInfo, limits: MediaLimits, deadline: float) -> Look:
    """Measure motion, detail, brightness and histogram changes at probes spread over the video."""
    duration = float(info.duration or 0)
    count = max(2, min(MAX_PROBES, math.ceil(duration * PROBES_PER_SECOND)))
    budget = min(MAX_FRAMES, max(MIN_FRAMES, PIXEL_BUDGET // max(info.width * info.height, 1)))
    times = [(k + 0.5) * duration / count for k in range(count)]
    with open_input(source, limits) as container:
        stream = video_stream(container, limits)
        looker = _Looker(container, stream, info, deadline)
        keys = looker.keyframes()
        plan = plan_probes(times, keys, budget, looker.fps, looker.motion_frames)
        return Look(looker.look(plan, budget), looker.decoded, len(keys))


def plan_probes(
    times: list[float], keys: list[float], budget: int, fps: float, motion_frames: int
) -> list[tuple[float, float]]:
    """The ``(keyframe, probe time)`` pairs worth visiting, in order.

    Every keyframe interval (GOP) the probe times fall in gets an equal share of the frame
    budget, spent decoding forward from its keyframe: a probe is kept while reaching it stays
    within the share, and a GOP whose first probe is already beyond it is looked at on its
    keyframe. No GOP is decoded twice, however far apart its keyframes are.
    """
    starts = keys or [0.0]

    def gop(at: float) -> float:
        return starts[max(bisect.bisect_right(starts, at) - 1, 0)]

    share = budget / len({gop(t) for t in times})
    plan: list[tuple[float, float]] = []
    for target in times:
        key = gop(target)
        if (target - key) * fps + motion_frames <= share:
            plan.append((key, target))
        elif not plan or plan[-1][0] != key:
            plan.append((key, key))
    return plan


@dataclass
class _Position:
    """The frames of the current decoding run, its keyframe, and the time of the last frame."""

    frames: Iterator[av.video.frame.VideoFrame]
    key: float
    at: float


class _Looker:
    """Visits the planned probes in order, seeking only to start a new GOP."""

    def __init__(
        self,
        container: av.container.InputContainer,
        stream: av.video.stream.VideoStream,
        info: MediaInfo,
        deadline: float,
    ) -> None:
        self._container, self._stream, self._deadline = container, stream, deadline
        self._base = Fraction(stream.time_base or Fraction(1, 90000))
        self._origin = stream_origin(stream)
        self.fps = float(info.fps or 25)
        self.motion_frames = max(1, min(MAX_MOTION_FRAMES, math.ceil(MOTION_GAP * self.fps)))
        height = max(8, round(THUMB_WIDTH * info.height / max(info.width, 1)))
        self._size = (THUMB_WIDTH, height + height % 2)
        self._position: _Position | None = None
        self.decoded = 0
        self._scaler = Scaler()

    def keyframes(self) -> list[float]:
        """Keyframe times, from one pass over the packets (nothing is decoded)."""
        found: set[float] = set()
        packets = self._container.demux(self._stream)
        while True:
            self._check_deadline()
            try:
                packet = next(packets)
            except (StopIteration, av.error.FFmpegError):
                return sorted(found)
            if packet.is_keyframe and packet.pts is not None:
                found.add(self._time(packet.pts))

    def look(self, plan: list[tuple[float, float]], budget: int) -> list[Sample]:
        samples: list[Sample] = []
        previous: tuple[Luma, float] | None = None
        for key, target in plan:
            taken = self._probe(key, target)
            if taken is None or self.decoded > 2 * budget:
                break  # the video ended early, or its timestamps misled the plan
            (first, at), (last, until) = taken
            if samples and at <= samples[-1].at:
                continue
            samples.append(_measure(first, at, last, until, previous))
            previous = (last, until)
        return samples

    def _probe(
        self, key: float, target: float
    ) -> tuple[tuple[Luma, float], tuple[Luma, float]] | None:
        position = self._position
        if position is None or position.key != key:
            position = self._seek(key, target)
            if position is None:
                return None
        first = self._next_at(position, target)
        if first is None:
            return None
        last = self._next_at(position, first[1] + MOTION_GAP, self.motion_frames) or first
        return first, last

    def _seek(self, key: float, target: float) -> _Position | None:
        offset = int((self._origin + Fraction(target)) / self._base)
        try:
            self._container.seek(offset, stream=self._stream, backward=True)
        except av.error.FFmpegError:
            return None  # an input that cannot seek: the look keeps what it sampled so far
        self._position = _Position(self._decoded(), key, -math.inf)
        return self._position

    def _next_at(
        self, position: _Position, target: float, budget: int = MAX_FRAMES
    ) -> tuple[Luma, float] | None:
        """The first frame shown at or after ``target``, or the last one the budget allows."""
        taken: tuple[Luma, float] | None = None
        for count in range(1, budget + 1):
            frame = next(position.frames, None)
            if frame is None:
                break
            position.at = self._time(frame.pts or 0)
            if position.at >= target or count == budget:
                taken = (_luma(frame, self._size, self._scaler), position.at)
                break
        return taken

    def _time(self, pts: int) -> float:
        return float(Fraction(pts) * self._base - self._origin)

    def _check_deadline(self) -> None:
        if time.monotonic() > self._deadline:
            raise RenderTimeout()

    def _decoded(self) -> Iterator[av.video.frame.VideoFrame]:
        packets, bad = self._container.demux(self._stream), 0
        while True:
            self._check_deadline()
            try:
                packet = next(packets)
            except (StopIteration, av.error.FFmpegError):
                return  # the end, or a damaged tail: the video ends where it breaks
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                bad += 1
                if bad > MAX_BAD_PACKETS:
                    return
                continue  # a damaged packet: the next one may decode
            self.decoded += len(frames)
            yield from (f for f in frames if f.pts is not None)


def _luma(frame: av.video.frame.VideoFrame, size: tuple[int, int], scaler: Scaler) -> Luma:
    small = scaler(frame, width=size[0], height=size[1], format="gray", interpolation="AREA")
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
