"""Servers and workers starting together on a fresh database both migrate it safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Connection, Engine, event, inspect

from dynimg.adapters.db.migrate import schema_revision, upgrade
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


def test_the_whole_upgrade_is_one_transaction(engine: Engine) -> None:
    # Committed revision by revision, a second process reading the revision between two of
    # them replays one already applied ("table already exists"); one transaction under the
    # write lock (BEGIN IMMEDIATE / the advisory lock) is what keeps concurrent starts apart.
    transactions: list[object] = []  # held, so no two can share an id()

    def record(connection: Connection, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(("CREATE", "ALTER", "INSERT", "UPDATE")):
            transactions.append(connection.get_transaction())

    event.listen(engine, "before_cursor_execute", record)
    try:
        upgrade(engine)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert schema_revision(engine)[0] == schema_revision(engine)[1]
    assert len(transactions) > 11
    assert len({id(t) for t in transactions}) == 1
