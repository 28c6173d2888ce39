"""What every client command shares: where the service is and which AccessKey signs."""

from __future__ import annotations

import copy
from typing import Any

import click

from dynimg.adapters.vod_client import VodClient
from dynimg.bootstrap import local_access_key
from dynimg.errors import AccountNotFound, ConfigurationError
from dynimg.settings import Settings

WHAT_TO_SET = (
    "set DYNIMG_ACCESS_KEY_ID and DYNIMG_ACCESS_KEY_SECRET (a key from `dynimg keys create` on "
    "the service's machine), or DYNIMG_HOME to the service's data directory"
)


def client_options(command: Any) -> Any:
    """--endpoint and --account, shared by every client command."""
    command = click.option(
        "--endpoint",
        help="URL of the service (default: DYNIMG_ENDPOINT, else http://127.0.0.1:DYNIMG_PORT).",
    )(command)
    return click.option(
        "--account",
        "account_name",
        help="Sign with this local account's key (default: DYNIMG_ACCESS_KEY_ID, else 'default').",
    )(command)


def hidden_alias(group: click.Group, command: click.Command, old_name: str) -> None:
    """Keep ``old_name`` of ``command`` working for scripts, left out of ``--help``.

    The commands that show one resource are all ``get`` (as ``template get`` was first);
    ``jobs show`` and ``video info`` stay as these aliases.
    """
    alias = copy.copy(command)
    alias.hidden = True
    group.add_command(alias, old_name)


def open_client(settings: Settings, endpoint: str | None, account_name: str | None) -> VodClient:
    """A client signing with DYNIMG_ACCESS_KEY_ID/SECRET or with a local account's key.

    Looking up a local key creates nothing: without a database in DYNIMG_HOME the error says
    what to set instead.
    """
    url = endpoint or settings.effective_endpoint
    if settings.access_key_id and settings.access_key_secret and not account_name:
        return VodClient(url, settings.access_key_id, settings.access_key_secret.get_secret_value())
    key_id, secret = _local_key(settings, account_name or "default", url)
    return VodClient(url, key_id, secret)


def _local_key(settings: Settings, account_name: str, url: str) -> tuple[str, str]:
    home = settings.home.resolve()
    try:
        key = local_access_key(settings, account_name)
    except AccountNotFound:
        raise AccountNotFound(
            f"No account is named {account_name!r} in the database of {home}: {WHAT_TO_SET}."
        ) from None
    if key is None:
        raise ConfigurationError(
            f"no AccessKey to sign with: {home} holds no dynimg database; {WHAT_TO_SET}. "
            f"The service is expected at {url} (--endpoint or DYNIMG_ENDPOINT)."
        )
    return key
