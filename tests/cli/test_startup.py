"""The start-up helper of short-lived commands."""

from __future__ import annotations

import gc

from dynimg.cli.startup import collector_paused


def test_imports_run_without_the_collector_and_their_objects_are_frozen() -> None:
    assert gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            made = [object() for _ in range(10)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(made)
    finally:
        gc.unfreeze()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
