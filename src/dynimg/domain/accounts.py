"""Accounts and their AccessKeys. Every resource in dynimg belongs to exactly one account."""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime

from dynimg.errors import InvalidParameter

_ALPHANUMERIC = string.ascii_letters + string.digits
_ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DEFAULT_ACCOUNT = "default"


@dataclass(frozen=True)
class Account:
    """A tenant. ``uid`` is the numeric id used where Alibaba puts an account uid."""

    id: str
    name: str
    uid: int
    created_at: datetime


@dataclass(frozen=True)
class AccessKey:
    """An AccessKeyId/AccessKeySecret pair that signs requests for one account."""

    id: str
    account_id: str
    secret: str
    enabled: bool
    created_at: datetime


def validate_account_name(name: str) -> str:
    """Account names are 1-64 letters, digits, '_', '.' or '-', starting alphanumeric."""
    if not _ACCOUNT_NAME.match(name):
        raise InvalidParameter("Name", "use 1-64 letters, digits, '_', '.' or '-'")
    return name


def new_access_key_id() -> str:
    """A fresh AccessKeyId: 24 characters, recognisably dynimg's."""
    return "DYNI" + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(20))


def new_access_key_secret() -> str:
    """A fresh AccessKeySecret: 30 random alphanumeric characters (178 bits)."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(30))
