"""Reading a video's container and stream facts with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.video.frame
import av.video.stream

from dynimg.adapters.media.webp_container import ANIMATION_FLAG
from dynimg.domain.limits import MediaLimits
from dynimg.domain.media import MediaInfo
from dynimg.errors import NoVideoStream, UnreadableMedia

PROBE_TIMEOUT_SECONDS = 30.0
DEMUXERS = (
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,mpegvideo,asf,ogg,mxf,dv,nut,"
    "rm,wtv,ivf,obu,h264,hevc,m4v,vc1,mjpeg,yuv4mpegpipe,gif,apng,image2,png_pipe,jpeg_pipe,"
    "webp_pipe,bmp_pipe,wav,mp3,aac,flac"
)
"""Containers dynimg opens. Playlists and lists that make FFmpeg open other inputs (hls, dash,
concat, tee...) are left out: an upload must never make the server read another file or URL."""


def open_input(path: Path, limits: MediaLimits) -> av.container.InputContainer:
    """Open a media file, translating FFmpeg's errors.

    To learn a stream's size FFmpeg decodes a frame while opening some files (a PNG as a
    video, for one): ``max_pixels`` stops it from allocating a picture over the limit then.
    """
    if not path.is_file() or path.stat().st_size == 0:
        raise UnreadableMedia("The file is empty or missing.")
    options = {
        "max_pixels": str(limits.max_source_pixels),
        "format_whitelist": DEMUXERS,
        "protocol_whitelist": "file",
    }
    try:
        return av.open(str(path), mode="r", timeout=PROBE_TIMEOUT_SECONDS, options=options)
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise UnreadableMedia() from exc


def video_stream(
    container: av.container.InputContainer, limits: MediaLimits
) -> av.video.stream.VideoStream:
    """The first video stream that is not a cover picture, within the source limits.

    Its decoder refuses pictures over the limit even when the header did not tell their size.
    """
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            context = stream.codec_context
            if context is None:  # a codec FFmpeg has no decoder for (a damaged sample entry)
                raise UnreadableMedia("The video stream's codec cannot be decoded.")
            limits.check_source(context.width, context.height)
            context.options = {**context.options, "max_pixels": str(limits.max_source_pixels)}
            return stream
    raise NoVideoStream()


LARGE_FRAME = 2560 * 1440
"""Above this many pixels a decoder gets two frame threads, not one per core: each frame thread
holds its own reference frames, and a 4K picture is 12 MB of them."""


Decoding = tuple[
    av.container.InputContainer, av.video.stream.VideoStream, list[av.video.frame.VideoFrame]
]
"""An open container, its video stream (decoder set up) and the pictures decoded but not used."""


class OpenedSource:
    """A source opened and probed, its decoder set up and run up to the first picture.

    Rendering goes on decoding from here instead of opening the file again: opening a 4K MP4
    decodes a frame inside FFmpeg, and the probe decodes one more (a third of a second of the
    render's start-up, measured). Whoever :meth:`take` s the decoder closes it; nothing here
    keeps a reference to it then, so its frames (about 130 MB for 4K) go when the taker is done.
    """

    def __init__(self, path: Path, decoding: Decoding, info: MediaInfo) -> None:
        self.path = path
        self.info = info
        self._decoding: Decoding | None = decoding

    def __enter__(self) -> OpenedSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def take(self) -> Decoding | None:
        """The open decoder, handed over once (None after that, or once closed)."""
        decoding, self._decoding = self._decoding, None
        return decoding

    def close(self) -> None:
        """Release the file and the decoder unless they were taken."""
        decoding = self.take()
        if decoding is not None:
            decoding[0].close()


def probe(path: Path, limits: MediaLimits) -> MediaInfo:
    """Container and video stream facts; the first frame is decoded to learn its rotation."""
    with open_probed(path, limits) as source:
        return source.info


def open_probed(path: Path, limits: MediaLimits) -> OpenedSource:
    """Open a source, decode its first picture and read its facts; the caller closes it."""
    container = open_input(path, limits)
    try:
        stream = decoding_stream(container, limits)
        frames = _first_frames(path, container, stream, limits)
        info = _facts(path, container, stream, frames[0])
    except BaseException:
        container.close()
        raise
    return OpenedSource(path, (container, stream, frames), info)


def decoding_stream(
    container: av.container.InputContainer, limits: MediaLimits
) -> av.video.stream.VideoStream:
    """The video stream (see :func:`video_stream`) with its decoder's threads chosen."""
    stream = video_stream(container, limits)
    stream.thread_type = "AUTO"
    if stream.codec_context.width * stream.codec_context.height > LARGE_FRAME:
        stream.codec_context.thread_count = 2
    return stream


def _first_frames(
    path: Path,
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    limits: MediaLimits,
) -> list[av.video.frame.VideoFrame]:
    try:
        for packet in container.demux(stream):
            if frames := packet.decode():
                return frames
    except av.error.FFmpegError as exc:
        _refuse_animated_webp(path)
        raise UnreadableMedia(
            "No video frame could be decoded: the file is damaged, or its frames are "
            f"larger than the {limits.max_source_pixels} pixels accepted."
        ) from exc
    _refuse_animated_webp(path)
    raise UnreadableMedia("No video frame could be decoded.")


def _facts(
    path: Path,
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    first: av.video.frame.VideoFrame,
) -> MediaInfo:
    return MediaInfo(
        container=container.format.name,
        video_codec=stream.codec_context.name,
        width=first.width,
        height=first.height,
        pixel_format=first.format.name,
        sample_aspect_ratio=Fraction(stream.sample_aspect_ratio or 1),
        rotation=clockwise_rotation(first.rotation),
        duration=stream_duration(container, stream),
        fps=frame_rate(stream),
        bit_rate=container.bit_rate or None,
        size_bytes=path.stat().st_size,
        has_audio=bool(container.streams.audio),
    )


def _refuse_animated_webp(path: Path) -> None:
    """FFmpeg decodes still WebP only; say so rather than calling an animated one damaged (a job
    reaches this only when it reads an upload not yet probed: the probe rewrites it)."""
    with path.open("rb") as file:
        head = file.read(21)
    animated = head[:4] == b"RIFF" and head[8:16] == b"WEBPVP8X" and len(head) == 21
    if animated and head[20] & ANIMATION_FLAG:
        raise UnreadableMedia(
            "Animated WebP is not accepted as it was uploaded: FFmpeg cannot decode it, so "
            "dynimg rewrites it as a video when it probes the upload; submit again once the "
            "video is Normal."
        )


def untimed(stream: av.video.stream.VideoStream) -> bool:
    """A stream with no timestamps at all: a raw H.264 or HEVC elementary stream."""
    return stream.start_time is None and stream.duration is None


def frame_rate(stream: av.video.stream.VideoStream) -> Fraction | None:
    """The stream's frame rate. For an untimed stream FFmpeg's average is a default (25), so
    the rate the codec header gives (``guessed_rate``) is the one frames are timed by."""
    rate = (stream.guessed_rate or stream.average_rate) if untimed(stream) else stream.average_rate
    return Fraction(rate) if rate else None


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
