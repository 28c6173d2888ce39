"""What the front doors are handed by the composition root, as a protocol: ``api`` does not
import :mod:`dynimg.bootstrap` (an import-linter contract holds it); ``bootstrap.Services`` is
the one implementation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dynimg.services.deps import Deps
    from dynimg.settings import Settings


class Services(Protocol):
    """The use cases' dependencies and the settings the front doors read themselves."""

    @property
    def deps(self) -> Deps:
        """What every use case is handed."""
        ...

    @property
    def settings(self) -> Settings:
        """The settings the edge reads: request limits, host id, on-demand waits, ..."""
        ...

    def console_session_key(self) -> str:
        """The key console session cookies are signed with."""
        ...
