"""Footage that breaks fixed "unchanged pixel" thresholds, generated with PyAV and Pillow.

* :func:`scrolling_text`: a screen of flat coloured bars (the top rows) with lines of text that
  scroll up out of them, as in a screen recording of a page being scrolled. After a line has
  left a bar, the bar must be flat again: a pixel that keeps the text's colour is a ghost.
* :func:`low_light`: a dark scene (luma 15-60) with a slowly moving shape under strong temporal
  sensor noise, where the noise is as large as the colour steps of the palette.
* :func:`drifting_sky`: smooth gradients of few hues that drift by a level or two a frame, so
  that every pixel is dithered and most stay within the "still" threshold from frame to frame.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

BARS = [(36, 99, 176), (222, 84, 66), (250, 250, 250), (60, 170, 90), (245, 200, 60)]
BAR_HEIGHT = 48
"""Rows per coloured bar, at the source size: the bars fill the top ``len(BARS) * 48`` rows."""
LINE = 24
"""Pixels between text lines."""
SCROLL = 6
"""Pixels the text moves up per source frame."""
TEXT_LINES = 8
"""Lines in the block of text: 192 px, gone through the top after 512 px of scrolling."""


def bars_region(height: int, source_height: int) -> tuple[slice, slice]:
    """Rows and columns (of an output ``height`` rows high) that are only bar, never the window
    below: the region where a ghost of scrolled-out text would show."""
    bottom = len(BARS) * BAR_HEIGHT * height // source_height
    return slice(0, bottom - 2), slice(None)


def _text_layer(width: int, lines: int) -> Image.Image:
    """Tall transparent strip of text lines that scrolls over the screen."""
    layer = Image.new("L", (width, lines * LINE), 0)
    draw = ImageDraw.Draw(layer)
    font = ImageFont.load_default(size=18)
    for i in range(lines):
        words = " ".join(f"item{(i * 7 + k) % 97:02d}" for k in range(8 + i % 5))
        draw.text((12 + (i % 3) * 20, i * LINE + 3), words, fill=255, font=font)
    return layer


def _screen(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), (235, 238, 242))
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate(BARS):
        draw.rectangle((0, i * BAR_HEIGHT, width, (i + 1) * BAR_HEIGHT - 1), fill=colour)
    return image


def scrolling_text(
    path: Path,
    seconds: float = 4,
    fps: int = 30,
    crf: int = 26,
    ink: int = 20,
    scroll: int = SCROLL,
) -> Path:
    """A 480x320 clip: text scrolls up by ``scroll`` px a frame over flat bars (x264)."""
    width, height = 480, 320
    frames = int(seconds * fps)
    text = _text_layer(width, TEXT_LINES)
    base = _screen(width, height)
    ink_layer = Image.new("RGB", (width, height), (ink, ink, ink))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": str(crf), "g": "60"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            offset = i * scroll
            # The block of text enters at the bottom, crosses the bars and leaves at the top.
            mask = text.crop((0, offset - height, width, offset))
            picture = Image.composite(ink_layer, base, mask)
            frame = av.VideoFrame.from_ndarray(np.asarray(picture), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def low_light(path: Path, seconds: float = 2, fps: int = 25, seed: int = 5) -> Path:
    """A 320x240 dark clip: a dim gradient, a slowly drifting lit disc, noise of sigma 6."""
    width, height = 320, 240
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    scene = 14 + 20 * x[..., None] / width + np.array([0, 2, 6], np.float32)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "14", "g": "50"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(int(seconds * fps)):
            cx, cy = 100 + 2 * i, 120
            disc = 35 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 900.0)
            frame = scene + disc[..., None] * np.array([1.0, 0.8, 0.5], np.float32)
            frame += rng.normal(0, 6, (height, width, 1)) + rng.normal(0, 2, (height, width, 3))
            rgb = np.clip(frame, 0, 255).astype(np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def drifting_sky(path: Path, frames: int = 24, fps: int = 10) -> Path:
    """A 320x180 sky: three sine-shifted gradients (one per channel), nearly lossless H.264."""
    y, x = np.mgrid[0:180, 0:320].astype(np.float32)
    x, y = x / 320, y / 180
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "4"})
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for i in range(frames):
            t = 0.3 * i
            red = 40 + 50 * x + 25 * np.sin(0.4 * t + 2 * y)
            green = 70 + 90 * y + 15 * np.sin(0.3 * t + x)
            blue = 150 + 70 * (1 - y) + 20 * np.cos(0.25 * t + 1.5 * x)
            rgb = np.clip(np.stack([red, green, blue], axis=2), 0, 255).round().astype(np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode(None))
    return path
