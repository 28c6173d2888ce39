"""Declarative request parameters: each Action lists what it reads, and nothing else is read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dynimg.errors import InvalidParameter, MissingParameter

DEFAULT_MAX_BYTES = 4096


@dataclass(frozen=True)
class Param:
    """One request parameter of an Action, by its Alibaba name."""

    name: str
    required: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES


def read_params(specs: tuple[Param, ...], params: Mapping[str, str]) -> dict[str, str | None]:
    """The declared parameters' values (None when absent), checked for presence and size."""
    values: dict[str, str | None] = {}
    for spec in specs:
        value = params.get(spec.name)
        if value is None or value == "":
            if spec.required:
                raise MissingParameter(spec.name)
            values[spec.name] = None
            continue
        if len(value.encode("utf-8")) > spec.max_bytes:
            raise InvalidParameter(spec.name, f"must be at most {spec.max_bytes} bytes")
        values[spec.name] = value
    return values


VIDEO_METADATA = (
    Param("Description", max_bytes=3072),
    Param("CoverURL", max_bytes=1024),
    Param("CateId", max_bytes=20),
    Param("Tags", max_bytes=1024),
    Param("UserData", max_bytes=1024),
)
"""What a client may say about a video, at upload and in UpdateVideoInfo."""
