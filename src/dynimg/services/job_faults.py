"""What a failed job attempt means, the same for every kind of job (animated images,
snapshots): the request's fault ends it, an unavailable dependency is an outage, anything else
is a crash (logged with its traceback, shown to the client only as InternalError)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from dynimg.domain.work import Claim, Fault, FaultKind
from dynimg.errors import ClientError, InternalError, ServiceUnavailable


def job_fault(
    exc: Exception, claim: Claim[Any], log: logging.Logger, detail: Mapping[str, Any] | None = None
) -> Fault:
    """Classify ``exc``, raised by one attempt at ``claim`` (call it in the ``except`` block);
    ``detail`` is what a refused job records beside its error (a size search document)."""
    if isinstance(exc, ClientError):
        return Fault(FaultKind.REFUSED, exc.code, exc.message, detail)
    if isinstance(exc, ServiceUnavailable):  # storage full or failing: an outage, said so
        log.warning("job %s attempt %s: %s", claim.ref, claim.attempt, exc.message)
        return Fault(FaultKind.OUTAGE, exc.code, exc.message)
    log.exception("job %s attempt %s failed", claim.ref, claim.attempt)
    return Fault(FaultKind.CRASH, InternalError.code, InternalError().message)
