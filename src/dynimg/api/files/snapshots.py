"""Serving snapshot files at their signed URLs: ``/{VideoId}/snapshots/{JobId}/{name}``.

Pictures and sheets are served like animated images; a WebVTT storyboard is served with the
pictures its cues name signed until the storyboard's own URL expires, so a player's thumbnail
track loads it as it is.
"""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from dynimg.api.files.images import ImageFiles, ServedFile, forbidden, not_found
from dynimg.api.wiring import Services
from dynimg.domain.snapshot_jobs import Snapshot
from dynimg.domain.snapshots import SnapshotType
from dynimg.domain.thumbnails import MEDIA_TYPES
from dynimg.services.snapshots import SnapshotFileView, snapshot_file

VTT_TYPE = "text/vtt; charset=utf-8"


class SnapshotFiles:
    """GET and HEAD of snapshot files, with the animated images' checks and headers."""

    def __init__(self, services: Services, files: ImageFiles) -> None:
        self._services, self._deps, self._files = services, services.deps, files

    async def __call__(self, request: Request) -> Response:
        expires = self._files.signed_until(request)
        if expires is None:
            return forbidden()
        s = self._deps
        view = await run_in_threadpool(
            snapshot_file, s.uow_factory, s.storage, s.delivery, request.url.path, expires
        )
        if view is None:
            return not_found()
        return await self._files.respond(request, served(view, expires), expires, int(time.time()))


def served(view: SnapshotFileView, expires: int) -> ServedFile:
    """A snapshot file as its URL serves it (a storyboard's ETag changes with its signatures)."""
    snapshot = view.snapshot
    if snapshot.type is SnapshotType.WEBVTT and view.text is not None:
        body = view.text.encode("utf-8")
        return ServedFile(
            f"{snapshot.id}-{expires}", snapshot.storage_key, len(body), VTT_TYPE,
            snapshot.created_at, body,
        )  # fmt: skip
    return served_snapshot(snapshot)


def served_snapshot(snapshot: Snapshot) -> ServedFile:
    """A picture or sprite sheet, typed by its extension (JPEG but for a thumbnail)."""
    media_type = MEDIA_TYPES.get(snapshot.storage_key.rsplit(".", 1)[-1], "image/jpeg")
    return ServedFile(
        snapshot.id, snapshot.storage_key, snapshot.file_size, media_type, snapshot.created_at
    )
