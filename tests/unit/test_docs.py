"""The documentation says what the code does: every Action is in the one Actions table."""

from __future__ import annotations

import re
from pathlib import Path

from dynimg.api.rpc.registry import build_registry

DOCS = Path(__file__).parents[2] / "docs"


def _first_table_after(text: str, heading: str) -> list[str]:
    """The rows of the Markdown table that follows ``heading``: it ends at the first non-row."""
    after = text.split(heading, 1)[1].lstrip("\n").split("\n")
    rows = []
    for line in after:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_the_actions_table_is_one_table_listing_every_action() -> None:
    rows = _first_table_after((DOCS / "api.md").read_text(encoding="utf-8"), "## Actions\n")
    documented = {
        name for row in rows for name in re.findall(r"`([A-Z][A-Za-z]+)`", row.split("|")[1])
    }
    missing = set(build_registry()) - documented
    assert not missing, f"not in the Actions table (a blank line ends a table): {sorted(missing)}"
