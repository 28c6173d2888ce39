"""Imports from a URL (Alibaba's ``UploadMediaByURL``): the request's rules, a job's states and
how an import is retried.

``UploadURLs`` is a comma-separated list of at most 20 http or https URLs, each URL-encoded
(as Alibaba asks, so a comma inside one is ``%2C``) and at most 2048 bytes once decoded. A URL
whose host is written as a loopback, private, link-local or reserved address is refused at once
unless the operator allows it (the callbacks' rule, :func:`dynimg.domain.hosts.is_internal_host`);
a name is checked against what it resolves to when the file is fetched, and again at every
redirect. ``UploadMetadatas`` is a JSON list of objects matched to the URLs by ``SourceURL``:
``Title`` (at most 128 characters; default: the URL's file name) and ``FileExtension`` (else
the extension of the URL's path, else ``mp4``); its other fields are not read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlparse

from dynimg.domain.fields import read_text
from dynimg.domain.hosts import is_internal_host
from dynimg.domain.ids import new_resource_id
from dynimg.domain.storage_keys import file_extension
from dynimg.domain.timestamps import format_utc
from dynimg.domain.videos import VideoMetadata, read_title
from dynimg.domain.work import Backoff, RetryPolicy
from dynimg.errors import InvalidParameter

MAX_URLS = 20
"""Alibaba's bound on one UploadMediaByURL request."""
MAX_QUERY = 10
"""Alibaba's bound on the JobIds or UploadURLs of one GetURLUploadInfos request."""
MAX_URL_BYTES = 2048
DEFAULT_EXTENSION = "mp4"
URL_UPLOAD_POLICY = RetryPolicy(
    lease=timedelta(minutes=2),
    max_attempts=3,
    backoff=Backoff(timedelta(seconds=10)),
    heartbeat=True,
    stall=timedelta(minutes=2),
)
"""A download renews its lease while bytes arrive: two minutes without any ends the attempt.
A network failure or a 5xx answer is retried after 10 s and 20 s (three attempts in all);
what cannot succeed (a 4xx answer, a refused address, a file over the limit) is not."""


class UrlUploadStatus(StrEnum):
    """Where an import is (GetURLUploadInfos' ``Status``)."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    """Being downloaded into storage (``FileSize`` counts the bytes received so far)."""
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"


@dataclass(frozen=True)
class UrlUpload:
    """One URL being imported as a video: the job Alibaba calls an upload job."""

    id: str
    account_id: str
    video_id: str
    url: str
    status: UrlUploadStatus
    created_at: datetime
    user_data: str = ""
    received: int = 0
    """Bytes received so far (the file's size once it succeeded)."""
    error_code: str = ""
    error_message: str = ""
    completed_at: datetime | None = None

    @classmethod
    def pending(
        cls, account_id: str, video_id: str, url: str, now: datetime, user_data: str = ""
    ) -> UrlUpload:
        """A new import, waiting for a worker."""
        return cls(new_resource_id(), account_id, video_id, url, UrlUploadStatus.PENDING, now,
                   user_data)  # fmt: skip

    def failed(self, code: str, message: str, now: datetime) -> UrlUpload:
        """The import ended without a file."""
        return replace(self, status=UrlUploadStatus.FAIL, error_code=code,
                       error_message=message[:500], completed_at=now)  # fmt: skip


@dataclass(frozen=True)
class UrlSource:
    """A URL to import and what the video it becomes is called."""

    url: str
    extension: str
    metadata: VideoMetadata


def read_upload_urls(text: str, *, allow_private: bool) -> list[str]:
    """``UploadURLs``: decoded, checked, at most :data:`MAX_URLS`, duplicates kept once."""
    urls = list(dict.fromkeys(unquote(part.strip()) for part in text.split(",") if part.strip()))
    if not urls:
        raise InvalidParameter("UploadURLs", "must name at least one URL")
    if len(urls) > MAX_URLS:
        raise InvalidParameter("UploadURLs", f"at most {MAX_URLS} URLs")
    return [check_source_url(url, allow_private=allow_private) for url in urls]


def check_source_url(url: str, *, allow_private: bool) -> str:
    """An http or https URL with a host; not an internal address unless allowed."""
    parsed = urlparse(url)
    try:
        host = parsed.hostname
    except ValueError:
        host = None
    size = len(url.encode("utf-8"))
    if parsed.scheme not in ("http", "https") or not host or size > MAX_URL_BYTES:
        raise InvalidParameter("UploadURLs", f"{url[:100]!r} is not an http or https URL")
    if not allow_private and is_internal_host(host):
        raise InvalidParameter(
            "UploadURLs",
            f"{host} is a private or loopback address "
            "(the service allows it with DYNIMG_ALLOW_PRIVATE_URL_UPLOADS=true)",
        )
    return url


def read_sources(urls: Sequence[str], metadatas: str | None) -> list[UrlSource]:
    """Each URL with its ``UploadMetadatas`` entry (matched by ``SourceURL``), if any."""
    found = _metadatas(metadatas)
    return [_source(url, found.get(url, {})) for url in urls]


def _metadatas(text: str | None) -> dict[str, Mapping[str, Any]]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidParameter("UploadMetadatas", "must be a JSON list of objects") from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidParameter("UploadMetadatas", "must be a JSON list of objects")
    return {unquote(str(v.get("SourceURL", ""))): v for v in value}


def _source(url: str, meta: Mapping[str, Any]) -> UrlSource:
    given = meta.get("FileExtension")
    path_name = unquote(urlparse(url).path.rsplit("/", 1)[-1])
    if given:
        extension = file_extension(f"x.{read_text(str(given), 'FileExtension', max_bytes=16)}")
    elif "." in path_name:
        extension = file_extension(path_name)
    else:
        extension = DEFAULT_EXTENSION
    title = str(meta.get("Title") or path_name or url)[:128]
    return UrlSource(url, extension, VideoMetadata(read_title(title)))


def read_query(params: Mapping[str, str | None]) -> tuple[str, list[str]]:
    """GetURLUploadInfos: ``("JobIds", ids)``, else ``("UploadURLs", urls)`` (JobIds wins, as
    at Alibaba); at most :data:`MAX_QUERY` of either."""
    for name in ("JobIds", "UploadURLs"):
        text = params.get(name)
        if text:
            values = list(dict.fromkeys(unquote(v.strip()) for v in text.split(",") if v.strip()))
            if len(values) > MAX_QUERY:
                raise InvalidParameter(name, f"at most {MAX_QUERY} values")
            if values:
                return name, values
    raise InvalidParameter("JobIds", "give JobIds or UploadURLs")


EVENT_UPLOAD_BY_URL_COMPLETE = "UploadByURLComplete"


def upload_by_url_complete(upload: UrlUpload, now: datetime) -> dict[str, Any]:
    """Alibaba's UploadByURLComplete event for an import that ended."""
    event: dict[str, Any] = {
        "EventTime": format_utc(now),
        "EventType": EVENT_UPLOAD_BY_URL_COMPLETE,
        "JobId": upload.id,
        "SourceURL": upload.url,
        "Status": "success" if upload.status is UrlUploadStatus.SUCCESS else "fail",
    }
    if upload.status is UrlUploadStatus.SUCCESS:
        return event | {"VideoId": upload.video_id, "Size": str(upload.received)}
    return event | {"ErrorCode": upload.error_code, "ErrorMessage": upload.error_message}
