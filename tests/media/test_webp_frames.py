"""Animated WebP made of frames cropped to what changed: structure and fidelity."""

from __future__ import annotations

import io

import av
import numpy as np
from PIL import Image, ImageSequence

from dynimg.adapters.media.webp_container import NO_BLEND, chunks
from dynimg.adapters.media.webp_frames import ChangeTracker, FrameAnimation, keep_rule
from tests.support.media import ssim_half

SIZE = (160, 96)


def background(shift: int = 0) -> np.ndarray:
    """A smooth gradient with some texture, brightened by ``shift``."""
    width, height = SIZE
    x = np.linspace(0, 200, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 120, height, dtype=np.float32)[:, None]
    rgb = np.stack(np.broadcast_arrays(x + y / 2, 60 + y, 200 - x / 2), axis=-1)
    rgb[::6] += 25
    return np.clip(rgb + shift, 0, 255).astype(np.uint8)


def with_square(rgb: np.ndarray, x: int, y: int) -> np.ndarray:
    out = rgb.copy()
    out[y : y + 16, x : x + 16] = (250, 30, 30)
    return out


def encode(pictures: list[np.ndarray]) -> bytes:
    animation = FrameAnimation(SIZE, quality=75, loop=0, in_flight=4)
    for rgb in pictures:
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
        animation.add(frame)
        animation.lasts(100)
    return animation.finish()


def frames_of(data: bytes) -> list[tuple[int, int, int, int, int, int]]:
    """(x, y, width, height, duration, flags) of each ANMF frame."""
    found = []
    for chunk in chunks(data):
        if chunk.fourcc == b"ANMF":
            values = [int.from_bytes(chunk.payload[i : i + 3], "little") for i in range(0, 15, 3)]
            x, y, width, height, duration = values
            found.append((x * 2, y * 2, width + 1, height + 1, duration, chunk.payload[15]))
    return found


def covers(frame: tuple[int, ...], change: tuple[int, int, int, int]) -> bool:
    """Whether a frame's rectangle holds ``change`` and at most one more block on each side."""
    x, y, width, height = frame[:4]
    cx, cy, cw, ch = change
    inside = x <= cx and y <= cy and x + width >= cx + cw and y + height >= cy + ch
    return inside and width <= cw + 16 and height <= ch + 16


def decoded(data: bytes) -> list[np.ndarray]:
    with Image.open(io.BytesIO(data)) as image:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)]


def test_frames_are_cropped_to_the_change_and_unchanged_frames_merge() -> None:
    still = background()
    sources = [with_square(still, 8, 8), with_square(still, 24, 8), with_square(still, 24, 8)]
    data = encode([*sources, still])

    layout = frames_of(data)
    assert layout[0] == (0, 0, *SIZE, 100, NO_BLEND)  # a whole first frame, not blended
    # The square moved 16 px right: only its old and new place is drawn again (in 8x8 blocks,
    # one more on each side where the chroma of its edge spreads).
    assert covers(layout[1], (8, 8, 32, 16))
    assert layout[1][4] == 200  # the identical third frame lengthens the second one
    assert covers(layout[2], (24, 8, 16, 16))  # the square left: its place is drawn again
    assert len(layout) == 3
    shown = decoded(data)
    for picture, source in zip(shown, [sources[0], sources[1], still], strict=True):
        assert ssim_half(picture, source) > 0.95


def test_partial_frames_blend_over_what_is_shown() -> None:
    still = background()
    moved = with_square(with_square(still, 8, 8), 120, 64)  # two far apart changes
    data = encode([still, moved])

    frame = frames_of(data)[1]
    assert covers(frame, (8, 8, 128, 72))
    flags = frame[5]
    assert not flags & NO_BLEND  # blocks between the two squares stay transparent
    assert any(c.fourcc == b"VP8X" and c.payload[0] & 0x10 for c in chunks(data))
    assert ssim_half(decoded(data)[1], moved) > 0.95


def test_a_slow_drift_is_drawn_once_it_adds_up() -> None:
    # Each frame differs from the one before by 1, below the "unchanged" threshold; compared
    # with what was last drawn, the change adds up and the picture follows the source.
    sources = [background(shift) for shift in range(0, 60, 1)]
    shown = decoded(encode(sources))
    last = shown[-1].astype(np.int16)
    assert abs(float(last.mean()) - float(sources[-1].mean())) < 6
    assert ssim_half(shown[-1], sources[-1]) > 0.95


def test_changes_are_found_in_partial_edge_blocks_and_at_the_ends_of_the_range() -> None:
    # 37x23 is no whole number of 8x8 blocks: the last column and row of blocks are partial.
    luma = np.full((23, 37), 250, np.uint8)
    chroma = np.full((12, 19), 2, np.uint8)
    tracker = ChangeTracker(keep_rule(75))
    first = tracker([luma, chroma, chroma.copy()])
    assert first is not None and (first.x, first.y, first.size, first.alpha) == (
        0,
        0,
        (37, 23),
        None,
    )
    speck = luma.copy()  # within rounding of a flat block: a few samples a level off, one 3
    speck[3, 3], speck[5, 1:9:2], speck[20, 33] = 247, 249, 251
    hue = chroma.copy()
    hue[1, 1] = hue[11, 18] = 3
    assert tracker([speck, hue, chroma]) is None

    corner = luma.copy()
    corner[22, 36] = 2  # 250 -> 2 in the bottom-right (partial) block
    region = tracker([corner, chroma, chroma])
    assert region is not None and (region.x, region.y, region.size) == (32, 16, (5, 7))
    assert region.alpha is None and region.planes[0][6, 4] == 2

    hue = chroma.copy()
    hue[0, 18] = 250  # 2 -> 250 in one chroma sample of the top-right (partial) block
    region = tracker([corner, chroma, hue])
    assert region is not None and (region.x, region.y, region.size) == (32, 0, (5, 8))
    assert tracker([corner, chroma, hue]) is None  # drawn: now part of what the viewer has

    both = corner.copy()
    both[0, 0], both[22, 36] = 0, 100
    region = tracker([both, chroma, hue])  # the far corners: one rectangle, the middle blended
    assert region is not None and (region.x, region.y, region.size) == (0, 0, (37, 23))
    assert region.alpha is not None
    assert region.alpha[0, 0] == 255 and region.alpha[10, 10] == 0 and region.alpha[22, 36] == 255


