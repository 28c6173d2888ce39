"""Re-encoding a clip until it fits ``Container.MaxFileSize``, without decoding it again.

While the first (requested) encode is made, every composited output frame is also kept in a
:class:`ClipFrames`: in memory up to ``MediaLimits.frame_memory_bytes``, then in a temporary raw
file, so the memory a job may use does not grow with the clip. Each further encode the search
(:mod:`dynimg.domain.size_search`) asks for picks its frames from there for its own frame rate
and scales them down to its own size.
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Colorspace

from dynimg.adapters.media.decode import Picture
from dynimg.adapters.media.frame_store import Frame, FrameStore
from dynimg.adapters.media.scaler import Scaler, rgb_array
from dynimg.adapters.media.writers import AnimationWriter, WriterKind, with_settings
from dynimg.domain.clip import frame_times
from dynimg.domain.encode_settings import EncodeSettings
from dynimg.domain.limits import MediaLimits
from dynimg.domain.size_search import MAX_ENCODES, SizeSearch, SizeSearchReport
from dynimg.domain.templates import DynamicImageTemplateConfig
from dynimg.errors import FileSizeUnreachable, RenderTimeout

Progress = Callable[[float], None]


class KeepingWriter:
    """A writer that also keeps every frame it is given, for the size search's re-encodes."""

    def __init__(self, writer: AnimationWriter, keep: ClipFrames) -> None:
        self._writer, self._keep = writer, keep

    def add(self, picture: Picture, start: Fraction) -> None:
        """Write the frame and keep it."""
        self._writer.add(picture, start)
        self._keep.add(picture, start)

    def finish(self, end: Fraction, path: Path) -> list[int]:
        """Write the file (the kept frames stay for re-encoding)."""
        return self._writer.finish(end, path)

    def abort(self) -> None:
        """Stop the writer; the owner closes the kept frames."""
        self._writer.abort()


class ClipFrames:
    """The clip's composited frames at output size, with their start times.

    Kept as the writer takes them: yuv420p planes for a writer that wants YUV (half the bytes
    of RGB, and the same pictures the first encode had), RGB otherwise or at an odd size.
    """

    def __init__(
        self, memory_budget: int, *, yuv: bool, matrix: Colorspace = Colorspace.ITU601
    ) -> None:
        self._store = FrameStore(memory_budget)
        self._starts: list[Fraction] = []
        self._yuv, self._matrix = yuv, matrix
        # Two: the context is rebuilt whenever sizes or formats change between calls.
        self._converter, self._scaler = Scaler(), Scaler()

    def add(self, picture: Picture, start: Fraction) -> None:
        if self._yuv:
            frame = (
                av.VideoFrame.from_ndarray(picture, format="rgb24")
                if isinstance(picture, np.ndarray)
                else picture
            )
            # A YUV picture already has the writer's matrix (the decoder converted it).
            matrix = self._matrix if isinstance(picture, np.ndarray) else None
            kept = self._converter(frame, format="yuv420p", matrix=matrix).to_ndarray()
        elif isinstance(picture, np.ndarray):
            kept = picture
        else:
            kept = rgb_array(picture)
        self._store.append(np.asarray(kept, dtype=np.uint8))
        self._starts.append(start)

    def pictures(self, times: list[Fraction], size: tuple[int, int]) -> Iterator[Picture]:
        """For each time, the frame shown then, scaled to ``size``; read once, in order."""
        wanted = [max(bisect.bisect_right(self._starts, t) - 1, 0) for t in times]
        position = 0
        for index, frame in enumerate(self._store):
            scaled: Picture | None = None
            while position < len(wanted) and wanted[position] == index:
                scaled = self._resized(frame, size) if scaled is None else scaled
                yield scaled
                position += 1

    def close(self) -> None:
        self._store.close()

    def _resized(self, frame: Frame, size: tuple[int, int]) -> Picture:
        picture = av.VideoFrame.from_ndarray(frame, format="yuv420p" if self._yuv else "rgb24")
        if (picture.width, picture.height) != size:
            picture = self._scaler(picture, width=size[0], height=size[1], interpolation="AREA")
        return picture if self._yuv else np.asarray(picture.to_ndarray(), dtype=np.uint8)


class SizeFitter:
    """Runs the search: encodes what it proposes from the kept frames, keeps the best file."""

    def __init__(
        self,
        kind: WriterKind,
        config: DynamicImageTemplateConfig,
        limits: MediaLimits,
        scratch: Path,
        deadline: float,
    ) -> None:
        self._kind, self._config, self._limits = kind, config, limits
        self._scratch, self._deadline = scratch, deadline
        self.best: tuple[Path, list[int], EncodeSettings] | None = None

    def record(
        self, search: SizeSearch, settings: EncodeSettings, path: Path, delays: list[int]
    ) -> None:
        """Note an encode's size; keep its file only while it is the best that fits."""
        search.record(settings, path.stat().st_size)
        chosen = search.report().chosen
        if chosen is not None and search.attempts[chosen].settings == settings:
            if self.best is not None:
                self.best[0].unlink(missing_ok=True)
            self.best = (path, delays, settings)
        else:
            path.unlink(missing_ok=True)

    def search(
        self, search: SizeSearch, frames: ClipFrames, end: Fraction, report: Progress
    ) -> SizeSearchReport:
        """Encode until the search is over; raises FileSizeUnreachable when nothing fit."""
        while (settings := search.propose()) is not None:
            if time.monotonic() > self._deadline:
                if self.best is not None:
                    break  # out of time: what fits already will do
                raise RenderTimeout()
            done = len(search.attempts)
            path = self._scratch / f"attempt-{done}"

            def step(fraction: float, done: int = done) -> None:
                report(0.5 + 0.5 * (done - 1 + fraction) / (MAX_ENCODES - 1))

            delays = self.encode(frames, settings, end, path, step)
            self.record(search, settings, path, delays)
        outcome = search.report()
        if outcome.chosen is None:
            smallest = min(outcome.attempts, key=lambda a: a.size_bytes)
            raise FileSizeUnreachable(
                outcome.target_bytes,
                smallest.size_bytes,
                smallest.settings.describe(search.knobs),
                len(outcome.attempts),
                outcome.to_document(),
            )
        return outcome

    def encode(
        self,
        frames: ClipFrames,
        settings: EncodeSettings,
        end: Fraction,
        path: Path,
        report: Progress,
    ) -> list[int]:
        """One encode at ``settings`` from the kept frames; returns the delays in ms."""
        times = frame_times(end, settings.fps)
        size = (settings.width, settings.height)
        config = with_settings(self._config, settings)
        writer = self._kind.make(config, size, len(times), settings.fps, path, self._limits)
        try:
            for index, picture in enumerate(frames.pictures(times, size)):
                writer.add(picture, times[index])
                report(0.9 * (index + 1) / len(times))
            return writer.finish(end, path)
        except BaseException:
            writer.abort()
            raise

    def deliver(self, output: Path) -> tuple[list[int], EncodeSettings]:
        """Move the best file to ``output``."""
        assert self.best is not None
        path, delays, settings = self.best
        os.replace(path, output)
        return delays, settings
