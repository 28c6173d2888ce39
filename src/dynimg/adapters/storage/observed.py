"""A storage backend that counts its failures (the ``storage errors`` metric) and, when tracing
is on, opens a span per operation, for any backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

from dynimg.errors import StorageError
from dynimg.ports import Metrics, Storage, StoredObject
from dynimg.ports.tracing import NO_TRACING, Tracer


class ObservedStorage:
    """Implements ``ports.Storage`` by delegating to ``inner`` and reporting StorageErrors.

    Only StorageError counts: a missing object or a too-large upload is the client's doing.
    Spans name the operation and the key; reading a stream's chunks has none (a span held open
    across a response's chunks would outlive the request's context).
    """

    def __init__(self, inner: Storage, metrics: Metrics, tracer: Tracer = NO_TRACING) -> None:
        self.inner, self._metrics, self._tracer = inner, metrics, tracer

    @contextmanager
    def _counted(self, operation: str, key: str | None = None) -> Iterator[None]:
        with ExitStack() as stack:
            if key is not None:
                stack.enter_context(self._tracer.span(f"storage {operation}", {"storage.key": key}))
            try:
                yield
            except StorageError:
                self._metrics.storage_failed(operation)
                raise

    def put(
        self,
        key: str,
        chunks: Iterator[bytes],
        *,
        max_bytes: int | None = None,
        md5_hex: str | None = None,
    ) -> StoredObject:
        with self._counted("put", key):
            return self.inner.put(key, chunks, max_bytes=max_bytes, md5_hex=md5_hex)

    def open_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        # Backends may fail on the first read rather than on the call, so count both.
        with self._counted("read", key):
            chunks = self.inner.open_range(key, start, end)
        return self._reading(chunks)

    def _reading(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        with self._counted("read"):
            yield from chunks

    def delete(self, key: str) -> bool:
        with self._counted("delete", key):
            return self.inner.delete(key)

    def exists(self, key: str) -> bool:
        with self._counted("read"):
            return self.inner.exists(key)

    def size(self, key: str) -> int:
        with self._counted("read"):
            return self.inner.size(key)

    def readable(self, key: str) -> AbstractContextManager[Path]:
        return self._readable(key)

    @contextmanager
    def _readable(self, key: str) -> Iterator[Path]:
        # Only getting the file counts: errors of the caller's block are not this read's.
        with ExitStack() as stack:
            with self._counted("read", key):
                path = stack.enter_context(self.inner.readable(key))
            yield path

    def presigned_get(self, key: str, expires_seconds: int) -> str | None:
        with self._counted("read"):
            return self.inner.presigned_get(key, expires_seconds)
