"""Scratch directories: a process killed mid-job leaves its work files only until the next
process claims one; a live process's files are never taken; frames spilled to disk have no
name to leave behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from dynimg.adapters.media.frame_store import FrameStore
from dynimg.adapters.scratch import ProcessScratch, ScratchSpace
from dynimg.adapters.storage.local import INCOMING, LocalStorage
from dynimg.bootstrap import build_services
from dynimg.settings import load_settings

UPLOADER = """
import sys, time
from pathlib import Path
from dynimg.adapters.storage.local import LocalStorage

def chunks():
    yield b"x" * 65536
    print("writing", flush=True)
    time.sleep(600)

LocalStorage(Path(sys.argv[1])).put("video/v1/source.mp4", chunks())
"""
HOLDER = """
import sys, time
from pathlib import Path
from dynimg.adapters.scratch import ScratchSpace
space = ScratchSpace(Path(sys.argv[1]))
(space.path / "half-written.gif").write_bytes(b"x" * 4096)
print(space.path, flush=True)
time.sleep(600)
"""


@contextlib.contextmanager
def holding(root: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A process that claimed a scratch directory under ``root``, wrote into it and lives on
    (until the test kills it, or the block ends)."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root)], stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            yield process, Path(process.stdout.readline().strip())
        finally:
            process.kill()


def test_a_killed_process_directory_goes_with_the_next_claim(tmp_path: Path) -> None:
    with holding(tmp_path) as (process, held):
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert (held / "half-written.gif").exists()  # nothing of the killed process ran

    mine = ScratchSpace(tmp_path)
    try:
        assert mine.swept == 1
        assert not held.exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [mine.path.name, f"{mine.path.name}.lock"]
        )
    finally:
        mine.close()
    assert list(tmp_path.iterdir()) == []


def test_a_live_process_directory_is_left_alone(tmp_path: Path) -> None:
    with holding(tmp_path) as (_, held):
        mine = ScratchSpace(tmp_path)
        mine.close()
        assert mine.swept == 0
        assert (held / "half-written.gif").exists()


def test_a_forked_child_does_not_remove_its_parents_directory(tmp_path: Path) -> None:
    mine = ScratchSpace(tmp_path)
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's exit status is checked below
        mine.close()
        os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert mine.path.is_dir()
    mine.close()
    assert not mine.path.exists()


def test_an_upload_cut_by_a_kill_is_removed_when_storage_is_next_opened(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", UPLOADER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stdout.readline() == "writing\n"
        process.kill()
    partial = list(tmp_path.glob(".incoming/*/upload-*"))
    assert len(partial) == 1 and partial[0].stat().st_size == 65536
    assert [p for p in tmp_path.rglob("*") if p.is_file() and ".incoming" not in p.parts] == []

    storage = LocalStorage(tmp_path)
    assert not partial[0].exists()
    storage.put("video/v1/source.mp4", iter([b"whole"]))
    assert b"".join(storage.open_range("video/v1/source.mp4")) == b"whole"
    assert list(tmp_path.glob(".incoming/*/upload-*")) == []


def test_spilled_frames_leave_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    frames = [np.full((4, 6, 3), value, dtype=np.uint8) for value in range(5)]
    store = FrameStore(memory_budget=2 * frames[0].nbytes)
    for frame in frames:
        store.append(frame)
    try:
        assert list(tmp_path.iterdir()) == []  # spilled, yet nothing a kill could leave
        assert [int(f[0, 0, 0]) for f in store] == list(range(5))
        assert int(store[4][3, 5, 2]) == 4 and int(store[1][0, 0, 0]) == 1
    finally:
        store.close()


def test_threads_of_one_process_share_one_directory(tmp_path: Path) -> None:
    scratch = ProcessScratch(tmp_path)
    start = threading.Barrier(8)

    def claim() -> Path:
        start.wait()
        return scratch.path()

    with ThreadPoolExecutor(8) as pool:
        paths = set(pool.map(lambda _: claim(), range(8)))
    scratch.close()
    assert len(paths) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_directory_removed_under_a_live_process_is_claimed_again(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "objects")
    storage.put("a/one", iter([b"1"]))
    shutil.rmtree(tmp_path / "objects")  # emptied by an operator, or a new disk mounted
    storage.put("a/two", iter([b"2"]))
    assert b"".join(storage.open_range("a/two")) == b"2"
    assert len(list((tmp_path / "objects" / INCOMING).glob("*.lock"))) == 1


def test_building_the_services_removes_what_dead_processes_left(tmp_path: Path) -> None:
    root = tmp_path / "scratch"
    (root / "1-dead" / "job-x").mkdir(parents=True)
    (root / "1-dead.lock").touch()  # nobody holds it: the worker was killed
    services = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}))
    try:
        assert list(root.iterdir()) == []  # before any job asked for a directory
        assert services.deps.scratch().parent == root
    finally:
        services.close()
    assert list(root.iterdir()) == []


@pytest.mark.parametrize("interval, swept", [(0.0, True), (600.0, False)])
def test_a_process_that_lives_on_sweeps_again_after_an_interval(
    tmp_path: Path, interval: float, swept: bool
) -> None:
    scratch = ProcessScratch(tmp_path, sweep_interval=interval)
    try:
        mine = scratch.path()
        with holding(tmp_path) as (process, held):  # a sibling that dies while this one lives
            process.send_signal(signal.SIGKILL)
            process.wait()
        assert scratch.path() == mine
        assert held.exists() is not swept
    finally:
        scratch.close()
