"""``dynimg render`` opens its source on a thread while the engine is imported: the engine then
renders from that opening, its errors surface at the render, and an opening left unused is
closed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import dynimg.adapters.media.engine as engine_module
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.adapters.media.opening import SourceOpening
from dynimg.domain.limits import MediaLimits
from dynimg.errors import UnreadableMedia
from tests.media.conftest import config, render
from tests.support.media import Clip, make_clip


def _open_files() -> set[str]:
    """The files this process has open, by path."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor)
    return found


def _not_again(*args: object) -> None:
    raise AssertionError("the engine opened the source itself")


def test_the_engine_renders_from_the_opening(
    clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opening = SourceOpening(clip.path, MediaLimits())
    monkeypatch.setattr(engine_module, "open_probed", _not_again)
    try:
        result, animation = render(
            PyAvMediaEngine(MediaLimits(), opening), clip.path, tmp_path / "o.gif", config()
        )
    finally:
        opening.close()
    assert result.frames == len(animation.frames) == 10
    assert (result.width, result.height) == (160, 120)


def test_an_opening_error_is_raised_by_the_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"garbage" * 1000)
    opening = SourceOpening(bad, MediaLimits())
    monkeypatch.setattr(engine_module, "open_probed", _not_again)
    engine = PyAvMediaEngine(MediaLimits(), opening)
    with pytest.raises(UnreadableMedia):
        render(engine, bad, tmp_path / "o.gif", config())
    opening.close()


def test_an_opening_of_another_source_is_not_used_and_is_closed(
    clip: Clip, media_dir: Path, tmp_path: Path
) -> None:
    other = make_clip(media_dir / "opening-other.mp4", size=(240, 240), seconds=1.5)
    opening = SourceOpening(other.path, MediaLimits())
    result, _ = render(
        PyAvMediaEngine(MediaLimits(), opening), clip.path, tmp_path / "o.gif", config()
    )
    assert (result.width, result.height) == (160, 120), "rendered the source asked for"
    assert str(other.path) in _open_files(), "the opening still holds its file"
    opening.close()
    assert str(other.path) not in _open_files()
    assert opening.take(other.path) is None, "closed: nothing left to take"
