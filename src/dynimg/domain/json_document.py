"""Bounded parsing of the JSON documents clients send inside parameters (TemplateConfig, ...)."""

from __future__ import annotations

import json
from typing import Any

from dynimg.errors import InvalidParameter

MAX_DOCUMENT_BYTES = 64 * 1024
MAX_DEPTH = 8


def parse_json_object(
    text: str, parameter: str, *, max_bytes: int = MAX_DOCUMENT_BYTES, max_depth: int = MAX_DEPTH
) -> dict[str, Any]:
    """Parse ``text`` as a JSON object, refusing oversized or too deeply nested documents."""
    document = _parse_bounded(text, parameter, "a JSON object", max_bytes, max_depth)
    if not isinstance(document, dict):
        raise InvalidParameter(parameter, "must be a JSON object")
    return document


def parse_json_array(
    text: str, parameter: str, *, max_bytes: int = MAX_DOCUMENT_BYTES, max_depth: int = MAX_DEPTH
) -> list[Any]:
    """Parse ``text`` as a JSON array (how the SDKs send list parameters), bounded likewise."""
    document = _parse_bounded(text, parameter, "a JSON array", max_bytes, max_depth)
    if not isinstance(document, list):
        raise InvalidParameter(parameter, "must be a JSON array")
    return document


def _parse_bounded(text: str, parameter: str, kind: str, max_bytes: int, max_depth: int) -> Any:
    if len(text.encode("utf-8")) > max_bytes:
        raise InvalidParameter(parameter, f"must be at most {max_bytes} bytes of JSON")
    if nesting_depth(text) > max_depth:
        raise InvalidParameter(parameter, f"JSON must not nest deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidParameter(parameter, f"must be {kind}") from None


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting in a JSON text, found before parsing so it cannot recurse."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def dump_compact(document: Any) -> str:
    """Serialise a document the way dynimg stores and returns it."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
