"""People who sign in to the web console. Each belongs to exactly one account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from dynimg.errors import InvalidParameter

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 1024
"""Long enough for any passphrase, short enough that hashing it cannot be used to waste CPU."""


@dataclass(frozen=True)
class ConsoleUser:
    """A console user; ``password_hash`` is a self-describing hash string (argon2id)."""

    id: str
    account_id: str
    username: str
    password_hash: str
    created_at: datetime


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in browser. The cookie carries the session's random id; the database keeps only
    its SHA-256 (``id_hash``), so a copy of the table cannot be replayed as cookies. Signing out
    deletes the row, and a cookie whose row is gone is refused."""

    id_hash: str
    user_id: str
    created_at: datetime


def validate_username(name: str) -> str:
    """Usernames are 1-64 letters, digits, '_', '.', '@' or '-', starting alphanumeric."""
    if not _USERNAME.match(name):
        raise InvalidParameter("Username", "use 1-64 letters, digits, '_', '.', '@' or '-'")
    return name


def validate_password(password: str) -> str:
    """At least 8 characters and at most 1024 bytes."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidParameter("Password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise InvalidParameter("Password", f"must be at most {MAX_PASSWORD_BYTES} bytes")
    return password
