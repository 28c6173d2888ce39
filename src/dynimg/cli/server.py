"""``dynimg serve``: the service on its embedded default or on the configured backends."""

from __future__ import annotations

import logging
import os
import signal
import threading

import click
import uvicorn

from dynimg.api.app import create_app
from dynimg.bootstrap import Services, build_services
from dynimg.services.accounts import ensure_default_key
from dynimg.services.housekeeping import (
    purge_abandoned_uploads,
    purge_expired_grants,
    purge_expired_nonces,
)
from dynimg.services.processing import resume_processing
from dynimg.worker import WorkerPool

HOUSEKEEPING_SECONDS = 300


@click.command()
@click.option("--host", help="Address to listen on (default: DYNIMG_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: DYNIMG_PORT or 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Run the service: creates and migrates its database on first start."""
    from dynimg.cli import settings_from_env

    settings = settings_from_env()
    settings = settings.model_copy(
        update={"host": host or settings.host, "port": port or settings.port}
    )
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s %(message)s"
    )
    services = build_services(settings)
    account, key = ensure_default_key(services.uow_factory, services.clock)
    host, port = settings.host, settings.port
    resume_processing(
        services.uow_factory, services.clock, services.storage, services.engine, services.schedule
    )
    click.echo(f"dynimg {_version()} on http://{host}:{port}  (data in {settings.home.resolve()})")
    click.echo(f"account {account.name!r}: AccessKeyId={key.id} AccessKeySecret={key.secret}")
    stop = threading.Event()
    threading.Thread(target=_housekeeping, args=(services, stop), daemon=True).start()
    count = (os.cpu_count() or 1) if settings.workers is None else settings.workers
    pool = WorkerPool(services.job_deps, services.sender, count)
    pool.start()
    try:
        uvicorn.run(create_app(services), host=host, port=port, log_level=settings.log_level)
    finally:
        stop.set()
        pool.stop()
        services.close()


def _housekeeping(services: Services, stop: threading.Event) -> None:
    while not stop.wait(HOUSEKEEPING_SECONDS):
        try:
            purge_expired_nonces(services.uow_factory, services.clock)
            purge_expired_grants(services.uow_factory, services.clock)
            purge_abandoned_uploads(services.uow_factory, services.clock, services.storage)
        except Exception:
            logging.getLogger("dynimg.housekeeping").exception("housekeeping failed")


def _version() -> str:
    from dynimg import __version__

    return __version__


@click.command()
@click.option(
    "--concurrency", type=int, help="Job threads (default: DYNIMG_WORKERS or one per core)."
)
def worker(concurrency: int | None) -> None:
    """Run job workers against the configured database and storage, until SIGTERM or Ctrl-C."""
    from dynimg.cli import settings_from_env

    settings = settings_from_env()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s %(message)s"
    )
    services = build_services(settings)
    count = concurrency or settings.workers or os.cpu_count() or 1
    pool = WorkerPool(services.job_deps, services.sender, count)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    pool.start()
    click.echo(
        f"dynimg worker: {count} job thread(s) on {settings.effective_database_url.split('://')[0]}"
    )
    try:
        stop.wait()
    finally:
        pool.stop()
        services.close()
