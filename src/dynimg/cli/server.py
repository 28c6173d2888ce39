"""``dynimg serve`` and ``dynimg worker``: the service and its background workers."""

from __future__ import annotations

import os

import click
import uvicorn

from dynimg.adapters.observability.logs import configure_logging
from dynimg.adapters.observability.multiproc import use_directory
from dynimg.adapters.observability.worker_exporter import serve_worker_metrics
from dynimg.api.app import create_app
from dynimg.bootstrap import build_services
from dynimg.bootstrap_tracing import traced_app
from dynimg.cli.stop_signals import hold_stop_signals, release_stop_signals, wait_for_stop_signal
from dynimg.cli.supervisor import WorkerSupervisor
from dynimg.services.accounts import provision_default_key
from dynimg.settings import Settings

KEEP_ALIVE_SECONDS = 5
"""An idle keep-alive connection is closed after this long (request heads stay bounded by h11's
16 KiB; bodies by DYNIMG_BODY_IDLE_SECONDS, see dynimg.api.streams)."""


@click.command()
@click.option("--host", help="Address to listen on (default: DYNIMG_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: DYNIMG_PORT or 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Run the service and its workers: creates and migrates its database on first start.

    Workers run as separate processes (DYNIMG_WORKERS, default one per core; 0 for none), so
    rendering never shares the API's interpreter.
    """
    from dynimg.cli import settings_from_env

    settings = settings_from_env()
    settings = settings.model_copy(
        update={"host": host or settings.host, "port": port or settings.port}
    )
    _configure_logging(settings)
    # Before build_services imports prometheus-client: it and the workers count into this.
    use_directory(settings.home / "metrics")
    services = build_services(settings)
    account, key, created = provision_default_key(services.deps.uow_factory, services.deps.clock)
    click.echo(
        f"dynimg {_version()} on http://{settings.host}:{settings.port}"
        f"  (data in {settings.home.resolve()})"
    )
    click.echo(_default_key_line(account.name, key.id, key.secret if created else None))
    click.echo(
        f"console: {settings.effective_public_url}/console  (sign-in users: "
        f"dynimg user create --account {account.name} USERNAME)"
    )
    supervisor = WorkerSupervisor(
        _worker_processes(settings),
        settings.queue_url,
        {"DYNIMG_HOST": settings.host, "DYNIMG_PORT": str(settings.port)},
    )
    supervisor.start()
    try:
        uvicorn.run(
            traced_app(create_app(services)), host=settings.host, port=settings.port,
            log_level=settings.log_level, log_config=None,  # ours: redacted, text or JSON
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            # Forwarding headers only from configured proxies: from anyone else they are a
            # client's claim (uvicorn's default trusts 127.0.0.1, i.e. every local client).
            proxy_headers=bool(settings.trusted_proxies),
            forwarded_allow_ips=settings.trusted_proxies or None,
        )  # fmt: skip
    finally:
        supervisor.stop()
        services.close()


def _default_key_line(account: str, key_id: str, new_secret: str | None) -> str:
    """The default account's key: its secret only when it was created by this start."""
    if new_secret is not None:
        return (
            f"account {account!r}: AccessKeyId={key_id} AccessKeySecret={new_secret}"
            "  (new key: the secret is shown this once)"
        )
    return (
        f"account {account!r}: AccessKeyId={key_id}  (its secret was shown when it was created; "
        f"`dynimg keys list` lists keys, `dynimg keys create --account {account}` issues another)"
    )


def _worker_processes(settings: Settings) -> int:
    return (os.cpu_count() or 1) if settings.workers is None else settings.workers


@click.command()
@click.option(
    "--concurrency", type=int, help="Tasks at a time (default: DYNIMG_WORKERS or one per core)."
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="Serve this worker's Prometheus metrics at http://DYNIMG_HOST:PORT/metrics.",
)
def worker(concurrency: int | None, metrics_port: int | None) -> None:
    """Run background workers until SIGTERM or Ctrl-C.

    With DYNIMG_QUEUE_URL=memory:// (the default) a pool of threads polls the database; with
    an amqp:// or redis:// URL, a Celery worker with one child process per task slot.
    """
    from dynimg.cli import settings_from_env

    hold_stop_signals()  # before any thread starts, so every thread inherits the mask
    settings = settings_from_env()
    _configure_logging(settings)
    if metrics_port is not None:
        serve_worker_metrics(settings.home, settings.host, metrics_port)
    count = concurrency or settings.workers or os.cpu_count() or 1
    if settings.queue_url.startswith("memory:"):
        _run_pool(settings, count)
    else:
        _run_celery(settings, count)


def _run_pool(settings: Settings, count: int) -> None:
    from dynimg.adapters.dispatch.memory import InProcessDispatcher
    from dynimg.worker import WorkerPool

    services = build_services(settings)
    assert isinstance(services.deps.dispatcher, InProcessDispatcher)
    pool = WorkerPool(services.task_deps, services.deps.dispatcher, count)
    pool.start()
    click.echo(f"dynimg worker: {count} thread(s), polling {_scheme(settings)}")
    try:
        wait_for_stop_signal()
    finally:
        pool.stop()
        services.close()


def _run_celery(settings: Settings, count: int) -> None:
    from dynimg.adapters.dispatch.celery_broker import on_child_start, on_child_stop
    from dynimg.bootstrap import celery_app
    from dynimg.bootstrap_tracing import flush_traces
    from dynimg.worker import BrokerFallback, Ticker

    services = build_services(settings)  # for the ticker, in this (the parent) process
    on_child_start(services.forget_inherited)
    on_child_stop(flush_traces)  # a child's last spans, before it exits without atexit
    ticker = Ticker(services.task_deps)
    ticker.start()
    fallback = BrokerFallback(services.task_deps, services.deps.dispatcher.reachable, count)
    fallback.start()
    click.echo(f"dynimg worker: Celery, {count} process(es), queue {settings.queue_name!r}")
    release_stop_signals()  # Celery installs its own handlers; the ticker thread keeps them held
    try:
        celery_app(settings).worker_main(
            [
                "worker", f"--concurrency={count}", "--pool=prefork",
                f"--queues={settings.queue_name}", "--without-gossip", "--without-mingle",
                f"--loglevel={settings.log_level.upper()}",
            ]
        )  # fmt: skip
    finally:
        fallback.stop()
        ticker.stop()
        services.close()


def _configure_logging(settings: Settings) -> None:
    configure_logging(settings.log_level, settings.log_format)


def _scheme(settings: Settings) -> str:
    return settings.effective_database_url.split("://")[0]


def _version() -> str:
    from dynimg import __version__

    return __version__
