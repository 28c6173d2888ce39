"""Watermark images read with Pillow, within limits checked before any pixel is decoded.

Pillow reads sizes and frame counts from headers (a GIF's frames are counted by skipping over
their data, not decoding it), so an image of few bytes that would decode to gigabytes is refused
while it is still a header.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from dynimg.domain.limits import MediaLimits
from dynimg.errors import MediaLimitExceeded, UnreadableWatermark

FORMATS = ("PNG", "GIF", "WEBP", "JPEG", "BMP")
"""The formats images may have (APNG is PNG); Pillow tries no other decoder."""
MIN_FRAME_MS = 20
DEFAULT_FRAME_MS = 100


@contextmanager
def open_image(path: Path, limits: MediaLimits) -> Iterator[Image.Image]:
    """``path`` opened for reading, once its header is within ``limits``; nothing decoded yet.

    Every failure to read the image, now or while its frames are decoded in the ``with``
    block, is an UnreadableWatermark or a MediaLimitExceeded.
    """
    if not path.is_file() or path.stat().st_size > limits.max_image_bytes:
        raise UnreadableWatermark(
            f"The image file is missing or larger than {limits.max_image_bytes} bytes."
        )
    try:
        with Image.open(path, formats=FORMATS) as image:
            limits.check_image(image.width, image.height, frame_count(image))
            yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limit is far above ours, so this is a bomb by any measure.
        raise MediaLimitExceeded(
            f"The image has more than {limits.max_image_pixels} pixels."
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, EOFError, SyntaxError) as exc:
        raise UnreadableWatermark() from exc
    except (IndexError, KeyError, struct.error) as exc:
        # Pillow's GIF reader counting the frames of a truncated file (the malformed corpus).
        raise UnreadableWatermark() from exc


def frame_count(image: Image.Image) -> int:
    """How many frames an opened image has, read from its header."""
    return int(getattr(image, "n_frames", 1))


def image_size(path: Path, limits: MediaLimits) -> tuple[int, int]:
    """Width and height of an image within ``limits``, without decoding it."""
    with open_image(path, limits) as image:
        return image.size


def decoded_frames(image: Image.Image, limits: MediaLimits) -> Iterator[tuple[Image.Image, int]]:
    """Each frame of an image from :func:`open_image` as RGBA, with its duration in ms.

    One frame is decoded at a time, so memory holds one frame, not the whole animation.
    """
    count = frame_count(image)
    for index in range(count):
        image.seek(index)
        # A GIF frame may grow the canvas past its header's size: check before decoding it.
        limits.check_image(image.width, image.height, count)
        frame = image.convert("RGBA")  # WebP sets the frame's duration when it is decoded
        duration = int(image.info.get("duration") or DEFAULT_FRAME_MS)
        yield frame, max(duration, MIN_FRAME_MS)
