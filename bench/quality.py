"""Quality of an animated image against the source frames it shows: SSIM-half and PSNR.

Plain SSIM punishes dither noise and rewards banding, so the headline figure is SSIM on both
images downscaled 2x ("seen at half size"), as in the team's performance baseline. Each output
frame is scored against the source frame at its nominal time, shifted by the one offset in
{-1, 0, +1} source frames that fits best (tools differ in which frame they keep per slot).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageSequence
from skimage.metrics import structural_similarity


def reference_frames(
    source: Path, start: float, length: float, width: int
) -> list[tuple[float, np.ndarray]]:
    frames = []
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        container.seek(int((start - 1.5) / stream.time_base), stream=stream)
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            if t < start - 0.1:
                continue
            if t > start + length + 0.1:
                break
            height = round(width * frame.height / frame.width / 2) * 2
            rgb = frame.reformat(
                width=width, height=height, format="rgb24", interpolation="LANCZOS"
            )
            frames.append((t, rgb.to_ndarray()))
    return frames


def output_frames(path: Path) -> list[np.ndarray]:
    with Image.open(path) as image:
        return [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(image)]


def half(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    return image[:h, :w].reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(
        structural_similarity(
            a, b, channel_axis=2, gaussian_weights=True, sigma=1.5,
            use_sample_covariance=False, data_range=255,
        )
    )  # fmt: skip


def score(
    output: Path, refs: list[tuple[float, np.ndarray]], start: float, fps: float
) -> dict[str, float]:
    frames = output_frames(output)
    times = np.array([t for t, _ in refs])

    def ref(i: int, shift: int) -> np.ndarray:
        nominal = start + float(Fraction(i) / Fraction(fps))
        k = int(np.abs(times - nominal).argmin()) + shift
        return refs[min(max(k, 0), len(refs) - 1)][1]

    votes = Counter(
        max((-1, 0, 1), key=lambda d: ssim(half(frame), half(ref(i, d))))
        for i, frame in enumerate(frames)
        if i % 4 == 0
    )
    shift = votes.most_common(1)[0][0]
    pairs = [
        (frame.astype(np.float64), ref(i, shift).astype(np.float64))
        for i, frame in enumerate(frames)
    ]
    mse = np.mean([np.mean((a - b) ** 2) for a, b in pairs])
    return {
        "frames": len(frames),
        "ssim_half": float(np.mean([ssim(half(a), half(b)) for a, b in pairs])),
        "psnr": float(10 * np.log10(255**2 / mse)),
        "shift": shift,
    }
