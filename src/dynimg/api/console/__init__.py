"""The web console at ``/console``: server-rendered pages for people, over the same use cases
as the API, signed in with console users instead of AccessKeys."""

from __future__ import annotations

from starlette.routing import Mount, Route

from dynimg.api.console import (
    account,
    assets,
    auth,
    gallery,
    imports,
    jobs,
    snapshot_templates,
    snapshots,
    templates,
    videos,
    watermarks,
)
from dynimg.api.console.core import Console
from dynimg.api.wiring import Services


def console_mount(services: Services) -> Mount:
    """Every console route under ``/console``; static files at ``/console/static``."""
    console = Console(services)
    routes: list[Route | Mount] = assets.routes()
    for module in (
        auth,
        imports,
        videos,
        snapshots,
        templates,
        snapshot_templates,
        watermarks,
        jobs,
        gallery,
        account,
    ):
        routes.extend(module.routes(console))
    return Mount("/console", routes=routes)
