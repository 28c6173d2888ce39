"""Make the console's small CJK face: Noto Sans SC cut down to the characters of the console's
own Chinese text (the zh-CN catalog and the page templates), about 65 KB as WOFF.

    make console-font        # after adding or changing Chinese text in the console

The full face (8 MB, served at /console/fonts/noto-sans-sc.otf) still draws any other Chinese
(titles, watermark names), but a page's own words never wait for it: the small face is preloaded
on Chinese pages and listed first. tests/unit/test_console_font.py fails when the console shows
a character this file lacks. Noto Sans SC is under the SIL Open Font License 1.1, which allows
subsets; it comes from the pylopdf-fonts-zh-cn package dynimg already installs.
"""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parent.parent
CONSOLE = ROOT / "src" / "dynimg" / "api" / "console"
OUT = CONSOLE / "static" / "noto-sans-sc-console.woff"
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)
"""The stylesheet's unicode-range for the CJK faces."""


def console_characters() -> set[str]:
    """Every CJK character the console's own pages can show."""
    sys.path.insert(0, str(ROOT / "src"))
    from dynimg.api.console.i18n import ZH_CN

    pages = "".join(p.read_text(encoding="utf-8") for p in (CONSOLE / "html").glob("*.html"))
    return set(CJK.findall("".join(ZH_CN.values()) + pages))


def main() -> None:
    source = resources.files("pylopdf_fonts_zh_cn").joinpath("NotoSansSC-Regular.otf")
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    font = subset.load_font(str(source), options)
    cutter = subset.Subsetter(options)
    chars = console_characters()
    cutter.populate(unicodes=sorted(ord(c) for c in chars))
    cutter.subset(font)
    subset.save_font(font, str(OUT), options)
    print(f"{OUT.relative_to(ROOT)}: {len(chars)} characters, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
