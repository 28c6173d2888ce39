"""A clip for thumbnail tests whose every frame says when it is, and reading that back.

10 s at 10 fps, 160x90. The bottom 10 rows have the colour of the frame's second
(:data:`SECOND_COLOURS`); above them: 0-4 s black, 4-6 s a still, sharp checkerboard (the one
good still), 6-10 s a smooth gradient racing sideways (motion: blur in a still).
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

SIZE = (160, 90)
FPS = 10
SECONDS = 10
STRIP = 10
SECOND_COLOURS = [
    (255, 0, 0), (0, 150, 0), (0, 0, 255), (150, 0, 150), (0, 120, 120),
    (150, 90, 0), (90, 0, 255), (255, 0, 110), (0, 60, 200), (100, 100, 100),
]  # fmt: skip
"""Far apart in hue, each dark enough that a black frame with its strip stays black (mean luma
under 20)."""


def thumbnail_frame(index: int) -> np.ndarray:
    """The RGB picture of frame ``index``."""
    width, height = SIZE
    second = index // FPS
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    if 4 <= second < 6:
        ys, xs = np.mgrid[0:height, 0:width]
        rgb[((ys // 8 + xs // 8) % 2).astype(bool)] = 255
    elif second >= 6:
        ramp = (np.arange(width) * 255 // width + index * 23) % 256
        rgb[:] = ramp.astype(np.uint8)[None, :, None]
    rgb[height - STRIP :] = SECOND_COLOURS[second]
    return rgb


def make_thumbnail_clip(path: Path) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS, options={"g": str(2 * FPS)})
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        for i in range(SECONDS * FPS):
            frame = av.VideoFrame.from_ndarray(thumbnail_frame(i), format="rgb24")
            frame = frame.reformat(format="yuv420p")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def second_shown(rgb: np.ndarray) -> int:
    """Which second of the clip a (scaled, lossy) picture shows, from its strip's colour."""
    height = rgb.shape[0]
    strip = rgb[height - height * STRIP // SIZE[1] + 2 : height - 2].reshape(-1, 3).mean(axis=0)
    distances = [np.abs(strip - np.array(c)).sum() for c in SECOND_COLOURS]
    return int(np.argmin(distances))


def is_checkerboard(rgb: np.ndarray) -> bool:
    """Whether the part above the strip is the sharp checkerboard of 4-6 s."""
    top = rgb[: rgb.shape[0] * (SIZE[1] - STRIP) // SIZE[1] - 2].astype(np.float32).mean(axis=2)
    return bool((top < 60).mean() > 0.35 and (top > 195).mean() > 0.35)


ANIMATION_DELAYS = [100] * 5 + [300] + [100] * 6
"""12 frames, the sixth held 300 ms: 1.4 s in all."""


def make_animation(path: Path, fmt: str) -> Path:
    """An animation (``gif``, ``apng`` or ``webp``) of ``source_frame(0..11)`` at 160x120, each
    frame showing its index, timed by :data:`ANIMATION_DELAYS`."""
    from PIL import Image

    from tests.support.media import source_frame

    frames = [Image.fromarray(source_frame(i, 160, 120)) for i in range(len(ANIMATION_DELAYS))]
    options: dict[str, object] = {"duration": ANIMATION_DELAYS, "loop": 0}
    if fmt == "webp":
        options |= {"lossless": True}
    pillow = {"gif": "GIF", "apng": "PNG", "webp": "WEBP"}[fmt]
    frames[0].save(path, pillow, save_all=True, append_images=frames[1:], **options)
    return path


def frame_at(ms: int) -> int:
    """The animation's frame shown at ``ms``."""
    end = 0
    for index, delay in enumerate(ANIMATION_DELAYS):
        end += delay
        if ms < end:
            return index
    return len(ANIMATION_DELAYS) - 1


def nearest_frame(ms: int) -> int:
    """The animation's frame an animated image shows at ``ms``: the one starting nearest to it
    (of two as near, the earlier), as the engine samples every source."""
    starts = [sum(ANIMATION_DELAYS[:i]) for i in range(len(ANIMATION_DELAYS))]
    return min(range(len(starts)), key=lambda i: (abs(starts[i] - ms), starts[i]))
