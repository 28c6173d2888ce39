"""Storyboards of a long video: dynimg's keyframe mode against decoding every frame, and both
against the equivalent ffmpeg command, in the same run.

A 10-minute 1080p H.264 video (30 fps, a keyframe every 2 s, made once with ffmpeg's testsrc2
into bench/out/) gets a WebVTT storyboard of one 160x90 picture every ``--interval`` seconds on
10x10 sprite sheets, four ways, each in its own process measured by bench/measure.py (wall,
CPU user+sys, peak RSS):

- dynimg ``FrameType=intra`` (only keyframe packets decoded),
- dynimg ``FrameType=normal`` (every frame decoded up to each picture),
- ``ffmpeg -skip_frame nokey -i V -vf fps=1/I,scale=160:90,tile=10x10``,
- the same ffmpeg command decoding every frame.

Prints a table (pictures per second of wall time, CPU seconds) and writes
bench/out/snapshots.json. Not a test: nothing here passes or fails.

Usage: python bench/snapshots.py [--minutes 10] [--interval 5] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import imageio_ffmpeg

OUT = Path(__file__).parent / "out"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CELL = (160, 90)
GRID = 10


def make_video(minutes: int) -> Path:
    """The long source, made once: 30 s of testsrc2 (moving patterns) at 1080p30 with a 2 s
    GOP, encoded once and repeated (stream copy) to the length: decoding it costs what any
    video of that length, size and GOP costs, and it is made in a twentieth of the time."""
    path = OUT / f"long-{minutes}min-1080p.mp4"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    segment = OUT / "segment-30s-1080p.mp4"
    run = [FFMPEG, "-nostdin", "-v", "error", "-y"]
    subprocess.run(
        [*run, "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=30", "-c:v",
         "libx264", "-preset", "veryfast", "-crf", "23", "-g", "60", "-pix_fmt", "yuv420p",
         str(segment)],
        check=True,
    )  # fmt: skip
    loops = str(minutes * 2 - 1)
    subprocess.run(
        [*run, "-stream_loop", loops, "-i", str(segment), "-c", "copy", str(path)], check=True
    )
    return path


def dynimg_child(video: Path, out: Path, frame_type: str, interval: int) -> None:
    """Runs in the measured process: one storyboard job in the engine, as a worker runs it."""
    from dynimg.adapters.media.engine import PyAvMediaEngine
    from dynimg.domain.limits import MediaLimits
    from dynimg.domain.snapshots import parse_snapshot_template_config

    config = parse_snapshot_template_config({
        "SnapshotType": "WebVttSnapshot",
        "SnapshotConfig": {
            "Count": 10000, "Interval": interval, "FrameType": frame_type,
            "Width": CELL[0], "Height": CELL[1],
            "SpriteSnapshotConfig": {"Columns": GRID, "Lines": GRID},
        },
    })  # fmt: skip
    # No deadline: decoding every frame of 10 minutes at 1080p outlasts a job's 300 s on a
    # loaded machine, and the point is to measure it.
    engine = PyAvMediaEngine(MediaLimits(max_render_seconds=7200))
    result = engine.snapshots(video, config, out)
    print(json.dumps({"pictures": len(result.times_ms)}))


def commands(video: Path, out: Path, interval: int) -> dict[str, list[str]]:
    me = [sys.executable, __file__, "--child", str(video), str(out)]
    graph = f"fps=1/{interval},scale={CELL[0]}:{CELL[1]},tile={GRID}x{GRID}"
    ffmpeg = [FFMPEG, "-nostdin", "-v", "error", "-y"]
    tail = ["-i", str(video), "-vf", graph, "-q:v", "3", str(out / "sheet-%03d.jpg")]
    return {
        "dynimg intra": [*me, "intra", str(interval)],
        "dynimg normal": [*me, "normal", str(interval)],
        "ffmpeg -skip_frame nokey": [*ffmpeg, "-skip_frame", "nokey", *tail],
        "ffmpeg every frame": [*ffmpeg, *tail],
    }


def measure(command: list[str]) -> dict[str, float]:
    launcher = [sys.executable, str(Path(__file__).parent / "measure.py"), *command]
    result = json.loads(subprocess.run(launcher, capture_output=True, check=True, text=True).stdout)
    if result.pop("code"):
        raise RuntimeError(f"{command[0]} failed: {result['stderr']}")
    result.pop("stderr", None)
    return {key: float(value) for key, value in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--interval", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        video, out, frame_type, interval = args.child
        dynimg_child(Path(video), Path(out), frame_type, int(interval))
        return
    video = make_video(args.minutes)
    pictures = args.minutes * 60 // args.interval
    rows = {}
    for name in commands(video, OUT, args.interval):
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as out:
                runs.append(measure(commands(video, Path(out), args.interval)[name]))
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        rss = max(r["rss_mb"] for r in runs)
        made = int(runs[0].get("pictures", pictures))
        rows[name] = {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss, "pictures": made,
                      "pictures_per_s": made / wall}  # fmt: skip
        print(f"{name:26} {made:5d} pictures  {wall:7.2f} s wall  {cpu:7.2f} CPU-s  "
              f"{made / wall:7.1f} pictures/s  {rss:6.0f} MB", flush=True)  # fmt: skip
    report = {"video": video.name, "minutes": args.minutes, "interval_s": args.interval,
              "cell": CELL, "grid": GRID, "runs": args.runs, "results": rows}  # fmt: skip
    (OUT / "snapshots.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
