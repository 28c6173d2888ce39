"""The one registry of Actions dynimg answers."""

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


def build_registry() -> dict[str, Action]:
    """Every supported Action by name."""
    from dynimg.api.rpc.actions import (
        callbacks,
        images,
        jobs,
        on_demand,
        snapshots,
        templates,
        uploads,
        usage,
        videos,
        watermarks,
    )

    actions = [
        *templates.ACTIONS,
        *uploads.ACTIONS,
        *videos.ACTIONS,
        *watermarks.ACTIONS,
        *jobs.ACTIONS,
        *images.ACTIONS,
        *callbacks.ACTIONS,
        *usage.ACTIONS,
        *on_demand.ACTIONS,
        *snapshots.ACTIONS,
    ]
    registry = {action.name: action for action in actions}
    assert len(registry) == len(actions), "an Action is registered twice"
    return registry
