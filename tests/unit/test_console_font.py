"""The console's small CJK face has every character of the console's own Chinese text, so a
Chinese page never waits for the 8 MB face (nor shows boxes) for its own words."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "console_font.py"


def test_the_small_face_covers_the_console_s_chinese() -> None:
    spec = importlib.util.spec_from_file_location("console_font", TOOL)
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    shown = tool.console_characters()
    assert len(shown) > 200  # the catalog and the pages were read
    covered = {chr(code) for code in TTFont(tool.OUT).getBestCmap()}
    missing = "".join(sorted(shown - covered))
    assert not missing, f"run `make console-font`: the small CJK face lacks {missing}"
    assert tool.OUT.stat().st_size < 200_000
