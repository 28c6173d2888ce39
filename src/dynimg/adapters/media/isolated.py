"""A media engine that renders in a few child processes of its own, for renders asked for by
the API process (the console's previews).

Rendering inside the API process cost every other request: 40 previews at once took it from
186 MB to 1.3 GB, and decoding shared its interpreter with the requests of every account (their
calls about 100 times slower). Here a render runs in one of ``processes`` spawned children,
niced so the API's requests come first; what a render allocates is the child's, and a child is
replaced after ``MAX_TASKS_PER_CHILD`` renders so fragmentation cannot pile up. Probing and
image headers are cheap and stay in the calling process. The pool starts on the first render,
so a process that never previews starts no child.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.limits import MediaLimits
from dynimg.domain.media import MediaInfo
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.snapshots import SnapshotConfig
from dynimg.domain.storyboard import SnapshotOutput

MAX_TASKS_PER_CHILD = 50
NICENESS = 10
_child_engine: PyAvMediaEngine | None = None


class IsolatedEngine:
    """Implements ``ports.MediaEngine``: renders and snapshots in child processes."""

    def __init__(self, limits: MediaLimits, processes: int = 2) -> None:
        self._limits, self._processes = limits, processes
        self._local = PyAvMediaEngine(limits)
        self._pool: tuple[int, ProcessPoolExecutor] | None = None
        self._lock = threading.Lock()

    def probe(self, path: Path) -> MediaInfo:
        return self._local.probe(path)

    def image_size(self, path: Path) -> tuple[int, int]:
        return self._local.image_size(path)

    def animation_to_video(self, path: Path, output: Path) -> MediaInfo | None:
        return self._executor().submit(_animation_to_video, path, output).result()

    def render(
        self,
        source: Path,
        spec: RenderSpec,
        output: Path,
        on_progress: Callable[[float], None] | None = None,
    ) -> RenderResult:
        return self._executor().submit(_render, source, spec, output).result()

    def snapshots(
        self,
        source: Path,
        config: SnapshotConfig,
        output: Path,
        on_progress: Callable[[float], None] | None = None,
    ) -> SnapshotOutput:
        return self._executor().submit(_snapshots, source, config, output).result()

    def close(self) -> None:
        """Stop the children of this process (a forked child leaves its parent's alone)."""
        with self._lock:
            if self._pool is not None and self._pool[0] == os.getpid():
                self._pool[1].shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or self._pool[0] != os.getpid():
                executor = ProcessPoolExecutor(
                    self._processes, multiprocessing.get_context("spawn"),
                    initializer=_start_child, initargs=(self._limits,),
                    max_tasks_per_child=MAX_TASKS_PER_CHILD,
                )  # fmt: skip
                self._pool = (os.getpid(), executor)
            return self._pool[1]


def _start_child(limits: MediaLimits) -> None:
    global _child_engine
    os.nice(NICENESS)
    _child_engine = PyAvMediaEngine(limits)


def _engine() -> PyAvMediaEngine:
    assert _child_engine is not None, "the child's initializer builds its engine"
    return _child_engine


def _render(source: Path, spec: RenderSpec, output: Path) -> RenderResult:
    return _engine().render(source, spec, output)


def _snapshots(source: Path, config: SnapshotConfig, output: Path) -> SnapshotOutput:
    return _engine().snapshots(source, config, output)


def _animation_to_video(path: Path, output: Path) -> MediaInfo | None:
    return _engine().animation_to_video(path, output)
