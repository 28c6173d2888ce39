"""The ASGI application: the RPC gateway at ``/``, health and readiness, and metrics."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dynimg.api.console import console_mount
from dynimg.api.error_mapper import error_response
from dynimg.api.files import ImageFiles
from dynimg.api.gateway import RpcGateway
from dynimg.api.on_demand import OnDemandImages
from dynimg.api.oss import ObjectEndpoint
from dynimg.api.responses import rpc_response
from dynimg.bootstrap import Services
from dynimg.domain.ids import new_request_id
from dynimg.domain.signing import RpcRequest
from dynimg.errors import ClientError, RequestTooLarge
from dynimg.services.health import check_readiness
from dynimg.services.monitoring import JobsSnapshot, jobs_snapshot

MAX_PARAMETERS = 256
FORM_TYPE = "application/x-www-form-urlencoded"


def create_app(services: Services) -> Starlette:
    """The ASGI app for ``services``; it holds no global state."""
    gateway = RpcGateway(services)
    limit = services.settings.max_request_bytes

    async def rpc(request: Request) -> Response:
        try:
            decoded = await _decode(request, limit)
        except ClientError as exc:
            request_id = new_request_id()
            status, body = error_response(exc, request_id, services.settings.host_id)
            return JSONResponse(body, status, headers={"x-acs-request-id": request_id})
        status, body, request_id, headers = await run_in_threadpool(gateway.handle, decoded)
        return rpc_response(decoded, status, body, {**headers, "x-acs-request-id": request_id})

    object_endpoint = ObjectEndpoint(services)
    image_files = ImageFiles(services)

    on_demand_images = OnDemandImages(services, image_files)

    async def files(request: Request) -> Response:
        return await image_files(request)

    async def on_demand(request: Request) -> Response:
        return await on_demand_images(request)

    async def objects(request: Request) -> Response:
        return await object_endpoint(request)

    async def healthz(_request: Request) -> Response:
        # Alive is all this says: dependencies are /readyz's business (see services/health.py).
        return JSONResponse({"Status": "ok"})

    async def readyz(_request: Request) -> Response:
        limiter = services.rate_limiter if services.rate_limiter.shared else None
        health = await run_in_threadpool(
            check_readiness, services.uow_factory, services.storage, services.dispatcher, limiter
        )
        status = "ok" if health.healthy else "unavailable"
        return JSONResponse(
            {"Status": status, "Checks": health.checks}, status_code=200 if health.healthy else 503
        )

    def snapshot() -> JobsSnapshot:
        return jobs_snapshot(services.uow_factory, services.clock)

    async def metrics(_request: Request) -> Response:
        # Imported here, not at the top: prometheus-client must not be imported before
        # `dynimg serve` has chosen its multiprocess directory (adapters/observability).
        from dynimg.adapters.observability.prometheus import exposition

        body, content_type = await run_in_threadpool(exposition, snapshot)
        return Response(body, media_type=content_type)

    return Starlette(
        routes=[
            Route("/", rpc, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            console_mount(services),
            Route("/{video_id}/image/dynamic/{name}", files, methods=["GET", "HEAD"]),
            Route("/videos/{video_id}/{name}", on_demand, methods=["GET", "HEAD"]),
            Route(
                "/{bucket}/{key:path}",
                objects,
                methods=["GET", "HEAD", "PUT", "POST", "DELETE"],
            ),
        ]
    )


async def _decode(request: Request, limit: int) -> RpcRequest:
    raw_query = request.scope.get("query_string", b"")
    body = await _read_body(request, limit - len(raw_query))
    form: list[tuple[str, str]] = []
    if request.headers.get("content-type", "").split(";")[0].strip() == FORM_TYPE:
        form = _parse_pairs(body.decode("utf-8", errors="replace"))
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    return RpcRequest(
        method=request.method,
        path=raw_path.decode("latin-1"),
        query=_parse_pairs(raw_query.decode("latin-1")),
        form=form,
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            text, keep_blank_values=True, max_num_fields=MAX_PARAMETERS, errors="replace"
        )
    except ValueError:
        raise RequestTooLarge("The request has too many parameters.") from None
