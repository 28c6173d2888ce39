"""Image and text watermarks: placement, size, timeline, animation, Chinese text, overrides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dynimg.adapters.media.engine import PyAvMediaEngine
from tests.media.conftest import config, render
from tests.support.media import Clip

RED, GREEN = (255, 0, 0), (0, 200, 0)


def png(path: Path, color: tuple[int, int, int], size: tuple[int, int] = (40, 20)) -> Path:
    image = Image.new("RGBA", size, (*color, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))  # some transparency, as a logo would have
    image.save(path)
    return path


def animated_gif(path: Path) -> Path:
    frames = [Image.new("RGB", (40, 40), RED), Image.new("RGB", (40, 40), GREEN)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def mean_color(frame: np.ndarray, x: int, y: int, w: int, h: int) -> np.ndarray:
    return frame[y + 2 : y + h - 2, x + 2 : x + w - 2].reshape(-1, 3).mean(axis=0)


def is_close(color: np.ndarray, expected: tuple[int, int, int], tolerance: float = 40) -> bool:
    return bool(np.abs(color - np.array(expected)).max() < tolerance)


@pytest.mark.parametrize(
    ("refer", "box"),
    [
        ("TopLeft", (10, 12, 40, 20)),
        ("TopRight", (160 - 40 - 10, 12, 40, 20)),
        ("BottomLeft", (10, 120 - 20 - 12, 40, 20)),
        ("BottomRight", (160 - 40 - 10, 120 - 20 - 12, 40, 20)),
    ],
)
@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_image_watermark_goes_where_refer_pos_says(
    engine: PyAvMediaEngine,
    clip: Clip,
    tmp_path: Path,
    refer: str,
    box: tuple[int, int, int, int],
    fmt: str,
) -> None:
    logo = png(tmp_path / "logo.png", RED)
    watermark = {
        "Type": "Image",
        "FileUrl": str(logo),
        "WatermarkConfig": {"ReferPos": refer, "Dx": "10", "Dy": "12", "Width": "40"},
    }
    _, animation = render(engine, clip.path, tmp_path / f"o.{fmt}", config(fmt), [watermark])
    for frame in animation.frames:
        assert is_close(mean_color(frame, *box), RED)


def test_default_width_and_ratios(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path) -> None:
    logo = png(tmp_path / "logo.png", RED, (100, 50))
    default = {"Type": "Image", "FileUrl": str(logo), "WatermarkConfig": {"ReferPos": "TopLeft"}}
    _, animation = render(engine, clip.path, tmp_path / "a.gif", config("gif"), [default])
    # 0.12 of 160 px wide is 19 px, and 10 px high to keep the logo's 2:1.
    red = np.all(np.abs(animation.frames[0].astype(int) - RED) < 60, axis=2)
    ys, xs = np.nonzero(red)
    assert (xs.max() + 1, ys.max() + 1) in {(19, 10), (19, 9), (20, 10), (18, 9)}
    ratio = {
        "Type": "Image",
        "FileUrl": str(logo),
        "WatermarkConfig": {"ReferPos": "BottomRight", "Width": "0.5", "Height": "0.25"},
    }
    _, animation = render(engine, clip.path, tmp_path / "b.gif", config("gif"), [ratio])
    assert is_close(mean_color(animation.frames[0], 80, 90, 80, 30), RED)


def test_timeline_limits_when_it_shows(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path) -> None:
    logo = png(tmp_path / "logo.png", RED)
    watermark = {
        "Type": "Image",
        "FileUrl": str(logo),
        "WatermarkConfig": {
            "ReferPos": "TopLeft",
            "Width": "40",
            "Timeline": {"Start": "0.3", "Duration": "0.4"},
        },
    }
    _, animation = render(engine, clip.path, tmp_path / "o.gif", config("gif"), [watermark])
    shown = [is_close(mean_color(f, 0, 0, 40, 20), RED) for f in animation.frames]
    assert shown == [False, False, False, True, True, True, True, False, False, False]


def test_animated_watermark_animates(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path) -> None:
    gif = animated_gif(tmp_path / "blink.gif")
    watermark = {
        "Type": "Image",
        "FileUrl": str(gif),
        "WatermarkConfig": {"ReferPos": "TopLeft", "Width": "40"},
    }
    _, animation = render(engine, clip.path, tmp_path / "o.webp", config("webp"), [watermark])
    colors = [
        "red" if is_close(mean_color(f, 0, 0, 40, 40), RED, 60) else "green"
        for f in animation.frames
    ]
    assert colors == ["red", "green"] * 5


def test_one_frame_animated_webp_watermark(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    # A one-frame animated WebP, as dynimg itself writes one, is a still watermark.
    one = tmp_path / "one.webp"
    render(engine, clip.path, one, config("webp", Seek="0", Duration="0.1"))
    assert engine.image_size(one) == (160, 120)
    watermark = {"Type": "Image", "FileUrl": str(one), "WatermarkConfig": {"Width": "40"}}
    result, animation = render(engine, clip.path, tmp_path / "o.gif", config("gif"), [watermark])
    assert result.frames == len(animation.frames) == 10


def text_pixels(frame: np.ndarray, box: tuple[int, int, int, int], color: tuple[int, ...]) -> int:
    x, y, w, h = box
    region = frame[y : y + h, x : x + w].astype(int)
    return int(np.all(np.abs(region - np.array(color)) < 70, axis=2).sum())


def test_chinese_text_watermark_renders(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    text = {
        "WatermarkId": "w1",
        "Type": "Text",
        "WatermarkConfig": {
            "Content": "中文水印",
            "FontName": "WenQuanYi Zen Hei",
            "FontSize": 24,
            "FontColor": "#ffff00",
            "BorderWidth": 1,
            "BorderColor": "Black",
            "Top": 70,
            "Left": 10,
        },
    }
    _, plain = render(engine, clip.path, tmp_path / "plain.gif", config("gif"))
    _, marked = render(engine, clip.path, tmp_path / "text.gif", config("gif"), [text])
    box = (10, 70, 100, 32)
    assert text_pixels(marked.frames[0], box, (255, 255, 0)) > 150  # real glyphs, not tofu boxes
    assert text_pixels(plain.frames[0], box, (255, 255, 0)) < 20
    outside = (120, 0, 40, 60)
    diff = np.abs(marked.frames[0].astype(int) - plain.frames[0].astype(int))
    x, y, w, h = outside
    assert diff[y : y + h, x : x + w].mean() < 8


def test_override_replaces_text_content(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    text = {
        "WatermarkId": "w1",
        "Type": "Text",
        "WatermarkConfig": {"Content": "A", "FontSize": 30, "FontColor": "white", "Top": 70},
    }
    override = {"Watermarks": [{"WatermarkId": "w1", "Content": "UserID: 666"}]}
    _, short = render(engine, clip.path, tmp_path / "a.gif", config("gif"), [text])
    _, long = render(engine, clip.path, tmp_path / "b.gif", config("gif"), [text], override)
    box = (0, 70, 160, 40)
    assert text_pixels(long.frames[0], box, (255, 255, 255)) > 3 * text_pixels(
        short.frames[0], box, (255, 255, 255)
    )


def test_override_replaces_an_image_file(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    red, green = png(tmp_path / "red.png", RED), png(tmp_path / "green.png", GREEN)
    watermark = {
        "WatermarkId": "logo",
        "Type": "Image",
        "FileUrl": str(red),
        "WatermarkConfig": {"ReferPos": "TopLeft", "Width": "40"},
    }
    override = {"Watermarks": [{"WatermarkId": "logo", "FileUrl": str(green)}]}
    _, animation = render(
        engine, clip.path, tmp_path / "o.gif", config("gif"), [watermark], override
    )
    assert is_close(mean_color(animation.frames[0], 0, 0, 40, 20), GREEN)


def test_font_alpha_blends(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path) -> None:
    def render_alpha(alpha: str) -> np.ndarray:
        text = {
            "Type": "Text",
            "WatermarkConfig": {
                "Content": "■■■■",
                "FontSize": 40,
                "FontColor": "white",
                "FontAlpha": alpha,
                "Top": 0,
            },
        }
        _, animation = render(engine, clip.path, tmp_path / f"{alpha}.webp", config("webp"), [text])
        return animation.frames[0].astype(int)

    opaque, faint = render_alpha("1"), render_alpha("0.3")
    assert opaque[5:40, 5:60].mean() > faint[5:40, 5:60].mean() + 30
