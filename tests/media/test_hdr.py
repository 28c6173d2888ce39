"""HDR sources (10-bit HLG and PQ) become SDR like FFmpeg's own rendition, outputs carry the
right colour tags, and SDR sources take exactly the path they took before (issue 23.3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from dynimg.adapters.media import decode
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.adapters.media.tone_map import ToneMapper
from dynimg.domain.template_parsing import parse_template_config
from dynimg.domain.templates import ToneMap
from dynimg.errors import InvalidParameter
from tests.media.conftest import render
from tests.support.hdr import (
    HLG,
    PQ,
    as_if_sdr,
    ffmpeg_sdr,
    ffmpeg_zscale_hable,
    ffmpeg_zscale_hable_picture,
    make_hdr_clip,
)
from tests.support.media import Clip, make_clip, ssim_half

TRANSFERS = {"hlg": HLG, "pq": PQ}


def template(fmt: str, **video: str) -> dict[str, Any]:
    return {
        "Container": {"Format": fmt},
        "Video": {"Fps": "10", **video},
        "Clip": {"TimeSpan": {"Seek": "0"}},
    }


@pytest.fixture(scope="module", params=sorted(TRANSFERS))
def hdr_clip(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name: str = request.param
    return make_hdr_clip(tmp_path_factory.mktemp("hdr") / f"{name}.mp4", TRANSFERS[name])


@pytest.fixture(scope="module")
def hlg_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What phones record: the other checks need only this one."""
    return make_hdr_clip(tmp_path_factory.mktemp("hdr") / "hlg.mp4", HLG)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(structural_similarity(a, b, channel_axis=2, data_range=255))


