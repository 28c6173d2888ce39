"""The media engine: probing videos and rendering animated images."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from dynimg.domain.media import MediaInfo
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.snapshots import SnapshotConfig
from dynimg.domain.storyboard import SnapshotOutput


class MediaEngine(Protocol):
    """Probes videos and renders animated images; needs no database."""

    def probe(self, path: Path) -> MediaInfo:
        """Container and stream facts of a video file (UnreadableMedia, NoVideoStream)."""
        ...

    def animation_to_video(self, path: Path, output: Path) -> MediaInfo | None:
        """When ``path`` is an animated image (GIF, APNG, animated WebP), write it at ``output``
        as a video every job can read, and return the animation's own facts; None for any other
        file. UnreadableMedia, MediaLimitExceeded (the image limits) or RenderTimeout."""
        ...

    def image_size(self, path: Path) -> tuple[int, int]:
        """Width and height of an image file, read from its header without decoding it.

        UnreadableWatermark if it is not an image, MediaLimitExceeded over the image limits.
        """
        ...

    def render(
        self,
        source: Path,
        spec: RenderSpec,
        output: Path,
        on_progress: Callable[[float], None] | None = None,
    ) -> RenderResult:
        """Render ``spec`` from ``source`` into ``output``, written atomically.

        ``on_progress`` is called with the fraction done (0 to 1) as frames are processed.
        """
        ...

    def snapshots(
        self,
        source: Path,
        config: SnapshotConfig,
        output: Path,
        on_progress: Callable[[float], None] | None = None,
    ) -> SnapshotOutput:
        """Take the snapshots ``config`` asks for from ``source`` into the directory ``output``:
        JPEG pictures, sprite sheets and a WebVTT index, as its type says."""
        ...
