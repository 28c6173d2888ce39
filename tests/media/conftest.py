from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.rendering import RenderResult, read_overrides
from dynimg.domain.template_documents import read_template_config
from dynimg.domain.watermark_documents import read_local_watermark
from dynimg.services.rendering import render_file
from tests.support.media import Animation, Clip, make_clip, read_animation


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def clip(media_dir: Path) -> Clip:
    """2 s, 30 fps, 320x240 H.264 in MP4, with a 2 s GOP like phone and camera files."""
    return make_clip(media_dir / "clip.mp4", options={"g": "60", "bf": "3"})


@pytest.fixture(scope="session")
def engine() -> PyAvMediaEngine:
    return PyAvMediaEngine()


def config(fmt: str = "gif", **span: Any) -> dict[str, Any]:
    return {
        "Container": {"Format": fmt},
        "Video": {"Width": "160", "Fps": "10"},
        "Clip": {"TimeSpan": span or {"Seek": "0.5", "Duration": "1"}},
    }


def render(
    engine: PyAvMediaEngine,
    source: Path,
    output: Path,
    template: dict[str, Any],
    watermarks: list[dict[str, Any]] | None = None,
    override: dict[str, Any] | None = None,
) -> tuple[RenderResult, Animation]:
    result = render_file(
        engine,
        source,
        output,
        read_template_config(json.dumps(template)),
        [read_local_watermark(json.dumps(w), i) for i, w in enumerate(watermarks or [])],
        read_overrides(json.dumps(override) if override else None),
    )
    return result, read_animation(output)
