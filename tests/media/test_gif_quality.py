"""What the GIF quantizer promises: adaptive dithering and temporal stabilisation."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from dynimg.adapters.media.engine import PyAvMediaEngine
from tests.media.conftest import render
from tests.support.media import source_frame

WIDTH, HEIGHT = 320, 240


@pytest.fixture(scope="module")
def textured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Moving index bars on top; below, a still gradient with a little per-frame noise (left)
    and a still, busy texture (right)."""
    path = tmp_path_factory.mktemp("gifq") / "textured.mp4"
    rng = np.random.default_rng(3)
    texture = np.kron(rng.integers(0, 256, (HEIGHT // 8, WIDTH // 8, 3)), np.ones((4, 4, 1)))
    gradient = np.linspace(40, 215, WIDTH // 2)[None, :, None] * np.ones((HEIGHT // 2, 1, 3))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10, options={"crf": "12"})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for i in range(20):
            frame = source_frame(i, WIDTH, HEIGHT)
            noise = rng.integers(-2, 3, gradient.shape)
            frame[HEIGHT // 2 :, : WIDTH // 2] = np.clip(gradient + noise, 0, 255)
            frame[HEIGHT // 2 :, WIDTH // 2 :] = texture[: HEIGHT // 2, : WIDTH // 2]
            picture = av.VideoFrame.from_ndarray(frame.astype(np.uint8), format="rgb24")
            picture.pts = i
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return path


def gif(engine: PyAvMediaEngine, source: Path, tmp_path: Path, **extra: Any) -> list[np.ndarray]:
    template = {
        "Container": {"Format": "gif"},
        "Video": {"Width": str(WIDTH), "Fps": "10"},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "2"}},
        **extra,
    }
    name = json.dumps(extra, sort_keys=True).encode().hex()[:16] or "default"
    _, animation = render(engine, source, tmp_path / f"{name}.gif", template)
    return [frame.astype(int) for frame in animation.frames]


def test_still_areas_stay_still(engine: PyAvMediaEngine, textured: Path, tmp_path: Path) -> None:
    frames = gif(engine, textured, tmp_path)
    still = [f[HEIGHT // 2 + 4 : -4, 4 : WIDTH // 2 - 4] for f in frames]
    unchanged = [np.mean(np.all(a == b, axis=2)) for a, b in itertools.pairwise(still)]
    assert min(unchanged) > 0.9, "sensor-level noise must not make the dither shimmer"
    moving = [f[: HEIGHT // 2] for f in frames]
    assert not np.array_equal(moving[0], moving[1]), "real motion still shows"


def test_dithering_is_adaptive(engine: PyAvMediaEngine, textured: Path, tmp_path: Path) -> None:
    adaptive = gif(engine, textured, tmp_path)[0]
    plain = gif(engine, textured, tmp_path, Dither="none")[0]
    busy = (slice(HEIGHT // 2 + 4, HEIGHT - 4), slice(WIDTH // 2 + 4, WIDTH - 4))
    smooth = (slice(HEIGHT // 2 + 4, HEIGHT - 4), slice(4, WIDTH // 2 - 4))
    same_busy = np.mean(np.all(adaptive[busy] == plain[busy], axis=2))
    same_smooth = np.mean(np.all(adaptive[smooth] == plain[smooth], axis=2))
    assert same_busy > 0.9, "busy texture gets the nearest colour, without dither noise"
    assert same_smooth < 0.9, "smooth gradients are error-diffused"


def test_colours_are_converted_exactly(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    # A flat YUV colour must come out as the BT.601 formula gives it (as FFmpeg's command line
    # and players show it). swscale's default path made it about one level darker per channel.
    path = tmp_path / "flat.mp4"
    y, u, v = 100, 150, 90
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10, options={"qp": "0"})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        planes = np.concatenate(
            [np.full((HEIGHT, WIDTH), y), np.full((HEIGHT // 4, WIDTH), u),
             np.full((HEIGHT // 4, WIDTH), v)]
        ).astype(np.uint8)  # fmt: skip
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    template = {
        "Container": {"Format": "gif"},
        "Video": {"Width": str(WIDTH), "Fps": "10"},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "0.3"}},
    }
    _, animation = render(engine, path, tmp_path / "flat.gif", template)
    luma = 1.164 * (y - 16)
    expected = [luma + 1.596 * (v - 128), luma - 0.392 * (u - 128) - 0.813 * (v - 128),
                luma + 2.017 * (u - 128)]  # fmt: skip
    shown = animation.frames[0].reshape(-1, 3).mean(axis=0)
    assert np.abs(shown - expected).max() < 0.75, (shown, expected)


def desktop(step: int) -> np.ndarray:
    """A screen recording's frame: window chrome, a bar chart, text being typed, a pointer."""
    image = Image.new("RGB", (640, 360), (36, 52, 71))
    draw = ImageDraw.Draw(image)
    draw.rectangle((26, 20, 613, 340), fill=(250, 250, 250), outline=(120, 120, 120))
    draw.rectangle((26, 20, 613, 33), fill=(222, 226, 230))
    draw.rectangle((26, 33, 120, 340), fill=(240, 242, 245))
    for i, colour in enumerate([(66, 133, 244), (219, 68, 55), (244, 180, 0), (15, 157, 88)]):
        draw.rectangle((450 + i * 35, 300 - 40 * (i + 1), 475 + i * 35, 300), fill=colour)
    text = "def render(source, output):\n    plan = probe(source)\n    return write_gif(output)\n"
    draw.multiline_text((140, 50), text[: 4 * step + 10], fill=(30, 30, 30))
    x = 300 + 5 * step
    draw.polygon([(x, 200), (x, 216), (x + 11, 211)], fill=(0, 0, 0), outline=(255, 255, 255))
    return np.asarray(image)


def encode_clip(path: Path, pictures: list[np.ndarray], crf: int) -> Path:
    """RGB pictures (all of one size) as an H.264 clip at 10 fps."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10, options={"crf": str(crf)})
        stream.height, stream.width = pictures[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for i, rgb in enumerate(pictures):
            picture = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            picture.pts = i
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return path


def test_a_screen_recording_stays_small_and_close(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    # Flat colours and anti-aliased text: the palette must hold them, or every frame dithers.
    # (Seeded by median cut, this GIF took 19 kB at 37.6 dB; seeded by the octree, 8.3 kB
    # at 38.4 dB.)
    path = encode_clip(tmp_path / "desktop.mp4", [desktop(i) for i in range(20)], crf=18)
    with av.open(str(path)) as container:
        sources = [
            f.reformat(width=320, height=180, format="rgb24", interpolation="LANCZOS").to_ndarray()
            for f in container.decode(video=0)
        ]
    template = {
        "Container": {"Format": "gif"},
        "Video": {"Width": "320", "Fps": "10"},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "2"}},
    }
    result, animation = render(engine, path, tmp_path / "desktop.gif", template)
    assert len(animation.frames) == 20
    error = np.mean(
        [
            np.mean((a.astype(float) - b) ** 2)
            for a, b in zip(animation.frames, sources, strict=True)
        ]
    )
    psnr = 10 * np.log10(255**2 / error)
    assert result.size_bytes < 12_000 and psnr > 37, (result.size_bytes, psnr)


def test_grain_is_mapped_without_dither(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    # Grain of sigma 4 over a gradient (mean luma gradient about 9): texture that hides banding,
    # so it gets the nearest colour, like busier texture, not error diffusion's crawling noise.
    rng = np.random.default_rng(5)
    gradient = np.linspace(60, 190, WIDTH)[None, :, None] * np.ones((HEIGHT, 1, 3))
    grainy = [
        np.clip(gradient + rng.normal(0, 4, (HEIGHT, WIDTH, 1)), 0, 255).astype(np.uint8)
        for _ in range(5)
    ]
    path = encode_clip(tmp_path / "grain.mp4", grainy, crf=8)
    # Lossless LZW in both: lossy LZW's choices follow each row's strings, which a single
    # dithered pixel changes, and would hide what the mapping did.
    adaptive = gif(engine, path, tmp_path, Lossy=0)[2]
    plain = gif(engine, path, tmp_path, Dither="none", Lossy=0)[2]
    inner = (slice(8, HEIGHT - 8), slice(8, WIDTH - 8))
    assert np.mean(np.all(adaptive[inner] == plain[inner], axis=2)) > 0.9
