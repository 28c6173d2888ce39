"""Reading a video's container and stream facts with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.video.stream

from dynimg.domain.media import MediaInfo
from dynimg.errors import NoVideoStream, UnreadableMedia

PROBE_TIMEOUT_SECONDS = 30.0


def open_input(path: Path) -> av.container.InputContainer:
    """Open a media file, translating FFmpeg's errors."""
    if not path.is_file() or path.stat().st_size == 0:
        raise UnreadableMedia("The file is empty or missing.")
    try:
        return av.open(str(path), mode="r", timeout=PROBE_TIMEOUT_SECONDS)
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise UnreadableMedia() from exc


def video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream:
    """The first video stream that is not a cover picture."""
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    raise NoVideoStream()


def probe(path: Path) -> MediaInfo:
    """Container and video stream facts; the first frame is decoded to learn its rotation."""
    with open_input(path) as container:
        stream = video_stream(container)
        try:
            first = next(container.decode(stream), None)
        except av.error.FFmpegError as exc:
            raise UnreadableMedia() from exc
        if first is None:
            raise UnreadableMedia("No video frame could be decoded.")
        context = stream.codec_context
        return MediaInfo(
            container=container.format.name,
            video_codec=context.name,
            width=first.width,
            height=first.height,
            pixel_format=first.format.name,
            sample_aspect_ratio=Fraction(stream.sample_aspect_ratio or 1),
            rotation=clockwise_rotation(first.rotation),
            duration=stream_duration(container, stream),
            fps=Fraction(stream.average_rate) if stream.average_rate else None,
            bit_rate=container.bit_rate or None,
            size_bytes=path.stat().st_size,
            has_audio=bool(container.streams.audio),
        )


def clockwise_rotation(counter_clockwise: float | int | None) -> int:
    """PyAV reports the display matrix counter-clockwise; dynimg speaks clockwise like players."""
    return int(round(-(counter_clockwise or 0) / 90) * 90) % 360


def stream_origin(stream: av.video.stream.VideoStream) -> Fraction:
    """The time of the stream's first frame; clip times count from there."""
    if stream.start_time is None or stream.time_base is None:
        return Fraction(0)
    return Fraction(stream.start_time) * Fraction(stream.time_base)


def stream_duration(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> Fraction | None:
    """The video's duration in seconds, from the stream or else the container."""
    if stream.duration and stream.time_base:
        return Fraction(stream.duration) * Fraction(stream.time_base)
    if container.duration:
        return Fraction(container.duration, av.time_base) - stream_origin(stream)
    return None
