"""The one registry of Actions dynimg answers."""

from __future__ import annotations

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.actions import (
    callbacks,
    images,
    jobs,
    on_demand,
    snapshots,
    templates,
    uploads,
    url_uploads,
    usage,
    videos,
    watermarks,
)


def build_registry() -> dict[str, Action]:
    """Every supported Action by name."""
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
        *url_uploads.ACTIONS,
    ]
    registry = {action.name: action for action in actions}
    assert len(registry) == len(actions), "an Action is registered twice"
    return registry
