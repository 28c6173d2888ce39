"""Reading usage back: per account and UTC day."""

from __future__ import annotations

from datetime import datetime, timedelta

from dynimg.domain.accounts import Account
from dynimg.domain.timestamps import parse_utc
from dynimg.domain.usage import UsageRow
from dynimg.errors import InvalidParameter, TimestampFormat
from dynimg.ports import Clock, UnitOfWorkFactory

MAX_DAYS = 366


def describe(
    uow_factory: UnitOfWorkFactory, clock: Clock, account: Account, params: dict[str, str | None]
) -> tuple[str, str, list[UsageRow]]:
    """Usage between StartTime and EndTime (UTC, ``yyyy-MM-ddTHH:mm:ssZ``); default: 7 days."""
    end_text, start_text = params.get("EndTime"), params.get("StartTime")
    end = _parse(end_text, "EndTime") if end_text else clock.now()
    start = _parse(start_text, "StartTime") if start_text else _week_before(end)
    if start > end or end - start > timedelta(days=MAX_DAYS):
        raise InvalidParameter("StartTime", "must be before EndTime, at most 366 days apart")
    first, last = start.date().isoformat(), end.date().isoformat()  # strftime writes year 1 as "1"
    with uow_factory() as uow:
        return first, last, uow.usage.between(account.id, first, last)


def _parse(text: str, name: str) -> datetime:
    """A UTC time; the error names the parameter and the format it wants."""
    try:
        return parse_utc(text)
    except TimestampFormat:
        raise InvalidParameter(
            name, "must be a UTC time yyyy-MM-ddTHH:mm:ssZ, such as 2026-01-31T00:00:00Z"
        ) from None


def _week_before(end: datetime) -> datetime:
    """The default StartTime: 6 days before EndTime, which must leave room for them."""
    if end - datetime.min.replace(tzinfo=end.tzinfo) < timedelta(days=6):
        raise InvalidParameter("EndTime", "must be at least 6 days after 0001-01-01")
    return end - timedelta(days=6)
