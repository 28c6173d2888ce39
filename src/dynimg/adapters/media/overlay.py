"""Watermarks drawn onto frames: sprites prepared once per render, blended per frame."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from dynimg.adapters.media.decode import Picture
from dynimg.adapters.media.fonts import load_font
from dynimg.adapters.media.frame_store import Frame
from dynimg.adapters.media.images import decoded_frames, frame_count, open_image
from dynimg.domain.geometry import Box
from dynimg.domain.limits import MediaLimits
from dynimg.domain.rendering import WatermarkLayer
from dynimg.domain.watermarks import ImageWatermarkConfig, TextWatermarkConfig, Timeline
from dynimg.errors import MediaError, UnreadableWatermark

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


def prepare_sprites(
    layers: tuple[WatermarkLayer, ...], size: tuple[int, int], limits: MediaLimits
) -> list[Sprite]:
    """Load, size and place every watermark for frames of ``size``.

    A watermark image that cannot be used is an UnreadableWatermark naming the watermark.
    """
    sprites = []
    for layer in layers:
        try:
            if isinstance(layer.config, TextWatermarkConfig):
                sprites.append(_text_sprite(layer.config, limits))
            elif layer.image is not None:
                sprites.append(_image_sprite(layer.config, layer.image, size, limits))
        except MediaError as exc:
            raise UnreadableWatermark(f"Watermark {layer.watermark_id}: {exc.message}") from exc
    return sprites


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
        out = np.asarray(picture.to_ndarray(format="rgb24"), dtype=np.uint8)
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


def _image_sprite(
    config: ImageWatermarkConfig, path: Path, size: tuple[int, int], limits: MediaLimits
) -> Sprite:
    with open_image(path, limits) as image:
        box = config.box(size, image.size)
        limits.check_sprite(box.width, box.height, frame_count(image))
        frames, durations = [], []
        for frame, duration in decoded_frames(image, limits):
            resized = frame.resize((box.width, box.height), Image.Resampling.LANCZOS)
            frames.append(np.asarray(resized))
            durations.append(duration)
    return Sprite(tuple(frames), tuple(durations), box, config.timeline)


def _text_sprite(config: TextWatermarkConfig, limits: MediaLimits) -> Sprite:
    font = load_font(config.font_name, config.font_size)
    # Alibaba accepts BorderWidth up to 4096, but a border wider than the font size only turns
    # glyphs into blobs, and one of 4096 took over 1 GB to draw: draw at most the font size.
    stroke = min(config.border_width, config.font_size)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox(
        (0, 0), config.content, font=font, stroke_width=stroke
    )
    size = (max(int(right - left), 1), max(int(bottom - top), 1))
    limits.check_sprite(*size, 1)
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(canvas).multiline_text(
        (-left, -top),
        config.content,
        font=font,
        fill=(*config.font_color, 255),
        stroke_width=stroke,
        stroke_fill=(*config.border_color, 255),
    )
    rgba = np.asarray(canvas).copy()
    rgba[..., 3] = (rgba[..., 3].astype(np.float32) * config.font_alpha).astype(np.uint8)
    box = Box(config.left, config.top, canvas.width, canvas.height)
    return Sprite((rgba,), (0,), box, Timeline())
