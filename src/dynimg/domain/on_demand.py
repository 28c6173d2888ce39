"""On-demand animated images: ``/videos/{VideoId}/animated.{format}?start=&end=&width=&fps=``.

Like Mux's and Cloudinary's URLs, a GET renders the window once and every later GET with the
same parameters serves the stored file. The bounds are Mux's: a window of 0.25 to 10 seconds,
at most 640 pixels wide, at most 30 frames a second. The parameters are parsed into one
canonical form (:attr:`OnDemandParams.key`), so ``start=1`` and ``start=1.000`` share a render.

An on-demand render is an animated-image job like any other (leases, retries, usage), whose
template is built from the parameters and whose TemplateId is :data:`ON_DEMAND_TEMPLATE_ID`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from dynimg.domain.templates import DynamicImageTemplateConfig, ImageFormat, TimeSpan
from dynimg.domain.timecode import format_seconds, parse_timecode
from dynimg.errors import InvalidParameter

ON_DEMAND_FORMATS: tuple[str, ...] = tuple(f.value for f in ImageFormat)
"""What ``animated.{format}`` may name: every output format the engine writes (one list)."""
ON_DEMAND_TEMPLATE_ID = "OnDemand"
"""The TemplateId of on-demand jobs, which have no stored template."""
PARAMETERS = frozenset({"start", "end", "width", "fps"})
MIN_DURATION_MS, MAX_DURATION_MS, DEFAULT_DURATION_MS = 250, 10_000, 5_000
MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 128, 640, 320
MAX_FPS, DEFAULT_FPS = 30, 15


@dataclass(frozen=True)
class OnDemandParams:
    """A validated on-demand request: format, window (ms), width (px) and frame rate."""

    format: str
    start_ms: int
    end_ms: int
    width: int
    fps: int
    end_defaulted: bool = False
    """``end`` was left out: a window past the end of the video is cut at the end, as Mux does."""

    @property
    def key(self) -> str:
        """The canonical form: equal for every spelling of the same request."""
        return f"{self.format}/{self.start_ms}-{self.end_ms}/w{self.width}/f{self.fps}"

    def query(self) -> list[tuple[str, str]]:
        """The parameters as a URL query, each spelled canonically."""
        return [
            ("start", format_seconds(self.start_ms)),
            ("end", format_seconds(self.end_ms)),
            ("width", str(self.width)),
            ("fps", str(self.fps)),
        ]

    def template_config(self) -> DynamicImageTemplateConfig:
        """The template config the job renders with: the window, the width (the height keeps
        the video's aspect ratio) and the frame rate; everything else the template defaults."""
        return DynamicImageTemplateConfig(
            format=ImageFormat(self.format),
            time_span=TimeSpan(seek_ms=self.start_ms, duration_ms=self.end_ms - self.start_ms),
            width=self.width,
            fps=float(self.fps),
        )


@dataclass(frozen=True)
class OnDemandRender:
    """The state of record of one on-demand render: which job renders these parameters."""

    account_id: str
    video_id: str
    key: str
    job_id: str
    created_at: datetime
    served_at: datetime | None = None
    """When its image was last served (to the minutes of ``SERVED_EVERY``); the least
    recently served go first when an account is over its quota."""


SERVED_EVERY = timedelta(minutes=10)
"""How stale ``served_at`` may grow before a serve writes it again: a render served all day
costs one write per ten minutes, not one per request."""


def animated_path(video_id: str, fmt: str) -> str:
    """The URL path of a video's on-demand animated image."""
    return f"/videos/{video_id}/animated.{fmt}"


def parse_format(fmt: str) -> str:
    """``fmt`` if it is an on-demand format, else InvalidParameter."""
    if fmt not in ON_DEMAND_FORMATS:
        raise InvalidParameter("format", f"must be one of {', '.join(ON_DEMAND_FORMATS)}")
    return fmt


def parse_params(fmt: str, query: Mapping[str, str]) -> OnDemandParams:
    """Validate the query of an on-demand URL; Mux's defaults fill in what is left out."""
    unknown = sorted(set(query) - PARAMETERS - {"auth_key"})
    if unknown:
        raise InvalidParameter(unknown[0], "only start, end, width and fps are accepted")
    start = _time(query, "start", 0)
    end = _time(query, "end", start + DEFAULT_DURATION_MS)
    if not MIN_DURATION_MS <= end - start <= MAX_DURATION_MS:
        got = format_seconds(max(end - start, 0))
        raise InvalidParameter(
            "end",
            f"end - start must be {format_seconds(MIN_DURATION_MS)} to "
            f"{format_seconds(MAX_DURATION_MS)} seconds (got {got})",
        )
    width = _integer(query, "width", DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH)
    if fmt == ImageFormat.MP4.value and width % 2:
        raise InvalidParameter("width", "must be even for mp4 (4:2:0 video has no half pixels)")
    return OnDemandParams(
        format=parse_format(fmt),
        start_ms=start,
        end_ms=end,
        width=width,
        fps=_integer(query, "fps", DEFAULT_FPS, 1, MAX_FPS),
        end_defaulted=not query.get("end"),
    )


def fit_window(params: OnDemandParams, duration_ms: int | None) -> OnDemandParams:
    """``params`` within a video of ``duration_ms`` (None: unknown), else InvalidParameter."""
    if duration_ms is None or params.end_ms <= duration_ms:
        return params
    if params.end_defaulted and duration_ms - params.start_ms >= MIN_DURATION_MS:
        return replace(params, end_ms=duration_ms)
    limit = format_seconds(duration_ms)
    name = "start" if params.end_defaulted else "end"
    raise InvalidParameter(name, f"the window must lie within the video's {limit} s")


def _time(query: Mapping[str, str], name: str, default: int) -> int:
    value = query.get(name)
    return default if value is None or value == "" else parse_timecode(value, name)


def _integer(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = query.get(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 5 and low <= int(value) <= high):
        raise InvalidParameter(name, f"must be a whole number from {low} to {high}")
    return int(value)