def drawn(width: int, height: int) -> tuple[ChangeTracker, np.ndarray, np.ndarray]:
    """A tracker at quality 75's rule that has drawn one flat grey frame, and its planes."""
    luma = np.full((height, width), 100, np.uint8)
    chroma = np.full((-(-height // 2), -(-width // 2)), 128, np.uint8)
    tracker = ChangeTracker(keep_rule(75))
    tracker([luma, chroma, chroma])
    return tracker, luma, chroma


def test_a_spike_or_a_fade_of_a_whole_block_is_a_change() -> None:
    tracker, luma, chroma = drawn(16, 16)

    spike = luma.copy()
    spike[12, 3] = 105  # one sample 5 levels up on flat grey: the bottom-left block
    region = tracker([spike, chroma, chroma])
    assert region is not None and (region.x, region.y, region.size) == (0, 8, (8, 8))

    fade = spike.copy()
    fade[:8, 8:] += 1  # the top-right block 1 level brighter: a shift a re-encode would not make
    region = tracker([fade, chroma, chroma])
    assert region is not None and (region.x, region.y, region.size) == (8, 0, (8, 8))

    tint = chroma.copy()
    tint[4:, 4:] -= 1  # a chroma fade moves its 4x4 chroma block, an 8x8 luma block
    region = tracker([fade, chroma, tint])
    assert region is not None and (region.x, region.y, region.size) == (8, 8, (8, 8))


def test_a_fade_of_a_partial_edge_block_is_a_change() -> None:
    # The bottom-right block of a 37x23 frame holds 5x7 samples: its mean is over those 35.
    tracker, luma, chroma = drawn(37, 23)
    fade = luma.copy()
    fade[16:, 32:] += 1
    region = tracker([fade, chroma, chroma])
    assert region is not None and (region.x, region.y, region.size) == (32, 16, (5, 7))


def grain(seed: int, size: int = 16) -> np.ndarray:
    """A textured 16x16 luma block (a fixed pattern of sigma 12) under fresh noise of sigma 1.5,
    as two frames of film grain over the same scene."""
    scene = np.random.default_rng(0).normal(120, 12, (size, size))
    noise = np.random.default_rng(seed).normal(0, 1.5, (size, size))
    return np.clip(scene + noise, 0, 255).astype(np.uint8)


def test_grain_within_what_a_re_encode_loses_is_kept_at_75_and_drawn_at_95() -> None:
    # Fresh grain of sigma 1.5 (about 2 levels between frames) over texture: a re-encode at
    # quality 75 loses about 4.3 levels RMS in such texture, so the grain is not drawn again;
    # at 95 the quantiser keeps grain that fine, and the same change is drawn.
    chroma = np.full((8, 8), 128, np.uint8)
    kept = ChangeTracker(keep_rule(75))
    kept([grain(1), chroma, chroma])
    assert kept([grain(2), chroma, chroma]) is None
    drawn = ChangeTracker(keep_rule(95))
    drawn([grain(1), chroma, chroma])
    region = drawn([grain(2), chroma, chroma])
    assert region is not None and region.size == (16, 16)


RIPPLE = np.tile(np.array([-2, -1, -1, 0, 0, 1, 1, 2], np.int16), (16, 2))
"""A smooth change of 1.2 levels RMS and no mean in each 8x8 block: no new texture."""


def test_a_ripple_is_kept_in_texture_and_drawn_on_a_flat_block() -> None:
    # The same change over texture, which a re-encode blurs by more, and over flat grey, which
    # a re-encode keeps exactly: only the flat block is drawn again.
    chroma = np.full((8, 8), 128, np.uint8)
    textured = ChangeTracker(keep_rule(75))
    textured([grain(1), chroma, chroma])
    assert textured([(grain(1) + RIPPLE).astype(np.uint8), chroma, chroma]) is None
    tracker, luma, chroma = drawn(16, 16)
    region = tracker([(luma + RIPPLE).astype(np.uint8), chroma, chroma])
    assert region is not None and region.size == (16, 16)


def test_a_frame_almost_all_to_be_drawn_is_drawn_whole() -> None:
    # 2x5 blocks; the rectangle of what changes is all of them.
    tracker, luma, chroma = drawn(40, 16)
    most = np.full_like(luma, 140)
    most[8:, 8:16] = most[8:, 24:32] = 100  # two of ten blocks as shown: blended
    region = tracker([most, chroma, chroma])
    assert region is not None and region.size == (40, 16) and region.alpha is not None
    almost = np.full_like(luma, 60)
    almost[8:, 8:16] = 100  # nine of ten differ from what is shown: drawn whole
    region = tracker([almost, chroma, chroma])
    assert region is not None and region.size == (40, 16) and region.alpha is None
    assert tracker([almost, chroma, chroma]) is None  # every block drawn: all of it is shown
