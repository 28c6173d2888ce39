"""``Crop=fill``: the centre of each decoded frame cut to the output's shape, then scaled.

Cutting before scaling (FFmpeg's crop and scale filters in one graph) keeps the work and memory
to the output size: scaling the whole frame to cover the output first would make a 4096 x 128
banner from a portrait video as a 4096 x 7282 picture.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import av
import av.filter
import av.video.frame
from av.video.reformatter import Colorspace

from dynimg.adapters.media.colour import settle_matrix
from dynimg.domain.geometry import Box, centre_crop

_MATRIX_NAMES = {Colorspace.ITU709: "bt709", Colorspace.ITU601: "bt601"}


class CentreCrop:
    """Turns decoded frames into ``size`` pictures (coded orientation) showing their centre."""

    def __init__(
        self,
        size: tuple[int, int],
        pixel_aspect: Fraction,
        pix_fmt: str,
        matrix: Colorspace | None = None,
        box: Box | None = None,
    ) -> None:
        """``matrix``: the YUV matrix of a YUV result when it is not the source's; ``box``:
        the part of the frame to keep (``Crop=auto``), instead of the centre."""
        self._box = box
        self._size, self._pixel_aspect, self._pix_fmt = size, pixel_aspect, pix_fmt
        self._matrix = "" if matrix is None else f":out_color_matrix={_MATRIX_NAMES[matrix]}"
        self._graph: av.filter.Graph | None = None
        self._input: tuple[int, int, str] | None = None

    def __call__(self, frame: av.video.frame.VideoFrame) -> av.video.frame.VideoFrame:
        frame = settle_matrix(frame)
        shape = (frame.width, frame.height, frame.format.name)
        if self._graph is None or shape != self._input:  # a stream may change size midway
            self._graph, self._input = self._build(frame), shape
        self._graph.push(frame)
        picture = self._graph.pull()
        assert isinstance(picture, av.video.frame.VideoFrame)
        return picture

    def _build(self, frame: av.video.frame.VideoFrame) -> av.filter.Graph:
        box = self._box or centre_crop((frame.width, frame.height), self._pixel_aspect, self._size)
        width, height = self._size
        graph = av.filter.Graph()
        steps = [
            graph.add_buffer(
                width=frame.width,
                height=frame.height,
                format=frame.format,
                time_base=frame.time_base or Fraction(1, 90000),
            ),
            graph.add("crop", f"w={box.width}:h={box.height}:x={box.x}:y={box.y}"),
            graph.add("scale", f"w={width}:h={height}:flags=lanczos{self._matrix}"),
            graph.add("format", f"pix_fmts={self._pix_fmt}"),
            graph.add("buffersink"),
        ]
        for source, target in pairwise(steps):
            source.link_to(target)
        graph.configure()
        return graph
