"""DescribeDynamicImageUsage: output duration per day, resolution class and format."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.usage import read_usage_query
from dynimg.services import usage


def describe_dynamic_image_usage(ctx: ActionContext) -> dict[str, Any]:
    s = ctx.deps
    query = read_usage_query(ctx.params.get("StartTime"), ctx.params.get("EndTime"))
    first, last, rows = usage.describe(s.uow_factory, s.clock, ctx.account, query)
    return {
        "StartTime": first,
        "EndTime": last,
        "DynamicImageUsageData": [
            {
                "Date": row.day,
                "Resolution": row.resolution,
                "Format": row.format,
                "Duration": f"{row.duration_ms / 1000:.3f}",
                "Count": str(row.images),
            }
            for row in rows
        ],
    }


ACTIONS = [
    Action(
        "DescribeDynamicImageUsage",
        describe_dynamic_image_usage,
        (Param("StartTime", max_bytes=32), Param("EndTime", max_bytes=32)),
    ),
]
