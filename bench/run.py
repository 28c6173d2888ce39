"""dynimg against the reference ffmpeg command line, in the same run on the same inputs.

Prints, per case, dynimg/ffmpeg ratios of wall time, CPU time and bytes, peak memory, and
quality (SSIM-half, PSNR) against the source frames. Medians of ``--runs`` runs. Not a test:
nothing here passes or fails; the figures go in the team's notes.

Usage: python bench/run.py [--runs 3] [--only 1080p-gif]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from inputs import FFMPEG, build
from quality import reference_frames, score

OUT = Path(__file__).parent / "out"
SEEK, LENGTH, WIDTH, FPS = 5.0, 4.0, 640, 10
GIF_VF = f"fps={FPS},scale={WIDTH}:-1:flags=lanczos,split[a][b];[a]palettegen[p];[b][p]paletteuse"
WEBP_VF = f"fps={FPS},scale={WIDTH}:-1:flags=lanczos"


def measure(command: list[str]) -> dict[str, float]:
    """Wall, CPU (user+sys) and peak RSS of one process, via the small launcher."""
    launcher = [sys.executable, str(Path(__file__).parent / "measure.py"), *command]
    result = json.loads(subprocess.run(launcher, capture_output=True, check=True, text=True).stdout)
    if result.pop("code"):
        raise RuntimeError(f"{command[0]} failed: {result['stderr']}")
    result.pop("stderr")
    return result


def ffmpeg_command(source: Path, output: Path, fmt: str, seek: float = SEEK) -> list[str]:
    base = [
        FFMPEG,
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-ss",
        str(seek),
        "-t",
        str(LENGTH),
        "-i",
        str(source),
    ]
    if fmt == "gif":
        return [*base, "-vf", GIF_VF, str(output)]
    return [
        *base,
        "-vf",
        WEBP_VF,
        "-c:v",
        "libwebp_anim",
        "-quality",
        "75",
        "-loop",
        "0",
        str(output),
    ]


def dynimg_command(source: Path, output: Path, fmt: str, seek: float = SEEK) -> list[str]:
    config = json.dumps(
        {
            "Container": {"Format": fmt},
            "Video": {"Width": str(WIDTH), "Fps": str(FPS)},
            "Clip": {"TimeSpan": {"Seek": str(seek), "Duration": str(LENGTH)}},
        }
    )
    return [
        sys.executable,
        str(Path(__file__).parent / "engine_job.py"),
        str(source),
        str(output),
        config,
    ]


def median_of(runs: int, command: list[str]) -> dict[str, float]:
    samples = [measure(command) for _ in range(runs)]
    return {
        key: statistics.median(s[key] for s in samples) for key in samples[0] if key != "frames"
    }


def run_case(name: str, source: Path, fmt: str, runs: int) -> dict[str, object]:
    OUT.mkdir(exist_ok=True)
    ours, theirs = OUT / f"{name}-dynimg.{fmt}", OUT / f"{name}-ffmpeg.{fmt}"
    result: dict[str, object] = {
        "ffmpeg": median_of(runs, ffmpeg_command(source, theirs, fmt)),
        "dynimg": median_of(runs, dynimg_command(source, ours, fmt)),
    }
    refs = reference_frames(source, SEEK, LENGTH, WIDTH)
    for tool, path in (("ffmpeg", theirs), ("dynimg", ours)):
        stats = result[tool]
        assert isinstance(stats, dict)
        stats["bytes"] = path.stat().st_size
        stats.update(score(path, refs, SEEK, FPS))
    return result


def report(name: str, result: dict[str, dict[str, float]]) -> None:
    ours, theirs = result["dynimg"], result["ffmpeg"]
    print(
        f"{name:<12} wall {ours['wall']:.2f}s/{theirs['wall']:.2f}s"
        f" = {ours['wall'] / theirs['wall']:.2f}x"
        f" (job {ours['job']:.2f}s = {ours['job'] / theirs['wall']:.2f}x)"
        f" | cpu {ours['cpu'] / theirs['cpu']:.2f}x"
        f" | bytes {int(ours['bytes']):,}/{int(theirs['bytes']):,}"
        f" = {ours['bytes'] / theirs['bytes']:.3f}x"
        f" | ssim-half {ours['ssim_half']:.4f} vs {theirs['ssim_half']:.4f}"
        f" | psnr {ours['psnr']:.2f} vs {theirs['psnr']:.2f}"
        f" | rss {ours['rss_mb']:.0f}MB vs {theirs['rss_mb']:.0f}MB"
        f" | frames {int(ours['frames'])}/{int(theirs['frames'])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="run one case, e.g. 1080p-gif")
    args = parser.parse_args()
    inputs = build()
    results = {}
    for resolution in ("1080p", "720p"):
        for fmt in ("gif", "webp"):
            name = f"{resolution}-{fmt}"
            if args.only and args.only != name:
                continue
            results[name] = run_case(name, inputs[resolution], fmt, args.runs)
            report(name, results[name])  # type: ignore[arg-type]
    if not args.only or args.only.startswith("2160p"):
        for fmt in ("gif", "webp"):
            big = median_of(
                1, dynimg_command(inputs["2160p"], OUT / f"2160p-dynimg.{fmt}", fmt, seek=1.0)
            )
            results[f"2160p-{fmt}"] = {"dynimg": big}
            print(f"2160p-{fmt:<6} dynimg peak RSS {big['rss_mb']:.0f} MB, job {big['job']:.2f}s")
    (OUT / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
