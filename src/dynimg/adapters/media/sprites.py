"""Watermarks prepared once per render: images and text loaded, sized and placed (Pillow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from dynimg.adapters.media.fonts import load_font
from dynimg.adapters.media.images import decoded_frames, frame_count, open_image
from dynimg.adapters.media.overlay import Sprite
from dynimg.domain.geometry import Box
from dynimg.domain.limits import MediaLimits
from dynimg.domain.rendering import WatermarkLayer
from dynimg.domain.watermarks import ImageWatermarkConfig, TextWatermarkConfig, Timeline
from dynimg.errors import MediaError, UnreadableWatermark


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
