"""Storage failures are counted once, by operation; a caller's own errors are not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dynimg.adapters.storage.observed import ObservedStorage
from dynimg.errors import ObjectNotFound, StorageError
from dynimg.ports import StoredObject


class BrokenStorage:
    """Every write fails as a full disk does; reads work."""

    def put(self, key: str, chunks: Iterator[bytes], **_: object) -> StoredObject:
        raise StorageError()

    def delete(self, key: str) -> bool:
        raise StorageError()

    def size(self, key: str) -> int:
        raise ObjectNotFound()

    def open_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        yield b"abc"
        raise StorageError()

    @contextmanager
    def readable(self, key: str) -> Iterator[Path]:
        yield Path("/dev/null")


class Failures:
    def __init__(self) -> None:
        self.operations: list[str] = []

    def storage_failed(self, operation: str) -> None:
        self.operations.append(operation)


def test_storage_errors_are_counted_by_operation() -> None:
    failures = Failures()
    storage = ObservedStorage(BrokenStorage(), failures)  # type: ignore[arg-type]
    with pytest.raises(StorageError):
        storage.put("k", iter([b"x"]))
    with pytest.raises(StorageError):
        storage.delete("k")
    with pytest.raises(ObjectNotFound):
        storage.size("k")  # the client's miss, not a storage failure
    with pytest.raises(StorageError):
        list(storage.open_range("k"))
    with pytest.raises(StorageError), storage.readable("k"):
        raise StorageError()  # the caller's block failing is not this read failing
    assert failures.operations == ["put", "delete", "read"]
