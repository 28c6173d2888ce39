"""Logging set-up: what a process start prints."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from dynimg.adapters.observability.logs import configure_logging


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root, alembic = logging.getLogger(), logging.getLogger("alembic")
    handlers, level, alembic_level = root.handlers[:], root.level, alembic.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    alembic.setLevel(alembic_level)


@pytest.mark.usefixtures("restored_logging")
def test_alembic_steps_are_not_narrated_at_info() -> None:
    configure_logging("info", "text")
    assert logging.getLogger("dynimg.api").isEnabledFor(logging.INFO)
    assert not logging.getLogger("alembic.runtime.plugins").isEnabledFor(logging.INFO)
    assert logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.WARNING)
