"""What an Action handler receives."""

from __future__ import annotations

from dataclasses import dataclass

from dynimg.bootstrap import Services
from dynimg.domain.accounts import Account


@dataclass(frozen=True)
class ActionContext:
    """The authenticated caller, the request's parameters and the services to call."""

    services: Services
    account: Account
    params: dict[str, str | None]
    request_id: str

    def require(self, name: str) -> str:
        """A parameter the Action declared as required (present by construction)."""
        value = self.params[name]
        assert value is not None, name
        return value
