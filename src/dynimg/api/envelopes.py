"""Response bodies in Alibaba's shapes."""

from __future__ import annotations

from typing import Any

from dynimg.errors import DynimgError

# Where the codes are explained: the errors table of the docs shipped with dynimg. There is no
# public host to link to, so this is the page's path in the source tree, not a made-up URL.
RECOMMEND = "docs/api.md#errors"


def success_body(request_id: str, result: dict[str, Any]) -> dict[str, Any]:
    """A success body: ``RequestId`` first, then the Action's fields."""
    return {"RequestId": request_id, **result}


def error_body(request_id: str, host_id: str, error: DynimgError) -> dict[str, Any]:
    """``{RequestId, HostId, Code, Message, Recommend}``, as Alibaba's gateway answers."""
    return {
        "RequestId": request_id,
        "HostId": host_id,
        "Code": error.code,
        "Message": error.message,
        "Recommend": RECOMMEND,
    }
