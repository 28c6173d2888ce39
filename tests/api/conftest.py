from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.accounts import World, two_account_world
from tests.support.server import Credentials, ServerProcess, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One ``dynimg serve`` process on SQLite for the API tests."""
    home: Path = tmp_path_factory.mktemp("server-home")
    process = start_server(home)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def creds(server: ServerProcess) -> Credentials:
    """The default account's key, as printed by ``dynimg serve``."""
    return server.default_credentials()


@pytest.fixture(scope="session")
def other_creds(server: ServerProcess) -> Credentials:
    """A key of a second account, for isolation tests."""
    return server.new_account("other")


@pytest.fixture(scope="session")
def two_accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server of its own where accounts A and B each own one of everything."""
    yield from two_account_world(
        tmp_path_factory.mktemp("two-accounts"), tmp_path_factory.mktemp("two-accounts-clip")
    )
