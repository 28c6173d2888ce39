"""Serving animated images at their signed URLs: ``/{VideoId}/image/dynamic/{id}.{ext}``.

:class:`ImageFiles` serves any :class:`ServedFile` the same way (snapshots use it too).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from dynimg.api.byte_ranges import parse_range
from dynimg.api.wiring import Services
from dynimg.domain.jobs import DynamicImage
from dynimg.domain.templates import ImageFormat
from dynimg.domain.url_signing import verify
from dynimg.errors import ObjectNotFound
from dynimg.services.images import image_at

CONTENT_TYPES = {f.value: f.media_type for f in ImageFormat}


@dataclass(frozen=True)
class ServedFile:
    """What a signed URL serves: a stored object, or bytes made for this response."""

    etag: str
    storage_key: str
    size: int
    media_type: str
    modified: datetime
    body: bytes | None = None
    """Served instead of the stored object (a WebVTT file whose cues are signed per URL)."""


def served_image(image: DynamicImage) -> ServedFile:
    """An animated image as its FileURL serves it."""
    media_type = CONTENT_TYPES.get(image.format, "application/octet-stream")
    return ServedFile(image.id, image.storage_key, image.file_size, media_type, image.created_at)


def forbidden() -> Response:
    """A missing, tampered or expired ``auth_key``."""
    return Response("Forbidden", status_code=403, media_type="text/plain")


def not_found() -> Response:
    """A signed path that names no file."""
    return Response("Not Found", status_code=404, media_type="text/plain")


class ImageFiles:
    """GET and HEAD with auth_key checks (403), ranges (206/416), ETag and cache headers."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._deps = services.deps

    async def __call__(self, request: Request) -> Response:
        expires = self.signed_until(request)
        if expires is None:
            return forbidden()
        image = await run_in_threadpool(image_at, self._deps, request.url.path)
        if image is None:
            return not_found()
        return await self.respond(request, served_image(image), expires, int(time.time()))

    def signed_until(self, request: Request) -> int | None:
        """When the request's ``auth_key`` expires, if it signs the path and has not yet."""
        auth_key = request.query_params.get("auth_key", "")
        if not verify(request.url.path, auth_key, list(self._deps.delivery.keys), int(time.time())):
            return None
        return int(auth_key.split("-", 1)[0])

    async def respond(
        self, request: Request, image: ServedFile, expires: int, now: int
    ) -> Response:
        """The file's bytes (or a redirect, 304 or 206) for a URL valid until ``expires``."""
        headers = {
            "Accept-Ranges": "bytes",
            "ETag": f'"{image.etag}"',
            "Cache-Control": f"private, max-age={max(expires - now, 0)}",
            "Last-Modified": image.modified.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        }
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        if image.body is None and self._services.settings.file_delivery == "redirect":
            redirect = await run_in_threadpool(self._redirect, image, expires - now)
            if redirect is not None:
                return redirect
        return self._body(request, image, headers)

    def _redirect(self, image: ServedFile, remaining: int) -> Response | None:
        """A 302 to a presigned storage URL, or None when the backend has none (local disk).

        The presigned URL lives at most 300 s and never longer than the signed FileURL, so a
        redirect cannot extend what the auth_key allowed. It must not be cached: it expires.
        """
        url = self._deps.storage.presigned_get(image.storage_key, max(remaining, 1))
        if url is None:
            return None
        return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})

    def _body(self, request: Request, image: ServedFile, headers: dict[str, str]) -> Response:
        size, media_type = image.size, image.media_type
        start, end, status = 0, size, 200
        wanted = request.headers.get("range")
        if wanted:
            parsed = parse_range(wanted, size)
            if parsed is None:
                return Response(
                    "Requested Range Not Satisfiable: the Range header is not a byte range "
                    "within the file.",
                    status_code=416,
                    headers={**headers, "Content-Range": f"bytes */{size}"},
                    media_type="text/plain",
                )
            start, end, status = *parsed, 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        headers["Content-Length"] = str(end - start)
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers, media_type=media_type)
        if image.body is not None:
            part = image.body[start:end]
            return Response(part, status_code=status, headers=headers, media_type=media_type)
        try:
            chunks = self._deps.storage.open_range(image.storage_key, start, end)
        except ObjectNotFound:
            return not_found()
        return StreamingResponse(
            iterate_in_threadpool(chunks),
            status_code=status,
            headers=headers,
            media_type=media_type,
        )
