"""A worker's own metrics endpoint, for workers that no ``dynimg serve`` scrapes for.

Apart from :mod:`~dynimg.adapters.observability.multiproc` because it must import
prometheus-client, which that module must not (and the two would otherwise import each other).
"""

from __future__ import annotations

from pathlib import Path

from dynimg.adapters.observability.multiproc import in_use, use_directory


def serve_worker_metrics(home: Path, host: str, port: int) -> None:
    """Serve this worker's metrics (and its children's) at ``http://host:port/metrics``.

    Under ``dynimg serve`` the worker already counts into serve's directory, which serve
    exposes itself; a worker on another machine gets a directory of its own in ``home``.
    """
    if not in_use():
        use_directory(home / f"metrics-worker-{port}")
    # Only now: prometheus-client must be imported after the directory is chosen.
    from dynimg.adapters.observability.prometheus import start_exporter

    start_exporter(host, port)
