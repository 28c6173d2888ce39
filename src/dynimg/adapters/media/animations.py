"""Animated images as source videos: GIF, APNG and animated WebP, rewritten once as a video.

The FFmpeg in PyAV's wheel (8.1.2) does not decode animated WebP at all, reads GIF and APNG with
no index (one keyframe, no seeking; an APNG has no duration), and composes their frames its own
way. Pillow decodes all three the way browsers show them, one frame at a time (a frame and the
canvas it is drawn on, never the whole animation), and reads their frame counts from headers
first, so the image limits (``DYNIMG_MAX_IMAGE_*``, as for watermarks and uploaded images) are
checked before any pixel is decoded.

So an animation is decoded once, at upload, and written as a lossless, seekable video that the
engine reads like any other: FFV1 (FFmpeg's own codec, LGPL) in Matroska, RGB (``bgr0``), every
frame a keyframe, each frame lasting what the file says (0 ms as 100 ms, at least 20 ms, as for
animated watermarks). Transparent pixels are laid over white, the usual page colour.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.video.stream
import numpy as np
from PIL import Image

from dynimg.adapters.media.animation_kind import animated_kind
from dynimg.adapters.media.images import decoded_frames, frame_count, open_image
from dynimg.domain.limits import MediaLimits
from dynimg.domain.media import MediaInfo
from dynimg.errors import RenderTimeout, UnreadableMedia, UnreadableWatermark

MILLISECOND = Fraction(1, 1000)
PIXEL_FORMAT = "bgr0"
BACKGROUND = (255, 255, 255)
KINDS = {"GIF": "gif", "PNG": "apng", "WEBP": "webp"}
"""Pillow's format names, as the container and codec a converted video reports."""


@dataclass(frozen=True)
class Converted:
    """What the animation was (its facts, as the probe reports a video's)."""

    info: MediaInfo
    frames: int


def animation_to_video(
    path: Path, output: Path, limits: MediaLimits, deadline: float
) -> Converted | None:
    """Write the animation at ``path`` as a video at ``output``; None if it is not one.

    UnreadableMedia for a damaged file, MediaLimitExceeded over the image limits,
    RenderTimeout past ``deadline`` (``time.monotonic()``)."""
    kind = animated_kind(path)
    if kind is None:
        return None
    try:
        with open_image(path, limits) as image:
            if image.format == "PNG" and frame_count(image) < 2:
                return None  # an acTL with one frame is a still PNG to FFmpeg too
            return _write(image, output, limits, deadline, path.stat().st_size)
    except UnreadableWatermark as exc:
        raise UnreadableMedia(f"The {kind.upper()} animation could not be decoded.") from exc


def _write(
    image: Image.Image, output: Path, limits: MediaLimits, deadline: float, size: int
) -> Converted:
    width, height = image.size
    with av.open(str(output), "w", format="matroska") as container:
        stream = container.add_stream("ffv1", rate=10, options={"g": "1", "threads": "2"})
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, PIXEL_FORMAT
        stream.codec_context.time_base = MILLISECOND
        background = Image.new("RGBA", (width, height), (*BACKGROUND, 255))
        start, count, durations = 0, 0, {}
        for frame, duration in decoded_frames(image, limits):
            if time.monotonic() > deadline:
                raise RenderTimeout()
            if frame.size != (width, height):  # a GIF frame that grew the canvas
                raise UnreadableMedia("The animation's frames change size.")
            rgb = Image.alpha_composite(background, frame).convert("RGB")
            picture = av.VideoFrame.from_ndarray(np.asarray(rgb), format="rgb24")
            picture = picture.reformat(format=PIXEL_FORMAT)
            picture.pts, picture.time_base = start, MILLISECOND
            durations[start] = duration
            _mux(container, stream.encode(picture), durations)
            start, count = start + duration, count + 1
        _mux(container, stream.encode(None), durations)
    return Converted(_info(image, width, height, start, count, size), count)


def _mux(
    container: av.container.OutputContainer,
    packets: list[av.Packet],  # type: ignore[type-arg]
    durations: dict[int, int],
) -> None:
    for packet in packets:
        # The encoder drops frame durations; the muxer needs the last frame's.
        if packet.pts is not None:
            packet.duration = durations.pop(packet.pts, packet.duration)
        container.mux(packet)


def _info(
    image: Image.Image, width: int, height: int, ms: int, frames: int, size: int
) -> MediaInfo:
    kind = KINDS.get(image.format or "", "gif")
    duration = Fraction(ms, 1000)
    return MediaInfo(
        container=kind,
        video_codec=kind,
        width=width,
        height=height,
        pixel_format="rgba",
        sample_aspect_ratio=Fraction(1),
        rotation=0,
        duration=duration,
        fps=Fraction(frames) / duration if duration else None,
        bit_rate=round(size * 8 / duration) if duration else None,
        size_bytes=size,
        has_audio=False,
    )
