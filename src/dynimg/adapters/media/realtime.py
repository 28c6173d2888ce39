"""Keeps encoder threads out of real-time scheduling.

SVT-AV1 (the AVIF and MP4 encoder) switches the thread that opens it to ``SCHED_FIFO`` priority
99 whenever it is allowed to (as root, which is how containers usually run), and the dozens of
threads it then starts inherit that policy. A CPU-bound real-time thread is never preempted by
normal ones: while a worker encoded, the API, the database and the rest of the machine waited,
and every process the worker forked afterwards inherited the policy (a render that spun under
it could not even be killed by its own supervisor's timeout). dynimg opens the encoder, then
returns every such thread of its process to normal scheduling before any frame is encoded.
"""

from __future__ import annotations

import os

_REALTIME = frozenset(
    policy for name in ("SCHED_FIFO", "SCHED_RR") if (policy := getattr(os, name, None)) is not None
)


def demote_realtime_threads() -> int:
    """Move every thread of this process that runs under a real-time policy back to normal
    scheduling (``SCHED_OTHER``; its nice value is kept). Returns how many were moved."""
    if not _REALTIME or not os.path.isdir("/proc/self/task"):
        return 0  # not Linux: no encoder here changes scheduling
    moved = 0
    for name in os.listdir("/proc/self/task"):
        try:
            if os.sched_getscheduler(int(name)) in _REALTIME:
                os.sched_setscheduler(int(name), os.SCHED_OTHER, os.sched_param(0))
                moved += 1
        except (ProcessLookupError, PermissionError):
            continue  # the thread ended meanwhile, or was never ours to change
    return moved
