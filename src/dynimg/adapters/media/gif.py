"""Animated GIF: one palette for the clip, dithered frames, FFmpeg's GIF encoder via PyAV.

Each frame is only mapped to the palette inside the rectangle where its source moved; the rest
keeps the previous frame's indices. FFmpeg's encoder then crops each frame to what changed and
makes unchanged pixels transparent; the palette keeps one entry free so a transparent index
always exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from dynimg.adapters.media import lzw
from dynimg.adapters.media.decode import Picture
from dynimg.adapters.media.dither import (
    BUSY,
    FrameAnalyzer,
    Indices,
    Mapped,
    Quantizer,
    Stabiliser,
)
from dynimg.adapters.media.frame_store import Frame, FrameStore
from dynimg.adapters.media.gif_file import GifFile
from dynimg.adapters.media.palette import Palette, PaletteBuilder
from dynimg.domain.clip import rounded_delays
from dynimg.domain.templates import Dither, DynamicImageTemplateConfig

CENTISECOND = Fraction(1, 100)
REMAP_THREADS = 2
REMAP_BATCH = 8
REMAP_BATCH_BYTES = 48 * 1024 * 1024
"""Frames mapped at once hold several full-size copies each (RGB, Pillow's, two index maps):
a batch is bounded by bytes as well as by count, so 4K frames go two at a time, not eight."""
PLANE_SHARE = 4
"""The analysis planes (one byte a pixel) get a quarter of the memory, the RGB frames the rest."""
STABILISE_SHARE = 8
"""The temporal rule's working memory (float copies of a strip of rows) gets an eighth, taken
from the RGB frames' share: it lives while they are read back, so it counts against the same
budget (frame_budget.py) rather than on top of it."""


class GifWriter:
    """Collects frames, then writes the GIF once the palette is known."""

    def __init__(
        self, config: DynamicImageTemplateConfig, size: tuple[int, int], frames: int, memory: int
    ) -> None:
        self._config = config
        self._lossy = effective_lossy(config.lossy)
        self._size = size
        self._working = memory // STABILISE_SHARE
        self._store = FrameStore(memory - memory // PLANE_SHARE - self._working)
        self._planes = FrameStore(memory // PLANE_SHARE)
        colors = min(config.max_colors, 255)  # one entry stays free for transparency
        self._palette = PaletteBuilder(colors, frames, size[0] * size[1])
        self._analyze = FrameAnalyzer(config.dither)
        self._starts: list[Fraction] = []

    def add(self, picture: Picture, start: Fraction) -> None:
        """Keep a frame; its palette-independent analysis is done now, while decoding goes on."""
        assert isinstance(picture, np.ndarray), "GIF frames are decoded as RGB"
        frame: Frame = picture
        # Kept as it came, without a copy: the decoder hands over a new array per source
        # frame (one repeated for several slots is the same, unchanged array).
        self._store.append(frame)
        self._planes.append(self._analyze(frame))
        self._palette.add(frame)
        self._starts.append(start)

    def finish(self, end: Fraction, path: Path) -> list[int]:
        """Write the file; returns the per-frame delays in milliseconds."""
        delays = rounded_delays(self._starts, end, 100)
        try:
            self._encode(path, delays)
        finally:
            self.abort()
        return [d * 10 for d in delays]

    def abort(self) -> None:
        """Drop the collected frames after a failure."""
        self._store.close()
        self._planes.close()

    def _encode(self, path: Path, delays: list[int]) -> None:
        palette = self._palette.build()
        quantizer = Quantizer(palette, self._config.dither)
        shape = (self._size[1], self._size[0])
        stabilise = Stabiliser(shape, palette, self._config.dither, self._working)
        if self._lossy:
            self._write_lossy(path, palette, self._indexed(quantizer), delays, stabilise)
            return
        frames = (stabilise(mapped, plane, rgb) for mapped, plane, rgb in self._indexed(quantizer))
        self._write_ffmpeg(path, palette, frames, delays)

    def _write_ffmpeg(
        self, path: Path, palette: Palette, frames: Iterator[Indices], delays: list[int]
    ) -> None:
        """FFmpeg's GIF encoder: lossless LZW, frames cropped to what changed."""
        argb = np.zeros((256, 4), dtype=np.uint8)
        argb[:, 0] = 255
        argb[: len(palette), 1:] = palette
        options = {"loop": str(_loop_option(self._config.loop)), "final_delay": str(delays[-1])}
        with av.open(str(path), "w", format="gif", options=options) as container:
            stream = container.add_stream("gif", rate=100)
            stream.width, stream.height = self._size
            stream.pix_fmt = "pal8"
            stream.codec_context.time_base = CENTISECOND
            pts = 0
            for indices, delay in zip(frames, delays, strict=True):
                pair: Any = (indices, argb)  # PyAV takes (indices, palette)
                picture = av.VideoFrame.from_ndarray(pair, format="pal8")
                picture.pts, picture.time_base = pts, CENTISECOND
                pts += delay
                container.mux(stream.encode(picture))
            container.mux(stream.encode(None))

    def _write_lossy(
        self,
        path: Path,
        palette: Palette,
        frames: Iterator[tuple[Mapped, Frame, Frame]],
        delays: list[int],
        stabilise: Stabiliser,
    ) -> None:
        """dynimg's own GIF writer with lossy LZW (gif_file.py). What it shows, which differs
        a little from what it was given, is what the next frame is decided against (else the
        next frame would redraw every pixel lossy LZW moved)."""
        padded = np.zeros((256, 3), dtype=np.uint8)
        padded[: len(palette)] = palette
        tolerance = lossy_tolerance(self._lossy)
        with path.open("wb") as out:
            gif = GifFile(out, self._size, padded.tobytes(), self._config.loop, tolerance)
            for (mapped, plane, rgb), delay in zip(frames, delays, strict=True):
                indices = stabilise(mapped, plane, rgb)
                nearest = _nearest(plane, self._config.dither)
                stabilise.showing(gif.add(indices, delay, rgb, nearest))
            gif.close()

    def _indexed(self, quantizer: Quantizer) -> Iterator[tuple[Mapped, Frame, Frame]]:
        """Frames mapped to indices on a small thread pool, in order, a batch at a time, with
        their analysis planes and RGB frames."""
        frame_bytes = self._size[0] * self._size[1] * 3
        size = max(REMAP_THREADS, min(REMAP_BATCH, REMAP_BATCH_BYTES // frame_bytes))
        with ThreadPoolExecutor(REMAP_THREADS, thread_name_prefix="dynimg-remap") as pool:
            frames: list[Frame] = []
            planes: list[Frame] = []
            for frame, plane in zip(self._store, self._planes, strict=True):
                frames.append(frame)
                planes.append(plane)
                if len(frames) == size:
                    yield from zip(
                        pool.map(quantizer.map, frames, planes), planes, frames, strict=True
                    )
                    frames, planes = [], []
            yield from zip(pool.map(quantizer.map, frames, planes), planes, frames, strict=True)


DEFAULT_LOSSY = 1
"""``Lossy`` when a template does not say. At 1 the pixels mapped to the nearest colour may take
another no further than about 1.4x from the source (lzw.py), the dithered ones stay exact: on
the benchmark's 14 cases 0.608x the recipe's bytes against 0.658x lossless, the worst case no
lower (docs/media.md)."""


def effective_lossy(requested: int | None) -> int:
    """``Lossy`` as asked, else :data:`DEFAULT_LOSSY`; without the compiled encoder the default
    is 0 (FFmpeg's lossless writer): the Python encoder gives the same bytes hundreds of times
    more slowly, acceptable when asked for, not as everybody's default."""
    if requested is not None:
        return requested
    return DEFAULT_LOSSY if lzw.COMPILED else 0


LOSSY_STEP = 5
"""``Lossy`` L lets a pixel's colour be off by L / 5 levels of RGB distance (plus the error
carried from the pixels before): 60 allows 12 levels, 200 allows 40."""


def lossy_tolerance(lossy: int) -> int:
    """The lossy LZW encoder's tolerance (squared RGB distance) for a ``Lossy`` value."""
    return lossy * lossy // (LOSSY_STEP * LOSSY_STEP)


def _nearest(plane: Frame, dither: Dither) -> Frame | None:
    """Where the mapping chose the nearest colour rather than a dithered one: there lossy LZW
    may take any colour no further from the source pixel (lzw.py). Nowhere with ordered
    dither, everywhere without dither, the busy pixels with adaptive error diffusion."""
    if dither is Dither.BAYER:
        return None
    if dither is Dither.NONE:
        return np.ones(plane.shape, np.uint8)
    return np.bitwise_and(plane, BUSY, dtype=np.uint8)


def _loop_option(plays: int) -> int:
    """Template ``Loop`` (0 = forever, N = plays) as the GIF muxer's loop (repeats; -1 = none)."""
    if plays == 0:
        return 0
    return -1 if plays == 1 else plays - 1
