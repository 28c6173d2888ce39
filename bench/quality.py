"""Quality of an animated image against the source frames it shows: SSIM-half, PSNR and VMAF.

Plain SSIM punishes dither noise and rewards banding, so the headline figure is SSIM on both
images downscaled 2x ("seen at half size"), as in the team's performance baseline. Each output
frame is scored against the source frame at its nominal time, shifted by the one offset in
{-1, 0, +1} source frames that fits best (tools differ in which frame they keep per slot).
Reference frames are shown as a player would: display rotation and pixel aspect applied.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections import Counter
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Interpolation
from PIL import Image, ImageSequence
from skimage.metrics import structural_similarity

Refs = list[tuple[float, np.ndarray]]
Pairs = list[tuple[np.ndarray, np.ndarray]]


def _display_size(frame: av.VideoFrame, sar: Fraction, width: int) -> tuple[int, int, int]:
    """Output (width, height) as displayed, and the counter-clockwise quarter turns to apply."""
    shown_w, shown_h = frame.width * float(sar), frame.height
    turns = round((frame.rotation or 0) / 90) % 4
    if turns % 2:
        shown_w, shown_h = shown_h, shown_w
    return width, round(width * shown_h / shown_w / 2) * 2, turns


ACCURATE = Interpolation.LANCZOS | Interpolation.ACCURATE_RND | Interpolation.FULL_CHR_H_INT
"""How the reference frames are converted to RGB: as a player shows them. swscale's default
YUV-to-RGB path rounds about one level dark (measured: mean R/G/B 113.6/124.5/89.3 where the
BT.601 formula gives 114.5/125.9/90.1 on a Big Buck Bunny frame); with exact rounding and full
chroma interpolation it agrees with the formula to 0.05. A dark reference favoured outputs made
through the same default path and penalised those kept in YUV."""


def _rgb(frame: av.VideoFrame, sar: Fraction, width: int) -> np.ndarray:
    out_w, out_h, turns = _display_size(frame, sar, width)
    stored = (out_h, out_w) if turns % 2 else (out_w, out_h)
    rgb = frame.reformat(
        width=stored[0], height=stored[1], format="rgb24", interpolation=ACCURATE
    ).to_ndarray()
    return np.ascontiguousarray(np.rot90(rgb, turns))


def reference_frames(source: Path, start: float, length: float, width: int) -> Refs:
    """Source frames around the clip, as RGB at the output width, with their times."""
    frames = []
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        sar = Fraction(stream.sample_aspect_ratio or 1)
        container.seek(max(0, int((start - 1.5) / stream.time_base)), stream=stream)
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            if t < start - 0.1:
                continue
            if t > start + length + 0.1:
                break
            frames.append((t, _rgb(frame, sar, width)))
    return frames


def output_frames(path: Path) -> list[np.ndarray]:
    """Every frame of a GIF, animated WebP, APNG or AVIF (composited) or an MP4, as RGB."""
    if path.suffix == ".mp4":
        with av.open(str(path)) as container:
            return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
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


def _fit(ref: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The reference resized to the output's size when a tool rounded the height differently."""
    if ref.shape == shape:
        return ref
    return np.asarray(Image.fromarray(ref).resize((shape[1], shape[0]), Image.Resampling.LANCZOS))


def aligned(
    output: Path, refs: Refs, start: float, fps: float, shift: int | None = None
) -> tuple[Pairs, int]:
    """(output frame, reference frame) pairs at the best-fitting offset, and that offset.

    A ``shift`` given (one found before for the same tool and clip) skips the search for it.
    """
    frames = output_frames(output)
    times = np.array([t for t, _ in refs])

    def ref(i: int, shift: int) -> np.ndarray:
        nominal = start + float(Fraction(i) / Fraction(fps))
        k = int(np.abs(times - nominal).argmin()) + shift
        return _fit(refs[min(max(k, 0), len(refs) - 1)][1], frames[i].shape)

    if shift is None:
        votes = Counter(
            max((-1, 0, 1), key=lambda d: ssim(half(frame), half(ref(i, d))))
            for i, frame in enumerate(frames)
            if i % 4 == 0
        )
        shift = votes.most_common(1)[0][0]
    return [(frame, ref(i, shift)) for i, frame in enumerate(frames)], shift


def score(pairs: Pairs) -> dict[str, float]:
    """SSIM-half (mean over frames) and PSNR (MSE over every frame, pixel and channel)."""
    mse = np.mean([np.mean((a.astype(np.float64) - b) ** 2) for a, b in pairs])
    return {
        "frames": len(pairs),
        "ssim_half": float(np.mean([ssim(half(a), half(b)) for a, b in pairs])),
        "psnr": float(10 * np.log10(255**2 / max(mse, 1e-10))),
    }


def vmaf(pairs: Pairs, ffmpeg: str, fps: float) -> float:
    """Pooled mean VMAF (libvmaf's default model) of the pairs, via ffmpeg's libvmaf filter."""
    h, w = (d // 2 * 2 for d in pairs[0][0].shape[:2])
    with tempfile.TemporaryDirectory() as tmp:
        dist, ref, log = Path(tmp, "dist.rgb"), Path(tmp, "ref.rgb"), Path(tmp, "vmaf.json")
        dist.write_bytes(b"".join(a[:h, :w].tobytes() for a, _ in pairs))
        ref.write_bytes(b"".join(b[:h, :w].tobytes() for _, b in pairs))
        raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", str(fps)]
        graph = (
            "[0:v]format=yuv420p[d];[1:v]format=yuv420p[r];"
            f"[d][r]libvmaf=log_fmt=json:log_path={log}:n_threads=2"
        )
        command = [ffmpeg, "-nostdin", "-v", "error", *raw, "-i", str(dist), *raw, "-i", str(ref)]
        subprocess.run([*command, "-lavfi", graph, "-f", "null", "-"], check=True)
        return float(json.loads(log.read_text())["pooled_metrics"]["vmaf"]["mean"])


def has_vmaf(ffmpeg: str) -> bool:
    """Whether this ffmpeg was built with libvmaf."""
    filters = subprocess.run([ffmpeg, "-hide_banner", "-filters"], capture_output=True, text=True)
    return " libvmaf " in filters.stdout
