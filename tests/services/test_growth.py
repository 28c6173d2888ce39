"""Nothing grows without bound: one ListDynamicImage answers at most the newest images."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from dynimg.bootstrap import Services, build_services
from dynimg.domain.ids import new_resource_id as new_id
from dynimg.domain.jobs import DynamicImage
from dynimg.services import images
from dynimg.settings import load_settings
from tests.support import figures
from tests.support.clock import FixedClock
from tests.support.tenants import Tenant, tenant

SUITE = "growth without bound (tests/services/test_growth.py)"
MANY = 5000


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}), clock=FixedClock())
    yield built
    built.close()


def _add_images(services: Services, who: Tenant, count: int) -> list[str]:
    """``count`` image rows of the tenant's video, a second apart, oldest first."""
    start = services.deps.clock.now()
    ids = [new_id() for _ in range(count)]
    with services.deps.uow_factory() as uow:
        for n, image_id in enumerate(ids):
            key = f"{who.video_id}/image/dynamic/{image_id}.gif"
            at = start + timedelta(seconds=n)
            row = (image_id, who.account.id, who.video_id, new_id(), "gif", 160, 120, "10")
            uow.images.add(DynamicImage(*row, 1000, 100, key, at))
        uow.commit()
    return ids


@pytest.mark.timeout(60)
def test_one_list_answers_at_most_the_newest_images(services: Services) -> None:
    who = tenant(services, "prolific")
    added = _add_images(services, who, MANY)
    most = services.settings.list_images_max

    def timed(cap: int | None) -> tuple[float, list[images.ImageView]]:
        """The best of three calls (a loaded machine's noise is all on one side)."""
        best, listed = float("inf"), []
        for _ in range(3):
            started = time.perf_counter()
            listed = images.list_images(services.deps, who.account, who.video_id, cap)
            best = min(best, time.perf_counter() - started)
        return best, listed

    capped, listed = timed(most)
    assert [view.image.id for view in listed] == added[-most:], "the newest, oldest first"
    uncapped, every = timed(None)
    assert len(every) == MANY, "the console's pages and deletions still see them all"
    few = images.list_images(services.deps, who.account, who.video_id, 3)
    assert [view.image.id for view in few] == added[-3:]
    figures.record(
        SUITE, f"ListDynamicImage of a video with {MANY} images: {len(listed)} (the cap) in "
        f"{capped * 1000:.0f} ms; all of them took {uncapped * 1000:.0f} ms",
    )  # fmt: skip
