"""Operational endpoints: ``/healthz`` (alive), ``/readyz`` (dependencies) and ``/metrics``."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dynimg.api.wiring import Services
from dynimg.domain.monitoring import JobsSnapshot
from dynimg.services.health import check_readiness
from dynimg.services.monitoring import CachedSnapshot, jobs_snapshot


def ops_routes(services: Services) -> list[Route]:
    """Health, readiness and the Prometheus exposition, all GET."""

    async def healthz(_request: Request) -> Response:
        # Alive is all this says: dependencies are /readyz's business (see services/health.py).
        return JSONResponse({"Status": "ok"})

    async def readyz(_request: Request) -> Response:
        limiter = services.deps.rate_limiter if services.deps.rate_limiter.shared else None
        health = await run_in_threadpool(
            check_readiness,
            services.deps.uow_factory,
            services.deps.storage,
            services.deps.dispatcher,
            limiter,
        )
        return JSONResponse(
            {"Status": health.status, "Checks": health.checks},
            status_code=200 if health.healthy else 503,
        )

    def count_jobs() -> JobsSnapshot:
        return jobs_snapshot(services.deps.uow_factory, services.deps.clock)

    snapshot = CachedSnapshot(count_jobs, services.settings.metrics_job_count_seconds)

    async def metrics(_request: Request) -> Response:
        # Imported here, not at the top: prometheus-client must not be imported before
        # `dynimg serve` has chosen its multiprocess directory (adapters/observability).
        from dynimg.adapters.observability.prometheus import exposition

        body, content_type = await run_in_threadpool(exposition, snapshot)
        return Response(body, media_type=content_type)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
