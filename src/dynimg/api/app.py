"""The ASGI application: each front door's routes, in the order they must be matched."""

from __future__ import annotations

from starlette.applications import Starlette

from dynimg.api.console import console_mount
from dynimg.api.files.routes import file_routes
from dynimg.api.ops import ops_routes
from dynimg.api.oss.routes import oss_routes
from dynimg.api.rpc.routes import rpc_routes
from dynimg.api.wiring import Services


def create_app(services: Services) -> Starlette:
    """The ASGI app for ``services``; it holds no global state.

    The OSS route comes last: ``/{bucket}/{key}`` matches any path the others did not claim.
    """
    return Starlette(
        routes=[
            *rpc_routes(services),
            *ops_routes(services),
            console_mount(services),
            *file_routes(services),
            *oss_routes(services),
        ]
    )
