"""Container.MaxFileSize: the file fits, close below the target, from one decode of the source."""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from dynimg.adapters.media import engine as engine_module
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.size_search import MAX_ENCODES
from dynimg.errors import FileSizeUnreachable
from tests.media.conftest import render
from tests.support.media import Clip, frame_index, make_clip, read_animation
from tests.support.server import run_cli


@pytest.fixture(scope="module")
def noisy(media_dir: Path) -> Path:
    """A second, very different source: noise below the index bars, hard to compress."""
    return make_clip(media_dir / "noisy.mp4", seconds=2, noise=True).path


def sized(fmt: str, target: int | None, **video: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"Format": fmt}
    if target is not None:
        container["MaxFileSize"] = target
    return {
        "Container": container,
        "Video": {"Width": "160", "Fps": "10", **video},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "2"}},
    }


@pytest.mark.parametrize(
    ("source", "fmt", "target"),
    [
        ("clip", "gif", 12_000),  # fewer colours
        ("clip", "gif", 3_000),  # colours, frame rate and size
        ("noisy", "gif", 10_000),
        ("clip", "webp", 3_500),  # quality
        ("noisy", "webp", 30_000),  # quality, then frame rate
        ("noisy", "webp", 2_500),  # down to the size
    ],
)
def test_targets_are_met_close_below(
    engine: PyAvMediaEngine,
    clip: Clip,
    noisy: Path,
    tmp_path: Path,
    source: str,
    fmt: str,
    target: int,
) -> None:
    path = clip.path if source == "clip" else noisy
    output = tmp_path / f"out.{fmt}"
    result, animation = render(engine, path, output, sized(fmt, target))
    reached = output.stat().st_size
    print(f"{source} {fmt}: target {target}, reached {reached} in "
          f"{len(result.size_search.attempts) if result.size_search else 0} encodes")  # fmt: skip
    assert result.size_bytes == reached <= target
    assert reached >= 0.85 * target, "close below the target, not far below it"
    assert result.size_search is not None and len(result.size_search.attempts) <= MAX_ENCODES
    chosen = result.size_search.attempts[result.size_search.chosen or 0].settings
    assert animation.size == (result.width, result.height) == (chosen.width, chosen.height)
    assert len(animation.frames) == result.frames and sum(animation.delays_ms) == 2000
    assert result.duration_ms == 2000


def test_a_met_target_is_one_encode_at_the_requested_settings(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    plain, _ = render(engine, clip.path, tmp_path / "plain.webp", sized("webp", None))
    result, _ = render(engine, clip.path, tmp_path / "fits.webp", sized("webp", 1 << 20))
    assert result.size_search is not None and len(result.size_search.attempts) == 1
    assert (result.width, result.frames) == (plain.width, plain.frames)
    assert abs(result.size_bytes - plain.size_bytes) < 0.05 * plain.size_bytes


def test_the_source_is_decoded_once(
    engine: PyAvMediaEngine, noisy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []

    class CountingDecoder(engine_module.ClipDecoder):
        def __iter__(self) -> Any:
            opened.append(self._path)
            return super().__iter__()

    monkeypatch.setattr(engine_module, "ClipDecoder", CountingDecoder)
    # A tiny in-memory budget: the kept frames spill to a temporary file and are read back.
    spilling = PyAvMediaEngine(engine_module.MediaLimits(frame_memory_bytes=100_000))
    result, animation = render(spilling, noisy, tmp_path / "o.webp", sized("webp", 1_500))
    assert result.size_search is not None and len(result.size_search.attempts) >= 3
    assert opened == [noisy], "every encode after the first came from the kept frames"
    assert result.size_bytes <= 1_500 and result.width < 160, "scaled down from the kept frames"
    assert len(animation.frames) == result.frames and sum(animation.delays_ms) == 2000
    assert [p.name for p in tmp_path.iterdir()] == ["o.webp"], "the attempts' files are gone"
    # At full size the frames read back from the spill file are the right ones, in order.
    result, animation = render(spilling, noisy, tmp_path / "p.webp", sized("webp", 30_000))
    assert result.size_search is not None and result.size_search.chosen is not None
    fps = result.size_search.attempts[result.size_search.chosen].settings.fps
    assert fps < 10 and result.width == 160
    kept = [3 * math.floor(Fraction(k) / fps * 10) for k in range(result.frames)]  # 10 of 30 fps
    assert [frame_index(f) for f in animation.frames] == kept
    assert len(opened) == 2


def test_an_unreachable_target_names_the_smallest_size(
    engine: PyAvMediaEngine, noisy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "never.gif"
    with pytest.raises(FileSizeUnreachable) as refused:
        render(engine, noisy, output, sized("gif", 1024))
    error = refused.value
    assert error.code == "InvalidParameter.MaxFileSize" and error.http_status == 400
    assert error.smallest > 1024 and f"smallest output is {error.smallest} bytes" in error.message
    assert "16 colours, 4 fps, 42x32" in error.message and "2 encodes" in error.message
    assert error.size_search is not None and len(error.size_search["Attempts"]) == 2
    assert not output.exists() and not list(tmp_path.iterdir())


def test_dynimg_render_reports_the_encodes(clip: Clip, noisy: Path, tmp_path: Path) -> None:
    for source, target in ((clip.path, 4_000), (noisy, 20_000)):
        output = tmp_path / f"{source.stem}.webp"
        config = json.dumps(sized("webp", 100_000))
        override = json.dumps({"Container": {"MaxFileSize": target}})
        result = run_cli(tmp_path, "render", str(source), str(output),
                         "--template-config", config, "--override", override)  # fmt: skip
        lines = result.stdout.strip().splitlines()
        size = output.stat().st_size
        assert 0.85 * target <= size <= target and f"bytes={size}" in lines[0]
        assert lines[1].startswith(f"MaxFileSize {target} bytes: ")
        chosen = [line for line in lines[2:] if line.startswith(" * ")]
        assert len(chosen) == 1 and chosen[0].endswith(f": {size} bytes")
        assert len(read_animation(output).frames) >= 8
    refused = run_cli(tmp_path, "render", str(noisy), str(tmp_path / "x.gif"), "--template-config",
                      json.dumps(sized("gif", 1024)), check=False)  # fmt: skip
    assert refused.returncode != 0 and "InvalidParameter.MaxFileSize" in refused.stderr
    assert "smallest output is" in refused.stderr


@pytest.mark.parametrize("fmt", ["gif", "avif"])
def test_a_bounce_re_encoded_to_fit_keeps_its_boomerang_order(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str
) -> None:
    # The kept frames are the shaped ones: re-encodes must not lose the backward half.
    template = sized(fmt, None)
    template["Clip"]["Playback"] = "bounce"
    plain, _ = render(engine, clip.path, tmp_path / f"plain.{fmt}", template)
    target = int(plain.size_bytes * 0.6)
    template["Container"]["MaxFileSize"] = target
    result, animation = render(engine, clip.path, tmp_path / f"fit.{fmt}", template)
    assert result.size_search is not None and len(result.size_search.attempts) >= 2
    assert result.size_bytes <= target
    order = [frame_index(f) for f in animation.frames]
    peak = order.index(max(order))
    assert 0 < peak < len(order) - 1, order
    rising, falling = order[: peak + 1], order[peak:]
    assert all(a < b for a, b in itertools.pairwise(rising)), order
    assert all(a > b for a, b in itertools.pairwise(falling)), order
    assert len(falling) >= len(rising) - 2 and falling[-1] <= rising[len(rising) // 4], "back"
    assert sum(animation.delays_ms) == result.duration_ms
