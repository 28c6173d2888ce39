from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np

from dynimg.adapters.media.webp_container import (
    as_animation,
    frame_durations,
    join_animations,
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


def test_joined_animation_has_every_frame_in_order() -> None:
    joined = join_animations([animation(3, 0), animation(2, 128)])
    assert frame_durations(joined) == [70] * 5
    assert loop_count(joined) == 2
    from PIL import Image

    image = Image.open(io.BytesIO(joined))
    assert image.n_frames == 5
    image.seek(3)
    assert np.asarray(image.convert("RGB")).mean() > 100


def test_a_one_frame_encoder_output_becomes_a_one_frame_animation() -> None:
    # libwebp's animation encoder writes a still image for a single frame.
    still = animation(1, 200)
    assert b"ANIM" not in still
    animated = as_animation(still, (32, 16), 250, 3)
    assert frame_durations(animated) == [250]
    assert loop_count(animated) == 3
    from PIL import Image

    with Image.open(io.BytesIO(animated)) as image:
        assert image.size == (32, 16)
        assert image.n_frames == 1
        assert np.asarray(image.convert("RGB")).mean() > 150


def test_an_animation_is_left_as_it_is() -> None:
    data = animation(2, 0)
    assert as_animation(data, (32, 16), 70, 0) == data


def test_a_one_frame_part_keeps_its_frame_when_joined() -> None:
    last = as_animation(animation(1, 200), (32, 16), 70, 2)
    joined = join_animations([animation(3, 0), last])
    assert frame_durations(joined) == [70] * 4
