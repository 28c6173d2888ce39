"""Where prometheus-client keeps the metrics of several processes, and who serves them.

prometheus-client chooses how it stores values when it is first imported: with
``PROMETHEUS_MULTIPROC_DIR`` set, every process writes its own memory-mapped files there and a
scrape sums them. So this module must not import it, and :func:`use_directory` must run before
anything else does (``dynimg serve`` for itself and the workers it spawns; a ``dynimg worker``
with ``--metrics-port`` for itself and its Celery children).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_directory(directory: Path) -> Path:
    """Empty ``directory`` and make it this process's (and its children's) metrics directory.

    Emptied because files of processes from an earlier run would be summed into this one's.
    """
    if "prometheus_client" in __import__("sys").modules:
        # Too late: values of this process would silently stay out of the directory.
        raise RuntimeError("prometheus_client was imported before its directory was chosen")
    directory = directory.resolve()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[ENV] = str(directory)
    return directory


def in_use() -> bool:
    """Whether this process counts into a shared metrics directory."""
    return bool(os.environ.get(ENV))
