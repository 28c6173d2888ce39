"""What an Action handler receives."""

from __future__ import annotations

from dataclasses import dataclass

from dynimg.api.wiring import Services
from dynimg.domain.accounts import Account
from dynimg.services.deps import Deps


@dataclass(frozen=True)
class ActionContext:
    """The authenticated caller, the request's parameters and the services to call."""

    services: Services
    account: Account
    params: dict[str, str | None]
    request_id: str

    @property
    def deps(self) -> Deps:
        """What the use cases the handler calls are handed."""
        return self.services.deps

    def require(self, name: str) -> str:
        """A parameter the Action declared as required (present by construction)."""
        value = self.params[name]
        assert value is not None, name
        return value
