"""Time from process start to the first decoded frame of ``dynimg render``, roughly.

Runs dynimg's command line in this process with ``av.open`` wrapped so that the first frame a
reading container, or a packet it demuxes, yields records the time and ends the process. The
parent passes its CLOCK_MONOTONIC reading just before it started this process in ``BENCH_T0``;
the wall time to the first frame and the CPU seconds the process had used by then (interpreter
start-up and imports included) are written, in that order, to the file named by
``BENCH_MARK``. Nothing in
dynimg is changed.

Usage: BENCH_T0=... BENCH_MARK=file python bench/first_decode.py render IN OUT --template-config J
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import av


def _mark() -> None:
    elapsed = time.clock_gettime(time.CLOCK_MONOTONIC) - float(os.environ["BENCH_T0"])
    cpu = time.process_time()
    with open(os.environ["BENCH_MARK"], "w") as out:
        out.write(f"{elapsed:.4f} {cpu:.4f}\n")
    os._exit(0)


class _Proxy:
    """Passes every attribute through to the wrapped PyAV object but those it redefines."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Watched(_Proxy):
    """A reading container whose first decoded frame ends the process."""

    def __enter__(self) -> _Watched:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self._inner.__exit__(*exc)

    def decode(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for _ in self._inner.decode(*args, **kwargs):
            _mark()
        yield from ()

    def demux(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for packet in self._inner.demux(*args, **kwargs):
            yield _WatchedPacket(packet)


class _WatchedPacket(_Proxy):
    """A packet whose first decode that gives a frame ends the process."""

    def decode(self) -> Any:
        if frames := self._inner.decode():
            _mark()
        return frames


def _open(*args: Any, **kwargs: Any) -> Any:
    container = _real_open(*args, **kwargs)
    mode = kwargs.get("mode", args[1] if len(args) > 1 else "r")
    return _Watched(container) if mode == "r" else container


if __name__ == "__main__":
    _real_open = av.open
    av.open = _open
    from dynimg.cli import main

    sys.argv = ["dynimg", *sys.argv[1:]]
    main()
