"""Runs many ``dynimg`` CLI invocations, each in a forked process of its own, N at a time.

``python -m tests.support.fork_render JOBS.json PARALLEL`` imports dynimg's CLI and media stack
once, then forks one child per job; the child runs ``dynimg ARGS`` exactly as the console
script does (same ``main``, same error handling), with its stdout and stderr in files, and
writes its peak RSS (VmHWM, which counts what it inherited) as it exits. A child that outlives
its timeout is killed. Forking saves the ~1 s of imports each fresh interpreter would spend,
which is what lets a corpus of hundreds of files run in CI. Prints one JSON result per job.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def _child(job: dict[str, Any]) -> None:
    out = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(err, 2)
    code: int = 0
    try:
        from dynimg.cli import main

        main(args=job["args"], prog_name="dynimg")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    status = Path("/proc/self/status").read_text()
    peak = re.search(r"VmHWM:\s+(\d+)", status)
    Path(job["peak"]).write_text(peak[1] if peak else "")
    os._exit(code)


def _start(job: dict[str, Any]) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            _child(job)
        finally:
            os._exit(70)
    return pid


def run(jobs: list[dict[str, Any]], parallel: int) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = [{} for _ in jobs]
    pending = list(enumerate(jobs))
    running: dict[int, tuple[int, float, float]] = {}  # pid -> (index, started, deadline)
    while pending or running:
        while pending and len(running) < parallel:
            index, job = pending.pop(0)
            now = time.monotonic()
            running[_start(job)] = (index, now, now + job["timeout"])
        for pid, (index, started, deadline) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0 and time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                results[index] = {"returncode": None, "seconds": time.monotonic() - started}
                del running[pid]
            elif done:
                code = os.waitstatus_to_exitcode(status)
                results[index] = {"returncode": code, "seconds": time.monotonic() - started}
                del running[pid]
        time.sleep(0.005)
    return results


def main() -> None:
    jobs = json.loads(Path(sys.argv[1]).read_text())
    # Import what `dynimg render` imports before forking, as a warm interpreter would have it.
    from dynimg.cli import COMMANDS
    from dynimg.cli import main as cli

    assert cli is not None
    __import__(COMMANDS["render"].partition(":")[0])
    print(json.dumps(run(jobs, int(sys.argv[2]))))


if __name__ == "__main__":
    main()
