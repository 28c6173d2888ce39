"""Import videos from URLs in the console: the videos page's form, UploadMediaByURL's use case
with the same rules (addresses, at most 20 URLs, the per-account cap)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.sessions import Visitor
from dynimg.api.console.videos import list_page
from dynimg.domain.url_uploads import read_sources, read_upload_urls
from dynimg.errors import DynimgError
from dynimg.services import url_uploads
from dynimg.services.url_uploads import UrlImport


async def submit(console: Console, request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    text = str(form.get("urls", ""))
    settings, s = console.services.settings, console.deps
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    try:
        joined = ",".join(quote(line, safe="") for line in lines)
        urls = read_upload_urls(joined, allow_private=settings.allow_private_url_uploads)
        command = UrlImport(read_sources(urls, None))
        found = await run_in_threadpool(
            url_uploads.submit_url_uploads, s.uow_factory, s.clock, s.dispatcher,
            s.upload_policy, console.account(visitor), command, settings.account_queue_limit,
        )  # fmt: skip
    except DynimgError as exc:
        error = f"{exc.code}: {exc.message}"
        return await list_page(
            console, request, visitor, exc.http_status, import_error=error, import_urls=text
        )
    return RedirectResponse(f"/console/videos?imported={len(found)}", status_code=303)


def routes(console: Console) -> list[Route]:
    return [Route("/videos/imports", page(console, submit), methods=["POST"])]
