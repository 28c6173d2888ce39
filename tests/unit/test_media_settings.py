"""The media limits read without pydantic agree with the full settings, field by field."""

from __future__ import annotations

import annotated_types
import pytest

from dynimg.errors import ConfigurationError
from dynimg.media_settings import FIELDS, media_limits, media_limits_from_env
from dynimg.settings import Settings, load_settings

SAMPLES = (
    "12", " 12 ", "+5", "12.0", "12.5", "1_000", "1e3", "-1", "0", "abc", "0x10", "١٢", "inf",
    "nan", "3601", "1.5e1", "12\n", "4096", "4095", "16", "15", "1__0", "12.", ".5", "-0",
    "1_000.0", "+1_0", "1_0.5", "1e1_0", "1_", "1e400", "-inf", "Infinity", "0.0001", "_1",
    "99999999999999999999",
)  # fmt: skip


BOUNDS = ("ge", "gt", "le")


def _outcome(load: object, env: dict[str, str]) -> object:
    try:
        return load(env)  # type: ignore[operator]
    except ConfigurationError as exc:
        return exc.message


def _full(env: dict[str, str]) -> object:
    return media_limits(load_settings(env))


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_types_and_bounds_are_the_settings_own(name: str) -> None:
    field = Settings.model_fields[name]
    bound = FIELDS[name]
    assert field.annotation is bound.kind
    assert all(isinstance(m, annotated_types.Ge | annotated_types.Gt | annotated_types.Le)
               for m in field.metadata)  # fmt: skip
    declared = {key: getattr(m, key) for m in field.metadata for key in BOUNDS if hasattr(m, key)}
    assert declared == {
        key: getattr(bound, key) for key in BOUNDS if getattr(bound, key) is not None
    }


def test_every_media_limit_of_the_settings_is_read() -> None:
    # A new limit in Settings that the render path forgot would silently keep its default.
    assert set(FIELDS) == {
        name for name in Settings.model_fields if name.startswith("max_") and name not in
        ("max_upload_bytes", "max_request_bytes")
    } | {"frame_memory_mb"}  # fmt: skip


def test_defaults_match() -> None:
    assert media_limits_from_env({}) == _full({})
    assert media_limits_from_env({"DYNIMG_MAX_CLIP_SECONDS": ""}) == _full({})


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_values_and_messages_match(name: str) -> None:
    key = f"DYNIMG_{name.upper()}"
    for text in SAMPLES:
        env = {key: text}
        assert _outcome(media_limits_from_env, env) == _outcome(_full, env), (key, text)


def test_every_error_is_reported_at_once() -> None:
    env = {"DYNIMG_MAX_OUTPUT_FRAMES": "0", "DYNIMG_MAX_CLIP_SECONDS": "x"}
    with pytest.raises(ConfigurationError) as caught:
        media_limits_from_env(env)
    assert caught.value.message == _outcome(_full, env)


def test_megabytes_become_bytes() -> None:
    limits = media_limits_from_env(
        {"DYNIMG_FRAME_MEMORY_MB": "32", "DYNIMG_MAX_HELD_FRAMES_MB": "64"}
    )
    assert (limits.frame_memory_bytes, limits.max_held_frame_bytes) == (32 << 20, 64 << 20)


def test_any_other_variable_loads_the_full_settings() -> None:
    # A typo is still an error, and a bad value of another field too, as for every command.
    with pytest.raises(ConfigurationError, match="DYNIMG_MAX_CLIP_SECOND"):
        media_limits_from_env({"DYNIMG_MAX_CLIP_SECOND": "5"})
    with pytest.raises(ConfigurationError, match="DYNIMG_PORT"):
        media_limits_from_env({"DYNIMG_PORT": "http"})
    env = {"DYNIMG_PORT": "8081", "DYNIMG_MAX_OUTPUT_FRAMES": "7"}
    assert media_limits_from_env(env).max_output_frames == 7
