"""Bounds on media work, checked before anything is decoded."""

from __future__ import annotations

from dataclasses import dataclass

from dynimg.errors import MediaLimitExceeded


@dataclass(frozen=True)
class MediaLimits:
    """How much work one animated image may cost."""

    max_source_pixels: int = 8192 * 4320
    """Largest decoded frame (width x height) accepted: 8K."""
    max_clip_seconds: float = 60.0
    """Longest clip."""
    max_output_frames: int = 1800
    """Most frames in one animated image."""
    max_output_pixels: int = 1920 * 1080
    """Largest output frame (width x height): with the other limits, keeps a job's memory under
    the documented per-job bound (512 MB; see docs/media.md for the measurements)."""
    max_sprite_bytes: int = 64 * 1024 * 1024
    """Decoded size (RGBA) of one watermark's frames at their drawn size, all frames together."""
    max_output_pixel_frames: int = 300_000_000
    """Output width x height x frames: bounds CPU time and the encoder's work."""
    max_render_seconds: float = 300.0
    """Deadline for one render, decode included."""
    frame_memory_bytes: int = 64 * 1024 * 1024
    """Decoded output frames kept in memory before they spill to a temporary file."""
    max_held_frame_bytes: int = 512 * 1024 * 1024
    """Decoded frames that reverse and bounce keep until the clip is decoded: in memory up to
    ``frame_memory_bytes``, the rest in a temporary file (so RAM stays within the job bound);
    this bounds them all, counted as RGB."""
    max_image_bytes: int = 20 * 1024 * 1024
    """Largest image file (watermark) read."""
    max_image_pixels: int = 4096 * 4096
    """Largest image frame (width x height) decoded."""
    max_image_frames: int = 500
    """Most frames of an animated image."""
    max_image_pixel_frames: int = 100_000_000
    """Image width x height x frames: bounds the work and memory of decoding one image."""
    allow_h264: bool = False
    """Not a bound but the operator's licence choice (``DYNIMG_ALLOW_H264``): whether an
    ``mp4`` may be H.264 (libx264, GPL). See :mod:`dynimg.domain.codecs`."""

    def check_source(self, width: int, height: int) -> None:
        if width * height > self.max_source_pixels:
            raise MediaLimitExceeded(
                f"The source is {width}x{height}; "
                f"at most {self.max_source_pixels} pixels are accepted."
            )

    def check_output(self, width: int, height: int, frames: int, clip_seconds: float) -> None:
        if clip_seconds > self.max_clip_seconds:
            raise MediaLimitExceeded(
                f"The clip is {clip_seconds:.3f}s; at most {self.max_clip_seconds:g}s is accepted."
            )
        if width * height > self.max_output_pixels:
            raise MediaLimitExceeded(
                f"The output would be {width}x{height}; at most {self.max_output_pixels} pixels "
                "per frame are accepted."
            )
        if frames > self.max_output_frames:
            raise MediaLimitExceeded(
                f"The output would have {frames} frames; "
                f"at most {self.max_output_frames} are accepted."
            )
        if width * height * frames > self.max_output_pixel_frames:
            raise MediaLimitExceeded(
                f"The output would be {width}x{height} x {frames} frames; "
                "lower the size, fps or duration."
            )

    def check_held(self, width: int, height: int, frames: int) -> None:
        """Refuse a reverse or bounce whose frames, all kept at once, would be too large."""
        held = width * height * 3 * frames
        if held > self.max_held_frame_bytes:
            raise MediaLimitExceeded(
                f"Reverse and bounce keep every frame: {frames} frames of {width}x{height} "
                f"are {held // 2**20} MB, at most {self.max_held_frame_bytes // 2**20} MB are "
                "accepted; lower the size, fps or duration."
            )

    def check_sprite(self, width: int, height: int, frames: int) -> None:
        """Refuse a watermark whose frames, at the size they are drawn, would not fit."""
        if width * height * 4 * frames > self.max_sprite_bytes:
            raise MediaLimitExceeded(
                f"{frames} frames of {width}x{height} are too large to draw; use a smaller "
                "Width/Height or fewer frames."
            )

    def check_image(self, width: int, height: int, frames: int) -> None:
        """Refuse an image whose header promises more than the image limits allow."""
        if width * height > self.max_image_pixels:
            raise MediaLimitExceeded(
                f"The image is {width}x{height}; at most {self.max_image_pixels} pixels "
                "are accepted."
            )
        if frames > self.max_image_frames:
            raise MediaLimitExceeded(
                f"The image has {frames} frames; at most {self.max_image_frames} are accepted."
            )
        if width * height * frames > self.max_image_pixel_frames:
            raise MediaLimitExceeded(
                f"The image is {width}x{height} x {frames} frames; at most "
                f"{self.max_image_pixel_frames} pixels in all frames are accepted."
            )
