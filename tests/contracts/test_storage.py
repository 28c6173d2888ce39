"""The Storage port's contract, run against every backend: local disk and S3 (moto)."""

from __future__ import annotations

import fcntl
import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dynimg.adapters.storage.local import LocalStorage
from dynimg.adapters.storage.s3 import MIN_PART_SIZE
from dynimg.errors import InvalidDigest, InvalidParameter, ObjectNotFound, ObjectTooLarge
from dynimg.ports import Storage
from tests.support.s3 import S3Server, leftovers


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "root")
    server: S3Server = request.getfixturevalue("s3_server")
    bucket: str = request.getfixturevalue("s3_bucket")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    prefix = f"contract/{uuid.uuid4().hex}"
    return server.storage(monkeypatch, bucket, prefix, tmp_path / "scratch")


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
    assert b"".join(storage.open_range("video/abc/source.mp4", 10_000)) == data[10_000:]
    assert b"".join(storage.open_range("video/abc/source.mp4", 5, 5)) == b""
    assert b"".join(storage.open_range("video/abc/source.mp4", len(data) + 5)) == b""
    with storage.readable("video/abc/source.mp4") as path:
        assert path.read_bytes() == data


def test_empty_object(storage: Storage) -> None:
    stored = storage.put("empty/file", iter([]))
    assert (stored.size, storage.size("empty/file")) == (0, 0)
    assert b"".join(storage.open_range("empty/file")) == b""


def test_large_object_streams_in_parts(storage: Storage) -> None:
    data = bytes(range(256)) * (MIN_PART_SIZE // 256 * 2 + 1000)  # two parts and a bit
    stored = storage.put("video/big/source.mp4", chunks(data, 1 << 20), max_bytes=len(data))
    assert (stored.size, stored.md5_hex) == (len(data), hashlib.md5(data).hexdigest())
    assert storage.size("video/big/source.mp4") == len(data)
    edge = MIN_PART_SIZE - 10
    assert (
        b"".join(storage.open_range("video/big/source.mp4", edge, edge + 20))
        == data[edge : edge + 20]
    )
    assert hashlib.md5(b"".join(storage.open_range("video/big/source.mp4"))).hexdigest() == (
        stored.md5_hex
    )


def test_overwrite_is_atomic_and_delete_reports(storage: Storage) -> None:
    storage.put("a/b", chunks(b"one"))
    storage.put("a/b", chunks(b"two"))
    assert b"".join(storage.open_range("a/b")) == b"two"
    assert storage.delete("a/b") and not storage.delete("a/b")
    assert not storage.exists("a/b")
    with pytest.raises(ObjectNotFound):
        storage.size("a/b")


def test_missing_objects(storage: Storage) -> None:
    with pytest.raises(ObjectNotFound):
        storage.open_range("no/such")
    with pytest.raises(ObjectNotFound):
        storage.open_range("no/such", 3, 3)
    with pytest.raises(ObjectNotFound), storage.readable("no/such"):
        pass


def test_too_large_leaves_nothing(storage: Storage) -> None:
    with pytest.raises(ObjectTooLarge):
        storage.put("big/file", chunks(b"x" * 5000), max_bytes=4999)
    assert not storage.exists("big/file")


def test_too_large_multipart_leaves_nothing(storage: Storage) -> None:
    size = MIN_PART_SIZE * 2
    with pytest.raises(ObjectTooLarge):
        storage.put("big/file", chunks(b"x" * size, 1 << 20), max_bytes=size - 1)
    assert not storage.exists("big/file")


@pytest.mark.parametrize("size", [5000, MIN_PART_SIZE * 2], ids=["single", "multipart"])
def test_a_wrong_digest_keeps_what_was_stored(storage: Storage, size: int) -> None:
    storage.put("kept/file", chunks(b"old"))
    data = b"y" * size
    with pytest.raises(InvalidDigest):
        storage.put("kept/file", chunks(data, 1 << 20), md5_hex=hashlib.md5(b"z").hexdigest())
    assert b"".join(storage.open_range("kept/file")) == b"old"
    stored = storage.put("kept/file", chunks(data, 1 << 20), md5_hex=hashlib.md5(data).hexdigest())
    assert stored.size == size and storage.size("kept/file") == size


class ClientGone(Exception):
    """What a request body raises when the client disconnects half-way."""


def test_failing_stream_leaves_nothing(storage: Storage) -> None:
    def broken() -> Iterator[bytes]:
        yield b"x" * (MIN_PART_SIZE + 1)  # far enough for a multipart upload to have begun
        raise ClientGone()

    with pytest.raises(ClientGone):
        storage.put("broken/file", broken())
    assert not storage.exists("broken/file")


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/abs/path", "a/../../b", "a//b", "a/.hidden/..", ""]
)
def test_unsafe_keys_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(InvalidParameter):
        storage.put(key, chunks(b"x"))
    with pytest.raises(InvalidParameter):
        storage.exists(key)


def test_presigned_get(storage: Storage) -> None:
    storage.put("image/x.gif", chunks(b"GIF89a"))
    url = storage.presigned_get("image/x.gif", 10_000)
    if isinstance(storage, LocalStorage):
        assert url is None  # local files are streamed by dynimg
        return
    assert url is not None and "X-Amz-Expires=300" in url  # capped at 300 s
    assert httpx.get(url).content == b"GIF89a"


def test_s3_aborts_leave_no_uploads(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"aborts/{uuid.uuid4().hex}"
    storage = s3_server.storage(monkeypatch, s3_bucket, prefix, tmp_path)
    with pytest.raises(ObjectTooLarge):
        storage.put("big/file", chunks(b"x" * MIN_PART_SIZE * 2, 1 << 20), max_bytes=MIN_PART_SIZE)
    with storage.readable(storage.put("small", iter([b"abc"])).key) as path:
        assert path.parent.parent == tmp_path  # in this process's own directory
    assert leftovers(s3_server, s3_bucket, prefix) == ([f"{prefix}/small"], [])
    assert list(tmp_path.glob("*/download-*")) == [], "downloads are removed"


def test_s3_removes_downloads_of_processes_that_are_gone(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def download_dir(name: str) -> Path:
        (tmp_path / name).mkdir()
        (tmp_path / name / "download-x").write_bytes(b"x")
        return tmp_path / name

    gone, alive = download_dir("1-dead"), download_dir("2-live")
    (tmp_path / "1-dead.lock").touch()  # nobody holds it: its process died
    with (tmp_path / "2-live.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a process still downloading
        s3_server.storage(monkeypatch, s3_bucket, "gone", tmp_path)
        assert (gone.exists(), alive.exists()) == (False, True)
