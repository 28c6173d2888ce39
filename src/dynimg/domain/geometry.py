"""Pure geometry: output sizes and where watermarks go."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

MIN_SIDE = 2


@dataclass(frozen=True)
class Box:
    """A rectangle in output pixels."""

    x: int
    y: int
    width: int
    height: int


def round_even(value: float) -> int:
    """The nearest even integer, at least 2."""
    return max(MIN_SIDE, 2 * round(value / 2))


def output_size(display: tuple[int, int], width: int | None, height: int | None) -> tuple[int, int]:
    """The output size for a template's Width/Height over a source of ``display`` size.

    Both given: exactly those. One given: the other keeps the display aspect ratio (rounded to
    an even number). Neither: the display size.
    """
    display_w, display_h = display
    if width and height:
        return width, height
    if width:
        return width, round_even(width * display_h / display_w)
    if height:
        return round_even(height * display_w / display_h), height
    return round_even(display_w), round_even(display_h)


def centre_crop(source: tuple[int, int], pixel_aspect: Fraction, target: tuple[int, int]) -> Box:
    """The centre of a ``source`` picture (coded pixels, each ``pixel_aspect`` wide) that has
    the shape of ``target`` (square pixels): what ``Crop=fill`` keeps before scaling.

    Sides and offsets are even, so chroma planes of 4:2:0 video crop on whole samples.
    """
    source_w, source_h = source
    shown = Fraction(source_w) * pixel_aspect / source_h
    wanted = Fraction(*target)
    width, height = source_w, source_h
    if shown > wanted:  # wider than wanted: cut the sides
        width = min(source_w, round_even(float(source_w * wanted / shown)))
    else:  # taller: cut top and bottom
        height = min(source_h, round_even(float(source_h * shown / wanted)))
    return Box(_even((source_w - width) // 2), _even((source_h - height) // 2), width, height)


def _even(value: int) -> int:
    return value - value % 2


def corner_box(
    refer_pos: str, frame: tuple[int, int], size: tuple[int, int], offset: tuple[int, int]
) -> Box:
    """A box of ``size`` placed ``offset`` pixels in from the ``refer_pos`` corner of a frame."""
    frame_w, frame_h = frame
    width, height = size
    dx, dy = offset
    x = frame_w - width - dx if refer_pos.endswith("Right") else dx
    y = frame_h - height - dy if refer_pos.startswith("Bottom") else dy
    return Box(x, y, width, height)
