"""A synthetic screen recording: an editor window being typed into, a moving pointer.

Flat colours, anti-aliased text and very little motion per frame: the content where GIF should
shine and where per-frame work that ignores unchanged pixels is wasted.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIZE = (1920, 1080)
TEXT = (
    "def render(source, output, template):\n"
    "    plan = probe(source).plan(template)\n"
    "    frames = decode(plan)  # seek to the keyframe before Seek\n"
    "    palette = median_cut(sample(frames), colours=255)\n"
    "    return write_gif(output, remap(frames, palette))\n"
)


def _desktop() -> Image.Image:
    """The static part: desktop, window chrome, sidebar and a coloured chart."""
    image = Image.new("RGB", SIZE, (36, 52, 71))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 60, 1840, 1020), fill=(250, 250, 250), outline=(120, 120, 120))
    draw.rectangle((80, 60, 1840, 100), fill=(222, 226, 230))
    for i, colour in enumerate([(237, 106, 94), (245, 191, 79), (98, 197, 84)]):
        draw.ellipse((100 + 28 * i, 72, 116 + 28 * i, 88), fill=colour)
    draw.rectangle((80, 100, 400, 1020), fill=(240, 242, 245))
    font = ImageFont.load_default(size=22)
    for i, name in enumerate(["src", "  dynimg", "    media", "    api", "tests", "docs"]):
        draw.text((100, 130 + 40 * i), name, fill=(60, 60, 60), font=font)
    for i, (height, colour) in enumerate([(180, "#4c78a8"), (260, "#f58518"), (120, "#54a24b")]):
        draw.rectangle((1400 + 110 * i, 960 - height, 1480 + 110 * i, 960), fill=colour)
    return image


def _frame(base: Image.Image, typed: int, pointer: tuple[int, int]) -> np.ndarray:
    image = base.copy()
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=26)
    lines = TEXT[:typed].split("\n")
    for i, line in enumerate(lines):
        draw.text((440, 140 + 44 * i), line, fill=(30, 30, 30), font=font)
    x, y = pointer
    draw.polygon([(x, y), (x, y + 26), (x + 7, y + 20), (x + 18, y + 20)], fill="black")
    return np.asarray(image)


def write_screencast(target: Path, seconds: float, fps: int) -> None:
    """Encode the recording with x264 (CRF 18, yuv420p) at ``fps``."""
    base = _desktop()
    count = int(seconds * fps)
    with av.open(str(target), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "18", "g": "120"})
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        for i in range(count):
            typed = min(len(TEXT), i * len(TEXT) // max(1, count - fps))
            pointer = (900 + int(300 * np.sin(i / 40)), 600 + int(120 * np.cos(i / 55)))
            frame = av.VideoFrame.from_ndarray(_frame(base, typed, pointer), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
