"""Object storage for videos, images and animated images."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredObject:
    """What a storage backend reports about an object it holds."""

    key: str
    size: int
    md5_hex: str


class Storage(Protocol):
    """Object storage for videos, images and animated images, addressed by validated keys."""

    def put(
        self,
        key: str,
        chunks: Iterator[bytes],
        *,
        max_bytes: int | None = None,
        md5_hex: str | None = None,
    ) -> StoredObject:
        """Store ``chunks`` under ``key`` atomically; ObjectTooLarge past ``max_bytes``.

        With ``md5_hex``, bytes with another MD5 are InvalidDigest. On any error, what was stored
        under ``key`` before stays as it was.
        """
        ...

    def open_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes of [start, end) (to the end when None); ObjectNotFound if absent."""
        ...

    def delete(self, key: str) -> bool:
        """Remove an object; False when there was none."""
        ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """The object's size in bytes; ObjectNotFound if absent."""
        ...

    def readable(self, key: str) -> AbstractContextManager[Path]:
        """A local file with the object's bytes while the ``with`` block runs.

        For the media engine and Pillow, which read files. Local disk yields the stored file
        itself; a remote backend downloads a temporary copy and removes it on exit.
        ObjectNotFound if absent.
        """
        ...

    def presigned_get(self, key: str, expires_seconds: int) -> str | None:
        """A URL anyone may GET the object at for at most ``min(expires_seconds, 300)`` s.

        None when the backend has no such URLs (local disk): then dynimg streams the bytes.
        """
        ...
