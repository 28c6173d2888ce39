"""SubmitSnapshotJob and ListSnapshots, with Alibaba's parameter names and response shapes."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.fields import read_choice, read_int
from dynimg.domain.snapshot_events import read_user_data
from dynimg.domain.snapshots import LISTED_TYPES, SnapshotType
from dynimg.domain.timestamps import format_utc
from dynimg.services import snapshots
from dynimg.services.snapshots import SnapshotListing, SnapshotQuery, SnapshotRequest

_INLINE = ("SpecifiedOffsetTime", "Width", "Height", "Count", "Interval")


def submit_snapshot_job(ctx: ActionContext) -> dict[str, Any]:
    s, params = ctx.deps, ctx.params
    request = SnapshotRequest(
        video_id=ctx.require("VideoId"),
        template_id=params["SnapshotTemplateId"],
        params={name: params[name] for name in (*_INLINE, "SpriteSnapshotConfig")},
        user_data=read_user_data(params["UserData"]),
    )
    limit = ctx.services.settings.account_queue_limit
    job = snapshots.submit_snapshot_job(
        s.uow_factory, s.clock, s.dispatcher, ctx.account, request, limit
    )
    s.tracer.annotate({"job.id": job.id})
    return {"SnapshotJob": {"JobId": job.id}}


def list_snapshots(ctx: ActionContext) -> dict[str, Any]:
    s, params = ctx.deps, ctx.params
    kind = params["SnapshotType"] or SnapshotType.COVER.value
    query = SnapshotQuery(
        video_id=ctx.require("VideoId"),
        kind=SnapshotType(read_choice(kind, "SnapshotType", [t.value for t in LISTED_TYPES])),
        page=read_int(params["PageNo"] or 1, "PageNo", 1, 10**6),
        size=read_int(params["PageSize"] or 20, "PageSize", 1, 100),
        auth_timeout=read_int(params["AuthTimeout"] or 3600, "AuthTimeout", 1, 10**9),
    )
    listing = snapshots.list_snapshots(s.uow_factory, s.clock, s.delivery, ctx.account, query)
    return {"MediaSnapshot": media_snapshot(listing)}


def media_snapshot(listing: SnapshotListing) -> dict[str, Any]:
    """``MediaSnapshot`` as the SDK models read it: Total and Index are numbers, the list is
    wrapped as ``Snapshots.Snapshot``."""
    body: dict[str, Any] = {
        "Total": listing.total,
        "Snapshots": {"Snapshot": [{"Index": s.index, "Url": url} for s, url in listing.urls]},
    }
    if listing.job is not None:
        body |= {
            "JobId": listing.job.id,
            "CreationTime": format_utc(listing.job.created_at),
            "Regular": listing.regular,
        }
    return body


ACTIONS = [
    Action(
        "SubmitSnapshotJob",
        submit_snapshot_job,
        (
            Param("VideoId", required=True, max_bytes=64),
            Param("SnapshotTemplateId", max_bytes=64),
            *(Param(name, max_bytes=32) for name in _INLINE),
            Param("SpriteSnapshotConfig", max_bytes=4096),
            Param("UserData", max_bytes=1024),
        ),
    ),
    Action(
        "ListSnapshots",
        list_snapshots,
        (
            Param("VideoId", required=True, max_bytes=64),
            Param("SnapshotType", max_bytes=32),
            *(Param(name, max_bytes=16) for name in ("PageNo", "PageSize", "AuthTimeout")),
        ),
    ),
]
