"""The one place where exceptions become Alibaba error responses."""

from __future__ import annotations

import logging
from typing import Any

from dynimg.api.envelopes import error_body
from dynimg.errors import ClientError, DynimgError, InternalError, ServiceUnavailable, Throttled

log = logging.getLogger("dynimg.api")


def error_response(exc: BaseException, request_id: str, host_id: str) -> tuple[int, dict[str, Any]]:
    """HTTP status and body for an exception raised while answering a request.

    Client errors are reported as raised. Anything else is logged with its details and answered
    with a generic ``InternalError`` (or ``ServiceUnAvailable``), so no internals reach clients.
    """
    if isinstance(exc, ClientError):
        return exc.http_status, error_body(request_id, host_id, exc)
    if isinstance(exc, ServiceUnavailable):  # a dependency is down: expected, no traceback
        cause = type(exc.__cause__).__name__ if exc.__cause__ else type(exc).__name__
        log.warning("request %s: %s (%s)", request_id, exc.message, cause)
        public: DynimgError = ServiceUnavailable()
    else:
        log.error("request %s failed", request_id, exc_info=exc)
        public = InternalError()
    return public.http_status, error_body(request_id, host_id, public)


def error_headers(exc: BaseException) -> dict[str, str]:
    """Headers an error answer carries besides the body when throttled: ``Retry-After`` in
    seconds (HTTP's) and ``x-acs-retry-after`` in milliseconds, which the new Alibaba SDKs
    (darabonba) read and wait before they retry."""
    if isinstance(exc, Throttled):
        return {
            "Retry-After": str(exc.retry_after),
            "x-acs-retry-after": str(exc.retry_after * 1000),
        }
    return {}
