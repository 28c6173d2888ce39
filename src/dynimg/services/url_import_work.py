"""Importing a file from a URL as a kind of durable work on the one lifecycle.

An attempt downloads the file straight into storage under its video's key (never held whole;
storage writes it atomically, so a failed attempt leaves nothing), counting the bytes as they
arrive: each chunk is a sign of life for the heartbeat, and the count is recorded about once a
second for GetURLUploadInfos. Success settles the video as an upload does (``UploadSucc`` and a
probe task in the same transaction); giving up fails the import and its video with the reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.tasks import Task, TaskKind, TaskState
from dynimg.domain.uploads import UploadTarget
from dynimg.domain.url_uploads import (
    EVENT_UPLOAD_BY_URL_COMPLETE,
    URL_UPLOAD_POLICY,
    UrlUpload,
    UrlUploadStatus,
    upload_by_url_complete,
)
from dynimg.domain.videos import VideoStatus
from dynimg.domain.work import Claim, Fault, FaultKind
from dynimg.errors import DynimgError, FetchFailed, ObjectTooLarge, VideoNotFound
from dynimg.ports import Clock, Dispatcher, Storage, StoredObject, UnitOfWork, UnitOfWorkFactory
from dynimg.ports.fetching import UrlFetcher
from dynimg.ports.metrics import Metrics, NullMetrics
from dynimg.ports.work import WorkQueue
from dynimg.services import lifecycle
from dynimg.services.heartbeat import Liveness

log = logging.getLogger("dynimg.url_imports")
PROGRESS_SECONDS = 1.0


@dataclass(frozen=True)
class UrlImportDeps:
    """What importing from URLs needs, and its limits (``DYNIMG_URL_UPLOAD_*``)."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    storage: Storage
    dispatcher: Dispatcher
    fetcher: UrlFetcher
    max_bytes: int
    deadline_seconds: float
    metrics: Metrics = field(default_factory=NullMetrics)
    """An imported file counts into ``dynimg_upload_bytes`` as an uploaded one does."""


