"""Object storage on an S3-compatible service (AWS S3, MinIO, Ceph, moto...) through boto3.

Keys are validated exactly as on local disk and live under an optional prefix of one bucket.
Writes are atomic because S3 only shows an object once ``PutObject`` or
``CompleteMultipartUpload`` succeeds: small bodies go up in one put, larger ones as a multipart
upload of ``part_size`` parts, so memory holds one part at a time, never the whole object.
A multipart upload that fails (too large, client gone, S3 error) is aborted, leaving nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from botocore.exceptions import ClientError as BotoClientError

from dynimg.adapters.scratch import ProcessScratch
from dynimg.domain.storage_keys import validate_key
from dynimg.errors import InvalidDigest, ObjectNotFound, ObjectTooLarge, StorageError
from dynimg.ports import StoredObject

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

MIN_PART_SIZE = 5 * 1024 * 1024
"""S3 refuses parts smaller than 5 MiB (all but the last)."""
DEFAULT_PART_SIZE = 8 * 1024 * 1024
MAX_PRESIGN_SECONDS = 300
CHUNK = 1024 * 1024
MAX_CONNECTIONS = 64
_MISSING = {"404", "NoSuchKey", "NotFound"}
_BAD_RANGE = "InvalidRange"


@dataclass(frozen=True)
class S3Timeouts:
    """How long one S3 attempt may wait to connect and for each answer, and how many attempts
    an operation gets: a hung S3 (botocore's defaults are 60 s, 60 s and 5 attempts, ten
    minutes) then costs an operation about ``attempts * (connect + read)`` at most."""

    connect: float = 3.0
    read: float = 10.0
    attempts: int = 3


def s3_client(
    endpoint_url: str | None, region: str | None, timeouts: S3Timeouts | None = None
) -> S3Client:
    """A thread-safe S3 client using boto3's default credential chain (env, profile, role).

    A custom endpoint gets path-style addressing (S3-compatible servers on an IP address or
    without wildcard DNS cannot answer virtual-host requests) and checksums only where S3
    requires them: several S3-compatible servers refuse the CRC headers boto3 sends by default.
    The pool is larger than boto's default of 10 because worker threads and streamed FileURL
    downloads share this one client.
    """
    checksums: Literal["when_supported", "when_required"] = (
        "when_required" if endpoint_url else "when_supported"
    )
    timeouts = timeouts or S3Timeouts()
    config = Config(
        signature_version="s3v4",
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        retries={"mode": "standard", "max_attempts": timeouts.attempts},
        max_pool_connections=MAX_CONNECTIONS,
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        request_checksum_calculation=checksums,
        response_checksum_validation=checksums,
    )
    session = boto3.session.Session()
    return session.client(
        "s3", endpoint_url=endpoint_url or None, region_name=region, config=config
    )


class S3Storage:
    """Implements ``ports.Storage`` on ``s3://bucket/prefix``."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        prefix: str,
        scratch: Path,
        *,
        part_size: int = DEFAULT_PART_SIZE,
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE}")
        self._client = client
        self._bucket = bucket
        self._prefix = prefix.strip("/")
        self._scratch = ProcessScratch(scratch)
        self._part_size = part_size

    def put(
        self,
        key: str,
        chunks: Iterator[bytes],
        *,
        max_bytes: int | None = None,
        md5_hex: str | None = None,
    ) -> StoredObject:
        name = self._name(key)
        digest, size = hashlib.md5(usedforsecurity=False), 0
        buffer = bytearray()
        for chunk in chunks:
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise ObjectTooLarge()
            digest.update(chunk)
            buffer += chunk
            if len(buffer) >= self._part_size:
                # Too big for one put: continue as a multipart upload from here.
                size = self._put_multipart(name, buffer, chunks, (digest, md5_hex), size, max_bytes)
                return StoredObject(key, size, digest.hexdigest())
        _check_digest(digest, md5_hex)
        with _mapped():
            self._client.put_object(Bucket=self._bucket, Key=name, Body=bytes(buffer))
        return StoredObject(key, size, digest.hexdigest())

    def open_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        name = self._name(key)
        if end is not None and end <= start:
            self.size(key)  # still ObjectNotFound for a missing object
            return iter(())
        wanted = f"bytes={start}-" + ("" if end is None else str(end - 1))
        try:
            with _mapped():
                if start == 0 and end is None:
                    response = self._client.get_object(Bucket=self._bucket, Key=name)
                else:
                    response = self._client.get_object(Bucket=self._bucket, Key=name, Range=wanted)
        except StorageError as exc:
            if _code(exc.__cause__) != _BAD_RANGE:
                raise
            return iter(())  # starts past the end: no bytes, as a file would read
        return _stream(response["Body"])

    def delete(self, key: str) -> bool:
        name = self._name(key)
        # S3's DeleteObject succeeds for absent keys, so ask first to report honestly.
        if not self.exists(key):
            return False
        with _mapped():
            self._client.delete_object(Bucket=self._bucket, Key=name)
        return True

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except ObjectNotFound:
            return False
        return True

    def size(self, key: str) -> int:
        name = self._name(key)
        with _mapped():
            head = self._client.head_object(Bucket=self._bucket, Key=name)
        return int(head["ContentLength"])

    @contextlib.contextmanager
    def readable(self, key: str) -> Iterator[Path]:
        name = self._name(key)
        descriptor, temporary = tempfile.mkstemp(prefix="download-", dir=self._scratch.path())
        path = Path(temporary)
        try:
            with os.fdopen(descriptor, "wb") as out:
                self._download(name, out)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def presigned_get(self, key: str, expires_seconds: int) -> str | None:
        seconds = max(1, min(expires_seconds, MAX_PRESIGN_SECONDS))
        with _mapped():
            return self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": self._name(key)},
                ExpiresIn=seconds,
            )

    def _name(self, key: str) -> str:
        validate_key(key)
        return f"{self._prefix}/{key}" if self._prefix else key

    def _download(self, name: str, out: Any) -> None:
        with _mapped():
            response = self._client.get_object(Bucket=self._bucket, Key=name)
        for chunk in _stream(response["Body"]):
            out.write(chunk)

    def _put_multipart(
        self,
        name: str,
        buffer: bytearray,
        rest: Iterator[bytes],
        digests: tuple[Any, str | None],
        size: int,
        max_bytes: int | None,
    ) -> int:
        """Upload ``buffer`` and then ``rest`` as parts; returns the total size.

        ``digests`` is the running MD5 and the one expected (if any), checked before the
        upload completes, so a mismatch leaves the stored object as it was.
        """
        digest, expected = digests
        with _mapped():
            upload_id = self._client.create_multipart_upload(Bucket=self._bucket, Key=name)[
                "UploadId"
            ]
        parts: list[CompletedPartTypeDef] = []
        try:
            for chunk in rest:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ObjectTooLarge()
                digest.update(chunk)
                buffer += chunk
                while len(buffer) >= self._part_size:
                    parts.append(self._upload_part(name, upload_id, len(parts) + 1, buffer))
            if buffer or not parts:
                parts.append(self._upload_part(name, upload_id, len(parts) + 1, buffer))
            _check_digest(digest, expected)
            with _mapped():
                self._client.complete_multipart_upload(
                    Bucket=self._bucket,
                    Key=name,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            self._abort(name, upload_id)
            raise
        return size

    def _upload_part(
        self, name: str, upload_id: str, number: int, buffer: bytearray
    ) -> CompletedPartTypeDef:
        """Send the first ``part_size`` bytes of ``buffer`` (all of it when shorter)."""
        body = bytes(buffer[: self._part_size])
        del buffer[: self._part_size]
        with _mapped():
            etag = self._client.upload_part(
                Bucket=self._bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=body
            )["ETag"]
        return {"PartNumber": number, "ETag": etag}

    def _abort(self, name: str, upload_id: str) -> None:
        # Best effort: an upload left behind costs storage; a bucket lifecycle rule for
        # incomplete multipart uploads is the backstop (see docs/storage.md).
        with contextlib.suppress(BotoCoreError, BotoClientError):
            self._client.abort_multipart_upload(Bucket=self._bucket, Key=name, UploadId=upload_id)


def _check_digest(digest: Any, expected: str | None) -> None:
    if expected is not None and digest.hexdigest() != expected:
        raise InvalidDigest()


def _stream(body: Any) -> Iterator[bytes]:
    """The bytes of a response body in chunks; closes the connection when done or abandoned."""
    try:
        with _mapped():
            yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def _code(exc: BaseException | None) -> str:
    if isinstance(exc, BotoClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    """Translate boto errors: a missing key is ObjectNotFound, anything else StorageError."""
    try:
        yield
    except BotoClientError as exc:
        if _code(exc) in _MISSING:
            raise ObjectNotFound() from exc
        raise StorageError() from exc
    except BotoCoreError as exc:
        raise StorageError() from exc
