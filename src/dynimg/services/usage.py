"""Reading usage back: per account and UTC day."""

from __future__ import annotations

from datetime import datetime, timedelta

from dynimg.domain.accounts import Account
from dynimg.domain.usage import UsageQuery, UsageRow
from dynimg.errors import InvalidParameter
from dynimg.ports import Clock, UnitOfWorkFactory

MAX_DAYS = 366


def describe(
    uow_factory: UnitOfWorkFactory, clock: Clock, account: Account, query: UsageQuery
) -> tuple[str, str, list[UsageRow]]:
    """Usage between StartTime and EndTime; default: the 7 days up to EndTime (or now)."""
    end = query.end or clock.now()
    start = query.start or _week_before(end)
    if start > end or end - start > timedelta(days=MAX_DAYS):
        raise InvalidParameter("StartTime", "must be before EndTime, at most 366 days apart")
    first, last = start.date().isoformat(), end.date().isoformat()  # strftime writes year 1 as "1"
    with uow_factory() as uow:
        return first, last, uow.usage.between(account.id, first, last)


def _week_before(end: datetime) -> datetime:
    """The default StartTime: 6 days before EndTime, which must leave room for them."""
    if end - datetime.min.replace(tzinfo=end.tzinfo) < timedelta(days=6):
        raise InvalidParameter("EndTime", "must be at least 6 days after 0001-01-01")
    return end - timedelta(days=6)
