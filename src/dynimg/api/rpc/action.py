"""What an RPC Action is: its name, the parameters it reads and its handler.

Apart from the registry so that the action modules declaring Actions and the registry listing
them do not import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param

Handler = Callable[[ActionContext], dict[str, Any]]


@dataclass(frozen=True)
class Action:
    """An RPC Action: its name, the parameters it reads and its handler."""

    name: str
    handler: Handler
    params: tuple[Param, ...] = ()