class UrlUploadWork(lifecycle.WorkKind[Task, StoredObject, None]):
    """One URL import; its row is a task of kind ``url_upload``, its facts a ``url_uploads``
    row."""

    task = TaskKind.URL_UPLOAD
    policy = URL_UPLOAD_POLICY
    abandoned = Fault(FaultKind.CRASH, "InternalError", "the import's worker stopped")

    def __init__(self, deps: UrlImportDeps) -> None:
        self.deps = deps

    def queue(self, uow: UnitOfWork) -> WorkQueue[Task, None]:
        return uow.tasks.queue(TaskKind.URL_UPLOAD)

    def perform(self, claim: Claim[Task], liveness: Liveness) -> StoredObject:
        d = self.deps
        with d.uow_factory() as uow:
            upload = uow.url_uploads.get(None, claim.ref)
            video = uow.videos.get(None, upload.video_id) if upload is not None else None
            if upload is None or video is None or video.status is not VideoStatus.UPLOADING:
                raise VideoNotFound("The video of this import was deleted.")
            uow.url_uploads.update(replace(upload, status=UrlUploadStatus.PROCESSING, received=0))
            uow.commit()
        counter = _Counter(d.uow_factory, upload.id, liveness)
        with d.fetcher.open(
            upload.url, max_bytes=d.max_bytes, deadline_seconds=d.deadline_seconds
        ) as download:
            return d.storage.put(
                video.storage_key, counter.count(download.chunks), max_bytes=d.max_bytes
            )

    def fault(self, claim: Claim[Task], exc: Exception) -> Fault:
        if isinstance(exc, FetchFailed):
            return Fault(FaultKind.CRASH if exc.transient else FaultKind.REFUSED, exc.code,
                         exc.message)  # fmt: skip
        if isinstance(exc, ObjectTooLarge):
            return Fault(FaultKind.REFUSED, "FileSizeExceeded", exc.message)
        if isinstance(exc, DynimgError):  # storage or database failing: another attempt
            refused = exc.http_status < 500
            return Fault(FaultKind.REFUSED if refused else FaultKind.CRASH, exc.code, exc.message)
        log.exception("importing %s failed (attempt %s)", claim.ref, claim.attempt)
        return Fault(FaultKind.CRASH, "InternalError", type(exc).__name__)

    def result(self, produced: StoredObject) -> None:
        return None

    def finished(
        self, uow: UnitOfWork, claim: Claim[Task], produced: StoredObject
    ) -> lifecycle.AfterCommit:
        """The file is stored: the video is uploaded and waits for its probe."""
        now = self.deps.clock.now()
        upload = uow.url_uploads.get(None, claim.ref)
        assert upload is not None  # deleted only with its account
        done = replace(upload, status=UrlUploadStatus.SUCCESS, received=produced.size,
                       error_code="", error_message="", completed_at=now)  # fmt: skip
        uow.url_uploads.update(done)
        video = uow.videos.get(None, upload.video_id)
        probe = None
        if video is not None and video.can_become(VideoStatus.UPLOAD_SUCC):
            uow.videos.update(replace(video, status=VideoStatus.UPLOAD_SUCC, size=produced.size,
                                      failure_reason="", modified_at=now))  # fmt: skip
            probe = Task(TaskKind.PROBE, video.id, UploadTarget.VIDEO.value, TaskState.QUEUED, 0,
                         next_run_at=now, created_at=now)  # fmt: skip
            uow.tasks.add(probe)
        event = _event(uow, done)
        orphan = produced.key if video is None else None  # the video went while it downloaded
        if probe is not None:
            self.deps.metrics.uploaded(produced.size)  # counted as it commits, like uploads
        return lambda: self._announce(probe, event, orphan)

    def gave_up(self, uow: UnitOfWork, claim: Claim[Task], fault: Fault) -> lifecycle.AfterCommit:
        """The import failed for good: it says why, and so does its video."""
        now = self.deps.clock.now()
        upload = uow.url_uploads.get(None, claim.ref)
        if upload is None:
            return lifecycle.nothing
        failed = upload.failed(fault.code, fault.message, now)
        uow.url_uploads.update(failed)
        video = uow.videos.get(None, upload.video_id)
        if video is not None and video.status is VideoStatus.UPLOADING:
            reason = f"{fault.code}: {fault.message}"[:500]
            uow.videos.update(replace(video, status=VideoStatus.UPLOAD_FAIL,
                                      failure_reason=reason, modified_at=now))  # fmt: skip
        event = _event(uow, failed)
        return lambda: self._announce(None, event)

    def _announce(self, probe: Task | None, event: str | None, orphan: str | None = None) -> None:
        if orphan is not None:
            self.deps.storage.delete(orphan)
        if probe is not None:
            self.deps.dispatcher.announce(TaskKind.PROBE, probe.ref)
        if event is not None:
            self.deps.dispatcher.announce(TaskKind.DELIVER, event)


def _event(uow: UnitOfWork, upload: UrlUpload) -> str | None:
    """UploadByURLComplete in the import's own transaction, when the account wants it."""
    callback = uow.callbacks.get(upload.account_id)
    if callback is None or not callback.wants(EVENT_UPLOAD_BY_URL_COMPLETE):
        return None
    now = upload.completed_at or upload.created_at
    message = OutboxMessage.queued(
        callback, EVENT_UPLOAD_BY_URL_COMPLETE, upload_by_url_complete(upload, now), now
    )
    uow.outbox.add(message)
    return message.id


class _Counter:
    """Counts the bytes of a download: every chunk is a sign of life, and the count is stored
    about once a second (a failure to store it does not stop the download)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, upload_id: str, liveness: Liveness) -> None:
        self._uow_factory, self._id, self._liveness = uow_factory, upload_id, liveness
        self._received, self._at = 0, time.monotonic()

    def count(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self._received += len(chunk)
            self._liveness.touch()
            if time.monotonic() - self._at >= PROGRESS_SECONDS:
                self._at = time.monotonic()
                self._store()
            yield chunk

    def _store(self) -> None:
        try:
            with self._uow_factory() as uow:
                uow.url_uploads.progress(self._id, self._received)
                uow.commit()
        except Exception:
            log.exception("could not record the progress of import %s", self._id)
