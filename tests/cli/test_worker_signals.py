"""``dynimg worker`` stops cleanly however its stop signals arrive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.server import dynimg_env, run_cli

STORM_SECONDS = 3.0


def _started_worker(home: Path) -> subprocess.Popen[str]:
    run_cli(home, "migrate")
    worker = subprocess.Popen(
        [sys.executable, "-m", "dynimg", "worker", "--concurrency", "1"],
        env=dynimg_env(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert worker.stdout is not None
    line = worker.stdout.readline()
    assert line.startswith("dynimg worker:"), line
    return worker


def test_a_burst_of_sigterms_still_ends_the_worker(tmp_path: Path) -> None:
    """The supervisor's SIGTERM and the parent-death SIGTERM can come together: no deadlock.

    (A handler that set a threading.Event hung here: a signal re-entering Event.set waited for
    the lock the interrupted call held.)
    """
    worker = _started_worker(tmp_path)
    try:
        # Signals for a few seconds, as fast as they can be sent, so some land mid-handler.
        deadline = time.monotonic() + STORM_SECONDS
        while worker.poll() is None and time.monotonic() < deadline:
            os.kill(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=40) == 0
    finally:
        worker.kill()
        worker.communicate()
