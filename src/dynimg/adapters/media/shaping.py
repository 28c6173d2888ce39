"""Between the decoder and the writer: frames in the template's order, at output times.

The decoder hands over the clip's frames forward, each with its output frame number. Forward
frames go straight on; for ``reverse`` and ``bounce`` they are also kept (in memory up to a
budget, then in a temporary file) and played back once the clip is decoded. Watermarks are drawn
here, at output time, so a watermark's Timeline counts from the start of the animated image
whatever the order and speed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import numpy as np
from av.video.reformatter import Colorspace

from dynimg.adapters.media.decode import Picture
from dynimg.adapters.media.frame_store import FrameStore
from dynimg.adapters.media.overlay import Sprite, composite
from dynimg.adapters.media.scaler import Scaler
from dynimg.domain.shaping import shape_timeline, shaped_count
from dynimg.domain.templates import Playback


class FrameWriter(Protocol):
    """What the GIF and WebP writers have in common."""

    def add(self, picture: Picture, start: Fraction) -> None: ...

    def finish(self, end: Fraction, path: Path) -> list[int]: ...

    def abort(self) -> None: ...


class ShapingWriter:
    """Feeds a writer the decoded frames in playback order, watermarked at output time.

    ``yuv``: hand RGB frames over as yuv420p VideoFrames (for the WebP writer).
    """

    def __init__(
        self,
        writer: FrameWriter,
        playback: Playback,
        times: Sequence[Fraction],
        sprites: list[Sprite],
        memory: int,
        report: Callable[[float], None],
        *,
        yuv: bool = False,
        matrix: Colorspace = Colorspace.ITU601,
    ) -> None:
        self._writer, self._playback, self._times = writer, playback, times
        self._yuv, self._matrix = yuv, matrix
        self._sprites, self._report = sprites, report
        self._scaler = Scaler()
        self._kept = FrameStore(memory) if playback is not Playback.FORWARD else None
        self._streams = playback is not Playback.REVERSE
        replayed = shaped_count(len(times), playback) - (len(times) if self._streams else 0)
        self._steps, self._done = len(times) + replayed, 0
        self.decoded = 0

    def add(self, index: int, picture: Picture) -> None:
        """Forward frame ``index`` of the clip, in decoding order."""
        if self._streams:
            self._write(picture, self._times[index])
        if self._kept is not None:
            assert isinstance(picture, np.ndarray), "kept frames are decoded as RGB"
            self._kept.append(picture)
        self.decoded += 1
        self._step()

    def finish(self, end: Fraction, path: Path) -> tuple[list[int], Fraction]:
        """Play back what reverse or bounce still needs, then write; ``end`` is where the
        forward clip ends in output time. Returns the per-frame delays in milliseconds and
        where the shaped output ends (after a bounce, twice as far)."""
        timeline = shape_timeline(self._times[: self.decoded], end, self._playback)
        first = self.decoded if self._streams else 0
        if self._kept is not None:
            for index, start in zip(timeline.order[first:], timeline.starts[first:], strict=True):
                self._write(self._kept[index], start)
                self._step()
            self._kept.close()
        return self._writer.finish(timeline.end, path), timeline.end

    def abort(self) -> None:
        """Drop kept frames and stop the writer after a failure."""
        if self._kept is not None:
            self._kept.close()
        self._writer.abort()

    def _write(self, picture: Picture, start: Fraction) -> None:
        drawn = composite(picture, self._sprites, float(start) * 1000)
        if self._yuv and isinstance(drawn, np.ndarray):
            # Kept frames are RGB; as yuv420p they take half the memory waiting for the encoder.
            drawn = self._scaler.as_format(drawn, "yuv420p", self._matrix)
        self._writer.add(drawn, start)

    def _step(self) -> None:
        # Decoding is most of the work for WebP; GIF still has to quantize and encode.
        self._done += 1
        self._report(0.9 * self._done / self._steps)
