"""What every log line of the current request or job should carry: its RequestId or JobId.

Context variables, so concurrent requests (threads of the API's pool) and jobs (worker threads)
each see their own. The gateway binds the RequestId, the job runner the JobId; the log
formatter reads them. Nothing here does I/O, so every layer may import it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("dynimg_request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("dynimg_job_id", default=None)


@contextmanager
def bound(variable: ContextVar[str | None], value: str) -> Iterator[None]:
    """Set ``variable`` to ``value`` for the ``with`` block, then restore it."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def current() -> dict[str, str]:
    """The ids bound now, by the field name log lines use (``request_id``, ``job_id``)."""
    fields = {"request_id": request_id.get(), "job_id": job_id.get()}
    return {name: value for name, value in fields.items() if value}
