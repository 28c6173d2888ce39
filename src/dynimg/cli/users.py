"""``dynimg user create``: console users, who sign in at ``/console``."""

from __future__ import annotations

import sys

import click

from dynimg.bootstrap import build_services
from dynimg.services.console_users import create_user


@click.group()
def user() -> None:
    """Manage web console users."""


@user.command("create")
@click.option("--account", "account_name", required=True, help="Account the user works in.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
@click.argument("username")
def user_create(account_name: str, password_stdin: bool, username: str) -> None:
    """Create a console user; the password is prompted for (twice) unless --password-stdin."""
    from dynimg.cli import settings_from_env

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    services = build_services(settings_from_env())
    try:
        created = create_user(
            services.uow_factory, services.clock, services.passwords,
            account_name=account_name, username=username, password=password,
        )  # fmt: skip
    finally:
        services.close()
    click.echo(f"created console user {created.username!r} in account {account_name!r}")
