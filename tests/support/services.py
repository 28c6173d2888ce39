"""External services the suite needs: skipped loudly on a developer machine, fatal in CI."""

from __future__ import annotations

import os

import pytest


class ServiceRegistry:
    """Remembers which external services could not be reached, for the closing summary."""

    def __init__(self) -> None:
        self._missing: dict[str, str] = {}

    def unreachable(self, name: str, where: str, error: BaseException) -> None:
        """Skip (or, with CI=true, fail) the tests that need ``name``."""
        self._missing[name] = f"{name} at {where}: {str(error).strip().splitlines()[0]}"
        message = f"{name} is not reachable at {where}; see README 'Tests' to start it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: missing services fail the run)", pytrace=False)
        pytest.skip(message)

    def report(self) -> list[str]:
        """Lines for the terminal summary; empty when everything was reachable."""
        if not self._missing:
            return []
        lines = ["", "!" * 78, "SERVICES NOT REACHABLE - tests that need them were SKIPPED:"]
        lines += [f"  - {detail}" for detail in self._missing.values()]
        return [*lines, "!" * 78]
