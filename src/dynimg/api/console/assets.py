"""Static files: the console's own CSS and JS, and a CJK web font from a Python package.

Chinese text must render on machines without CJK system fonts, and nothing may come from the
internet, so the font comes from ``pylopdf-fonts-zh-cn`` (SIL OFL 1.1), which dynimg already
installs for text watermarks. The stylesheet limits it to CJK code points (``unicode-range``),
so only pages that show Chinese download it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
SANS_SC = "NotoSansSC-Regular.otf"
YEAR = 365 * 86400


async def cjk_font(_request: Request) -> Response:
    path = Path(str(resources.files(FONT_PACKAGE).joinpath(SANS_SC)))
    return FileResponse(
        path, media_type="font/otf", headers={"Cache-Control": f"public, max-age={YEAR}"}
    )


def routes() -> list[Route | Mount]:
    return [
        Mount("/static", StaticFiles(packages=[("dynimg.api.console", "static")]), name="static"),
        Route("/fonts/noto-sans-sc.otf", cjk_font, methods=["GET", "HEAD"]),
    ]
