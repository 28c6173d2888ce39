from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np

from dynimg.adapters.media.webp_container import (
    frame_durations,
    loop_count,
)


def animation(frames: int, color: int) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webp", options={"loop": "2"}) as container:
        stream = container.add_stream("libwebp_anim", rate=1000)
        stream.width, stream.height, stream.pix_fmt = 32, 16, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        for i in range(frames):
            rgb = np.full((16, 32, 3), color + i * 20, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.duration, frame.time_base = i * 70, 70, Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def test_durations_and_loop_count_are_read_from_the_container() -> None:
    data = animation(3, 0)
    assert frame_durations(data) == [70] * 3
    assert loop_count(data) == 2