def mean_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_hdr_is_tone_mapped_like_ffmpeg(
    hdr_clip: Path, engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    # APNG is lossless: what is judged is the tone mapping, not an encoder.
    _, animation = render(engine, hdr_clip, tmp_path / "out.apng", template("apng"))
    reference, washed = ffmpeg_sdr(hdr_clip), as_if_sdr(hdr_clip)
    assert len(animation.frames) == len(reference) == 6
    scores = [ssim(ours, ref) for ours, ref in zip(animation.frames, reference, strict=True)]
    errors = [mean_error(o, r) for o, r in zip(animation.frames, reference, strict=True)]
    assert min(scores) >= 0.95 and max(errors) < 12, (scores, errors)
    # What dynimg made before: code values read as SDR, grey and flat against the reference.
    before = [mean_error(w, r) for w, r in zip(washed, reference, strict=True)]
    assert min(before) > 2 * max(errors), (before, errors)


def test_hable_is_ffmpegs_zscale_tonemap_hable(
    hdr_clip: Path, engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    """``ToneMap`` hable gives what the usual FFmpeg command gives (light in units of 100 nits,
    a 1,000-nit peak); the default, BT.2390 (SDR white stays white), is brighter but still
    within the issue's bound of that reference."""
    reference = ffmpeg_zscale_hable(hdr_clip)
    scores, brightness = {}, {}
    for operator in ("hable", "bt2390"):
        config = template("apng", ToneMap=operator)
        _, animation = render(engine, hdr_clip, tmp_path / f"{operator}.apng", config)
        pairs = list(zip(animation.frames, reference, strict=True))
        scores[operator] = min(ssim(ours, ref) for ours, ref in pairs)
        brightness[operator] = np.mean([float(o.mean()) - float(r.mean()) for o, r in pairs])
    assert scores["hable"] >= 0.99 and abs(brightness["hable"]) < 2, (scores, brightness)
    assert scores["bt2390"] >= 0.95 and brightness["bt2390"] > 10, (scores, brightness)


@pytest.mark.parametrize("transfer", [HLG, PQ], ids=["hlg", "pq"])
def test_hable_matches_ffmpeg_on_saturated_colours(transfer: int) -> None:
    """Primaries and secondaries, white and brown, at 16 signal levels up to the top: where
    FFmpeg's zscale applies HLG's system gamma per channel and tone-maps the brightest channel
    in BT.709, a luminance-based OOTF or a BT.2020 maximum would part from it by many levels."""
    hues = np.array([[1, 0.1, 0.1], [0.1, 1, 0.1], [0.1, 0.1, 1], [1, 1, 0.1], [0.1, 1, 1],
                     [1, 0.1, 1], [1, 1, 1], [0.6, 0.4, 0.2]])  # fmt: skip
    signal = np.linspace(0.1, 1.0, 16)[:, None, None] * hues[None]
    rgb16 = (np.repeat(np.repeat(signal, 4, axis=0), 4, axis=1) * 65535 + 0.5).astype(np.uint16)
    reference = ffmpeg_zscale_hable_picture(rgb16, transfer).astype(np.int16)
    ours = ToneMapper(hlg=transfer == HLG, operator=ToneMap.HABLE)(rgb16).astype(np.int16)
    errors = np.abs(ours - reference)
    assert errors.mean() < 0.2 and np.percentile(errors, 99) <= 2, (errors.mean(), errors.max())


@pytest.mark.parametrize("fmt", ["gif", "webp", "mp4"])
def test_every_format_is_tone_mapped(
    hlg_clip: Path, engine: PyAvMediaEngine, tmp_path: Path, fmt: str
) -> None:
    _, animation = render(engine, hlg_clip, tmp_path / f"out.{fmt}", template(fmt))
    reference = ffmpeg_sdr(hlg_clip)
    scores = [ssim_half(ours, ref) for ours, ref in zip(animation.frames, reference, strict=False)]
    errors = [mean_error(o, r) for o, r in zip(animation.frames, reference, strict=False)]
    # The YUV formats decode with the matrix they are tagged with (AVIF, MP4: BT.709) or the
    # one their decoders use (WebP: BT.601): a wrong one shifts every colour.
    assert min(scores) >= 0.9 and max(errors) < 14, (scores, errors)


@pytest.mark.parametrize("fmt", ["avif", "mp4"])
@pytest.mark.timeout(300)
def test_av1_outputs_are_tagged_bt709(clip: Clip, tmp_path: Path, fmt: str) -> None:
    import av

    output = tmp_path / f"out.{fmt}"
    render(PyAvMediaEngine(), clip.path, output, template(fmt, Width="160"))
    with av.open(str(output)) as container:
        context = container.streams.video[0].codec_context
        tags = (context.color_primaries, context.color_trc, context.colorspace)
        assert tags == (1, 1, 1) and context.color_range == 1


def test_operators_differ_where_they_should(
    hlg_clip: Path, engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    frames = {}
    for operator in ("bt2390", "hable", "clip"):
        output = tmp_path / f"{operator}.apng"
        frames[operator] = render(engine, hlg_clip, output, template("apng", ToneMap=operator))[
            1
        ].frames[0]
    # The highlight (1,000 nits) is white with clip, compressed below it by the others; the
    # diffuse gradient is kept by BT.2390 (below its knee) and darkened by Hable's curve.
    highlight, diffuse = (slice(80, 100), slice(110, 130)), (slice(140, 170), slice(200, 300))
    means = {op: (f[highlight].mean(), f[diffuse].mean()) for op, f in frames.items()}
    assert means["clip"][0] > means["bt2390"][0] - 1 and means["clip"][0] > means["hable"][0]
    assert abs(means["bt2390"][1] - means["clip"][1]) < 6 < means["bt2390"][1] - means["hable"][1]


def test_tone_map_extra_is_validated() -> None:
    assert parse_template_config(template("gif", ToneMap="hable")).tone_map.value == "hable"
    assert parse_template_config(template("gif")).tone_map.value == "bt2390"
    with pytest.raises(InvalidParameter) as refused:
        parse_template_config(template("gif", ToneMap="reinhard"))
    assert "TemplateConfig.Video.ToneMap" in str(refused.value)


class _NoToneMapping:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("an SDR frame reached the tone mapper")


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_sdr_renders_the_same_bytes_without_any_hdr_step(
    clip: Clip, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDR path with the colour handling switched off (the path before it existed) and
    on gives the same file: SDR never pays for HDR."""
    engine = PyAvMediaEngine()
    render(engine, clip.path, tmp_path / f"on.{fmt}", template(fmt, Width="160"))
    monkeypatch.setattr(decode, "ToneMapper", _NoToneMapping)
    monkeypatch.setattr(decode, "matrix_change", lambda frame, target: None)
    render(engine, clip.path, tmp_path / f"off.{fmt}", template(fmt, Width="160"))
    assert (tmp_path / f"on.{fmt}").read_bytes() == (tmp_path / f"off.{fmt}").read_bytes()


def test_bt709_sdr_passes_through_to_av1_unconverted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BT.709 source's YUV reaches the BT.709 encoder as decoded; a BT.601 one is converted
    (without it, its colours would be read with the wrong matrix)."""
    bt709 = make_clip(tmp_path / "bt709.mp4", seconds=1, fps=10, size=(320, 240), matrix=1)
    engine = PyAvMediaEngine()
    converted: list[object] = []
    original = decode.matrix_change

    def spy(frame: Any, target: Any) -> Any:
        converted.append(result := original(frame, target))
        return result

    monkeypatch.setattr(decode, "matrix_change", spy)
    render(engine, bt709.path, tmp_path / "a.mp4", template("mp4", Width="160"))
    assert converted and not any(converted)
    converted.clear()
    bt601 = make_clip(tmp_path / "bt601.mp4", seconds=1, fps=10, size=(320, 240), matrix=6)
    render(engine, bt601.path, tmp_path / "b.mp4", template("mp4", Width="160"))
    assert converted and all(converted)


@pytest.mark.parametrize(
    ("matrix", "playback"), [(1, "reverse"), (6, "forward")], ids=["rgb-to-bt709", "bt601-source"]
)
@pytest.mark.parametrize("fmt", ["avif", "mp4"])
def test_av1_colours_match_the_lossless_rendition(
    tmp_path: Path, fmt: str, matrix: int, playback: str
) -> None:
    """Reversed frames are kept as RGB and reach the encoder through an RGB to YUV step; a
    BT.601 source's decoded YUV is converted. Either with the wrong matrix (read back as the
    tagged BT.709) shifts saturated colours: a mean error of about 3.5 levels instead of 1-2."""
    source = make_clip(tmp_path / "src.mp4", seconds=1, fps=10, size=(320, 240), matrix=matrix)
    engine = PyAvMediaEngine()
    shaped = {**template("apng", Width="160"), "Clip": {"TimeSpan": {"Seek": "0"}}}
    shaped["Clip"]["Playback"] = playback
    _, lossless = render(engine, source.path, tmp_path / "out.apng", shaped)
    _, lossy = render(
        engine, source.path, tmp_path / f"out.{fmt}", {**shaped, "Container": {"Format": fmt}}
    )
    errors = [mean_error(a, b) for a, b in zip(lossy.frames, lossless.frames, strict=False)]
    assert lossy.frames and float(np.mean(errors)) < 2.8, errors
