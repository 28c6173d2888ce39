"""The bench scores an animated image as it is seen: a frame stored once and held for several
slots (a still stretch, a fade to black) is compared with the source at each of those slots,
not counted once, which would pair every later frame with the wrong moment of the source."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

BENCH = Path(__file__).parents[2] / "bench"
FPS = 10
SLOTS = 10
HELD = (5, 6, 7)
"""Slots that show the same source picture: an encoder stores it once, for 300 ms."""


def _bench(name: str) -> ModuleType:
    # bench/ is scripts importing each other by bare name (corpus, quality, ...)
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))
    return importlib.import_module(name)


def _picture(slot: int) -> np.ndarray:
    """The source at a slot: one flat grey per moment, the held slots alike."""
    level = 40 + 20 * (HELD[0] if slot in HELD else slot)
    return np.full((32, 48, 3), level, dtype=np.uint8)


def _stored(path: Path) -> None:
    """Frames as an encoder that merges repeats stores them: 8 frames for 10 slots."""
    slots = [s for s in range(SLOTS) if s not in HELD[1:]]
    frames = [Image.fromarray(_picture(s)) for s in slots]
    durations = [100 * len(HELD) if s == HELD[0] else 100 for s in slots]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   lossless=True)  # fmt: skip


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_a_held_frame_is_scored_once_per_slot_it_fills(tmp_path: Path, suffix: str) -> None:
    quality = _bench("quality")
    output = tmp_path / f"held{suffix}"
    _stored(output)
    refs = [(slot / FPS, _picture(slot)) for slot in range(SLOTS)]

    pairs, shift = quality.aligned(output, refs, 0.0, FPS)

    assert (len(pairs), shift) == (SLOTS, 0)
    for slot, (shown, reference) in enumerate(pairs):
        assert np.array_equal(shown, reference), f"slot {slot}"
        assert np.array_equal(shown, _picture(slot)), f"slot {slot}"


def test_frames_without_a_duration_fill_one_slot_each() -> None:
    quality = _bench("quality")
    frames = [np.full((2, 2, 3), level, dtype=np.uint8) for level in (0, 50, 100)]
    shown = quality._on_screen(frames, [None, 0.3, None], FPS)
    assert [int(frame[0, 0, 0]) for frame in shown] == [0, 50, 50, 50, 100]
