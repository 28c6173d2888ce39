"""Object storage on the local disk, under one root directory."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from dynimg.adapters.scratch import ProcessScratch
from dynimg.domain.storage_keys import validate_key
from dynimg.errors import InvalidDigest, ObjectNotFound, ObjectTooLarge, StorageError
from dynimg.ports import StoredObject

CHUNK = 1024 * 1024
INCOMING = ".incoming"
"""Where writes go before they are renamed into place: a directory per process (see
:mod:`dynimg.adapters.scratch`) on the objects' own file system, so that the rename is atomic. A
process killed mid-upload leaves its partial file there only until the next process starts. (No
key can name it: key segments start with a letter or digit.)"""


class LocalStorage:
    """Implements ``ports.Storage`` on a directory; writes go to a temp file and are renamed."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()
        self._root.mkdir(parents=True, exist_ok=True)
        self._incoming = ProcessScratch(self._root / INCOMING)

    def put(
        self,
        key: str,
        chunks: Iterator[bytes],
        *,
        max_bytes: int | None = None,
        md5_hex: str | None = None,
    ) -> StoredObject:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix="upload-", dir=self._incoming.path())
        except OSError as exc:  # full, read-only, or not a directory: nothing was written
            raise StorageError() from exc
        digest, size = hashlib.md5(usedforsecurity=False), 0
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise ObjectTooLarge()
                    digest.update(chunk)
                    out.write(chunk)
            if md5_hex is not None and digest.hexdigest() != md5_hex:
                raise InvalidDigest()  # before the rename: the stored object is untouched
            os.replace(temporary, path)
        except OSError as exc:
            raise StorageError() from exc
        finally:
            Path(temporary).unlink(missing_ok=True)
        return StoredObject(key, size, digest.hexdigest())

    def open_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._existing(key)
        return self._read(path, start, end)

    def delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StorageError() from exc
        return True

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self._existing(key).stat().st_size

    def readable(self, key: str) -> AbstractContextManager[Path]:
        # The stored file itself: nothing to fetch, nothing to clean up.
        return contextlib.nullcontext(self._existing(key))

    def presigned_get(self, key: str, expires_seconds: int) -> str | None:
        # Local files have no URL of their own: dynimg streams them.
        return None

    def _path(self, key: str) -> Path:
        path = (self._root / validate_key(key)).resolve()
        if not path.is_relative_to(self._root):
            raise ObjectNotFound()
        return path

    def _existing(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound()
        return path

    @staticmethod
    def _read(path: Path, start: int, end: int | None) -> Iterator[bytes]:
        with path.open("rb") as source:
            source.seek(start)
            remaining = None if end is None else max(end - start, 0)
            while remaining is None or remaining > 0:
                chunk = source.read(CHUNK if remaining is None else min(CHUNK, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
