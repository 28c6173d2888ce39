"""Runs one command and prints its wall time, CPU time and peak RSS as JSON.

A separate small launcher, because a child's peak RSS includes whatever its parent held when
it forked: measured from the (large) benchmark process, every tool would look as big as it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

if __name__ == "__main__":
    started = time.perf_counter()
    process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    result = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }
    if stdout.strip().startswith("{"):
        result.update(json.loads(stdout))
    print(json.dumps({"code": code, "stderr": stderr[-2000:], **result}))
