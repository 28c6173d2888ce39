"""The media limits among dynimg's settings, read from ``DYNIMG_*`` without loading pydantic.

``dynimg render`` needs only these fields of :class:`dynimg.settings.Settings`; validating the
whole object costs about 0.15 CPU-seconds of imports before the first frame. When the
environment sets no other ``DYNIMG_*`` variable, the fields are parsed here with the same types,
bounds and messages as ``Settings`` (tests/unit/test_media_settings.py holds the two together);
otherwise the full settings are loaded, so a typo in any variable is still an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynimg.domain.limits import MediaLimits
from dynimg.errors import ConfigurationError

if TYPE_CHECKING:
    from dynimg.settings import Settings

ENV_PREFIX = "DYNIMG_"
MB = 1024 * 1024
_INTEGER = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")
_NOT_INTEGER = "Input should be a valid integer, unable to parse string as an integer"
_NOT_NUMBER = "Input should be a valid number, unable to parse string as a number"
_NUMBER = re.compile(r"[+-]?[0-9_.eE+-]+|[+-]?(?:inf|infinity|nan)", re.IGNORECASE)


@dataclass(frozen=True)
class Bound:
    """One field's type and bounds, as its ``Field(...)`` in ``Settings`` declares them."""

    kind: type[int] | type[float]
    ge: int | None = None
    gt: int | None = None
    le: int | None = None


FIELDS: dict[str, Bound] = {
    "max_source_pixels": Bound(int, ge=64 * 64),
    "max_clip_seconds": Bound(float, gt=0, le=3600),
    "max_output_frames": Bound(int, ge=1),
    "max_output_pixels": Bound(int, ge=128 * 128),
    "max_output_pixel_frames": Bound(int, ge=1),
    "max_render_seconds": Bound(float, gt=0),
    "max_image_pixels": Bound(int, ge=64 * 64),
    "max_image_frames": Bound(int, ge=1),
    "max_image_pixel_frames": Bound(int, ge=64 * 64),
    "frame_memory_mb": Bound(int, ge=16),
    "max_held_frames_mb": Bound(int, ge=16),
}
"""The settings fields the media engine is built from; defaults are :class:`MediaLimits`'s."""


def media_limits(settings: Settings) -> MediaLimits:
    """The media limits of fully loaded settings."""
    return _limits({name: getattr(settings, name) for name in FIELDS})


def media_limits_from_env(environ: Mapping[str, str]) -> MediaLimits:
    """The media limits from an environment, reporting every error at once.

    Loads the full settings (pydantic) only when a ``DYNIMG_*`` variable other than a media
    limit is set, so that an unknown or invalid one is reported as ``dynimg serve`` would.
    """
    values = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and value != ""
    }
    if not values.keys() <= FIELDS.keys():
        from dynimg.settings import load_settings

        return media_limits(load_settings(environ))
    parsed: dict[str, float] = {}
    problems = []
    for name, bound in FIELDS.items():  # in the order Settings reports its errors
        if name not in values:
            continue
        try:
            parsed[name] = _parse(values[name], bound)
        except ValueError as exc:
            problems.append(f"{ENV_PREFIX}{name.upper()}: {exc}")
    if problems:
        raise ConfigurationError("invalid settings:\n  " + "\n  ".join(problems))
    return _limits(parsed)


def _parse(text: str, bound: Bound) -> float:
    # pydantic's lax string parsing: surrounding blanks, underscores, "12.0" for an integer.
    stripped = text.strip()
    if bound.kind is int:
        if not _INTEGER.fullmatch(stripped):
            raise ValueError(_NOT_INTEGER)
        value: float = int(stripped.split(".")[0])
    else:
        try:
            value = float(stripped)
        except ValueError:
            raise ValueError(_NOT_NUMBER) from None
        if not _NUMBER.fullmatch(stripped):  # float() also takes non-ASCII digits
            raise ValueError(_NOT_NUMBER)
    _check(value, bound)
    return value


def _check(value: float, bound: Bound) -> None:
    # In pydantic's order and written as it compares, so NaN fails as it does there.
    if bound.le is not None and not value <= bound.le:
        raise ValueError(f"Input should be less than or equal to {bound.le}")
    if bound.ge is not None and not value >= bound.ge:
        raise ValueError(f"Input should be greater than or equal to {bound.ge}")
    if bound.gt is not None and not value > bound.gt:
        raise ValueError(f"Input should be greater than {bound.gt}")


def _limits(values: Mapping[str, float]) -> MediaLimits:
    fields: dict[str, Any] = dict(values)
    renamed = {
        "frame_memory_mb": "frame_memory_bytes",
        "max_held_frames_mb": "max_held_frame_bytes",
    }
    for name, target in renamed.items():
        if name in fields:
            fields[target] = int(fields.pop(name)) * MB
    return MediaLimits(**fields)
