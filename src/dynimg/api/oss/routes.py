"""The OSS-compatible route: every path not claimed before it is ``/{bucket}/{key}``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dynimg.api.oss.endpoint import ObjectEndpoint
from dynimg.api.wiring import Services


def oss_routes(services: Services) -> list[Route]:
    """``/{bucket}/{key}``: mounted last, as it matches any two-segment path."""
    object_endpoint = ObjectEndpoint(services)

    async def objects(request: Request) -> Response:
        return await object_endpoint(request)

    methods = ["GET", "HEAD", "PUT", "POST", "DELETE"]
    return [Route("/{bucket}/{key:path}", objects, methods=methods)]
