"""Response bodies in Alibaba's shapes."""

from __future__ import annotations

from typing import Any

from dynimg.errors import DynimgError

RECOMMEND_PREFIX = "https://dynimg.local/docs/errors#"


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
        "Recommend": RECOMMEND_PREFIX + error.code,
    }
