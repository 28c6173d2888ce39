"""Every text the console's pages translate has its Simplified Chinese."""

from __future__ import annotations

import re
from pathlib import Path

from dynimg.api.console import i18n

PAGES = Path(i18n.__file__).parent / "html"
TRANSLATED = re.compile(r"""_\((["'])(.+?)\1\)""")


def test_every_translated_text_of_the_pages_has_chinese() -> None:
    texts = {
        m.group(2) for page in PAGES.glob("*.html") for m in TRANSLATED.finditer(page.read_text())
    }
    assert len(texts) > 100
    assert sorted(texts - set(i18n.ZH_CN)) == []
