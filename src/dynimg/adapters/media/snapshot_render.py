"""Snapshot jobs in the engine: take the pictures, write them as JPEG, tile them onto sprite
sheets and write the WebVTT storyboard that points at them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import av.video.frame
import numpy as np
from PIL import Image

from dynimg.adapters.media.frame_grab import FrameGrabber
from dynimg.adapters.media.frame_store import Frame
from dynimg.adapters.media.scaler import Scaler
from dynimg.domain.limits import MediaLimits
from dynimg.domain.media import MediaInfo
from dynimg.domain.snapshots import (
    FrameType,
    SnapshotConfig,
    SnapshotType,
    SpriteConfig,
    check_sheet,
    check_total,
    sheet_size,
)
from dynimg.domain.storyboard import (
    SnapshotFile,
    SnapshotOutput,
    cell_fragment,
    cell_size,
    file_name,
    picture_size,
    place,
    snapshot_times,
    storyboard_vtt,
)

JPEG_QUALITY = 85
WEBP_QUALITY = 80
AVIF_QUALITY = 65
Report = Callable[[float], None]


def take_snapshots(
    source: Path,
    info: MediaInfo,
    config: SnapshotConfig,
    output: Path,
    limits: MediaLimits,
    report: Report | None = None,
) -> SnapshotOutput:
    """Write every file of a snapshot job into the directory ``output``.

    Bounds are checked before anything is decoded: Count x size, and the sheet size once the
    cell size is known from the source.
    """
    duration_ms = int(info.duration * 1000) if info.duration else 0
    deadline = time.monotonic() + limits.max_render_seconds
    if config.auto_time:
        from dynimg.adapters.media.highlight import best_still_ms

        config = replace(config, offset_ms=best_still_ms(source, info, limits, deadline))
    wanted = snapshot_times(config, duration_ms)
    picture = picture_size((config.width, config.height), info.display_size)
    check_total(len(wanted), picture)
    sheets = None
    if config.sprite is not None:
        cell = cell_size(config.sprite, picture)
        check_sheet(config.sprite, cell)
        sheets = _Sheets(config.sprite, cell, output)
    pictures = _Pictures(config, picture, output, info.rotation)
    grabber = FrameGrabber(
        source,
        limits,
        keyframes=config.frame_type is FrameType.INTRA,
        deadline=deadline,
    )
    for done, grabbed in enumerate(grabber.grab(wanted), start=1):
        at = grabbed.at_ms if config.frame_type is FrameType.INTRA else wanted[done - 1]
        if pictures.add(at, grabbed.frame) and sheets is not None:
            sheets.add(pictures.cell(grabbed.frame, sheets.cell))
        if report is not None:
            report(done / len(wanted))
    files = pictures.files + (sheets.finish() if sheets is not None else [])
    if config.type is SnapshotType.WEBVTT:
        files.append(_write_vtt(pictures.times, duration_ms, sheets, output))
    return SnapshotOutput(tuple(files), tuple(pictures.times))


class _Pictures:
    """Converts taken frames to upright RGB and writes those that are kept as pictures: every
    one for normal snapshots, the cells for sprites with ``KeepCellPic=keep``."""

    def __init__(
        self, config: SnapshotConfig, size: tuple[int, int], output: Path, rotation: int
    ) -> None:
        self._size, self._output, self._turns = size, output, rotation // 90
        single = (SnapshotType.COVER, SnapshotType.THUMBNAIL)
        self._kind: SnapshotType | None = (
            config.type if config.type in single else SnapshotType.NORMAL
        )
        self._format = config.picture_format
        if config.sprite is not None:
            self._kind = SnapshotType.SPRITE_ORIGIN if config.sprite.keep_cells else None
        self._dedupe = config.frame_type is FrameType.INTRA
        self._scaler = Scaler()
        self._last_pts: int | None = None
        self.times: list[int] = []
        self.files: list[SnapshotFile] = []

    def add(self, at_ms: int, frame: av.video.frame.VideoFrame) -> bool:
        """Record a taken frame; False for the keyframe taken just before: with fewer keyframes
        than times, fewer pictures (as Alibaba documents for FrameType intra)."""
        if self._dedupe and self.times and frame.pts == self._last_pts:
            return False
        self._last_pts = frame.pts
        self.times.append(at_ms)
        if self._kind is not None:
            index = len(self.times)
            name = file_name(self._kind, index, self._format)
            write_picture(self.upright(frame, self._size), self._output / name, self._format)
            self.files.append(SnapshotFile(self._kind, index, *self._size, self._format))
        return True

    def cell(self, frame: av.video.frame.VideoFrame, size: tuple[int, int]) -> Frame:
        return self.upright(frame, size)

    def upright(self, frame: av.video.frame.VideoFrame, size: tuple[int, int]) -> Frame:
        """``frame`` scaled to ``size`` as shown (square pixels, turned upright)."""
        coded = (size[1], size[0]) if self._turns % 2 else size
        scaled = self._scaler(
            frame, width=coded[0], height=coded[1], format="rgb24", interpolation="LANCZOS"
        )
        rgb: Frame = np.asarray(scaled.to_ndarray(), dtype=np.uint8)
        return np.ascontiguousarray(np.rot90(rgb, k=-self._turns)) if self._turns else rgb


class _Sheets:
    """Fills sprite sheets row by row and writes each when it is full (the last when done)."""

    def __init__(self, sprite: SpriteConfig, cell: tuple[int, int], output: Path) -> None:
        self.sprite, self.cell, self._output = sprite, cell, output
        self._canvas: Frame | None = None
        self._count = 0
        self._files: list[SnapshotFile] = []

    def add(self, rgb: Frame) -> None:
        placed = place(self.sprite, self.cell, self._count)
        if self._canvas is None:
            width, height = sheet_size(self.sprite, self.cell, self.sprite.per_sheet)
            self._canvas = np.empty((height, width, 3), dtype=np.uint8)
            self._canvas[:] = self.sprite.color
        box = placed.box
        self._canvas[box.y : box.y + box.height, box.x : box.x + box.width] = rgb
        self._count += 1
        if self._count % self.sprite.per_sheet == 0:
            self._flush()

    def finish(self) -> list[SnapshotFile]:
        self._flush()
        return self._files

    def _flush(self) -> None:
        if self._canvas is None:
            return
        on_sheet = self._count - len(self._files) * self.sprite.per_sheet
        width, height = sheet_size(self.sprite, self.cell, on_sheet)
        index = len(self._files) + 1
        path = self._output / file_name(SnapshotType.SPRITE, index)
        write_jpeg(self._canvas[:height, :width], path)
        self._files.append(SnapshotFile(SnapshotType.SPRITE, index, width, height))
        self._canvas = None


def _write_vtt(times: list[int], end_ms: int, sheets: _Sheets | None, output: Path) -> SnapshotFile:
    if sheets is not None:
        placed = [place(sheets.sprite, sheets.cell, i) for i in range(len(times))]
        names = [file_name(SnapshotType.SPRITE, p.sheet + 1) for p in placed]
        targets = [cell_fragment(n, p.box) for n, p in zip(names, placed, strict=True)]
    else:
        targets = [file_name(SnapshotType.NORMAL, i + 1) for i in range(len(times))]
    text = storyboard_vtt(times, end_ms, targets)
    (output / file_name(SnapshotType.WEBVTT, 1)).write_text(text, encoding="utf-8")
    return SnapshotFile(SnapshotType.WEBVTT, 1, 0, 0)


def write_jpeg(rgb: Frame, path: Path) -> None:
    """One picture as a baseline JPEG (4:2:0, what every browser and player shows)."""
    Image.fromarray(rgb).save(path, "JPEG", quality=JPEG_QUALITY)


def write_picture(rgb: Frame, path: Path, fmt: str) -> None:
    """One picture as ``jpg`` (:func:`write_jpeg`), lossy ``webp`` or ``avif`` (Pillow's
    libwebp and libavif, 4:2:0, at most two encoder threads)."""
    if fmt == "jpg":
        write_jpeg(rgb, path)
    elif fmt == "webp":
        Image.fromarray(rgb).save(path, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        Image.fromarray(rgb).save(path, "AVIF", quality=AVIF_QUALITY, speed=8, max_threads=2)
