"""Work files of one process, in a directory of its own that a process started later removes
once its owner is gone.

Renders, previews and covers write their files in temporary directories and remove them when
done; a worker killed mid-job (the out-of-memory killer, a deploy, ``kill -9``) cannot, and
every such death used to leave its directory in /tmp for good. Each process now works in a
directory under one root, marked live by an advisory lock (``flock``) that the kernel releases
when the process dies, however it dies; every process that claims a directory first removes
those whose lock it can take. A worker restarted at once after being killed removes what the
killed one left.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import secrets
import shutil
import threading
import time
from pathlib import Path

LOCK_SUFFIX = ".lock"
CLAIMING_SUFFIX = ".claiming"
"""A lock file before it is locked: renamed to ``*.lock`` once it is, so that a ``*.lock`` file
that is not locked always means a process that is gone."""
SETTLE_SECONDS = 60.0
"""A ``*.claiming`` file older than this was left by a process killed while claiming."""
SWEEP_INTERVAL = 600.0
"""A process that lives on sweeps again when it next needs its directory this many seconds
after its last sweep: a sibling on the same root (another worker, another node of a shared
storage root) that died meanwhile would otherwise wait for the next process start."""


class ScratchSpace:
    """This process's scratch directory under ``root``, held while the process lives.

    Creating one removes the directories of processes that are gone (see :func:`sweep`).
    A forked child that inherits it must not use it as its own: :meth:`close` does nothing
    outside the process that created it, and :attr:`pid` tells callers to claim another.
    """

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.swept = sweep(root)
        """How many abandoned directories were removed when this one was claimed."""
        self.pid = os.getpid()
        name = f"{self.pid}-{secrets.token_hex(4)}"
        claiming = root / f"{name}{CLAIMING_SUFFIX}"
        self._lock = os.open(claiming, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX)  # held by the file, whatever its name
        self._lock_path = claiming.rename(root / f"{name}{LOCK_SUFFIX}")
        self.path = root / name
        self.path.mkdir(mode=0o700)

    def close(self) -> None:
        """Remove the directory and release it (only in the process that claimed it)."""
        if os.getpid() != self.pid or self._lock < 0:
            return
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock_path.unlink(missing_ok=True)
        os.close(self._lock)
        self._lock = -1


def sweep(root: Path) -> int:
    """Remove the scratch directories under ``root`` whose processes are gone; their number."""
    removed = 0
    for lock_path in root.glob(f"*{LOCK_SUFFIX}"):
        with contextlib.suppress(OSError):
            removed += int(_remove_if_abandoned(lock_path))
    cutoff = time.time() - SETTLE_SECONDS
    for claiming in root.glob(f"*{CLAIMING_SUFFIX}"):
        with contextlib.suppress(OSError):
            if claiming.stat().st_mtime < cutoff:
                claiming.unlink()
    return removed


def _remove_if_abandoned(lock_path: Path) -> bool:
    descriptor = os.open(lock_path, os.O_RDWR)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its process (or a child it forked) still holds it
        shutil.rmtree(lock_path.with_suffix(""), ignore_errors=True)
        lock_path.unlink(missing_ok=True)
        return True
    finally:
        os.close(descriptor)


class ProcessScratch:
    """A :class:`ScratchSpace` under ``root`` for whichever process asks: claimed on first use,
    and claimed again in a forked child (which must not share its parent's). Abandoned
    directories under ``root`` are removed when this is made, even if it is never used, and
    again at a use ``sweep_interval`` seconds or more after the last sweep.
    """

    def __init__(self, root: Path, sweep_interval: float = SWEEP_INTERVAL) -> None:
        self._root = root
        self._space: ScratchSpace | None = None
        self._claiming = threading.Lock()  # worker threads ask at once: one directory, not two
        self._sweep_interval = sweep_interval
        self._swept_at = time.monotonic()
        if root.is_dir():
            sweep(root)

    def path(self) -> Path:
        """This process's directory (claimed now if it is not yet, or no longer exists: an
        operator emptied the root, or its disk was replaced)."""
        with self._claiming:
            space = self._space
            if space is None or space.pid != os.getpid() or not space.path.is_dir():
                if space is not None:
                    space.close()  # releases the lock of a directory that is gone
                self._space = space = ScratchSpace(self._root)
                self._swept_at = time.monotonic()
                # Removed at a normal exit; after any other, by the next process to claim one.
                atexit.register(space.close)
            elif time.monotonic() - self._swept_at >= self._sweep_interval:
                sweep(self._root)
                self._swept_at = time.monotonic()
            return space.path

    def close(self) -> None:
        """Remove this process's directory now, if it claimed one."""
        if self._space is not None:
            self._space.close()
