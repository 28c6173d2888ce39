"""The media engine port implemented with PyAV and Pillow, all in-process."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from dynimg.adapters.media.decode import ClipDecoder, DecodePlan, decode_in_background
from dynimg.adapters.media.gif import GifWriter
from dynimg.adapters.media.images import image_size
from dynimg.adapters.media.overlay import Sprite, prepare_sprites
from dynimg.adapters.media.probe import probe
from dynimg.adapters.media.shaping import ShapingWriter
from dynimg.adapters.media.webp import WebpWriter
from dynimg.domain.clip import effective_fps, frame_times, resolve_window
from dynimg.domain.geometry import output_size
from dynimg.domain.limits import MediaLimits
from dynimg.domain.media import MediaInfo
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.shaping import shaped_count, source_times, speed_ratio
from dynimg.domain.templates import Crop, DynamicImageTemplateConfig, ImageFormat, Playback
from dynimg.errors import ClipOutOfRange


class PyAvMediaEngine:
    """Implements ``ports.MediaEngine``: decode in a thread, draw, quantize and encode."""

    def __init__(self, limits: MediaLimits | None = None) -> None:
        self._limits = limits or MediaLimits()

    def probe(self, path: Path) -> MediaInfo:
        return probe(path, self._limits)

    def image_size(self, path: Path) -> tuple[int, int]:
        return image_size(path, self._limits)

    def render(
        self,
        source: Path,
        spec: RenderSpec,
        output: Path,
        on_progress: Callable[[float], None] | None = None,
    ) -> RenderResult:
        started = time.monotonic()
        report = on_progress or (lambda _fraction: None)
        info = probe(source, self._limits)
        plan, fps, times = self._plan(info, spec.template, started)
        sprites = prepare_sprites(spec.watermarks, plan.size, self._limits)
        partial = output.with_name(f".{output.name}.{uuid.uuid4().hex}.part")
        try:
            delays = self._write(source, plan, times, spec.template, sprites, partial, report)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
        width, height = plan.size
        return RenderResult(
            format=spec.template.format,
            width=width,
            height=height,
            fps=float(fps),
            frames=len(delays),
            duration_ms=sum(delays),
            size_bytes=output.stat().st_size,
            delays_ms=tuple(delays),
        )

    def _plan(
        self, info: MediaInfo, template: DynamicImageTemplateConfig, started: float
    ) -> tuple[DecodePlan, Fraction, list[Fraction]]:
        """The decode plan, the output fps and the output frame times (from 0, output time).

        The TimeSpan is source time: at Speed s the window plays in window/s seconds, and the
        fps cap is the rate at which source frames go by at that speed.
        """
        self._limits.check_source(info.width, info.height)
        window = resolve_window(template.time_span, info.duration)
        speed = speed_ratio(template.speed)
        passing = info.fps * speed if info.fps else None
        fps = effective_fps(template.fps, passing, gif=template.format is ImageFormat.GIF)
        times = frame_times(window.length / speed, fps)
        size = output_size(info.display_size, template.width, template.height)
        frames = shaped_count(len(times), template.playback)
        self._limits.check_output(*size, frames, float(window.length))
        forward = template.playback is Playback.FORWARD
        if not forward:
            self._limits.check_held(*size, len(times))
        plan = DecodePlan(
            window,
            source_times(times, template.speed),
            size,
            info.rotation,
            started + self._limits.max_render_seconds,
            self._limits,
            yuv=template.format is ImageFormat.WEBP and forward,  # kept frames are RGB
            crop=template.crop is Crop.FILL,
            pixel_aspect=info.sample_aspect_ratio or Fraction(1),
        )
        return plan, fps, times

    def _write(
        self,
        source: Path,
        plan: DecodePlan,
        times: list[Fraction],
        template: DynamicImageTemplateConfig,
        sprites: list[Sprite],
        path: Path,
        report: Callable[[float], None],
    ) -> list[int]:
        decoder = ClipDecoder(source, plan)
        frames = shaped_count(len(times), template.playback)
        writer: GifWriter | WebpWriter
        if template.format is ImageFormat.GIF:
            writer = GifWriter(template, plan.size, frames, self._limits.frame_memory_bytes)
        else:
            writer = WebpWriter(template, plan.size, frames)
        # Kept frames (reverse, bounce) come on top of the writer's own: a quarter of the frame
        # memory keeps a 1080p WebP reverse well under the job bound (docs/media.md).
        memory = self._limits.frame_memory_bytes // 4
        yuv = template.format is ImageFormat.WEBP
        shaper = ShapingWriter(writer, template.playback, times, sprites, memory, report, yuv=yuv)
        try:
            for index, frame in decode_in_background(decoder, _queue_depth(plan.size)):
                shaper.add(index, frame)
            if not shaper.decoded:
                raise ClipOutOfRange("The video ends before the clip starts.")
            decoded = min(plan.window.length, decoder.source_end or plan.window.length)
            delays = shaper.finish(decoded / speed_ratio(template.speed), path)
            report(1.0)
            return delays
        except BaseException:
            shaper.abort()
            raise


QUEUE_BYTES = 48 * 1024 * 1024
"""Decoded frames waiting for the writer: up to six, but never more than this many bytes, so a
4K output waits two frames deep instead of holding 170 MB of frames in the queue."""


def _queue_depth(size: tuple[int, int]) -> int:
    return max(2, min(6, QUEUE_BYTES // (size[0] * size[1] * 4)))
