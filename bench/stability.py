"""Temporal stability of an animated image (flicker) and the decode floor of a case.

Flicker: the mean absolute change (0-255, over pixels and channels, at half size so dither
texture counts as what it averages to) between consecutive output frames, separately where the
source did not change (its half-size pixel moved by at most ``STILL`` levels in every channel)
and where it did. Where the source stood still, any change is flicker: crawling dither, noise
redrawn, a ghost being painted over; lower is better. Where it moved, the figure is compared
with the source's own change there (``flicker_moving`` is the output's, ``source_moving`` the
source's): an output that reuses too much lags below it.

The decode floor: FFmpeg decoding the clip and scaling it to the output (``fps``, lanczos
``scale``) into ``-f null``, timed like the tools; a renderer cannot do less than that. From an
HDR source the floor's ``scale`` also converts to SDR (``corpus.TO_SDR``), as dynimg's
rendering must tone-map too.
"""

from __future__ import annotations

import numpy as np
from corpus import FFMPEG, Case, output_scale

STILL = 3
"""Largest change (levels, per channel, half size) of a source pixel that counts as none: a
compressed source shimmers by a level or two where nothing moves."""


def _half(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    return image[:h, :w].reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))


def flicker(pairs: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """``flicker_still``, ``flicker_moving`` and ``source_moving`` over consecutive pairs."""
    still_sum = moving_sum = source_sum = 0.0
    still_count = moving_count = 0
    previous: tuple[np.ndarray, np.ndarray] | None = None
    for output, reference in pairs:
        current = (_half(output.astype(np.float32)), _half(reference.astype(np.float32)))
        if previous is not None:
            out_change = np.abs(current[0] - previous[0]).mean(axis=2)
            ref_change = np.abs(current[1] - previous[1])
            still = ref_change.max(axis=2) <= STILL
            still_sum += float(out_change[still].sum())
            still_count += int(still.sum())
            moving_sum += float(out_change[~still].sum())
            source_sum += float(ref_change.mean(axis=2)[~still].sum())
            moving_count += int((~still).sum())
        previous = current
    return {
        "flicker_still": still_sum / max(still_count, 1),
        "flicker_moving": moving_sum / max(moving_count, 1),
        "source_moving": source_sum / max(moving_count, 1),
        "still_share": still_count / max(still_count + moving_count, 1),
    }


def floor_command(case: Case) -> list[str]:
    """FFmpeg decoding the clip window and scaling it to the output size, into nothing."""
    return [FFMPEG, "-nostdin", "-v", "error", "-ss", str(case.seek), "-t", str(case.length),
            "-i", str(case.source), "-vf", output_scale(case), "-f", "null", "-"]  # fmt: skip


def floor_rows(cases: dict) -> list[str]:
    """dynimg's CPU over the decode floor's, per case and format, and the medians."""
    lines = [
        "## Above the decode floor (CPU-s of dynimg / CPU-s of ffmpeg decode+scale to null)",
        "",
        "| case | floor CPU s | gif CPU s | gif / floor | webp CPU s | webp / floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    ratios: dict[str, list[float]] = {"gif": [], "webp": []}
    for name, case in cases.items():
        floor = case.get("floor")
        if not floor:
            continue
        cells = [f"{floor['cpu']:.2f}"]
        for fmt in ("gif", "webp"):
            cpu = case[fmt]["tools"]["dynimg"]["cpu"]
            ratios[fmt].append(cpu / floor["cpu"])
            cells += [f"{cpu:.2f}", f"{ratios[fmt][-1]:.2f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for fmt, values in ratios.items():
        if values:
            lines.append(
                f"Median {fmt}: {float(np.median(values)):.2f}x the decode floor"
                f" (worst {max(values):.2f}x)"
            )
    return lines


def flicker_rows(cases: dict) -> list[str]:
    """Per case, format and tool: flicker where the source stood still and where it moved."""
    lines = [
        "## Temporal stability (mean |change| between output frames, 0-255, half size)",
        "",
        "| case | fmt | tool | still share | flicker still | flicker moving | source moving |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for name, case in cases.items():
        for fmt in ("gif", "webp"):
            for tool, t in case[fmt]["tools"].items():
                if "flicker_still" not in t or tool.startswith("gifski-q5"):
                    continue
                lines.append(
                    f"| {name} | {fmt} | {tool} | {t['still_share']:.2f}"
                    f" | {t['flicker_still']:.2f} | {t['flicker_moving']:.2f}"
                    f" | {t['source_moving']:.2f} |"
                )
    return lines
