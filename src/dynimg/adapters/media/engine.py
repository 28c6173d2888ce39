"""The media engine port implemented with PyAV and Pillow, all in-process."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from dynimg.adapters.media.animation_kind import animated_kind
from dynimg.adapters.media.background import in_background
from dynimg.adapters.media.decode import ClipDecoder, DecodePlan
from dynimg.adapters.media.frame_budget import frame_budget
from dynimg.adapters.media.overlay import Sprite
from dynimg.adapters.media.probe import OpenedSource, open_probed, probe
from dynimg.adapters.media.shaping import ShapingWriter
from dynimg.adapters.media.writers import WRITERS
from dynimg.domain.clip import effective_fps, frame_times, resolve_window
from dynimg.domain.codecs import CodecPolicy
from dynimg.domain.encode_settings import EncodeSettings
from dynimg.domain.geometry import Box, output_size
from dynimg.domain.limits import MediaLimits
from dynimg.domain.media import MediaInfo
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.shaping import shaped_count, source_times, speed_ratio
from dynimg.domain.templates import Crop, DynamicImageTemplateConfig, ImageFormat, Playback
from dynimg.errors import ClipOutOfRange

if TYPE_CHECKING:
    # Imported where used: Seek=auto and MaxFileSize are rare, and a render that needs neither
    # should not pay for their imports before its first frame (``dynimg render`` start-up).
    # SourceOpening is an annotation only: only ``dynimg render`` opens ahead.
    from dynimg.adapters.media.opening import SourceOpening
    from dynimg.adapters.media.size_fit import ClipFrames
    from dynimg.domain.snapshots import SnapshotConfig
    from dynimg.domain.storyboard import SnapshotOutput

Report = Callable[[float], None]


@dataclass(frozen=True)
class Encoding:
    """What a render writes: the config (Seek resolved), output rate, output frame times (from
    0, before reverse or bounce) and the watermarks drawn on them."""

    template: DynamicImageTemplateConfig
    fps: Fraction
    times: list[Fraction]
    sprites: list[Sprite]


class PyAvMediaEngine:
    """Implements ``ports.MediaEngine``: decode in a thread, draw, quantize and encode."""

    def __init__(
        self, limits: MediaLimits | None = None, opening: SourceOpening | None = None
    ) -> None:
        self._limits = limits or MediaLimits()
        self._opening = opening
        """A source already being opened (``dynimg render``), used when that one is rendered."""

    def probe(self, path: Path) -> MediaInfo:
        return probe(path, self._limits)

    def animation_to_video(self, path: Path, output: Path) -> MediaInfo | None:
        if animated_kind(path) is None:
            return None
        from dynimg.adapters.media.animations import animation_to_video  # Pillow: see _sprites

        deadline = time.monotonic() + self._limits.max_render_seconds
        converted = animation_to_video(path, output, self._limits, deadline)
        if converted is None:
            return None
        probe(output, self._limits)  # what jobs will open: it must open
        return converted.info

    def image_size(self, path: Path) -> tuple[int, int]:
        from dynimg.adapters.media.images import image_size  # Pillow: see _sprites

        return image_size(path, self._limits)

    def snapshots(
        self,
        source: Path,
        config: SnapshotConfig,
        output: Path,
        on_progress: Callable[[float], None] | None = None,
    ) -> SnapshotOutput:
        from dynimg.adapters.media.snapshot_render import take_snapshots  # Pillow: see _sprites

        return take_snapshots(source, self.probe(source), config, output, self._limits, on_progress)

    def render(
        self,
        source: Path,
        spec: RenderSpec,
        output: Path,
        on_progress: Callable[[float], None] | None = None,
    ) -> RenderResult:
        started = time.monotonic()
        CodecPolicy(self._limits.allow_h264).check(spec.template)
        report = on_progress or (lambda _fraction: None)
        ahead = self._opening.take(source) if self._opening is not None else None
        with ahead if ahead is not None else open_probed(source, self._limits) as opened:
            return self._render(opened, spec, output, report, started)

    def _render(
        self,
        opened: OpenedSource,
        spec: RenderSpec,
        output: Path,
        report: Report,
        started: float,
    ) -> RenderResult:
        info = opened.info
        deadline = started + self._limits.max_render_seconds
        template = spec.template
        if template.time_span.auto:
            from dynimg.adapters.media.highlight import resolve_auto_seek

            template = resolve_auto_seek(opened.path, info, template, self._limits, deadline)
        cut = self._bars(opened, info, template)
        if cut is not None:
            info = replace(info, width=cut.width, height=cut.height)
        plan, fps, times = self._plan(info, template, started)
        plan = replace(plan, cut=cut)
        sprites = self._sprites(spec, plan.size)
        encoding = Encoding(template, fps, times, sprites)
        if template.max_file_size is not None:
            return self._render_to_size(opened, plan, encoding, output, report)
        partial = output.with_name(f".{output.name}.{uuid.uuid4().hex}.part")
        try:
            delays, _ = self._write(opened, plan, encoding, partial, report)
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
        source: OpenedSource,
        plan: DecodePlan,
        encoding: Encoding,
        output: Path,
        report: Report,
    ) -> RenderResult:
        """Decode once, encode as asked, then re-encode from the kept frames until it fits."""
        from dynimg.adapters.media.gif import effective_lossy
        from dynimg.adapters.media.size_fit import ClipFrames, SizeFitter
        from dynimg.domain.size_search import SizeSearch

        template, fps = encoding.template, encoding.fps
        assert template.max_file_size is not None
        kind = WRITERS[template.format]
        lossy = effective_lossy(template.lossy)
        start = EncodeSettings(template.quality, template.max_colors, fps, *plan.size, lossy=lossy)
        even = plan.size[0] % 2 == 0 and plan.size[1] % 2 == 0
        budget = frame_budget(self._limits, shaped=_shaped(template), fitted=True)
        frames = ClipFrames(budget.fitting, yuv=kind.yuv and even, matrix=kind.matrix)
        # Re-encodes run from the kept frames: no shaping store is alive by then.
        refit = frame_budget(self._limits, shaped=False, fitted=True).writer
        with tempfile.TemporaryDirectory(prefix=f".{output.name}.", dir=output.parent) as scratch:
            fitter = SizeFitter(kind, template, self._writer_limits(refit), Path(scratch),
                                plan.deadline)  # fmt: skip
            first = Path(scratch) / "attempt-0"
            try:
                delays, end = self._write(
                    source, plan, encoding, first, lambda f: report(0.5 * f), frames
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

    def _writer_limits(self, share: int) -> MediaLimits:
        """The limits a writer is made with: its frame memory is its share of the budget."""
        return replace(self._limits, frame_memory_bytes=share)

    def _bars(
        self, opened: OpenedSource, info: MediaInfo, template: DynamicImageTemplateConfig
    ) -> Box | None:
        """``Crop=auto``: the picture inside letterbox or pillarbox bars, when there are any."""
        if template.crop is not Crop.AUTO:
            return None
        from dynimg.adapters.media.letterbox import find_bars

        longest = Fraction(self._limits.max_clip_seconds)
        window = resolve_window(template.time_span, info.duration, longest)
        return find_bars(opened.path, window, self._limits)

    def _sprites(self, spec: RenderSpec, size: tuple[int, int]) -> list[Sprite]:
        """The watermarks, prepared; Pillow is imported only when there are some (most renders
        of WebP, AVIF and MP4 need none of it)."""
        if not spec.watermarks:
            return []
        from dynimg.adapters.media.sprites import prepare_sprites

        return prepare_sprites(spec.watermarks, size, self._limits)

    def _plan(
        self, info: MediaInfo, template: DynamicImageTemplateConfig, started: float
    ) -> tuple[DecodePlan, Fraction, list[Fraction]]:
        """The decode plan, the output fps and the output frame times (from 0, output time).

        The TimeSpan is source time: at Speed s the window plays in window/s seconds, and the
        fps cap is the rate at which source frames go by at that speed.
        """
        self._limits.check_source(info.width, info.height)
        longest = Fraction(self._limits.max_clip_seconds)
        window = resolve_window(template.time_span, info.duration, longest)
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
            yuv=WRITERS[template.format].yuv and forward,  # kept frames are RGB
            matrix=WRITERS[template.format].matrix,
            tone_map=template.tone_map,
            crop=template.crop is Crop.FILL,
            pixel_aspect=info.sample_aspect_ratio or Fraction(1),
        )
        return plan, fps, times

    def _write(
        self,
        source: OpenedSource,
        plan: DecodePlan,
        encoding: Encoding,
        path: Path,
        report: Report,
        keep: ClipFrames | None = None,
    ) -> tuple[list[int], Fraction]:
        """Decode, draw and encode; returns the delays and where the output ends.

        With ``keep``, every drawn frame, in playback order, is also kept there for re-encoding.
        """
        decoder = ClipDecoder(source, plan)
        template = encoding.template
        kind = WRITERS[template.format]
        frames = shaped_count(len(encoding.times), template.playback)
        budget = frame_budget(self._limits, shaped=_shaped(template), fitted=keep is not None)
        writer = kind.make(
            template, plan.size, frames, encoding.fps, path, self._writer_limits(budget.writer)
        )
        if keep is not None:
            from dynimg.adapters.media.size_fit import KeepingWriter

            writer = KeepingWriter(writer, keep)
        shaper = ShapingWriter(
            writer, template.playback, encoding.times, encoding.sprites, budget.shaping, report,
            yuv=kind.yuv, matrix=kind.matrix,
        )  # fmt: skip
        try:
            for index, frame in in_background(decoder, _queue_depth(plan.size)):
                shaper.add(index, frame)
            if not shaper.decoded:
                raise ClipOutOfRange("The video ends before the clip starts.")
            decoded = min(plan.window.length, decoder.source_end or plan.window.length)
            delays, end = shaper.finish(decoded / speed_ratio(template.speed), path)
            report(1.0)
            return delays, end
        except BaseException:
            shaper.abort()
            raise


QUEUE_BYTES = 48 * 1024 * 1024
"""Decoded frames waiting for the writer: up to six, but never more than this many bytes, so a
4K output waits two frames deep instead of holding 170 MB of frames in the queue."""


def _queue_depth(size: tuple[int, int]) -> int:
    return max(2, min(6, QUEUE_BYTES // (size[0] * size[1] * 4)))


def _shaped(template: DynamicImageTemplateConfig) -> bool:
    """Whether reverse or bounce keeps frames until the clip is decoded."""
    return template.playback is not Playback.FORWARD
