"""What a metrics scrape reports about the jobs: counts per state and the queue's age."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobsSnapshot:
    """Jobs per status (every status present, zero when none) and the queue's state."""

    by_status: dict[str, int]
    queued: int
    oldest_queued_seconds: float
    """How long the longest-waiting Queued job has waited since it was submitted; 0 if none."""
