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


def _sdk_actions() -> set[str]:
    """Every Action the official SDK's client can call, read from its source."""
    import inspect

    from alibabacloud_vod20170321.client import Client

    return set(re.findall(r"action\s*=\s*['\"]([A-Za-z]+)['\"]", inspect.getsource(Client)))


def _section(text: str, heading: str) -> str:
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_coverage_page_lists_every_action_once_as_dynimg_has_it() -> None:
    text = (DOCS / "alibaba-coverage.md").read_text(encoding="utf-8")
    names = re.compile(r"`([A-Z][A-Za-z]+)`")
    implemented = {
        name
        for heading in ("## Implemented", "## dynimg's own Actions")
        for row in _section(text, heading).splitlines()
        if row.startswith("| `")
        for name in names.findall(row.split("|")[1])
    }
    not_implemented = {  # the lists of names, one per area; the prose may name others
        name
        for line in _section(text, "## Not implemented").splitlines()
        if line.startswith("`")
        for name in names.findall(line)
    }
    registered, sdk = set(build_registry()), _sdk_actions()
    assert len(sdk) > 150, "the SDK's Actions were not found in its source"
    assert implemented == registered, "the Implemented tables are the registered Actions"
    assert not not_implemented & registered, "implemented, yet listed as not implemented"
    assert sdk - registered == not_implemented, "every other SDK Action, under Not implemented"
    counts = f"Of the {len(sdk)} Actions of the official SDK"
    assert counts in text and f"implements {len(sdk & registered)}, and adds" in text
