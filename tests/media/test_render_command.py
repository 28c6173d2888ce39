"""``dynimg render`` as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.media import Clip, png_bomb, read_animation
from tests.support.server import run_cli

TEMPLATE = json.dumps(
    {
        "Container": {"Format": "webp"},
        "Video": {"Width": "160", "Fps": "10"},
        "Clip": {"TimeSpan": {"Seek": "0.5", "Duration": "1"}},
    }
)


def test_render_prints_what_it_wrote(clip: Clip, tmp_path: Path) -> None:
    watermark = json.dumps(
        {"WatermarkId": "t", "Type": "Text", "WatermarkConfig": {"Content": "hello"}}
    )
    result = run_cli(
        tmp_path,
        "render",
        str(clip.path),
        str(tmp_path / "out.webp"),
        "--template-config",
        TEMPLATE,
        "--watermark",
        watermark,
        "--override",
        json.dumps({"Watermarks": [{"WatermarkId": "t", "Content": "你好"}]}),
    )
    line = result.stdout.strip()
    for part in (
        "format=webp",
        "width=160",
        "height=120",
        "fps=10",
        "frames=10",
        "duration=1.000s",
    ):
        assert part in line
    size = (tmp_path / "out.webp").stat().st_size
    assert f"bytes={size}" in line and "time=" in line
    assert len(read_animation(tmp_path / "out.webp").frames) == 10
    assert not (tmp_path / "dynimg.db").exists(), "render needs no database"


def test_render_errors_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.mp4").write_bytes(b"garbage" * 1000)
    result = run_cli(
        tmp_path,
        "render",
        str(tmp_path / "bad.mp4"),
        str(tmp_path / "o.gif"),
        "--template-config",
        TEMPLATE,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: InvalidMedia.Unreadable: ")
    assert len(result.stderr.strip().splitlines()) == 1
    bad_config = run_cli(
        tmp_path, "render", "x.mp4", "o.gif", "--template-config", "{}", check=False
    )
    assert bad_config.returncode == 1
    assert "error: InvalidParameter:" in bad_config.stderr
    assert "TemplateConfig.Container" in bad_config.stderr


def test_a_decompression_bomb_watermark_is_a_one_line_error(clip: Clip, tmp_path: Path) -> None:
    bomb = png_bomb(tmp_path / "bomb.png", 15000, 15000)
    watermark = json.dumps({"WatermarkId": "w1", "Type": "Image", "FileUrl": str(bomb)})
    result = run_cli(
        tmp_path,
        "render",
        str(clip.path),
        str(tmp_path / "o.gif"),
        "--template-config",
        TEMPLATE,
        "--watermark",
        watermark,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: InvalidWatermark.File: Watermark w1: ")
    assert len(result.stderr.strip().splitlines()) == 1


NEVER_ON_THE_RENDER_PATH = (
    "uvicorn", "starlette", "sqlalchemy", "alembic", "psycopg", "oss2", "httpx", "celery", "kombu",
    "boto3", "botocore", "limits", "redis", "prometheus_client", "jinja2", "argon2", "scipy",
    "pydantic", "pydantic_core", "pydantic_settings", "dynimg.settings", "dynimg.ports",
)  # fmt: skip
"""Server, database, client and settings stacks: ``dynimg render`` uses none of them."""

NOT_FOR_A_PLAIN_RENDER = (
    "dynimg.domain.snapshots", "dynimg.domain.storyboard", "dynimg.domain.size_search",
    "dynimg.domain.uploads", "dynimg.domain.accounts", "dynimg.services.watermarks",
    "dynimg.domain.watermark_documents", "dynimg.domain.watermarks", "hashlib", "numpy.ma",
)  # fmt: skip
"""Snapshot templates, MaxFileSize's search, stored watermarks' upload rules and the
``--watermark`` option's documents: a render without them does not import them (nor numpy's
masked arrays, which ``np.unique`` loads)."""

NOT_FOR_A_PLAIN_GIF = (
    "dynimg.adapters.media.webp", "dynimg.adapters.media.webp_frames",
    "dynimg.adapters.media.streaming", "dynimg.adapters.media.size_fit",
    "dynimg.adapters.media.highlight", *NOT_FOR_A_PLAIN_RENDER,
)  # fmt: skip
"""Other formats' writers, MaxFileSize's size search and Seek=auto's look: loaded when a
template asks for them."""


NOT_FOR_A_PLAIN_WEBP = (
    "PIL", "dynimg.adapters.media.gif", "dynimg.adapters.media.sprites",
    "dynimg.adapters.media.images", "dynimg.adapters.media.streaming",
    "dynimg.adapters.media.size_fit", "dynimg.adapters.media.highlight", *NOT_FOR_A_PLAIN_RENDER,
)  # fmt: skip
"""Pillow serves GIF and watermarks only: a WebP without watermarks never loads it."""


@pytest.mark.parametrize(
    ("fmt", "needed", "unneeded"),
    [
        ("gif", {"av", "numpy", "PIL", "dynimg.adapters.media.gif"}, NOT_FOR_A_PLAIN_GIF),
        ("webp", {"av", "numpy", "dynimg.adapters.media.webp"}, NOT_FOR_A_PLAIN_WEBP),
    ],
)
def test_render_imports_only_what_it_uses(
    clip: Clip, tmp_path: Path, fmt: str, needed: set[str], unneeded: tuple[str, ...]
) -> None:
    """The time before the first frame is imports: sys.modules when a render exits, with a
    media limit set (read without pydantic). Timings live in docs/benchmarks.md, not here."""
    template = TEMPLATE.replace('"webp"', f'"{fmt}"')
    output = tmp_path / f"o.{fmt}"
    script = (
        "import sys, runpy\n"
        f"sys.argv = ['dynimg', 'render', {str(clip.path)!r}, {str(output)!r},"
        f" '--template-config', {template!r}]\n"
        "try:\n    runpy.run_module('dynimg', run_name='__main__')\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYNIMG_")}
    env["DYNIMG_MAX_CLIP_SECONDS"] = "30"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, timeout=120, check=True, env=env,
    )  # fmt: skip
    loaded = set(result.stdout.split("\n")[-2].split())
    assert needed <= loaded
    roots = {name.partition(".")[0] for name in loaded}
    assert [m for m in NEVER_ON_THE_RENDER_PATH if m in loaded or m in roots] == []
    assert [m for m in unneeded if m in loaded] == []
    assert output.stat().st_size > 0
