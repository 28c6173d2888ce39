"""Nothing grows without bound: one ListDynamicImage answers at most the newest images, and
on-demand renders beyond an account's quota go, least recently served first."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dynimg.bootstrap import Services, build_services
from dynimg.domain.ids import new_resource_id as new_id
from dynimg.domain.jobs import DynamicImage
from dynimg.domain.on_demand import ON_DEMAND_TEMPLATE_ID, OnDemandRender, parse_params
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.snapshot_jobs import Snapshot, SnapshotJob
from dynimg.domain.snapshots import SnapshotType
from dynimg.domain.tasks import TaskKind
from dynimg.domain.templates import ImageFormat
from dynimg.domain.thumbnails import parse_thumbnail_params
from dynimg.services import images, on_demand
from dynimg.services.tasks import run_task
from dynimg.settings import load_settings
from tests.support import figures
from tests.support.clock import FixedClock
from tests.support.tenants import Announcements, Tenant, tenant

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


class StandInEngine:
    """Writes a few bytes for every render (what is checked is what is kept, not pictures)."""

    def render(
        self, source: Path, spec: RenderSpec, output: Path, on_progress: Any = None
    ) -> RenderResult:
        output.write_bytes(b"GIF89a-stand-in" * 100)
        return RenderResult(ImageFormat.GIF, 160, 120, 10.0, 10, 1000, output.stat().st_size)


def _serve(services: Services, who: Tenant, second: int) -> on_demand.Outcome:
    d = services.deps
    params = parse_params("gif", {"start": str(second), "end": str(second + 1)})
    request = on_demand.RenderRequest(str(who.account.uid), who.video_id, params)
    return on_demand.open_render(d.uow_factory, d.clock, Announcements(), request, 100)


@pytest.mark.timeout(60)
def test_on_demand_renders_beyond_the_quota_go_least_recently_served_first(
    any_db: Services,
) -> None:
    services = any_db
    who = tenant(services, "curious")
    clock = services.deps.clock
    assert isinstance(clock, FixedClock)
    deps = services.task_deps
    deps = dataclasses.replace(deps, jobs=dataclasses.replace(deps.jobs, engine=StandInEngine()))
    jobs = []
    for second in range(8):  # eight distinct URLs, a minute apart
        jobs.append(_serve(services, who, second).job_id)
        run_task(deps, TaskKind.RENDER, jobs[-1])
        clock.moment += timedelta(minutes=1)
    thumbnail = _thumbnail(services, who)  # the ninth: a thumbnail URL's render, served last
    clock.moment += timedelta(hours=1)
    for second in (0, 1):  # the two oldest are served again: they stay
        assert _serve(services, who, second).file is not None
    stored = _files(services, jobs)
    assert len(stored) == 8
    removed = on_demand.retire_renders(services.deps.uow_factory, services.deps.storage, 6)
    assert removed == 3
    assert services.deps.storage.exists(thumbnail), "served after 2, 3 and 4: kept"
    kept = _files(services, jobs)
    assert sorted(kept) == sorted(stored[n] for n in (0, 1, 5, 6, 7))
    gone = [stored[n] for n in (2, 3, 4)]
    assert not any(services.deps.storage.exists(key) for key in gone), "files go with the rows"
    with services.deps.uow_factory() as uow:
        assert [uow.jobs.get(None, jobs[n]) for n in (2, 3, 4)] == [None] * 3
        left = uow.on_demand.least_served(who.account.id, 0, 100)
    assert [render.job_id for render in left][:3] == [jobs[n] for n in (5, 6, 7)]
    assert [render.job_id for render in left][4:] == [jobs[n] for n in (0, 1)]
    assert on_demand.retire_renders(services.deps.uow_factory, services.deps.storage, 6) == 0
    assert on_demand.retire_renders(services.deps.uow_factory, services.deps.storage, 2) == 4
    assert not services.deps.storage.exists(thumbnail), "thumbnails go too, with their files"
    with services.deps.uow_factory() as uow:
        assert [render.job_id for render in uow.on_demand.least_served(who.account.id, 0, 9)] == [
            jobs[0],
            jobs[1],
        ]
    again = _serve(services, who, 2)
    assert again.file is None and again.job_id not in jobs, "a removed URL renders again"
    name = services.settings.effective_database_url.split(":")[0]
    figures.record(
        SUITE, f"8 animated and 1 thumbnail on-demand URLs, a quota of 6 ({name}): "
        "housekeeping removed the 3 least recently served (rows, jobs, images and files), kept "
        "the 2 oldest that were served again; at a quota of 2 the thumbnail went too, its "
        "snapshot rows and file with it; a removed URL renders again when requested",
    )  # fmt: skip


def _thumbnail(services: Services, who: Tenant) -> str:
    """A finished on-demand thumbnail of the tenant's video, stored as its job would; its key."""
    d, now = services.deps, services.deps.clock.now()
    params = parse_thumbnail_params("jpg", {"time": "1"})
    job = SnapshotJob.queued(
        who.account.id, who.video_id, ON_DEMAND_TEMPLATE_ID, params.snapshot_config(), now
    )
    key = f"{who.video_id}/snapshots/{job.id}/1.jpg"
    d.storage.put(key, iter([b"not really a JPEG"]))
    with d.uow_factory() as uow:
        uow.snapshot_jobs.add(job)
        claim = uow.snapshot_jobs.claim(job.id, now, now + timedelta(minutes=1))
        assert claim is not None and uow.snapshot_jobs.finish(job.id, claim.attempt, now, None)
        picture = (new_id(), who.account.id, who.video_id, job.id, SnapshotType.THUMBNAIL, 1)
        uow.snapshots.add(Snapshot(*picture, 160, 90, 17, key, now, 1000))
        assert uow.on_demand.claim(
            OnDemandRender(who.account.id, who.video_id, params.key, job.id, now)
        )
        uow.commit()
    return key


def _files(services: Services, jobs: list[str]) -> list[str]:
    """The storage keys of the images the jobs made, in the jobs' order (those still there)."""
    with services.deps.uow_factory() as uow:
        found = [uow.jobs.get(None, job_id) for job_id in jobs]
        images = [uow.images.get(job.dynamic_image_id) for job in found if job is not None]
    return [image.storage_key for image in images if image is not None]
