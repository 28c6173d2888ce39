"""dynimg against the ffmpeg recipe, gifski and gifsicle, in one run on a varied corpus.

For every case of the corpus (bench/corpus.py) and both formats: wall time, CPU seconds and peak
RSS of the ``dynimg render`` process and of the ffmpeg recipe (median of ``--runs``), bytes,
SSIM-half, PSNR and VMAF against the source frames. For GIF also gifski at several qualities
and gifsicle -O3 --lossy as a post-pass, and dynimg's quality at equal bytes against gifski.
Then each case's job time inside a running ``dynimg worker`` (bench/worker_jobs.py), time to
first decode of ``dynimg render`` and a throughput backlog (one process per core).
Prints tables (ratios dynimg/recipe, quality as differences) and writes bench/out/results.json.
Then, on the quick cases among those run, dynimg's formats against its own GIF (below).
``--formats`` only compares dynimg's output formats with its own GIF of the same clip: bytes,
SSIM-half, PSNR, time and peak RSS at default settings, and for each format with a ``Quality``
(and the recipe's WebP) the bytes at the GIF's SSIM-half, found by bisecting ``Quality``
(bench/equal_quality.py); it writes bench/out/formats.json.
Not a test: nothing here passes or fails.

Usage: python bench/run.py [--quick] [--runs 3] [--only CASE[,CASE...]] [--jobs 24]
       [--formats | --no-formats] [--lean] [--holdout]
``--lean``: dynimg, the recipe and the decode floor only (no gifski, gifsicle, VMAF, worker jobs
or backlog), for a loaded machine. ``--holdout``: the footage outside the corpus
(bench/holdout.py) instead of the corpus, results in bench/out/holdout.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import equal_quality
import holdout
import quality
import report
import stability
import tools
from corpus import FFMPEG, FORMATS, QUALITY_FORMATS, QUICK, VS_GIF_FORMATS, Case, cases
from throughput import backlog, jobs_per_minute
from worker_jobs import job_times

from dynimg.domain.templates import DynamicImageTemplateConfig

OUT = Path(__file__).parent / "out"
GIFSKI_QUALITIES = (50, 70, 85, 95)
LOSSY = 60
DYNIMG_QUALITY = DynamicImageTemplateConfig.__dataclass_fields__["quality"].default
"""dynimg's default ``Quality``, where the search at the GIF's SSIM-half starts."""
Stats = dict[str, float]


def measure(command: list[str]) -> Stats:
    """Wall, CPU (user+sys) and peak RSS of one process, via the small launcher."""
    launcher = [sys.executable, str(Path(__file__).parent / "measure.py"), *command]
    result = json.loads(subprocess.run(launcher, capture_output=True, check=True, text=True).stdout)
    if result.pop("code"):
        raise RuntimeError(f"{command[0]} failed: {result['stderr']}")
    result.pop("stderr")
    return result


def median_of(runs: int, command: list[str]) -> Stats:
    """Per-figure medians over ``runs`` runs of the command."""
    return alternated(runs, {"": command})[""]


def alternated(runs: int, commands: dict[str, list[str]]) -> dict[str, Stats]:
    """Per-figure medians over ``runs`` rounds, each running every command once in turn
    (A B A B ...): a drift in the machine's speed then weighs on every command alike, where
    three runs of one and then three of the other put it all into their ratio."""
    samples: dict[str, list[Stats]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(measure(command))
    return {
        name: {key: statistics.median(s[key] for s in runs_of) for key in runs_of[0]}
        for name, runs_of in samples.items()
    }


def steps(*measured: Stats) -> Stats:
    """Several processes run one after the other: times add up, peak RSS is the largest."""
    return {
        "wall": sum(s["wall"] for s in measured),
        "cpu": sum(s["cpu"] for s in measured),
        "rss_mb": max(s["rss_mb"] for s in measured),
    }


def first_decode(case: Case, runs: int) -> float:
    """Median seconds from the start of a ``dynimg render`` process to its first decoded frame."""
    hook = str(Path(__file__).parent / "first_decode.py")
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        command = tools.dynimg(case, "gif", Path(tmp) / "out.gif")
        command[:1] = [sys.executable, hook]
        for _ in range(runs):
            mark = Path(tmp) / "mark"
            env = {**os.environ, "BENCH_MARK": str(mark)}
            env["BENCH_T0"] = repr(time.clock_gettime(time.CLOCK_MONOTONIC))
            subprocess.run(command, env=env, check=True, capture_output=True)
            samples.append(float(mark.read_text().split()[0]))  # wall; CPU follows
    return statistics.median(samples)


def gif_comparators(case: Case, folder: Path, outputs: dict[str, Path]) -> dict[str, Stats]:
    """gifski at each quality (timed with the PNG export) and gifsicle post-passes, run once.

    A gifsicle row times the post-pass alone; its input's own time is in that tool's row.
    """
    found: dict[str, Stats] = {}
    gifski = tools.find_gifski()
    if gifski:
        frames = folder / "png"
        frames.mkdir(exist_ok=True)
        export = measure(tools.png_frames(case, frames))
        for q in GIFSKI_QUALITIES:
            name = f"gifski-q{q}"
            outputs[name] = folder / f"{name}.gif"
            command = tools.gifski_command(gifski, case, q, frames, outputs[name])
            found[name] = steps(export, measure(command))
    gifsicle = tools.find_gifsicle()
    if gifsicle:
        for base in ("recipe", "dynimg"):
            name = f"{base}+gifsicle"
            outputs[name] = folder / f"{name}.gif"
            post = measure(tools.gifsicle_command(gifsicle, outputs[base], LOSSY, outputs[name]))
            post["post_pass_only"] = 1.0
            found[name] = post
    return found


LEAN = False
"""``--lean``: dynimg and the recipe only (no gifski, gifsicle, worker jobs or backlog)."""


def run_format(case: Case, fmt: str, runs: int, refs: quality.Refs, vmaf: bool) -> dict:
    """Every tool on one case and format, with quality figures for each output."""
    folder = OUT / case.name
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {tool: folder / f"{tool}.{fmt}" for tool in ("dynimg", "recipe")}
    tools_run = alternated(
        runs,
        {
            "dynimg": tools.dynimg(case, fmt, outputs["dynimg"]),
            "recipe": tools.recipe(case, fmt, outputs["recipe"]),
        },
    )
    if fmt == "gif" and not LEAN:
        tools_run.update(gif_comparators(case, folder, outputs))
    for name, stats in tools_run.items():
        pairs, shift = quality.aligned(outputs[name], refs, case.seek, case.fps)
        stats.update(bytes=outputs[name].stat().st_size, shift=shift, **quality.score(pairs))
        stats.update(stability.flicker(pairs))
        if vmaf and not name.startswith("gifski"):
            stats["vmaf"] = quality.vmaf(pairs, FFMPEG, case.fps)
    result: dict = {"tools": tools_run, "ratios": report.ratios(tools_run)}
    if fmt == "gif":
        result["vs_gifski"] = report.vs_gifski(tools_run)
    return result


def run_case(case: Case, runs: int, vmaf: bool) -> dict:
    """Both formats and the time to first decode for one case; prints its rows."""
    refs = quality.reference_frames(case.source, case.seek, case.length, case.width)
    result: dict = {"note": case.note, "source": case.source.name, "seek": case.seek,
                    "length": case.length, "width": case.width, "fps": case.fps}  # fmt: skip
    for fmt in FORMATS:
        result[fmt] = run_format(case, fmt, runs, refs, vmaf)
        print(report.case_line(case.name, fmt, result[fmt]), flush=True)
    result["first_decode"] = first_decode(case, runs)
    result["floor"] = median_of(runs, stability.floor_command(case))
    return result


class Scored:
    """Renders of one tool and format at any Quality (untimed), as (bytes, SSIM-half).

    The frame offset against the source depends on the tool, not on Quality: found on the first
    render and reused, which saves about 40% of the scoring time of the later ones.
    """

    def __init__(self, case: Case, refs: quality.Refs, name: str, folder: Path) -> None:
        self.case, self.refs = case, refs
        self.fmt = name.removeprefix("recipe-")
        self.maker = tools.recipe if name.startswith("recipe-") else tools.dynimg
        self.output = folder / f"{name}.{self.fmt}"
        self.known: dict[int, tuple[int, float]] = {}
        self.shift: int | None = None

    def __call__(self, q: int) -> tuple[int, float]:
        if q in self.known:
            return self.known[q]
        command = self.maker(self.case, self.fmt, self.output, quality=q)
        subprocess.run(command, capture_output=True, check=True)
        pairs, self.shift = quality.aligned(
            self.output, self.refs, self.case.seek, self.case.fps, self.shift
        )
        return self.output.stat().st_size, quality.score(pairs)["ssim_half"]


def at_gif_ssim(case: Case, refs: quality.Refs, defaults: dict[str, Stats]) -> dict[str, dict]:
    """Every Quality format (and the recipe's WebP) bisected to the SSIM-half of dynimg's GIF,
    from the default Quality (whose render ``defaults`` holds already)."""
    gif = defaults["gif"]
    folder = OUT / case.name / "equal"
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, dict] = {}
    for name in (*QUALITY_FORMATS, "recipe-webp"):
        render = Scored(case, refs, name, folder)
        start = tools.RECIPE_QUALITY if name.startswith("recipe-") else DYNIMG_QUALITY
        if name in defaults:  # rendered at the default Quality already: reuse it
            default = defaults[name]
            render.known[start] = (int(default["bytes"]), default["ssim_half"])
            render.shift = int(default["shift"])
        match = equal_quality.match_ssim(render, gif["ssim_half"], start=start)
        found[name] = {
            "quality": match.quality,
            "bytes": match.bytes,
            "bytes_vs_gif": match.bytes / gif["bytes"],
            "reached": match.reached,
            "nearest_ssim_half": match.nearest.ssim,
            "points": [asdict(p) for p in match.points],
        }
    return found


def formats_vs_gif(case: Case, runs: int) -> dict[str, dict]:
    """dynimg's GIF and every other format of the same clip at default settings (costs, bytes,
    quality, vs GIF), then the Quality formats' bytes at the GIF's SSIM-half."""
    refs = quality.reference_frames(case.source, case.seek, case.length, case.width)
    folder = OUT / case.name
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, Stats] = {}
    for fmt in ("gif", *VS_GIF_FORMATS):
        output = folder / f"dynimg.{fmt}"
        stats = median_of(runs, tools.dynimg(case, fmt, output))
        pairs, shift = quality.aligned(output, refs, case.seek, case.fps)
        stats.update(bytes=output.stat().st_size, shift=shift, **quality.score(pairs))
        found[fmt] = stats
    gif = found["gif"]
    for stats in found.values():
        stats["bytes_vs_gif"] = stats["bytes"] / gif["bytes"]
        stats["dssim_vs_gif"] = stats["ssim_half"] - gif["ssim_half"]
    return {"default": found, "equal_ssim": at_gif_ssim(case, refs, found)}


def formats_cases(corpus: list[Case], runs: int) -> dict[str, dict]:
    """The format comparison of every case given, each printed as it ends."""
    found: dict[str, dict] = {}
    for case in corpus:
        started = time.monotonic()
        found[case.name] = formats_vs_gif(case, runs)
        found[case.name]["seconds"] = time.monotonic() - started
        print(report.formats_table(case.name, found[case.name]), flush=True)
    return found


def run_formats(corpus: list[Case], runs: int) -> None:
    """``--formats``: the format comparison only, printed and written to formats.json."""
    results: dict = {"meta": meta(False), "cases": formats_cases(corpus, runs)}
    print(report.formats_markdown(results["cases"]))
    OUT.mkdir(exist_ok=True)
    (OUT / "formats.json").write_text(json.dumps(results, indent=2))


def meta(vmaf: bool) -> dict:
    """Where and when: date, machine, load, tool versions."""
    version = subprocess.run([FFMPEG, "-version"], capture_output=True, text=True).stdout
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} CPU, {platform.platform()}",
        "python": platform.python_version(),
        "ffmpeg": version.split("\n", 1)[0],
        "load_before": os.getloadavg(),
        "vmaf": vmaf,
        "gifski": str(tools.find_gifski() or "missing"),
        "gifsicle": tools.find_gifsicle() or "missing",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 cases, 1 run, short backlog")
    parser.add_argument("--runs", type=int, help="runs per timing (default 3, --quick 1)")
    parser.add_argument("--only", help="cases of the corpus, e.g. screen-60 or a,b,c")
    parser.add_argument("--jobs", type=int, help="throughput backlog (default 24, --quick 6)")
    parser.add_argument("--formats", action="store_true", help="only formats vs dynimg's GIF")
    parser.add_argument("--lean", action="store_true", help="dynimg and the recipe only, no VMAF")
    parser.add_argument(
        "--no-formats", action="store_true", help="leave the formats vs GIF out of a full run"
    )
    parser.add_argument(
        "--holdout", action="store_true", help="footage outside the corpus (bench/holdout.py)"
    )
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    chosen_specs = holdout.specs() if args.holdout else None
    if args.formats:
        run_formats(cases(quick=args.quick, only=args.only, specs=chosen_specs), runs)
        return
    global LEAN
    LEAN = args.lean
    vmaf = quality.has_vmaf(FFMPEG) and not args.lean
    if not vmaf and not args.lean:
        print("VMAF skipped: imageio-ffmpeg's ffmpeg has no libvmaf filter")
    corpus = cases(quick=args.quick, only=args.only, specs=chosen_specs)
    results: dict = {"meta": meta(vmaf), "cases": {}}
    print(report.HEADER)
    for case in corpus:
        results["cases"][case.name] = run_case(case, runs, vmaf)
    if not args.lean:
        results["worker_jobs"] = job_times(corpus, FORMATS)
        work = backlog(corpus, args.jobs or (6 if args.quick else 24))
        cores = os.cpu_count() or 1
        results["throughput"] = {
            "jobs": len(work),
            "parallel": cores,
            "dynimg_jobs_per_min": jobs_per_minute(tools.dynimg, work, cores),
            "recipe_jobs_per_min": jobs_per_minute(tools.recipe, work, cores),
        }
    if not args.no_formats:
        # one timing run each: the figures wanted here are bytes at equal SSIM, not times
        chosen = [c for c in corpus if c.name in QUICK] or corpus
        results["formats"] = formats_cases(chosen, 1)
    results["meta"]["load_after"] = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    written = OUT / ("holdout.json" if args.holdout else "results.json")
    written.write_text(json.dumps(results, indent=2))  # first: tables may fail
    results["summary"] = report.summary(results["cases"])
    written.write_text(json.dumps(results, indent=2))
    print(report.tables(results))


if __name__ == "__main__":
    main()
