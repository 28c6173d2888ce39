"""UTC timestamps in Alibaba's ``yyyy-MM-ddTHH:mm:ssZ`` form."""

from __future__ import annotations

from datetime import UTC, datetime

from dynimg.errors import TimestampFormat

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_utc(moment: datetime) -> str:
    """A datetime as ``yyyy-MM-ddTHH:mm:ssZ`` in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(_FORMAT)


def parse_utc(text: str) -> datetime:
    """Parse ``yyyy-MM-ddTHH:mm:ssZ``; anything else is ``InvalidTimeStamp.Format``."""
    try:
        return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise TimestampFormat() from None
