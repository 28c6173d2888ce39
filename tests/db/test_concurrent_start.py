"""Servers and workers starting together on a fresh database both migrate it safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, inspect

from tests.support.server import dynimg_env


def test_two_processes_migrate_at_once(engine: Engine, database_url: str, tmp_path: Path) -> None:
    env = dynimg_env(tmp_path, DYNIMG_DATABASE_URL=database_url)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "dynimg", "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], [
        err.decode()[-500:] for _, err in results
    ]
    assert {"videos", "dynamic_image_jobs", "outbox"} <= set(inspect(engine).get_table_names())
