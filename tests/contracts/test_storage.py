"""The Storage port's contract, run against every backend (local disk for now)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynimg.adapters.storage.local import LocalStorage
from dynimg.errors import InvalidParameter, ObjectNotFound, ObjectTooLarge
from dynimg.ports import Storage


@pytest.fixture(params=["local"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    return LocalStorage(tmp_path / "root")


def chunks(data: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_put_then_read_back(storage: Storage) -> None:
    data = bytes(range(256)) * 40
    stored = storage.put("video/abc/source.mp4", chunks(data))
    assert (stored.size, stored.md5_hex) == (len(data), hashlib.md5(data).hexdigest())
    assert storage.exists("video/abc/source.mp4") and storage.size("video/abc/source.mp4") == len(
        data
    )
    assert b"".join(storage.open_range("video/abc/source.mp4")) == data
    assert b"".join(storage.open_range("video/abc/source.mp4", 100, 300)) == data[100:300]
    assert storage.local_path("video/abc/source.mp4").read_bytes() == data


def test_overwrite_is_atomic_and_delete_reports(storage: Storage) -> None:
    storage.put("a/b", chunks(b"one"))
    storage.put("a/b", chunks(b"two"))
    assert b"".join(storage.open_range("a/b")) == b"two"
    assert storage.delete("a/b") and not storage.delete("a/b")
    assert not storage.exists("a/b")
    with pytest.raises(ObjectNotFound):
        storage.size("a/b")


def test_too_large_leaves_nothing(storage: Storage) -> None:
    with pytest.raises(ObjectTooLarge):
        storage.put("big/file", chunks(b"x" * 5000), max_bytes=4999)
    assert not storage.exists("big/file")


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/abs/path", "a/../../b", "a//b", "a/.hidden/..", ""]
)
def test_unsafe_keys_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(InvalidParameter):
        storage.put(key, chunks(b"x"))
