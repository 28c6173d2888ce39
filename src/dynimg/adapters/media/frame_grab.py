"""Taking single frames at given times: the frame shown at each time, or the keyframe nearest
it, decoding as little of the video as the times allow.

Times close together are reached by decoding on; a time further ahead than a seek gap is
reached by seeking to the keyframe before it. In keyframe mode only keyframe packets are sent
to the decoder (and it is told to skip the rest), so a storyboard of a long video costs one
decoded picture per keyframe instead of one per frame.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.video.frame
import av.video.stream

from dynimg.adapters.media.probe import decoding_stream, open_input, stream_origin, untimed
from dynimg.domain.limits import MediaLimits
from dynimg.errors import RenderTimeout, UnreadableMedia

SEEK_GAP = Fraction(8)
"""Seconds: a time further ahead than this is reached by a seek rather than by decoding on."""
KEYFRAME_SEEK_GAP = Fraction(60)
"""The same in keyframe mode, where decoding on costs only the keyframes in between."""
MAX_BAD_PACKETS = 50


@dataclass(frozen=True)
class Grabbed:
    """The frame taken for one wanted time, and where it really is (ms from the start)."""

    at_ms: int
    frame: av.video.frame.VideoFrame


class FrameGrabber:
    """Yields one :class:`Grabbed` per wanted time (ascending ms), in order.

    ``keyframes``: the nearest keyframe instead of the frame shown at the time. Times past the
    video's end get its last frame (or keyframe).
    """

    def __init__(self, path: Path, limits: MediaLimits, *, keyframes: bool, deadline: float):
        self._path, self._limits = path, limits
        self._keyframes, self._deadline = keyframes, deadline

    def grab(self, times_ms: list[int]) -> Iterator[Grabbed]:
        with open_input(self._path, self._limits) as container:
            stream = decoding_stream(container, self._limits)
            if self._keyframes:
                stream.codec_context.skip_frame = "NONKEY"
            cursor = _Cursor(container, stream, self._keyframes)
            gap = KEYFRAME_SEEK_GAP if self._keyframes else SEEK_GAP
            for wanted in times_ms:
                if time.monotonic() > self._deadline:
                    raise RenderTimeout()
                target = Fraction(wanted, 1000)
                if cursor.far_from(target, gap):
                    cursor.seek(target)
                found = cursor.pick(target)
                if found is None:
                    raise UnreadableMedia("No video frame could be decoded at that time.")
                yield Grabbed(round(cursor.time_of(found) * 1000), found)


class _Cursor:
    """A position in the decoded video: the last frame at or before the time asked for, and
    the first one after it (already decoded, kept for the next time)."""

    def __init__(
        self,
        container: av.container.InputContainer,
        stream: av.video.stream.VideoStream,
        keyframes: bool,
    ) -> None:
        self._container, self._stream, self._keyframes = container, stream, keyframes
        self._base = Fraction(stream.time_base or Fraction(1, 90000))
        self._origin = stream_origin(stream)
        self._frames: Iterator[av.video.frame.VideoFrame] | None = None
        self._before: av.video.frame.VideoFrame | None = None
        self._after: av.video.frame.VideoFrame | None = None
        self._ended = False

    def time_of(self, frame: av.video.frame.VideoFrame) -> Fraction:
        """A frame's time from the video's start, in seconds."""
        return max(Fraction(frame.pts or 0) * self._base - self._origin, Fraction(0))

    def far_from(self, target: Fraction, gap: Fraction) -> bool:
        """Whether ``target`` is worth a seek: far ahead of what is decoded, and seekable
        (streams without timestamps, raw H.264 for one, cannot seek)."""
        if untimed(self._stream):
            return False
        known = self._after or self._before
        if known is None:
            return self._frames is None and target > gap  # at the start
        return target - self.time_of(known) > gap

    def seek(self, target: Fraction) -> None:
        """Go to the keyframe before ``target``; a refused seek decodes on from where it is."""
        offset = int((self._origin + target) / self._base)
        with contextlib.suppress(av.error.FFmpegError):
            self._container.seek(offset, stream=self._stream, backward=True)
            self._frames, self._before, self._after, self._ended = None, None, None, False

    def pick(self, target: Fraction) -> av.video.frame.VideoFrame | None:
        """The frame for ``target``: shown at it, or (keyframes) the nearest keyframe."""
        while not self._ended and (self._after is None or self.time_of(self._after) <= target):
            if self._after is not None:
                self._before = self._after
            self._after = next(self._decoded(), None)
            self._ended = self._after is None
        before, after = self._before, self._after
        if before is None or after is None:
            return before or after
        if self._keyframes and self.time_of(after) - target < target - self.time_of(before):
            return after
        return before

    def _decoded(self) -> Iterator[av.video.frame.VideoFrame]:
        if self._frames is None:
            self._frames = self._decode()
        return self._frames

    def _decode(self) -> Iterator[av.video.frame.VideoFrame]:
        bad = 0
        packets = self._container.demux(self._stream)
        while True:
            try:
                packet = next(packets)
            except (StopIteration, av.error.FFmpegError):
                return  # the end, or a damaged tail: the video ends where it breaks
            if self._keyframes and packet.size and not packet.is_keyframe:
                continue  # never decoded: the point of keyframe mode
            try:
                frames = packet.decode()
            except av.error.EOFError:
                return
            except av.error.InvalidDataError as exc:
                bad += 1
                if bad > MAX_BAD_PACKETS:
                    raise UnreadableMedia("Too many damaged packets.") from exc
                continue
            for frame in frames:
                if frame.pts is not None and (frame.key_frame or not self._keyframes):
                    yield frame
