"""Throughput: a backlog of mixed jobs, one process per core, dynimg against the recipe.

Each job is a fresh ``dynimg render`` (or ffmpeg recipe) process; ``cores`` of them run at a
time until the backlog is empty. The figure is jobs per minute of wall time.
"""

from __future__ import annotations

import itertools
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from corpus import Case

Command = Callable[[Case, str, Path], list[str]]


def backlog(cases: list[Case], jobs: int) -> list[tuple[Case, str]]:
    """``jobs`` (case, format) pairs, cycling through the corpus and both formats."""
    pairs = [(case, fmt) for case in cases for fmt in ("gif", "webp")]
    return list(itertools.islice(itertools.cycle(pairs), jobs))


def jobs_per_minute(command: Command, work: list[tuple[Case, str]], cores: int) -> float:
    """Run the backlog through ``cores`` parallel processes; jobs per minute of wall time."""
    with tempfile.TemporaryDirectory() as tmp:

        def one(item: tuple[int, tuple[Case, str]]) -> None:
            index, (case, fmt) = item
            out = Path(tmp) / f"{index}.{fmt}"
            subprocess.run(command(case, fmt, out), check=True, capture_output=True)
            out.unlink()

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=cores) as pool:
            list(pool.map(one, enumerate(work)))
        return len(work) * 60 / (time.perf_counter() - started)
