"""The media limits: declared once, and read by `dynimg render` as the full settings read them."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import annotated_types
import pytest

from dynimg.cli.render import media_limits_from_env
from dynimg.domain.limits import MediaLimits
from dynimg.errors import ConfigurationError
from dynimg.media_settings import LIMITS, MB
from dynimg.settings import Settings, load_settings

NOT_SETTINGS = {"max_sprite_bytes", "max_image_bytes"}
"""Limits the engine keeps fixed: no setting changes them."""
NOT_LIMITS = {"allow_h264"}
"""Set from its own (boolean) setting by ``Settings.media_limits``, not from the group."""
SAMPLES = (
    "12", " 12 ", "+5", "12.0", "12.5", "1_000", "1e3", "-1", "0", "abc", "0x10", "١٢", "inf",
    "nan", "3601", "1.5e1", "12\n", "4096", "4095", "16", "15", "12.", ".5", "-0", "007",
    "99999999999999999999", "0.0001",
)  # fmt: skip
"""Plain values the fast path reads, and every other kind, which the full settings read."""


def _outcome(load: object, env: dict[str, str]) -> object:
    try:
        return load(env)  # type: ignore[operator]
    except ConfigurationError as exc:
        return exc.message


def _full(env: dict[str, str]) -> object:
    return load_settings(env).media_limits()


def test_the_group_is_every_configurable_limit_and_its_defaults_are_the_engines() -> None:
    configurable = {f.name for f in dataclasses.fields(MediaLimits)} - NOT_SETTINGS - NOT_LIMITS
    assert {limit.target for limit in LIMITS.values()} == configurable
    assert load_settings({}).media_limits() == MediaLimits() == media_limits_from_env({})
    assert media_limits_from_env({"DYNIMG_MAX_CLIP_SECONDS": ""}) == MediaLimits()


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_the_settings_field_has_the_groups_type_and_bounds(name: str) -> None:
    field, limit = Settings.model_fields[name], LIMITS[name]
    assert field.annotation is limit.kind
    bounds = {k: getattr(m, k) for m in field.metadata for k in ("ge", "gt", "le") if hasattr(m, k)}
    assert all(isinstance(m, annotated_types.Ge | annotated_types.Gt | annotated_types.Le)
               for m in field.metadata)  # fmt: skip
    assert bounds == {
        k: getattr(limit, k) for k in ("ge", "gt", "le") if getattr(limit, k) is not None
    }


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_values_and_messages_are_the_full_settings(name: str) -> None:
    key = f"DYNIMG_{name.upper()}"
    for text in SAMPLES:
        env = {key: text}
        assert _outcome(media_limits_from_env, env) == _outcome(_full, env), (key, text)


def test_megabytes_become_bytes_and_other_variables_are_checked() -> None:
    limits = media_limits_from_env(
        {"DYNIMG_FRAME_MEMORY_MB": "32", "DYNIMG_MAX_HELD_FRAMES_MB": "64"}
    )
    assert (limits.frame_memory_bytes, limits.max_held_frame_bytes) == (32 * MB, 64 * MB)
    with pytest.raises(ConfigurationError, match="DYNIMG_MAX_CLIP_SECOND"):
        media_limits_from_env({"DYNIMG_MAX_CLIP_SECOND": "5"})  # a typo is an error
    with pytest.raises(ConfigurationError, match="DYNIMG_PORT"):
        media_limits_from_env({"DYNIMG_PORT": "http"})
    assert media_limits_from_env({"DYNIMG_PORT": "8081", "DYNIMG_MAX_OUTPUT_FRAMES": "7"}) == (
        dataclasses.replace(MediaLimits(), max_output_frames=7)
    )


@pytest.mark.timeout(60)
def test_plain_values_are_read_without_pydantic() -> None:
    check = (
        "import sys\n"
        "from dynimg.cli.render import media_limits_from_env\n"
        "assert media_limits_from_env({'DYNIMG_MAX_CLIP_SECONDS': '5.5'}).max_clip_seconds == 5.5\n"
        "assert 'pydantic' not in sys.modules, 'pydantic was loaded'\n"
        "media_limits_from_env({'DYNIMG_MAX_CLIP_SECONDS': '5_5'})\n"
        "assert 'pydantic' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, env={"PATH": "/usr/bin"})


def test_allow_h264_reaches_the_engine_only_through_the_full_settings() -> None:
    assert not media_limits_from_env({}).allow_h264
    assert media_limits_from_env({"DYNIMG_ALLOW_H264": "true"}).allow_h264
    assert not media_limits_from_env({"DYNIMG_ALLOW_H264": "false"}).allow_h264
