"""Figures a suite measured (files, outcomes, peak memory, requests), printed after the run.

The robustness suites record what they saw here; tests/conftest.py prints it in pytest's
terminal summary, so CI logs show the numbers behind each green run.
"""

from __future__ import annotations

_lines: dict[str, list[str]] = {}


def record(suite: str, line: str) -> None:
    """Add one line under ``suite``'s heading."""
    _lines.setdefault(suite, []).append(line)


def report() -> list[str]:
    """Lines for the terminal summary; empty when no suite recorded anything."""
    lines: list[str] = []
    for suite, entries in _lines.items():
        lines += ["", f"--- {suite} ---", *(f"  {entry}" for entry in entries)]
    return lines
