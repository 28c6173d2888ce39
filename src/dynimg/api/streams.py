"""Request bodies for storage code running in worker threads: read first, then handed over.

A body is read on the event loop into a spooled temporary file (memory up to ``SPOOL_MEMORY``,
then this process's scratch directory) and only then handed to the storage code in a worker
thread. Streaming it straight from the socket inside the thread let a client hold one of the 40
shared threads for as long as it kept its body trickling: 40 uploads sending a byte a second
froze every RPC call, console page and ``/readyz`` for all accounts. A body that sends nothing
for ``idle_seconds`` is refused (``RequestTimeout``) and counted as a slow client.
The price is a second pass over large bodies (a disk copy before storage reads them).
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO

import anyio

from dynimg.errors import ObjectTooLarge, RequestTimeout
from dynimg.ports import Metrics

SPOOL_MEMORY = 1 << 20
"""Bytes of a body held in memory before it spills to a file."""
CHUNK = 1 << 20


async def spooled_body(
    stream: AsyncIterator[bytes],
    *,
    limit: int,
    idle_seconds: float,
    directory: Path | None,
    metrics: Metrics,
) -> IO[bytes]:
    """The whole body in a temporary file positioned at its start (the caller closes it).

    Raises ``ObjectTooLarge`` past ``limit`` bytes and ``RequestTimeout`` when the client
    sends nothing for ``idle_seconds``.
    """
    folder = str(directory) if directory else None
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(SPOOL_MEMORY, dir=folder)  # noqa: SIM115
    size = 0
    try:
        async for chunk in timed_chunks(stream, idle_seconds, metrics):
            size += len(chunk)
            if size > limit:
                raise ObjectTooLarge()
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


async def timed_chunks(
    stream: AsyncIterator[bytes], idle_seconds: float, metrics: Metrics
) -> AsyncIterator[bytes]:
    """``stream``'s chunks, refusing it (``RequestTimeout``) when it stalls ``idle_seconds``."""
    iterator = stream.__aiter__()
    metrics.body_reading(1)
    try:
        while True:
            try:
                with anyio.fail_after(idle_seconds):
                    chunk = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                metrics.slow_client("body_idle")
                raise RequestTimeout() from None
            yield chunk
    finally:
        metrics.body_reading(-1)


def file_chunks(body: IO[bytes]) -> Iterator[bytes]:
    """A spooled body as the chunk iterator storage code reads."""
    while chunk := body.read(CHUNK):
        yield chunk
