"""The job gauges count the jobs table at most once per period, however often scrapes come."""

from __future__ import annotations

from dynimg.domain.monitoring import JobsSnapshot
from dynimg.services.monitoring import CachedSnapshot


def test_scrapes_within_the_period_reuse_one_count() -> None:
    counts: list[int] = []
    clock = [0.0]

    def count() -> JobsSnapshot:
        counts.append(1)
        return JobsSnapshot({"Queued": len(counts)}, len(counts), 0.0)

    cached = CachedSnapshot(count, seconds=15, now=lambda: clock[0])
    assert [cached().queued for _ in range(50)] == [1] * 50
    assert len(counts) == 1, "fifty scrapes, one count"
    clock[0] = 15.0  # the passing half: the count is refreshed once the period is over
    assert cached().queued == 2
    assert CachedSnapshot(count, seconds=0, now=lambda: clock[0])().queued == 3
