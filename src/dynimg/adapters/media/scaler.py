"""Scaling and pixel-format conversion with one swscale context for a whole clip."""

from __future__ import annotations

import av
import av.video.frame
from av.video.reformatter import VideoReformatter

from dynimg.adapters.media.frame_store import Frame


class Scaler:
    """Scales and converts a clip's frames through one swscale context.

    PyAV's ``frame.reformat`` caches its context on the frame, so every decoded frame built a new
    one: the Lanczos taps were recomputed (4 % of a WebP render's CPU in ``sin`` alone) and
    swscale's automatic threads were started each time. One thread: decoding and encoding
    already keep the cores busy. Use one instance per kind of conversion, since the context is
    rebuilt whenever sizes or formats change.
    """

    def __init__(self) -> None:
        self._reformatter = VideoReformatter()

    def __call__(
        self,
        frame: av.video.frame.VideoFrame,
        *,
        width: int | None = None,
        height: int | None = None,
        format: str | None = None,
        interpolation: str | None = None,
    ) -> av.video.frame.VideoFrame:
        return self._reformatter.reformat(
            frame, width=width, height=height, format=format, interpolation=interpolation,
            threads=1,
        )  # fmt: skip

    def as_format(
        self, picture: Frame | av.video.frame.VideoFrame, pix_fmt: str
    ) -> av.video.frame.VideoFrame:
        """``picture`` (an RGB array or a frame) as a frame in ``pix_fmt``."""
        frame = (
            picture
            if isinstance(picture, av.video.frame.VideoFrame)
            else av.VideoFrame.from_ndarray(picture, format="rgb24")
        )
        return frame if frame.format.name == pix_fmt else self(frame, format=pix_fmt)
