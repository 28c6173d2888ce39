"""Fonts for text watermarks: Alibaba's font names mapped to the CJK-capable fonts dynimg ships.

SimSun (a Song/serif face) maps to Noto Serif SC; the WenQuanYi and Yuanti names (sans faces)
map to Noto Sans SC. Both come from the ``pylopdf-fonts-zh-cn`` package (SIL OFL 1.1).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from PIL import ImageFont

SERIF = "NotoSerifSC-Regular.otf"
SANS = "NotoSansSC-Regular.otf"
FONT_FILES = {
    "SimSun": SERIF,
    "WenQuanYi Zen Hei": SANS,
    "WenQuanYi Zen Hei Mono": SANS,
    "WenQuanYi Zen Hei Sharp": SANS,
    "Yuanti SC": SANS,
}


def font_path(font_name: str) -> Path:
    """The font file used for an Alibaba font name."""
    package = resources.files("pylopdf_fonts_zh_cn")
    return Path(str(package.joinpath(FONT_FILES.get(font_name, SANS))))


@lru_cache(maxsize=32)
def load_font(font_name: str, size: int) -> ImageFont.FreeTypeFont:
    """A loaded font, cached: parsing a CJK font costs tens of milliseconds."""
    return ImageFont.truetype(str(font_path(font_name)), size)
