"""dynimg's OSS-compatible upload endpoint: ``/{bucket}/{key}`` as ``oss2`` addresses it.

Supports what Alibaba's upload clients use: PutObject, the multipart calls (initiate, upload
part, list parts, complete, abort) and HeadObject, each authorised by an upload grant. Errors are
OSS's XML ``<Error>`` documents.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import IO, Any
from urllib.parse import parse_qsl
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml.ElementTree import fromstring
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from dynimg.api.streams import file_chunks, spooled_body
from dynimg.api.wiring import Services
from dynimg.api.xml_text import xml_text
from dynimg.domain.ids import new_request_id
from dynimg.domain.oss_signing import oss_claim
from dynimg.domain.uploads import UploadGrant
from dynimg.errors import (
    ClientError,
    DynimgError,
    InternalError,
    InvalidParameter,
    MalformedXML,
    ObjectTooLarge,
    OssNotImplemented,
    ServiceUnavailable,
)
from dynimg.services import object_uploads as objects

MAX_XML_BYTES = 1 << 20
_DIGITS = re.compile(r"[0-9]+")
log = logging.getLogger("dynimg.oss")


class ObjectEndpoint:
    """The ASGI endpoint for object requests."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._deps = services.deps

    async def __call__(self, request: Request) -> Response:
        request_id = new_request_id().replace("-", "")
        try:
            response = await self._handle(request)
        except Exception as exc:
            response = _error(exc, request_id, self._services.settings.host_id)
        response.headers["x-oss-request-id"] = request_id
        return response

    async def _handle(self, request: Request) -> Response:
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        query = parse_qsl(
            request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
        )
        headers = {k.lower(): v for k, v in request.headers.items()}
        _refuse_unsupported(request.method, {name for name, _ in query})
        claim = oss_claim(request.method, headers, bucket, key, query)
        deps = self._deps
        grant = await run_in_threadpool(
            functools.partial(
                objects.authorize, deps.uow_factory, deps.clock, claim, bucket, key,
                write=request.method not in ("GET", "HEAD"),
            )
        )  # fmt: skip
        ctx = objects.ObjectContext(grant, deps)
        return await self._dispatch(request, ctx, dict(query), headers)

    async def _dispatch(
        self,
        request: Request,
        ctx: objects.ObjectContext,
        query: dict[str, str],
        headers: dict[str, str],
    ) -> Response:
        method = request.method
        if method == "PUT":
            _check_length(headers, ctx.grant)  # before reading: a declared excess is refused
            return await _put(ctx, query, headers, await self._body(request))
        if method == "POST" and "uploads" in query:
            upload_id = await run_in_threadpool(objects.initiate_multipart, ctx)
            return _xml(
                "InitiateMultipartUploadResult",
                Bucket=ctx.grant.bucket,
                Key=ctx.grant.object_key,
                UploadId=upload_id,
            )
        if method == "POST" and "uploadId" in query:
            parts = _completed_parts(await _read_limited(request))
            stored = await run_in_threadpool(
                objects.complete_multipart, ctx, query["uploadId"], parts
            )
            return _xml(
                "CompleteMultipartUploadResult",
                Location=f"{self._deps.upload_policy.endpoint}/{ctx.grant.bucket}/{ctx.grant.object_key}",
                Bucket=ctx.grant.bucket,
                Key=ctx.grant.object_key,
                ETag=objects.object_etag(stored),
            )
        if method == "DELETE" and "uploadId" in query:
            await run_in_threadpool(objects.abort_multipart, ctx, query["uploadId"])
            return Response(status_code=204)
        if method == "GET" and "uploadId" in query:
            listed = await run_in_threadpool(objects.list_parts, ctx, query["uploadId"])
            return _parts_listing(ctx.grant, query["uploadId"], listed)
        if method == "HEAD":
            size = await run_in_threadpool(self._deps.storage.size, ctx.grant.object_key)
            return Response(headers={"Content-Length": str(size)})
        raise InvalidParameter("Operation", "is not supported by this endpoint")

    async def _body(self, request: Request) -> IO[bytes]:
        """The body, read without a worker thread (see :mod:`dynimg.api.streams`)."""
        settings, deps = self._services.settings, self._deps
        return await spooled_body(
            request.stream(), limit=settings.max_upload_bytes,
            idle_seconds=settings.body_idle_seconds, directory=deps.scratch(),
            metrics=deps.metrics,
        )  # fmt: skip


