"""Imports from a URL, as stored."""

from __future__ import annotations

from typing import Protocol

from dynimg.domain.url_uploads import UrlUpload


class UrlUploadRepository(Protocol):
    """The account's URL imports (their lifecycle is a task of kind ``url_upload``)."""

    def add(self, upload: UrlUpload) -> None: ...
    def update(self, upload: UrlUpload) -> None: ...
    def progress(self, upload_id: str, received: int) -> None:
        """Bytes received so far, while the import is PROCESSING."""
        ...

    def unfinished(self, account_id: str) -> int:
        """The account's imports still PENDING or PROCESSING."""
        ...

    def get(self, account_id: str | None, upload_id: str) -> UrlUpload | None: ...
    def latest_for_url(self, account_id: str, url: str) -> UrlUpload | None:
        """The account's newest import of exactly this URL."""
        ...
