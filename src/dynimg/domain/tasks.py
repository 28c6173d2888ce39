"""Background work as task kinds, each with a durable row and the same claim-and-fence rules.

Every piece of background work is a ``(kind, ref)`` pair: the kind names the handler, the ref
is the id of the row that holds the work's state of record (a job, an upload to probe, an
event to deliver). A dispatcher only *announces* such pairs; the database decides who runs
them. So a message that is lost delays work until the sweeper announces it again, and a
message delivered twice finds the row already claimed and does nothing.

Periodic kinds (the sweep and housekeeping) have no row of their own: a run claims the next
slot of a ``periodic_runs`` row by compare-and-set, so each runs once per interval across the
cluster however many workers tick.

::

    Queued ──claim──▶ Running ──▶ Done
      ▲                 │  │
      └─retry / lease───┘  └──▶ Failed
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dynimg.domain.work import Backoff, RetryPolicy


class TaskKind(StrEnum):
    """What a dispatcher can announce."""

    RENDER = "render"
    """Render an animated-image job (ref: the job id)."""
    PROBE = "probe"
    """Probe an uploaded file and settle its status (ref: the video or media id)."""
    SNAPSHOT = "snapshot"
    """Take a snapshot job's pictures (ref: the snapshot job id)."""
    URL_UPLOAD = "url_upload"
    """Import a file from a URL as a video (ref: the import's JobId)."""
    DELIVER = "deliver"
    """Deliver one callback event (ref: the outbox message id)."""
    SWEEP = "sweep"
    """Periodic: recover work whose worker died and announce work nobody picked up."""
    HOUSEKEEPING = "housekeeping"
    """Periodic: purge expired nonces, upload grants and abandoned multipart uploads."""


PERIODIC: dict[TaskKind, timedelta] = {
    TaskKind.SWEEP: timedelta(seconds=3),
    TaskKind.HOUSEKEEPING: timedelta(minutes=5),
}
"""How often each periodic kind runs across the whole cluster."""

REANNOUNCE_AFTER = timedelta(seconds=60)
"""Due work announced this long ago and still not claimed is announced again.

Long enough that a backlog does not fill the broker with duplicates of messages that are
still waiting there; short enough that work whose message was lost is not delayed long.
"""


class TaskState(StrEnum):
    """Where a task row is in its life."""

    QUEUED = "Queued"
    RUNNING = "Running"
    DONE = "Done"
    FAILED = "Failed"


PROBE_POLICY = RetryPolicy(
    lease=timedelta(minutes=2),
    max_attempts=3,
    backoff=Backoff(timedelta(seconds=5)),
    outage_attempts=10,
    outage_backoff=Backoff(timedelta(seconds=15), cap=timedelta(minutes=10)),
)
"""Probing reads headers and a few packets: two minutes is far beyond any healthy probe.
A crash is retried after 5 s, 10 s (three attempts, then the upload fails visibly); storage
that fails waits like a job's (ten attempts, 15 s doubling up to 10 min)."""


@dataclass(frozen=True)
class Task:
    """A durable unit of background work with no table of its own (probing an upload)."""

    kind: TaskKind
    ref: str
    target: str
    """What ``ref`` names (``video`` or ``media``)."""
    state: TaskState
    attempt: int
    next_run_at: datetime
    created_at: datetime
    lease_until: datetime | None = None
    last_error: str = ""
    crashes: int = 0
    """Attempts that crashed or whose worker died (outages do not count)."""
