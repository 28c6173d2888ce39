"""On-demand renders at ``/videos/{VideoId}/animated.{format}?start=&end=&width=&fps=`` and
``/videos/{VideoId}/thumbnail.{jpg|webp|avif}?time=&width=``.

Both are signed, claimed, waited for, capped and served the same way; only the parameters and
the job differ (:mod:`dynimg.services.on_demand`). The request waits for the render up to
``on_demand_wait_seconds`` and then answers 202 with ``Retry-After``: the render goes on, and
the same URL later serves the file. See docs/api.md.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dynimg.api.error_mapper import error_headers, error_response
from dynimg.api.files.images import ImageFiles, ServedFile, served_image
from dynimg.api.files.snapshots import served_snapshot
from dynimg.api.wiring import Services
from dynimg.domain.ids import new_request_id
from dynimg.domain.jobs import DynamicImage
from dynimg.domain.on_demand import ON_DEMAND_FORMATS, PARAMETERS, parse_params
from dynimg.domain.snapshot_jobs import Snapshot
from dynimg.domain.snapshots import PICTURE_FORMATS
from dynimg.domain.thumbnails import THUMBNAIL_PARAMETERS, THUMBNAIL_STEM, parse_thumbnail_params
from dynimg.domain.url_signing import signed_text, signer_uid, verify
from dynimg.errors import ClientError, Forbidden, InvalidParameter, ResourceNotFound
from dynimg.services.on_demand import Outcome, Params, RenderRequest, open_render, poll_job

MAX_FIELDS = 2 * (max(len(PARAMETERS), len(THUMBNAIL_PARAMETERS)) + 1)
"""Enough for every parameter and auth_key twice (duplicates are refused by name)."""
RETRY_AFTER_SECONDS = 2
_FIRST_POLL, _LAST_POLL = 0.05, 0.25


class OnDemandImages:
    """GET and HEAD of on-demand URLs: 403 unless signed, 400 out of bounds, 429 when busy."""

    def __init__(self, services: Services, files: ImageFiles) -> None:
        self._services, self._deps, self._files = services, services.deps, files

    async def __call__(self, request: Request) -> Response:
        try:
            render, expires = self._verified(request)
            outcome = await run_in_threadpool(
                open_render, self._deps.uow_factory, self._deps.clock,
                self._deps.dispatcher, render, self._services.settings.on_demand_max_concurrent,
            )  # fmt: skip
            outcome = await self._wait(outcome, render.params)
            if outcome.error is not None:
                raise outcome.error
        except Exception as exc:  # mapped in one place: client errors as raised, others generic
            return self._error(exc)
        if outcome.file is None:
            return _accepted(outcome)
        return await self._files.respond(request, _served(outcome.file), expires, int(time.time()))

    def _verified(self, request: Request) -> tuple[RenderRequest, int]:
        """What the URL asks for, once its auth_key is checked against path and query."""
        name: str = request.path_params["name"]
        stem, _, fmt = name.partition(".")
        formats = PICTURE_FORMATS if stem == THUMBNAIL_STEM else ON_DEMAND_FORMATS
        if stem not in ("animated", THUMBNAIL_STEM) or fmt not in formats:
            raise ResourceNotFound(
                "No such on-demand image; the path ends in animated.{format} or thumbnail.{format}."
            )
        pairs = _pairs(request.scope.get("query_string", b"").decode("latin-1"))
        query = dict(pairs)
        auth_key = query.get("auth_key", "")
        keys = list(self._deps.delivery.keys)
        uid = signer_uid(auth_key)
        if uid is None or not verify(
            signed_text(request.url.path, pairs), auth_key, keys, int(time.time())
        ):
            raise Forbidden(
                "The auth_key is missing, expired, or does not sign this path and query."
            )
        if len(query) != len(pairs):
            duplicate = next(name for name, _ in pairs if [n for n, _ in pairs].count(name) > 1)
            raise InvalidParameter(duplicate, "must be given once")
        params: Params = (
            parse_thumbnail_params(fmt, query)
            if stem == THUMBNAIL_STEM
            else parse_params(fmt, query)
        )
        video_id: str = request.path_params["video_id"]
        return RenderRequest(uid, video_id, params), int(auth_key.split("-", 1)[0])

    async def _wait(self, outcome: Outcome, params: Params) -> Outcome:
        """Poll the job until it is done, failed, or the wait is over."""
        deadline = time.monotonic() + self._services.settings.on_demand_wait_seconds
        delay = _FIRST_POLL
        while outcome.file is None and outcome.error is None:
            if time.monotonic() + delay > deadline:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, _LAST_POLL)
            outcome = await run_in_threadpool(
                poll_job, self._deps.uow_factory, outcome.job_id, params
            )
        return outcome

    def _error(self, exc: Exception) -> Response:
        request_id = new_request_id()
        status, body = error_response(exc, request_id, self._services.settings.host_id)
        headers = {"x-acs-request-id": request_id, "Cache-Control": "no-store"}
        if isinstance(exc, ClientError):
            headers |= error_headers(exc)
        return JSONResponse(body, status, headers=headers)


def _pairs(text: str) -> Sequence[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameter("query", "too many parameters, or not UTF-8") from None


def _served(file: DynamicImage | Snapshot) -> ServedFile:
    if isinstance(file, DynamicImage):
        return served_image(file)
    return served_snapshot(file)


def _accepted(outcome: Outcome) -> Response:
    body: dict[str, Any] = {
        "Status": "Processing",
        "JobId": outcome.job_id,
        "Message": "The render is under way: request the same URL again after Retry-After.",
    }
    return JSONResponse(
        body,
        202,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )
