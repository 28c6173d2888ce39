"""A job's ``SizeSearch`` (the encodes made to fit ``Container.MaxFileSize``) as the console
shows it: a one-line summary for the list and a table of the encodes, the kept one marked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def size_search_view(search: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The search stored with a job, or None for a job without MaxFileSize."""
    if not search:
        return None
    chosen = search.get("Chosen")
    attempts = search.get("Attempts") or []
    rows = [_row(number, attempt, number - 1 == chosen) for number, attempt in
            enumerate(attempts, start=1)]  # fmt: skip
    return {
        "target": f"{search['TargetBytes']:,}",
        "encodes": search.get("Encodes", len(rows)),
        "rows": rows,
        "quality": any("Quality" in a for a in attempts),
        "lossy": any("Lossy" in a for a in attempts),
        "colors": any("MaxColors" in a for a in attempts),
        "kept": next((row["bytes"] for row in rows if row["kept"]), ""),
    }


def _row(number: int, attempt: dict[str, Any], kept: bool) -> dict[str, Any]:
    return {
        "number": number,
        "quality": attempt.get("Quality", ""),
        "lossy": attempt.get("Lossy", ""),
        "colors": attempt.get("MaxColors", ""),
        "fps": attempt.get("Fps", ""),
        "size": f"{attempt.get('Width')}×{attempt.get('Height')}",
        "bytes": f"{attempt.get('Bytes', 0):,}",
        "kept": kept,
    }
