"""Output frames kept until the GIF palette is known: in memory up to a budget, then on disk."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import IO

import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]


class FrameStore:
    """An append-only sequence of equally sized RGB frames with bounded memory."""

    def __init__(self, memory_budget: int) -> None:
        self._budget = memory_budget
        self._in_memory: list[Frame] = []
        self._spill: IO[bytes] | None = None
        self._spilled = 0
        self._shape: tuple[int, ...] | None = None

    def __len__(self) -> int:
        return len(self._in_memory) + self._spilled

    def append(self, frame: Frame) -> None:
        self._shape = frame.shape
        if (len(self._in_memory) + 1) * frame.nbytes <= self._budget and not self._spilled:
            self._in_memory.append(frame)
            return
        if self._spill is None:
            # Unnamed (O_TMPFILE on Linux): a process killed mid-render leaves nothing behind.
            self._spill = tempfile.TemporaryFile(prefix="dynimg-frames-")  # noqa: SIM115
        self._spill.write(np.ascontiguousarray(frame).tobytes())
        self._spilled += 1

    def __getitem__(self, index: int) -> Frame:
        """Frame ``index`` (0-based), read back from the spill file when it went there."""
        if 0 <= index < len(self._in_memory):
            return self._in_memory[index]
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._spilled_frame(index - len(self._in_memory))

    def __iter__(self) -> Iterator[Frame]:
        yield from self._in_memory
        for spilled in range(self._spilled):
            yield self._spilled_frame(spilled)

    def _spilled_frame(self, spilled: int) -> Frame:
        assert self._spill is not None and self._shape is not None
        self._spill.flush()
        size = int(np.prod(self._shape))
        data = os.pread(self._spill.fileno(), size, spilled * size)  # the append position stays
        return np.frombuffer(data, dtype=np.uint8).reshape(self._shape)

    def close(self) -> None:
        self._in_memory.clear()
        if self._spill is not None:
            self._spill.close()
            self._spill = None
