"""The file delivery routes: signed animated images and on-demand renders."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dynimg.api.files.images import ImageFiles
from dynimg.api.files.on_demand import OnDemandImages
from dynimg.api.files.snapshots import SnapshotFiles
from dynimg.api.wiring import Services


def file_routes(services: Services) -> list[Route]:
    """``/{VideoId}/image/dynamic/{name}``, ``/videos/{VideoId}/{name}`` and
    ``/{VideoId}/snapshots/{JobId}/{name}``, GET and HEAD."""
    image_files = ImageFiles(services)
    on_demand_images = OnDemandImages(services, image_files)
    snapshot_files = SnapshotFiles(services, image_files)

    async def files(request: Request) -> Response:
        return await image_files(request)

    async def on_demand(request: Request) -> Response:
        return await on_demand_images(request)

    async def snapshots(request: Request) -> Response:
        return await snapshot_files(request)

    return [
        Route("/{video_id}/image/dynamic/{name}", files, methods=["GET", "HEAD"]),
        Route("/videos/{video_id}/{name}", on_demand, methods=["GET", "HEAD"]),
        Route("/{video_id}/snapshots/{job_id}/{name}", snapshots, methods=["GET", "HEAD"]),
    ]
