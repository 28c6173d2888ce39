"""The progress bars of the commands: uploads by bytes, jobs and local renders by percent.

Drawn with tqdm on standard error, and only when it is a terminal: a pipe or a log gets the
label once, as one line, and no bar characters. tqdm rather than rich: one small package with
no dependencies of its own (rich brings three, Pygments among them, into a runtime install kept
lean), and it draws bytes with speed and time left as it is. It is imported only when a bar is
drawn, so `dynimg render` in a script pays nothing for it before its first frame.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Advance = Callable[[float], None]
"""Called with the amount done so far (bytes, or percent), not with an increment."""


@contextmanager
def byte_progress(label: str, total: int, stream: TextIO | None = None) -> Iterator[Advance]:
    """A bar of ``total`` bytes: bytes done, speed and time left (KiB, MiB: 1024 each)."""
    with _bar(label, total, stream, unit="B", unit_scale=True, unit_divisor=1024) as advance:
        yield advance


@contextmanager
def percent_progress(
    label: str, stream: TextIO | None = None, *, announce: bool = True
) -> Iterator[Advance]:
    """A bar from 0 to 100 percent with the time elapsed and left. ``announce=False``: nothing
    at all is written when standard error is not a terminal."""
    fmt = "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]"
    with _bar(label, 100, stream, announce=announce, bar_format=fmt) as advance:
        yield advance


@contextmanager
def _bar(
    label: str, total: float, stream: TextIO | None, announce: bool = True, **options: object
) -> Iterator[Advance]:
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        if announce:
            print(label, file=out, flush=True)
        yield lambda _done: None
        return
    from tqdm import tqdm

    columns, lines = _size(out)
    with tqdm(total=total, desc=label, file=out, ncols=columns, nrows=lines, **options) as bar:  # type: ignore[call-overload]

        def advance(done: float) -> None:
            step = min(done, total) - bar.n
            if step > 0:
                bar.update(step)

        yield advance


def _size(out: TextIO) -> tuple[int, int]:
    """The terminal's columns and lines; 80 x 24 when it reports none (a bare pty says 0 x 0,
    and tqdm then draws nothing at all)."""
    try:
        size = os.get_terminal_size(out.fileno())
    except (OSError, ValueError):
        return 80, 24
    return size.columns or 80, size.lines or 24
