"""Showing a URL without its secret: settings listings and diagnostics print URLs that may
carry a password (``postgresql://user:secret@host/db``)."""

from __future__ import annotations


def mask_url_password(url: str) -> str:
    """``url`` with its password, if any, replaced by asterisks."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, location = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:********@{location}" if ":" in credentials else url
