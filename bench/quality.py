"""Quality of an animated image against the source frames it shows: SSIM-half, PSNR and VMAF.

Plain SSIM punishes dither noise and rewards banding, so the headline figure is SSIM on both
images downscaled 2x ("seen at half size"), as in the team's performance baseline. Each output
frame is scored against the source frame at its nominal time (a frame stored once and held for
several slots counts once per slot, as it is seen), shifted by the one offset in
{-1, 0, +1} source frames that fits best (tools differ in which frame they keep per slot).
Reference frames are shown as a player would: display rotation and pixel aspect applied. An HDR
source's (PQ or HLG) are FFmpeg's SDR rendition of it, made by the bench's ffmpeg with the
filters the ffmpeg tools use (``corpus.TO_SDR``: zscale and tonemap; PyAV's FFmpeg has no
zscale). Decoded as if SDR, the HLG signal would be grey and flat, and scoring against it would
reward a tool for not tone-mapping.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections import Counter
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Interpolation
from corpus import FFMPEG, TO_SDR
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


HDR_TRANSFERS = (16, 18)
"""FFmpeg's numbers for SMPTE ST 2084 (PQ) and ARIB STD-B67 (HLG)."""


def _rgb(frame: av.VideoFrame, sar: Fraction, width: int) -> np.ndarray:
    out_w, out_h, turns = _display_size(frame, sar, width)
    stored = (out_h, out_w) if turns % 2 else (out_w, out_h)
    rgb = frame.reformat(
        width=stored[0], height=stored[1], format="rgb24", interpolation=ACCURATE
    ).to_ndarray()
    return np.ascontiguousarray(np.rot90(rgb, turns))


def reference_frames(source: Path, start: float, length: float, width: int) -> Refs:
    """Source frames around the clip, as RGB at the output width, with their times (an HDR
    source's tone-mapped to SDR by FFmpeg)."""
    frames = []
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        if stream.codec_context.color_trc in HDR_TRANSFERS:
            return _tone_mapped(source, start, length, width)
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


def tone_map_command(source: Path, size: tuple[int, int], frames: int) -> list[str]:
    """ffmpeg decoding the first ``frames`` frames of an HDR source (from its start, in
    presentation order, none dropped or repeated, rotation not applied), scaling them to ``size``
    (exact rounding, full chroma, as ``ACCURATE``) and converting them to SDR (``TO_SDR``),
    as raw ``rgb24``."""
    graph = f"scale={size[0]}:{size[1]}:flags=lanczos+accurate_rnd+full_chroma_int,{TO_SDR}"
    return [FFMPEG, "-nostdin", "-v", "error", "-noautorotate", "-i", str(source),
            "-vf", f"{graph},format=rgb24", "-frames:v", str(frames), "-fps_mode", "passthrough",
            "-f", "rawvideo", "-"]  # fmt: skip


def _tone_mapped(source: Path, start: float, length: float, width: int) -> Refs:
    """``reference_frames`` of an HDR source: ffmpeg decodes from the start up to the clip's end
    (a few seconds of a corpus clip), the demuxer gives the frame times."""
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        sar = Fraction(stream.sample_aspect_ratio or 1)
        first = next(container.decode(stream))
        out_w, out_h, turns = _display_size(first, sar, width)
        container.seek(0)
        packets = container.demux(stream)
        times = sorted(float(p.pts * stream.time_base) for p in packets if p.pts is not None)
    stored = (out_h, out_w) if turns % 2 else (out_w, out_h)
    count = sum(t <= start + length + 0.1 for t in times)
    raw = subprocess.run(
        tone_map_command(source, stored, count), capture_output=True, check=True
    ).stdout
    size = stored[0] * stored[1] * 3
    assert len(raw) == count * size, f"ffmpeg gave {len(raw) / size} frames of {count}"
    pictures = np.frombuffer(raw, np.uint8).reshape(count, stored[1], stored[0], 3)
    return [
        (t, np.ascontiguousarray(np.rot90(picture, turns)))
        for t, picture in zip(times, pictures, strict=False)
        if t >= start - 0.1
    ]


def output_frames(path: Path, fps: float) -> list[np.ndarray]:
    """The output as a player shows it, one RGB frame per slot of 1/``fps`` seconds: the frame
    on screen in the middle of each slot. Encoders store a frame that repeats once, with a
    longer delay (a still stretch, a fade to black): counting stored frames would score every
    later frame against the wrong moment of the source."""
    frames, durations = _stored_frames(path)
    return _on_screen(frames, durations, fps)


def _stored_frames(path: Path) -> tuple[list[np.ndarray], list[float | None]]:
    """Every stored frame of a GIF, animated WebP, APNG or AVIF (composited) or an MP4, as
    RGB, with how long it is shown in seconds (None where the file does not say)."""
    if path.suffix == ".mp4":
        return _video_frames(path)
    frames, durations = [], []
    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            frames.append(np.asarray(frame.convert("RGB")))
            milliseconds = frame.info.get("duration")
            durations.append(milliseconds / 1000 if milliseconds else None)
    return frames, durations


def _video_frames(path: Path) -> tuple[list[np.ndarray], list[float | None]]:
    """An MP4's frames, each lasting until the next one starts (the last: its own duration)."""
    with av.open(str(path)) as container:
        decoded = list(container.decode(video=0))
    starts = [f.time for f in decoded]
    durations: list[float | None] = [
        b - a if a is not None and b is not None else None for a, b in pairwise(starts)
    ]
    if decoded:
        last = decoded[-1]
        durations.append(float(last.duration * last.time_base) if last.duration else None)
    return [f.to_ndarray(format="rgb24") for f in decoded], durations


def _on_screen(
    frames: list[np.ndarray], durations: list[float | None], fps: float
) -> list[np.ndarray]:
    """One frame per slot: a frame whose duration is unknown (or zero) fills one slot."""
    ends = np.cumsum([d if d else 1 / fps for d in durations])
    slots = max(round(float(ends[-1]) * fps), 1) if frames else 0
    shown = np.searchsorted(ends, (np.arange(slots) + 0.5) / fps, side="right")
    return [frames[min(int(i), len(frames) - 1)] for i in shown]


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
    frames = output_frames(output, fps)
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
