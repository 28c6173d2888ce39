"""The bench's HDR case (issue 23, item 6): its footage is HLG as BT.2100 defines it, the ffmpeg
tools tone-map it, and its quality reference is FFmpeg's SDR rendition, frame for frame."""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from dynimg.adapters.media.tone_map import HLG_GAMMA, hlg_to_scene
from tests.support.hdr import HLG, make_hdr_clip

BENCH = Path(__file__).parents[2] / "bench"


def _bench(name: str) -> ModuleType:
    # bench/ is scripts importing each other by bare name (corpus, footage, ...)
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))
    return importlib.import_module(name)


def test_the_footage_is_hlg_with_reference_white_at_75_percent() -> None:
    footage = _bench("footage")
    grey = np.full((1, 3, 3), [[203.0], [1000.0], [20.0]])  # nits, neutral
    signal = footage.hlg_signal(grey)
    # BT.2408: HDR reference white (203 nits) is HLG 75%; the nominal peak is 100%.
    assert signal[0, :, 0] == pytest.approx([0.750, 1.0, signal[0, 2, 0]], abs=0.002)
    # Back through dynimg's own inverse OETF and OOTF (1,000-nit display): the same light.
    scene = hlg_to_scene(signal)
    luma = scene[..., 0]  # neutral: luminance is any channel
    nits = 1000 * np.power(luma, HLG_GAMMA - 1) * scene[..., 0]
    assert nits[0] == pytest.approx([203, 1000, 20], rel=0.01)


def test_the_graded_frame_keeps_diffuse_light_and_lifts_what_is_near_white() -> None:
    footage = _bench("footage")
    sdr = np.zeros((90, 160, 3), dtype=np.uint16)
    sdr[:, :40] = 65535 // 2  # mid grey: below the knee
    sdr[:, 40:80] = 65535  # SDR white: expanded
    nits = footage.hdr_light(sdr, 0, 10)
    grey = 0.5**2.4 * footage.REFERENCE_WHITE
    assert nits[80, 20] == pytest.approx([grey] * 3, rel=0.01)
    assert nits[80, 60] == pytest.approx([4 * footage.REFERENCE_WHITE] * 3, rel=0.01)
    assert nits.max() == pytest.approx(footage.HDR_PEAK, rel=0.01)  # the glint


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    return _bench("corpus")


def test_only_an_hdr_case_gets_the_tone_mapping_in_every_ffmpeg_tool(
    corpus: ModuleType, tmp_path: Path
) -> None:
    tools, stability = _bench("tools"), _bench("stability")
    sdr = corpus.Case("c", tmp_path / "c.mp4", 1.0, 3.0, 480, 12, "")
    hdr = replace(sdr, hdr=True)
    commands = {
        "gif": lambda case: tools.recipe(case, "gif", tmp_path / "o.gif"),
        "webp": lambda case: tools.recipe(case, "webp", tmp_path / "o.webp"),
        "png": lambda case: tools.png_frames(case, tmp_path),
        "floor": stability.floor_command,
    }
    for name, command in commands.items():
        graph = command(hdr)[command(hdr).index("-vf") + 1]
        plain = command(sdr)[command(sdr).index("-vf") + 1]
        assert corpus.TO_SDR not in plain, name
        assert f"scale=480:-1:flags=lanczos,{corpus.TO_SDR}" in graph, name
        assert graph.replace(f",{corpus.TO_SDR}", "") == plain, name


def test_an_hlg_source_is_scored_against_the_tone_mapped_frames_at_their_times(
    corpus: ModuleType, tmp_path: Path
) -> None:
    quality = _bench("quality")
    clip = make_hdr_clip(tmp_path / "hlg.mp4", HLG, frames=20)
    assert corpus.is_hdr(clip)
    tone_mapped = quality.reference_frames(clip, 0.5, 0.8, 160)
    quality.HDR_TRANSFERS, saved = (), quality.HDR_TRANSFERS
    try:
        as_decoded = quality.reference_frames(clip, 0.5, 0.8, 160)
    finally:
        quality.HDR_TRANSFERS = saved
    # The same frames (10 fps: 0.4 s to 1.4 s) at the same times, from ffmpeg's tone mapping.
    assert [t for t, _ in tone_mapped] == [t for t, _ in as_decoded]
    assert len(tone_mapped) == 11
    assert tone_mapped[0][1].shape == as_decoded[0][1].shape == (90, 160, 3)
    # Not the HLG signal read as SDR (what the plain decode gives).
    for (_, ours), (_, decoded) in zip(tone_mapped, as_decoded, strict=True):
        assert np.abs(ours.astype(int) - decoded).mean() > 4  # 6.6 here, 9 on hlg-phone-30
    # The moving highlight moves in the reference: frame k is frame k, not a neighbour.
    # The highlight (tests/support/hdr.py) moves 6.4 px a frame here: it stands where the plain
    # decode (which reads each frame's own time) shows it, not a frame early or late.
    shown = np.array([_highlight(decoded) for _, decoded in as_decoded])
    for k, (_, ours) in enumerate(tone_mapped):
        assert np.abs(shown - _highlight(ours)).argmin() == k


def _highlight(picture: np.ndarray) -> float:
    """Mean column of the brightest pixels."""
    light = picture.astype(int).sum(axis=2)
    return float(np.nonzero(light >= 0.97 * light.max())[1].mean())
