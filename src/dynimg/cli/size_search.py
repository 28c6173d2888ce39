"""Printing a MaxFileSize search: the encodes made, their settings and bytes, the one kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click


def echo_size_search(search: Mapping[str, Any] | None) -> None:
    """The ``SizeSearch`` document of a job (or of ``dynimg render``), one encode a line."""
    if not search:
        return
    click.echo(f"MaxFileSize {search['TargetBytes']} bytes: {search['Encodes']} encode(s)")
    for index, attempt in enumerate(search["Attempts"]):
        mark = "*" if index == search.get("Chosen") else " "
        click.echo(f" {mark} {describe_attempt(attempt)}")


def describe_attempt(attempt: Mapping[str, Any]) -> str:
    """One encode on one line: ``quality 40, 10 fps, 160x120: 5120 bytes``."""
    knobs = [f"quality {attempt['Quality']}"] if "Quality" in attempt else []
    knobs += [f"lossy {attempt['Lossy']}"] if "Lossy" in attempt else []
    knobs += [f"{attempt['MaxColors']} colours"] if "MaxColors" in attempt else []
    knobs += [f"{attempt['Fps']} fps", f"{attempt['Width']}x{attempt['Height']}"]
    return f"{', '.join(knobs)}: {attempt['Bytes']} bytes"
