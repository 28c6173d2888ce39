"""SubmitSnapshotJob and ListSnapshots, with Alibaba's parameter names and response shapes."""

from __future__ import annotations

import re
from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.fields import read_choice, read_int
from dynimg.domain.snapshot_events import read_user_data
from dynimg.domain.snapshots import LISTED_TYPES, SnapshotType, parse_snapshot_request
from dynimg.domain.timestamps import format_utc
from dynimg.errors import InvalidParameter
from dynimg.services import snapshots
from dynimg.services.snapshots import SnapshotListing, SnapshotQuery, SnapshotRequest

_INLINE = ("SpecifiedOffsetTime", "Width", "Height", "Count", "Interval")
_DOCUMENTS = ("SpriteSnapshotConfig", "SpecifiedOffsetTimes")
_REFERENCE_ID = re.compile(r"[A-Za-z0-9_-]{6,64}")


def submit_snapshot_job(ctx: ActionContext) -> dict[str, Any]:
    s, params = ctx.deps, ctx.params
    template_id = params["SnapshotTemplateId"]
    _check_reference_id(params["ReferenceId"])
    request = SnapshotRequest(
        video_id=ctx.require("VideoId"),
        template_id=template_id,
        inline=None
        if template_id
        else parse_snapshot_request({name: params[name] for name in (*_INLINE, *_DOCUMENTS)}),
        user_data=read_user_data(params["UserData"]),
    )
    limit = ctx.services.settings.account_queue_limit
    job = snapshots.submit_snapshot_job(
        s.uow_factory, s.clock, s.dispatcher, ctx.account, request, limit
    )
    s.tracer.annotate({"job.id": job.id})
    return {"SnapshotJob": {"JobId": job.id}}


def _check_reference_id(value: str | None) -> None:
    # Alibaba's format is checked; dynimg keeps no ReferenceId (docs/api.md says so).
    if value is not None and not _REFERENCE_ID.fullmatch(value):
        raise InvalidParameter(
            "ReferenceId", "must be 6 to 64 letters, digits, hyphens or underscores"
        )


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
            Param("SpecifiedOffsetTimes", max_bytes=1024),
            Param("ReferenceId", max_bytes=64),
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
