"""The media engine port implemented with PyAV and Pillow, all in-process."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from dynimg.adapters.media.decode import ClipDecoder, DecodePlan, decode_in_background
from dynimg.adapters.media.highlight import resolve_auto_seek
from dynimg.adapters.media.images import image_size
from dynimg.adapters.media.overlay import Sprite, composite, prepare_sprites
from dynimg.adapters.media.probe import probe
from dynimg.adapters.media.size_fit import ClipFrames, SizeFitter
from dynimg.adapters.media.writers import WRITERS
from dynimg.domain.clip import effective_fps, frame_times, resolve_window
from dynimg.domain.geometry import output_size
from dynimg.domain.limits import MediaLimits
from dynimg.domain.media import MediaInfo
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.size_search import EncodeSettings, SizeSearch
from dynimg.domain.templates import DynamicImageTemplateConfig, ImageFormat
from dynimg.errors import ClipOutOfRange

Report = Callable[[float], None]


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
        deadline = started + self._limits.max_render_seconds
        template = resolve_auto_seek(source, info, spec.template, self._limits, deadline)
        plan, fps = self._plan(info, template, started)
        sprites = prepare_sprites(spec.watermarks, plan.size, self._limits)
        if template.max_file_size is not None:
            return self._render_to_size(source, template, output, (plan, fps, sprites), report)
        partial = output.with_name(f".{output.name}.{uuid.uuid4().hex}.part")
        try:
            delays, _ = self._write(source, plan, (template, fps), sprites, partial, report)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
        width, height = plan.size
        return RenderResult(
            format=template.format,
            width=width,
            height=height,
            fps=float(fps),
            frames=len(delays),
            duration_ms=sum(delays),
            size_bytes=output.stat().st_size,
            delays_ms=tuple(delays),
            seek_ms=template.time_span.seek_ms,
        )

    def _render_to_size(
        self,
        source: Path,
        template: DynamicImageTemplateConfig,
        output: Path,
        planned: tuple[DecodePlan, Fraction, list[Sprite]],
        report: Report,
    ) -> RenderResult:
        """Decode once, encode as asked, then re-encode from the kept frames until it fits."""
        plan, fps, sprites = planned
        assert template.max_file_size is not None
        kind = WRITERS[template.format]
        start = EncodeSettings(template.quality, template.max_colors, fps, *plan.size)
        even = plan.size[0] % 2 == 0 and plan.size[1] % 2 == 0
        # Half the frame budget: the writer's own frames (GIF) still get the other half's worth.
        frames = ClipFrames(self._limits.frame_memory_bytes // 2, yuv=kind.yuv and even)
        with tempfile.TemporaryDirectory(prefix=f".{output.name}.", dir=output.parent) as scratch:
            fitter = SizeFitter(kind, template, self._limits, Path(scratch), plan.deadline)
            first = Path(scratch) / "attempt-0"
            try:
                delays, end = self._write(
                    source, plan, (template, fps), sprites, first, lambda f: report(0.5 * f), frames
                )
                search = SizeSearch(template.max_file_size, start, kind.knobs, end)
                fitter.record(search, start, first, delays)
                outcome = fitter.search(search, frames, end, report)
            finally:
                frames.close()
            delays, chosen = fitter.deliver(output)
        report(1.0)
        return RenderResult(
            format=template.format,
            width=chosen.width,
            height=chosen.height,
            fps=float(chosen.fps),
            frames=len(delays),
            duration_ms=sum(delays),
            size_bytes=output.stat().st_size,
            delays_ms=tuple(delays),
            size_search=outcome,
            seek_ms=template.time_span.seek_ms,
        )

    def _plan(
        self, info: MediaInfo, template: DynamicImageTemplateConfig, started: float
    ) -> tuple[DecodePlan, Fraction]:
        self._limits.check_source(info.width, info.height)
        window = resolve_window(template.time_span, info.duration)
        fps = effective_fps(template.fps, info.fps, gif=template.format is ImageFormat.GIF)
        times = frame_times(window.length, fps)
        size = output_size(info.display_size, template.width, template.height)
        self._limits.check_output(*size, len(times), float(window.length))
        deadline = started + self._limits.max_render_seconds
        yuv = WRITERS[template.format].yuv
        plan = DecodePlan(window, times, size, info.rotation, deadline, self._limits, yuv=yuv)
        return plan, fps

    def _write(
        self,
        source: Path,
        plan: DecodePlan,
        encoding: tuple[DynamicImageTemplateConfig, Fraction],
        sprites: list[Sprite],
        path: Path,
        report: Report,
        keep: ClipFrames | None = None,
    ) -> tuple[list[int], Fraction]:
        """Decode, draw and encode; returns the delays and where the clip ended.

        With ``keep``, every drawn frame is also kept there for re-encoding.
        """
        decoder = ClipDecoder(source, plan)
        template, fps = encoding
        kind = WRITERS[template.format]
        writer = kind.make(template, plan.size, len(plan.times), fps, path, self._limits)
        added = 0
        try:
            for index, frame in decode_in_background(decoder, _queue_depth(plan.size)):
                start = plan.times[index]
                picture = composite(frame, sprites, float(start) * 1000)
                writer.add(picture, start)
                if keep is not None:
                    keep.add(picture, start)
                added += 1
                # Decoding is most of the work for WebP; GIF still has to quantize and encode.
                # (AV1 encodes as it goes, so its share is in here too.)
                report(0.9 * added / len(plan.times))
            if not added:
                raise ClipOutOfRange("The video ends before the clip starts.")
            end = min(plan.window.length, decoder.source_end or plan.window.length)
            delays = writer.finish(end, path)
            report(1.0)
            return delays, end
        except BaseException:
            writer.abort()
            raise


QUEUE_BYTES = 48 * 1024 * 1024
"""Decoded frames waiting for the writer: up to six, but never more than this many bytes, so a
4K output waits two frames deep instead of holding 170 MB of frames in the queue."""


def _queue_depth(size: tuple[int, int]) -> int:
    return max(2, min(6, QUEUE_BYTES // (size[0] * size[1] * 4)))
