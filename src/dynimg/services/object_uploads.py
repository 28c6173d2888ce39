"""The OSS object protocol behind dynimg's upload endpoint: authorise, store, assemble.

Every request is authorised against an upload grant: the temporary AccessKeyId must exist, the
SecurityToken must be its token, the grant must not have expired and must cover the bucket and
object key, and the signature must match. Files are written through the Storage port; nothing
is marked uploaded until the whole object is stored.
"""

from __future__ import annotations

import base64
import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from dynimg.domain.oss_signing import OssClaim
from dynimg.domain.uploads import UploadGrant
from dynimg.errors import (
    InvalidDigest,
    InvalidPart,
    NoSuchUpload,
    ObjectTooLarge,
    OssAccessDenied,
    OssInvalidAccessKeyId,
    OssSignatureDoesNotMatch,
)
from dynimg.ports.clock import Clock
from dynimg.ports.storage import StoredObject
from dynimg.ports.unit_of_work import UnitOfWorkFactory
from dynimg.services.deps import Deps
from dynimg.services.processing import finish_upload

MAX_PARTS = 10_000


@dataclass(frozen=True)
class ObjectContext:
    """An authorised request's grant and the use cases' dependencies."""

    grant: UploadGrant
    deps: Deps


def authorize(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    claim: OssClaim,
    bucket: str,
    key: str,
    *,
    write: bool,
) -> UploadGrant:
    """The grant a signed OSS request acts under, or the OSS error that refuses it.

    Once its upload is complete, a grant may still read (HeadObject) but never write again:
    a stored video's source must not be replaced behind the service's back.
    """
    with uow_factory() as uow:
        grant = uow.upload_grants.get(claim.access_key_id)
    if grant is None:
        raise OssInvalidAccessKeyId()
    if not claim.security_token or not grant.token_matches(claim.security_token):
        raise OssAccessDenied("The security token you provided is invalid.")
    grant.ensure_live(clock.now())
    if not claim.matches(grant.secret):
        raise OssSignatureDoesNotMatch()
    if not grant.covers(bucket, key):
        raise OssAccessDenied("The credential does not allow access to this object.")
    if write:
        grant.ensure_unspent()
    return grant


def put_object(
    ctx: ObjectContext, chunks: Iterator[bytes], content_md5: str | None
) -> StoredObject:
    """Store a whole object (PutObject)."""
    stored = ctx.deps.storage.put(
        ctx.grant.object_key, chunks, max_bytes=ctx.grant.max_bytes, md5_hex=_md5_hex(content_md5)
    )
    _finished(ctx, stored)
    return stored


def initiate_multipart(ctx: ObjectContext) -> str:
    """Start a multipart upload; returns its UploadId."""
    upload_id = secrets.token_hex(16)
    with ctx.deps.uow_factory() as uow:
        uow.multipart.create(
            upload_id, ctx.grant.account_id, ctx.grant.object_key, ctx.deps.clock.now()
        )
        uow.commit()
    return upload_id


def upload_part(
    ctx: ObjectContext,
    upload_id: str,
    number: int,
    chunks: Iterator[bytes],
    content_md5: str | None,
) -> StoredObject:
    """Store one part (UploadPart); a part uploaded again replaces the earlier one."""
    _owned_upload(ctx, upload_id)
    if not 1 <= number <= MAX_PARTS:
        raise InvalidPart("partNumber must be between 1 and 10000.")
    stored = ctx.deps.storage.put(
        part_key(upload_id, number), chunks, max_bytes=ctx.grant.max_bytes,
        md5_hex=_md5_hex(content_md5),
    )  # fmt: skip
    with ctx.deps.uow_factory() as uow:
        uow.multipart.put_part(upload_id, number, stored.size, stored.md5_hex)
        uow.commit()
    return stored


def list_parts(ctx: ObjectContext, upload_id: str) -> list[tuple[int, int, str]]:
    """(part number, size, MD5 hex) of the parts uploaded so far."""
    _owned_upload(ctx, upload_id)
    with ctx.deps.uow_factory() as uow:
        return uow.multipart.parts(upload_id)


def complete_multipart(
    ctx: ObjectContext, upload_id: str, requested: list[tuple[int, str]]
) -> StoredObject:
    """Assemble the listed parts, in order, into the object (CompleteMultipartUpload)."""
    _owned_upload(ctx, upload_id)
    with ctx.deps.uow_factory() as uow:
        stored_parts = {number: md5 for number, _, md5 in uow.multipart.parts(upload_id)}
    numbers = [number for number, _ in requested]
    if not requested or numbers != sorted(set(numbers)):
        raise InvalidPart("Parts must be listed once each, in ascending order.")
    for number, etag in requested:
        if stored_parts.get(number, "").upper() != etag.strip('"').upper():
            raise InvalidPart()
    total = sum(ctx.deps.storage.size(part_key(upload_id, n)) for n in numbers)
    if total > ctx.grant.max_bytes:
        raise ObjectTooLarge()
    body = itertools.chain.from_iterable(
        ctx.deps.storage.open_range(part_key(upload_id, n)) for n in numbers
    )
    stored = ctx.deps.storage.put(ctx.grant.object_key, body, max_bytes=ctx.grant.max_bytes)
    _discard(ctx, upload_id, list(stored_parts))
    _finished(ctx, stored)
    return stored


def abort_multipart(ctx: ObjectContext, upload_id: str) -> None:
    """Drop a multipart upload and its parts."""
    _owned_upload(ctx, upload_id)
    with ctx.deps.uow_factory() as uow:
        numbers = [number for number, _, _ in uow.multipart.parts(upload_id)]
    _discard(ctx, upload_id, numbers)


def _finished(ctx: ObjectContext, stored: StoredObject) -> None:
    """The one upload-complete hook, whichever door the bytes came through (OSS or console):
    mark the upload done, queue its probe, and count the bytes."""
    deps = ctx.deps
    finish_upload(deps.uow_factory, deps.clock, deps.dispatcher, ctx.grant, stored)
    deps.metrics.uploaded(stored.size)  # whole objects only: abandoned parts are not uploads


def object_etag(stored: StoredObject) -> str:
    """OSS's ETag for a simple object: the upper-case MD5, quoted."""
    return f'"{stored.md5_hex.upper()}"'


def _discard(ctx: ObjectContext, upload_id: str, numbers: list[int]) -> None:
    for number in numbers:
        ctx.deps.storage.delete(part_key(upload_id, number))
    with ctx.deps.uow_factory() as uow:
        uow.multipart.delete(upload_id)
        uow.commit()


def _owned_upload(ctx: ObjectContext, upload_id: str) -> None:
    with ctx.deps.uow_factory() as uow:
        key = uow.multipart.object_key(upload_id)
    if key is None or key != ctx.grant.object_key:
        raise NoSuchUpload()


def part_key(upload_id: str, number: int) -> str:
    """Where one part of a multipart upload is kept until the upload completes."""
    return f"multipart/{upload_id}/{number:05d}"


def _md5_hex(content_md5: str | None) -> str | None:
    """The MD5 a Content-MD5 header promises, checked by storage before anything is replaced."""
    if content_md5 is None:
        return None
    try:
        digest = base64.b64decode(content_md5, validate=True)
    except ValueError:
        raise InvalidDigest() from None
    if len(digest) != 16:
        raise InvalidDigest()
    return digest.hex()
