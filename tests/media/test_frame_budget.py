"""One render's kept frames, all stores together, stay within ``frame_memory_bytes``."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynimg.adapters.media import frame_store, gif, shaping, size_fit
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.adapters.media.frame_budget import frame_budget
from dynimg.domain.limits import MediaLimits
from tests.media.conftest import render
from tests.support.media import Clip

BUDGET = 1 << 20
"""Small enough that every store of a 160-pixel-wide GIF fills its share and spills the rest."""


class Ledger:
    """Every live frame store, and the most their in-memory frames ever held at once."""

    def __init__(self) -> None:
        self.stores: weakref.WeakSet[frame_store.FrameStore] = weakref.WeakSet()
        self.peak = 0

    def measure(self) -> None:
        held = sum(frame.nbytes for store in self.stores for frame in store._in_memory)
        self.peak = max(self.peak, held)


@pytest.fixture
def ledger(monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    ledger = Ledger()

    class CountedStore(frame_store.FrameStore):
        def __init__(self, memory_budget: int) -> None:
            super().__init__(memory_budget)
            ledger.stores.add(self)

        def append(self, frame: frame_store.Frame) -> None:
            super().append(frame)
            ledger.measure()

    for module in (gif, shaping, size_fit):
        monkeypatch.setattr(module, "FrameStore", CountedStore)
    yield ledger


@pytest.mark.timeout(120)
def test_a_gif_fitted_to_a_size_with_bounce_keeps_at_most_the_frame_budget(
    clip: Clip, tmp_path: Path, ledger: Ledger
) -> None:
    # The GIF writer's frames and planes, the frames bounce keeps and the frames kept for the
    # size search are alive together: their shares must add up to the budget, not exceed it.
    engine = PyAvMediaEngine(MediaLimits(frame_memory_bytes=BUDGET))
    template = {
        "Container": {"Format": "gif", "MaxFileSize": 20_000},
        "Video": {"Width": "160", "Fps": "15"},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "2"}, "Playback": "bounce"},
    }
    result, _ = render(engine, clip.path, tmp_path / "fit.gif", template)
    assert result.size_search is not None and len(result.size_search.attempts) >= 2
    # The GIF's temporal rule takes its working memory from the writer's share, not on top.
    limits = MediaLimits(frame_memory_bytes=BUDGET)
    working = frame_budget(limits, shaped=True, fitted=True).writer // gif.STABILISE_SHARE
    assert BUDGET * 0.85 < ledger.peak <= BUDGET - working, ledger.peak / BUDGET
