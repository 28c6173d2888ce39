"""The RPC route: the HTTP request decoded into an ``RpcRequest`` and answered by the gateway."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dynimg.api.error_mapper import error_response
from dynimg.api.rpc.gateway import RpcGateway
from dynimg.api.rpc.responses import rpc_response
from dynimg.api.streams import timed_chunks
from dynimg.api.wiring import Services
from dynimg.domain.ids import new_request_id
from dynimg.domain.signing import RpcRequest
from dynimg.errors import ClientError, RequestTooLarge
from dynimg.ports import Metrics

MAX_PARAMETERS = 256
FORM_TYPE = "application/x-www-form-urlencoded"


def rpc_routes(services: Services) -> list[Route]:
    """The gateway at ``/``, GET and POST."""
    gateway = RpcGateway(services)
    limit, idle = services.settings.max_request_bytes, services.settings.body_idle_seconds
    metrics = services.deps.metrics

    async def rpc(request: Request) -> Response:
        try:
            decoded = await _decode(request, limit, idle, metrics)
        except ClientError as exc:
            request_id = new_request_id()
            status, body = error_response(exc, request_id, services.settings.host_id)
            return JSONResponse(body, status, headers={"x-acs-request-id": request_id})
        status, body, request_id, headers = await run_in_threadpool(gateway.handle, decoded)
        return rpc_response(decoded, status, body, {**headers, "x-acs-request-id": request_id})

    return [Route("/", rpc, methods=["GET", "POST"])]


async def _decode(request: Request, limit: int, idle: float, metrics: Metrics) -> RpcRequest:
    raw_query = request.scope.get("query_string", b"")
    body = await _read_body(request, limit - len(raw_query), idle, metrics)
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


async def _read_body(request: Request, limit: int, idle: float, metrics: Metrics) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge()
    chunks, size = [], 0
    async for chunk in timed_chunks(request.stream(), idle, metrics):
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
