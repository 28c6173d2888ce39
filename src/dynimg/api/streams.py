"""Request bodies handed to storage code running in worker threads, chunk by chunk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import anyio.from_thread


def sync_chunks(stream: AsyncIterator[bytes]) -> Iterator[bytes]:
    """The request body as a plain iterator, for storage code running in a worker thread."""
    iterator = stream.__aiter__()

    async def next_chunk() -> bytes:
        return await iterator.__anext__()

    while True:
        try:
            chunk = anyio.from_thread.run(next_chunk)
        except StopAsyncIteration:
            return
        if chunk:
            yield chunk
