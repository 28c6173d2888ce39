"""Local administration: settings, migrations, accounts and AccessKeys."""

from __future__ import annotations

import json

import click

from dynimg.bootstrap import Services, build_services
from dynimg.domain.timestamps import format_utc
from dynimg.services import accounts


def _services() -> Services:
    from dynimg.cli import settings_from_env

    return build_services(settings_from_env())


@click.command()
def config() -> None:
    """Print the effective settings (secrets masked)."""
    from dynimg.cli import settings_from_env

    for env, value, description in settings_from_env().describe():
        click.echo(f"{env}={value}")
        click.echo(f"    {description}")


@click.command()
def migrate() -> None:
    """Create or upgrade the database schema (serve does this on start too)."""
    _services().close()
    click.echo("database is up to date")


@click.group()
def account() -> None:
    """Manage accounts."""


@account.command("create")
@click.argument("name")
def account_create(name: str) -> None:
    """Create an account."""
    services = _services()
    try:
        created = accounts.create_account(services.deps.uow_factory, services.deps.clock, name)
    finally:
        services.close()
    click.echo(f"created account {created.name!r} (uid {created.uid})")


@click.group()
def keys() -> None:
    """Manage AccessKeys."""


@keys.command("create")
@click.option("--account", "account_name", required=True, help="Account the key signs for.")
@click.option("--json", "as_json", is_flag=True, help="Print {AccessKeyId, AccessKeySecret}.")
def keys_create(account_name: str, as_json: bool) -> None:
    """Issue an AccessKey; its secret is printed this once."""
    services = _services()
    try:
        key = accounts.create_access_key(
            services.deps.uow_factory, services.deps.clock, account_name
        )
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps({"AccessKeyId": key.id, "AccessKeySecret": key.secret}))
    else:
        click.echo(f"AccessKeyId:     {key.id}\nAccessKeySecret: {key.secret}")


@keys.command("list")
@click.option("--account", "account_name", help="Only this account's keys.")
def keys_list(account_name: str | None) -> None:
    """List AccessKeys (never their secrets)."""
    services = _services()
    try:
        rows = accounts.list_access_keys(services.deps.uow_factory, account_name)
    finally:
        services.close()
    click.echo(f"{'AccessKeyId':<26}{'Account':<20}{'Status':<10}Created")
    for key, owner in rows:
        status = "Enabled" if key.enabled else "Disabled"
        click.echo(f"{key.id:<26}{owner.name:<20}{status:<10}{format_utc(key.created_at)}")


@keys.command("disable")
@click.argument("key_id")
def keys_disable(key_id: str) -> None:
    """Disable an AccessKey: requests it signs are refused from now on."""
    _set_enabled(key_id, False)
    click.echo(f"disabled {key_id}")


@keys.command("enable")
@click.argument("key_id")
def keys_enable(key_id: str) -> None:
    """Enable a disabled AccessKey again."""
    _set_enabled(key_id, True)
    click.echo(f"enabled {key_id}")


def _set_enabled(key_id: str, enabled: bool) -> None:
    services = _services()
    try:
        accounts.set_access_key_enabled(services.deps.uow_factory, key_id, enabled)
    finally:
        services.close()
