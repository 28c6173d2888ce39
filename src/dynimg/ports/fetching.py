"""Fetching a file from a URL on the internet (imports from a URL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Download:
    """An answer being received: the size its server declared (None: not declared) and its
    body in chunks, which raise :class:`dynimg.errors.FetchFailed` subclasses as it goes."""

    declared_size: int | None
    chunks: Iterator[bytes]


class UrlFetcher(Protocol):
    """GETs http and https URLs from public addresses only (unless the operator allows
    others), checking every redirect, within a size and a time limit."""

    def open(
        self, url: str, *, max_bytes: int, deadline_seconds: float
    ) -> AbstractContextManager[Download]:
        """Start the download; FetchFailed subclasses say why it cannot start or go on."""
        ...
