"""Bad files and oversized requests fail with a clear error, before heavy work, leaving nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import ImageFile

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.limits import MediaLimits
from dynimg.errors import (
    MediaLimitExceeded,
    NoVideoStream,
    RenderTimeout,
    UnreadableMedia,
    UnreadableWatermark,
)
from tests.media.conftest import config, render
from tests.support.media import (
    Clip,
    gif_frame_bomb,
    make_audio_only,
    png_bomb,
    read_animation,
)


def broken_files(tmp_path: Path, clip: Clip) -> dict[str, Path]:
    data = clip.path.read_bytes()
    files = {
        "empty": b"",
        "random": os.urandom(200_000),
        "text": b"this is not a video\n" * 100,
        "truncated-head": data[: len(data) // 3],
    }
    paths = {}
    for name, content in files.items():
        path = tmp_path / f"{name}.mp4"
        path.write_bytes(content)
        paths[name] = path
    return paths


@pytest.mark.parametrize("name", ["empty", "random", "text", "truncated-head"])
def test_unreadable_files(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, name: str) -> None:
    source = broken_files(tmp_path, clip)[name]
    started = time.monotonic()
    with pytest.raises(UnreadableMedia):
        render(engine, source, tmp_path / "out.gif", config("gif"))
    assert time.monotonic() - started < 10
    assert not list(tmp_path.glob("*out.gif*"))


def test_missing_file(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    with pytest.raises(UnreadableMedia):
        render(engine, tmp_path / "nope.mp4", tmp_path / "out.gif", config("gif"))


def test_a_stream_without_a_decoder_is_unreadable(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    """A damaged MP4 sample entry leaves a video stream FFmpeg has no decoder for (the probe
    once died on it with an AttributeError)."""
    data = clip.path.read_bytes()
    entry = data.index(b"avc1", data.index(b"stsd"))
    damaged = tmp_path / "unknown-codec.mp4"
    damaged.write_bytes(data[:entry] + b"zzzz" + data[entry + 4 :])
    with pytest.raises(UnreadableMedia):
        engine.probe(damaged)


def test_audio_only(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    make_audio_only(tmp_path / "a.m4a")
    with pytest.raises(NoVideoStream):
        render(engine, tmp_path / "a.m4a", tmp_path / "out.gif", config("gif"))


def test_damaged_tail_still_renders_the_intact_part(
    engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    # MKV keeps its index at the front, so a file cut in half still has playable frames.
    from tests.support.media import make_clip

    whole = make_clip(tmp_path / "whole.mkv", seconds=2)
    data = whole.path.read_bytes()
    (tmp_path / "cut.mkv").write_bytes(data[: len(data) // 2])
    result, animation = render(
        engine, tmp_path / "cut.mkv", tmp_path / "o.gif", config("gif", Seek="0", Duration="2")
    )
    assert 0 < result.frames < 20 and len(animation.frames) == result.frames


def test_unreadable_watermark(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path) -> None:
    bogus = tmp_path / "logo.png"
    bogus.write_bytes(b"not a png")
    watermark = {"Type": "Image", "FileUrl": str(bogus), "WatermarkConfig": {}}
    with pytest.raises(UnreadableWatermark):
        render(engine, clip.path, tmp_path / "out.gif", config("gif"), [watermark])


def image_bombs(tmp_path: Path) -> dict[str, Path]:
    return {
        # 225 M pixels: past Pillow's own limit (2 x MAX_IMAGE_PIXELS), a DecompressionBombError.
        "png-bomb": png_bomb(tmp_path / "bomb.png", 15000, 15000),
        # 60 frames of 4096 x 4096 in 0.8 MB: 4 GB once decoded.
        "gif-frame-bomb": gif_frame_bomb(tmp_path / "frames.gif", 4096, 60),
    }


@pytest.mark.parametrize("name", ["png-bomb", "gif-frame-bomb"])
def test_image_bombs_are_refused_from_their_headers(
    engine: PyAvMediaEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    bomb = image_bombs(tmp_path)[name]

    def no_decoding(*_: object) -> None:
        raise AssertionError("probing an image decoded its pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(MediaLimitExceeded):
        engine.image_size(bomb)


@pytest.mark.parametrize("name", ["png-bomb", "gif-frame-bomb"])
def test_image_bomb_watermarks_fail_naming_the_watermark(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, name: str
) -> None:
    bomb = image_bombs(tmp_path)[name]
    watermark = {"WatermarkId": "logo7", "Type": "Image", "FileUrl": str(bomb)}
    started = time.monotonic()
    with pytest.raises(UnreadableWatermark, match="Watermark logo7: ") as raised:
        render(engine, clip.path, tmp_path / "out.gif", config("gif"), [watermark])
    assert "pixels" in raised.value.message
    assert time.monotonic() - started < 5
    assert not list(tmp_path.glob("*out.gif*"))


def test_image_limits_bound_frames_times_pixels(clip: Clip, tmp_path: Path) -> None:
    animated = gif_frame_bomb(tmp_path / "blink.gif", 40, 10)
    watermark = {"WatermarkId": "w", "Type": "Image", "FileUrl": str(animated)}
    for limits in (
        MediaLimits(max_image_pixels=40 * 39),
        MediaLimits(max_image_frames=9),
        MediaLimits(max_image_pixel_frames=40 * 40 * 9),
    ):
        with pytest.raises(UnreadableWatermark, match="Watermark w: "):
            render(PyAvMediaEngine(limits), clip.path, tmp_path / "o.gif", config(), [watermark])
    fits = MediaLimits(max_image_pixel_frames=40 * 40 * 10)
    result, _ = render(PyAvMediaEngine(fits), clip.path, tmp_path / "o.gif", config(), [watermark])
    assert result.frames == 10


def test_an_image_bomb_as_a_video_is_refused_before_its_frame_is_decoded(
    engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    # 8000 x 8000 RGBA is 256 MB decoded, over the 8K limit; FFmpeg decodes a PNG's frame
    # while opening it unless told the limit.
    bomb = png_bomb(tmp_path / "bomb.png", 8000, 8000, rgba=True)
    with pytest.raises((MediaLimitExceeded, UnreadableMedia)):
        engine.probe(bomb)
    # Peak memory of a process that only probes it, against one that probes a small image.
    small = png_bomb(tmp_path / "small.png", 64, 64, rgba=True)
    assert peak_kb_probing(bomb) < peak_kb_probing(small) + 100 * 1024


def peak_kb_probing(path: Path) -> int:
    # VmHWM, not ru_maxrss: a child's ru_maxrss starts from its parent's at fork.
    script = (
        "import re, sys\n"
        "from pathlib import Path\n"
        "from dynimg.adapters.media.engine import PyAvMediaEngine\n"
        "try:\n    PyAvMediaEngine().probe(Path(sys.argv[1]))\n"
        "except Exception:\n    pass\n"
        "print(re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text())[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@pytest.mark.parametrize(
    ("limits", "template"),
    [
        (MediaLimits(max_source_pixels=320 * 239), config("gif")),
        (MediaLimits(max_clip_seconds=0.5), config("gif")),
        (MediaLimits(max_output_frames=9), config("gif")),
        (MediaLimits(max_output_pixel_frames=160 * 120 * 9), config("gif")),
    ],
)
def test_limits_are_checked_before_decoding(
    clip: Clip, tmp_path: Path, limits: MediaLimits, template: dict[str, object]
) -> None:
    with pytest.raises(MediaLimitExceeded):
        render(PyAvMediaEngine(limits), clip.path, tmp_path / "out.gif", template)
    assert not list(tmp_path.iterdir())


def test_deadline_stops_runaway_work(clip: Clip, tmp_path: Path) -> None:
    engine = PyAvMediaEngine(MediaLimits(max_render_seconds=0.000001))
    with pytest.raises(RenderTimeout):
        render(engine, clip.path, tmp_path / "out.webp", config("webp"))
    assert not list(tmp_path.iterdir())


def test_frames_spill_to_disk_beyond_the_memory_budget(clip: Clip, tmp_path: Path) -> None:
    engine = PyAvMediaEngine(MediaLimits(frame_memory_bytes=200_000))
    template = {**config("gif", Seek="0", Duration="1.5"), "Video": {"Width": "160"}}
    result, animation = render(engine, clip.path, tmp_path / "out.gif", template)
    assert result.frames == len(animation.frames) == 15
    assert read_animation(tmp_path / "out.gif").delays_ms == [100] * 15


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("list.mp4", "ffconcat version 1.0\nfile 'segment.ts'\n"),
        (
            "list.m3u8",
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nsegment.ts\n#EXT-X-ENDLIST\n",
        ),
        (
            "remote.m3u8",
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nhttp://169.254.169.254/latest\n"
            "#EXT-X-ENDLIST\n",
        ),
    ],
    ids=["concat", "hls", "hls-remote"],
)
def test_playlists_never_make_ffmpeg_open_other_inputs(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, name: str, text: str
) -> None:
    # A real segment next to the "video": without the whitelists FFmpeg reads it (or the URL)
    # and the playlist probes as a playable video.
    with av.open(str(tmp_path / "segment.ts"), "w") as container:
        stream = container.add_stream("mpeg2video", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(10):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    playlist = tmp_path / name
    playlist.write_text(text)
    with pytest.raises(UnreadableMedia):
        engine.probe(playlist)
