"""Bounds on the console's costly responses: server-sent events, previews, password checks."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dynimg.errors import DynimgError

PER_SESSION = 2
IN_ALL = 32
PREVIEWS_PER_ACCOUNT = 1
PREVIEWS_IN_ALL = 2
PREVIEW_WAIT_SECONDS = 10.0
COVERS_IN_ALL = 2
COVER_WAIT_SECONDS = 30.0
"""A first visit to a long list must not start a render per video at once on a small machine;
covers wait for one of two slots (any account may use both) on the event loop."""
PASSWORD_CHECKS_PER_CLIENT = 1
PASSWORD_CHECKS_IN_ALL = 2
"""A sign-in checks its password with argon2id at 64 MiB a check: 40 sign-ins at once (no
account needed, unknown usernames cost the same) took an API process past 2 GB. Two at once
per process, one per client address; more wait, then answer 429."""
SIGN_IN_WAIT_SECONDS = 10.0
"""Previews render in the API's preview processes (``Deps.preview_engine``), as many as there
are slots in all, one per account; a preview waits up to ``PREVIEW_WAIT_SECONDS`` for its
slot (holding no thread), then answers 429."""


class StreamSlots:
    """Counts what is open per key (a session, an account) and in all; refuses past the bounds.

    In this process's memory: ``dynimg serve`` runs one API process.
    """

    def __init__(self, per_session: int = PER_SESSION, in_all: int = IN_ALL) -> None:
        self._per_session, self._in_all = per_session, in_all
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, session: str) -> bool:
        with self._lock:
            if self._open[session] >= self._per_session or self._open.total() >= self._in_all:
                return False
            self._open[session] += 1
            return True

    def give_back(self, session: str) -> None:
        with self._lock:
            self._open[session] -= 1
            if self._open[session] <= 0:
                del self._open[session]

    @asynccontextmanager
    async def held(self, key: str, refusal: DynimgError, wait: float = 0.0) -> AsyncIterator[None]:
        """One slot of ``key`` for the block, waited for up to ``wait`` seconds on the event
        loop (a waiting request holds no thread); then ``refusal`` is raised."""
        deadline = time.monotonic() + wait
        while not self.take(key):
            if time.monotonic() >= deadline:
                raise refusal
            await asyncio.sleep(0.1)
        try:
            yield
        finally:
            self.give_back(key)
