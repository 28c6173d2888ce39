"""Secrets dynimg generates for itself when none is configured: kept in ``DYNIMG_HOME`` so
they survive restarts (signed URLs and console sessions stay valid) and shared by every
process of one installation."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the render path imports bootstrap, and must not load pydantic
    from dynimg.settings import Settings


def url_signing_key(settings: Settings) -> str:
    """The configured signing key, or one generated once and kept in ``home``."""
    if settings.url_signing_key:
        return settings.url_signing_key.get_secret_value()
    return home_secret(settings, "url-signing.key")


def console_session_key(settings: Settings) -> str:
    """The key console session cookies are signed with: configured, or generated into ``home``."""
    if settings.console_session_key:
        return settings.console_session_key.get_secret_value()
    return home_secret(settings, "console-session.key")


def home_secret(settings: Settings, name: str) -> str:
    """A random secret generated once into ``home/name`` (mode 0600) and read back after."""
    import secrets  # here: the render path imports this module and never needs it

    path = settings.home / name
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
