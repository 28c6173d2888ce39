"""``Video.Crop=auto``: letterbox and pillarbox bars are cut off, a dark scene is left whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.template_parsing import parse_template_config
from dynimg.domain.templates import Crop
from dynimg.errors import InvalidParameter
from tests.media.conftest import render
from tests.support.media import scaled, source_frame
from tests.support.pictures import assert_looks_like

FRAME = (320, 180)


def boxed_clip(path: Path, picture: tuple[int, int], *, dark: bool = False) -> Path:
    """H.264, 2 s at 10 fps, GOP 5: a moving picture of ``picture`` size centred in black."""
    width, height = FRAME
    rng = np.random.default_rng(3)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10, options={"g": "5"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(20):
            canvas = np.zeros((height, width, 3), dtype=np.uint8)
            content = content_frame(index, picture, dark, rng)
            top, left = (height - picture[1]) // 2, (width - picture[0]) // 2
            canvas[top : top + picture[1], left : left + picture[0]] = content
            frame = av.VideoFrame.from_ndarray(canvas, format="rgb24").reformat(format="yuv420p")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def content_frame(
    index: int, size: tuple[int, int], dark: bool, rng: np.random.Generator
) -> np.ndarray:
    if not dark:
        return scaled(source_frame(index), size)
    # A night scene: a sky near black with sensor noise over a dim street, and a light that
    # moves. The sky is dark, steady and nearly flat: only its noise tells it from a bar.
    picture = rng.integers(0, 12, (size[1], size[0], 3)).astype(np.uint8)
    picture[size[1] * 2 // 5 :] += 30
    picture[size[1] // 2 :, (index * 8) % size[0] : (index * 8) % size[0] + 20] += 25
    return picture


def template(**video: str) -> dict[str, Any]:
    return {
        "Container": {"Format": "gif"},
        "Video": {"Fps": "5", "Crop": "auto", **video},
        "Clip": {"TimeSpan": {"Seek": "0"}},
    }


@pytest.fixture(scope="module")
def engine() -> PyAvMediaEngine:
    return PyAvMediaEngine()


@pytest.mark.parametrize(
    ("picture", "expected"),
    [((320, 134), (320, 134)), ((240, 180), (240, 180))],
    ids=["letterbox-2.39", "pillarbox-4x3"],
)
def test_bars_are_cut_off(
    engine: PyAvMediaEngine,
    tmp_path: Path,
    picture: tuple[int, int],
    expected: tuple[int, int],
) -> None:
    source = boxed_clip(tmp_path / "boxed.mp4", picture)
    result, animation = render(engine, source, tmp_path / "out.gif", template())
    # Bars are cut on even lines, two lines past their edge (where the encoder smears).
    assert expected[0] - 6 <= result.width <= expected[0]
    assert expected[1] - 6 <= result.height <= expected[1]
    for index, frame in enumerate(animation.frames):
        # The picture's own top rows are its index bars (black in early frames); its bottom
        # row and side columns are bright.
        edges = [frame[-1], frame[:, 0], frame[:, -1]]
        assert min(float(edge.mean()) for edge in edges) > 20, "a bar is left"
        wanted = scaled(
            content_frame(2 * index, picture, False, np.random.default_rng()), frame.shape[1::-1]
        )
        assert_looks_like(frame, wanted, min_ssim=0.8)


def test_width_keeps_the_pictures_aspect(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    source = boxed_clip(tmp_path / "boxed.mp4", (320, 134))
    result, _ = render(engine, source, tmp_path / "out.gif", template(Width="200"))
    assert result.width == 200 and 80 <= result.height <= 84  # 2.39:1, not 16:9


def test_a_dark_scene_is_not_cropped(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    source = boxed_clip(tmp_path / "dark.mp4", FRAME, dark=True)
    result, _ = render(engine, source, tmp_path / "out.gif", template())
    assert (result.width, result.height) == FRAME


def test_a_clip_without_bars_is_not_cropped(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    source = boxed_clip(tmp_path / "full.mp4", FRAME)
    result, _ = render(engine, source, tmp_path / "out.gif", template())
    assert (result.width, result.height) == FRAME


def test_crop_auto_is_validated() -> None:
    assert parse_template_config(template()).crop is Crop.AUTO
    assert parse_template_config(template(Width="256")).crop is Crop.AUTO  # no Height needed
    with pytest.raises(InvalidParameter) as refused:
        parse_template_config(template(Crop="bars"))
    assert "TemplateConfig.Video.Crop" in str(refused.value)