async def _put(
    ctx: objects.ObjectContext,
    query: dict[str, str],
    headers: dict[str, str],
    spooled: IO[bytes],
) -> Response:
    """PutObject, or UploadPart when the query names an upload; ``spooled`` is the body."""
    with spooled:
        body, md5 = file_chunks(spooled), headers.get("content-md5")
        if "uploadId" in query:
            number = _part_number(query.get("partNumber", ""))
            stored = await run_in_threadpool(
                objects.upload_part, ctx, query["uploadId"], number, body, md5
            )
        else:
            stored = await run_in_threadpool(objects.put_object, ctx, body, md5)
    return Response(headers={"ETag": objects.object_etag(stored)})


_SUPPORTED: dict[tuple[str, frozenset[str]], str] = {
    ("PUT", frozenset()): "PutObject",
    ("PUT", frozenset({"uploadId", "partNumber"})): "UploadPart",
    ("POST", frozenset({"uploads"})): "InitiateMultipartUpload",
    ("POST", frozenset({"uploadId"})): "CompleteMultipartUpload",
    ("DELETE", frozenset({"uploadId"})): "AbortMultipartUpload",
    ("GET", frozenset({"uploadId"})): "ListParts",
    ("HEAD", frozenset()): "HeadObject",
}
_HARMLESS = frozenset({"max-parts", "part-number-marker", "encoding-type"})
"""Query parameters that only shape a response (ListParts paging), not the operation."""


def _refuse_unsupported(method: str, names: set[str]) -> None:
    """Anything but the operations above (``?acl``, ``?tagging``, GetObject...) is refused.

    Treating an unknown sub-resource as a plain PUT once let ``put_object_acl`` replace a
    stored video with zero bytes.
    """
    if (method, frozenset(names - _HARMLESS)) not in _SUPPORTED:
        raise OssNotImplemented("This endpoint accepts uploads only; the request is not supported.")


async def _read_limited(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_XML_BYTES:
            raise MalformedXML("The XML document is too large.")
    return bytes(body)


def _check_length(headers: dict[str, str], grant: UploadGrant) -> None:
    declared = headers.get("content-length", "")
    # Longer than 18 digits is more than any grant allows; int() refuses over 4300 digits.
    if _DIGITS.fullmatch(declared) and (len(declared) > 18 or int(declared) > grant.max_bytes):
        raise ObjectTooLarge()


def _part_number(text: str) -> int:
    # Digits only, and few of them: int() of thousands of digits raises (and takes time).
    if not _DIGITS.fullmatch(text) or len(text) > 5 or not 1 <= int(text) <= objects.MAX_PARTS:
        raise InvalidParameter("partNumber", f"must be an integer in [1, {objects.MAX_PARTS}]")
    return int(text)


def _completed_parts(body: bytes) -> list[tuple[int, str]]:
    try:
        root = fromstring(body)
        parts = [
            (int(part.findtext("PartNumber", "")), part.findtext("ETag", ""))
            for part in root.iter("Part")
        ]
    except Exception as exc:
        raise MalformedXML() from exc
    return parts


def _xml(root: str, **fields: Any) -> Response:
    element = Element(root)
    for name, value in fields.items():
        SubElement(element, name).text = str(value)
    return Response(_document(element), media_type="application/xml")


def _parts_listing(
    grant: UploadGrant, upload_id: str, parts: list[tuple[int, int, str]]
) -> Response:
    element = Element("ListPartsResult")
    for name, value in (
        ("Bucket", grant.bucket),
        ("Key", grant.object_key),
        ("UploadId", upload_id),
    ):
        SubElement(element, name).text = value
    for name, value in (("PartNumberMarker", "0"), ("MaxParts", "1000"), ("IsTruncated", "false")):
        SubElement(element, name).text = value
    SubElement(element, "NextPartNumberMarker").text = str(parts[-1][0] if parts else 0)
    for number, size, md5 in parts:
        part = SubElement(element, "Part")
        SubElement(part, "PartNumber").text = str(number)
        SubElement(part, "LastModified").text = "1970-01-01T00:00:00.000Z"
        SubElement(part, "ETag").text = f'"{md5.upper()}"'
        SubElement(part, "Size").text = str(size)
    return Response(_document(element), media_type="application/xml")


def _error(exc: Exception, request_id: str, host_id: str) -> Response:
    error: DynimgError = exc if isinstance(exc, ClientError) else InternalError()
    if isinstance(exc, ServiceUnavailable):  # storage full: clients retry a 503
        error = ServiceUnavailable(exc.message)
    if not isinstance(exc, ClientError):
        log.error("upload request %s failed", request_id, exc_info=exc)
    code = "InvalidArgument" if isinstance(error, InvalidParameter) else error.code
    element = Element("Error")
    for name, value in (
        ("Code", code),
        ("Message", error.message),
        ("RequestId", request_id),
        ("HostId", host_id),
    ):
        SubElement(element, name).text = xml_text(value)
    return Response(_document(element), status_code=error.http_status, media_type="application/xml")


def _document(element: Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + bytes(tostring(element, encoding="utf-8"))
