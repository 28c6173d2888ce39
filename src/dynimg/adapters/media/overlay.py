"""Watermarks blended onto frames, per frame (numpy only).

The sprites are prepared once per render by :mod:`dynimg.adapters.media.sprites`, which needs
Pillow; a render without watermarks never imports it (16 ms of ``dynimg render`` start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from dynimg.adapters.media.decode import Picture
from dynimg.adapters.media.frame_store import Frame
from dynimg.adapters.media.scaler import rgb_array
from dynimg.domain.geometry import Box

if TYPE_CHECKING:
    # An annotation only: the watermark documents' module is for renders that draw one.
    from dynimg.domain.watermarks import Timeline

Rgba = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Sprite:
    """A watermark ready to blend: its frames (RGBA), their durations, and where it goes."""

    frames: tuple[Rgba, ...]
    durations_ms: tuple[int, ...]
    box: Box
    timeline: Timeline

    def frame_at(self, t_ms: float) -> Rgba | None:
        """The sprite frame shown at ``t_ms`` into the animation, None outside the Timeline."""
        if not self.timeline.shows_at(t_ms):
            return None
        if len(self.frames) == 1:
            return self.frames[0]
        cycle = sum(self.durations_ms)
        position = (t_ms - self.timeline.start_ms) % cycle
        for frame, duration in zip(self.frames, self.durations_ms, strict=True):
            if position < duration:
                return frame
            position -= duration
        return self.frames[-1]


def composite(picture: Picture, sprites: list[Sprite], t_ms: float) -> Picture:
    """``picture`` with every sprite visible at ``t_ms`` blended on; the input is not modified.

    A yuv420p VideoFrame is only turned into RGB when something is drawn on it.
    """
    visible = [(sprite, rgba) for sprite in sprites if (rgba := sprite.frame_at(t_ms)) is not None]
    if not visible:
        return picture
    if isinstance(picture, np.ndarray):
        out = picture.copy()
    else:
        out = np.asarray(rgb_array(picture), dtype=np.uint8)
    for sprite, rgba in visible:
        _blend(out, rgba, sprite.box)
    return out


def _blend(frame: Frame, rgba: Rgba, box: Box) -> None:
    height, width = frame.shape[:2]
    x0, y0 = max(box.x, 0), max(box.y, 0)
    x1, y1 = min(box.x + rgba.shape[1], width), min(box.y + rgba.shape[0], height)
    if x0 >= x1 or y0 >= y1:
        return
    src = rgba[y0 - box.y : y1 - box.y, x0 - box.x : x1 - box.x]
    alpha = src[..., 3:4].astype(np.uint16)
    region = frame[y0:y1, x0:x1]
    blended = (src[..., :3] * alpha + region * (255 - alpha) + 127) // 255
    region[...] = blended.astype(np.uint8)
