"""The worker processes ``dynimg serve`` runs beside itself, restarted if they die.

Rendering is CPU-heavy and partly holds the GIL, so workers never run in the API's process:
each is a ``dynimg worker`` child (niced, so the API keeps answering while every core renders)
that dies with its parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger("dynimg.supervisor")
RESTART_DELAY = 1.0
WORKER_NICENESS = 10
"""Under the kernel's fair scheduler a nice-10 worker weighs about a tenth of the API process,
so requests get a core within a time slice even while every core renders."""
_PR_SET_PDEATHSIG = 1


class WorkerSupervisor:
    """Keeps ``count`` worker processes running until :meth:`stop`.

    ``env`` overrides the children's environment: settings given to ``serve`` on its command
    line (host, port) must reach the workers, which build file URLs from them.
    """

    def __init__(self, count: int, queue_url: str, env: dict[str, str]) -> None:
        self._env = {**os.environ, **env}
        # With a broker, one Celery worker forks ``count`` children; without, each process
        # is a one-thread pool polling the database, so one process per core.
        celery = not queue_url.startswith("memory:")
        self._commands = (
            [_worker_command(count)] if celery and count else [_worker_command(1)] * count
        )
        self._processes: list[subprocess.Popen[bytes] | None] = [None] * len(self._commands)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="dynimg-supervisor", daemon=True)

    def start(self) -> None:
        for index in range(len(self._commands)):
            self._spawn(index)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Ask every worker to finish its task and exit; kill those that do not in time."""
        self._stop.set()
        running = [p for p in self._processes if p is not None and p.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _spawn(self, index: int) -> None:
        # The command is dynimg's own interpreter and arguments, never user input.
        self._processes[index] = subprocess.Popen(  # noqa: S603
            self._commands[index], env=self._env, preexec_fn=_child_setup, close_fds=True
        )

    def _watch(self) -> None:
        while not self._stop.wait(RESTART_DELAY):
            for index, process in enumerate(self._processes):
                if process is not None and process.poll() is not None and not self._stop.is_set():
                    log.warning("worker process %s exited (%s); restarting it",
                                process.pid, process.returncode)  # fmt: skip
                    self._spawn(index)


def _worker_command(concurrency: int) -> list[str]:
    return [sys.executable, "-m", "dynimg", "worker", "--concurrency", str(concurrency)]


def _child_setup() -> None:
    """In the child before exec: lower priority, and die when the parent dies (Linux)."""
    os.nice(WORKER_NICENESS)
    # Not on Linux, the child outlives a killed parent until it is stopped.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
