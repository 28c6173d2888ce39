"""The media limits among dynimg's settings: the group the media engine is built from.

Each limit is declared once: its default is :class:`~dynimg.domain.limits.MediaLimits`'s, its
bounds are in :data:`LIMITS` (the :class:`~dynimg.settings.Settings` field takes them from
there, with its description). ``dynimg render`` needs only these, and loading pydantic would
cost about 0.15 CPU-seconds of imports before the first frame: values written plainly (digits,
and a decimal point for seconds) within their bounds are read here; anything else, and any other
``DYNIMG_*`` variable, loads the full settings, so that every value is parsed, and every problem
reported, by pydantic exactly as for every other command.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynimg.domain.limits import MediaLimits

ENV_PREFIX = "DYNIMG_"
MB = 1024 * 1024
_PLAIN = {int: re.compile(r"[0-9]{1,18}"), float: re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?")}
_DEFAULTS = MediaLimits()


@dataclass(frozen=True)
class Limit:
    """One setting of the group: the engine's limit it sets, its unit and its bounds."""

    target: str
    """The :class:`MediaLimits` field it sets (its default is the setting's default)."""
    kind: type[int] | type[float] = int
    unit: int = 1
    """What one of the setting's units is in the engine's: MB for the ``*_mb`` settings."""
    ge: int | None = None
    gt: int | None = None
    le: int | None = None

    @property
    def default(self) -> int | float:
        """The setting's default, in its own unit."""
        value: int | float = getattr(_DEFAULTS, self.target)
        return value // self.unit if self.unit != 1 else value

    def within(self, value: float) -> bool:
        """Whether ``value`` is within the bounds."""
        return not (
            (self.ge is not None and value < self.ge)
            or (self.gt is not None and value <= self.gt)
            or (self.le is not None and value > self.le)
        )


LIMITS: dict[str, Limit] = {
    "max_source_pixels": Limit("max_source_pixels", ge=64 * 64),
    "max_clip_seconds": Limit("max_clip_seconds", float, gt=0, le=3600),
    "max_output_frames": Limit("max_output_frames", ge=1),
    "max_output_pixels": Limit("max_output_pixels", ge=128 * 128),
    "max_output_pixel_frames": Limit("max_output_pixel_frames", ge=1),
    "max_render_seconds": Limit("max_render_seconds", float, gt=0),
    "max_image_pixels": Limit("max_image_pixels", ge=64 * 64),
    "max_image_frames": Limit("max_image_frames", ge=1),
    "max_image_pixel_frames": Limit("max_image_pixel_frames", ge=64 * 64),
    "frame_memory_mb": Limit("frame_memory_bytes", unit=MB, ge=16),
    "max_held_frames_mb": Limit("max_held_frame_bytes", unit=MB, ge=16),
}
"""The settings of the group by field name."""


def field_arguments(name: str) -> dict[str, Any]:
    """``Field(...)`` arguments of the settings field ``name``: its default and bounds."""
    limit = LIMITS[name]
    bounds = {key: getattr(limit, key) for key in ("ge", "gt", "le")}
    return {"default": limit.default} | {k: v for k, v in bounds.items() if v is not None}


def limits_of(values: Mapping[str, int | float]) -> MediaLimits:
    """The engine's limits for values of the group's settings (by field name; others default)."""
    fields: dict[str, Any] = {
        LIMITS[name].target: value * LIMITS[name].unit for name, value in values.items()
    }
    return MediaLimits(**fields)


def plain_limits(environ: Mapping[str, str]) -> MediaLimits | None:
    """The limits an environment sets, when only the group's settings are set, each written
    plainly within its bounds; None when the full settings must read it."""
    values = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and value != ""
    }
    plain = {name: _plain(name, text) for name, text in values.items()}
    if any(value is None for value in plain.values()):
        return None
    return limits_of({name: value for name, value in plain.items() if value is not None})


def _plain(name: str, text: str) -> int | float | None:
    """The value of a group setting written plainly within its bounds; None otherwise."""
    limit = LIMITS.get(name)
    if limit is None or not _PLAIN[limit.kind].fullmatch(text):
        return None
    value = limit.kind(text)
    return value if limit.within(value) else None
