"""``dynimg user create`` and ``passwd``: console users, who sign in at ``/console``."""

from __future__ import annotations

import sys

import click

from dynimg.bootstrap import build_services
from dynimg.services.console_users import create_user, reset_password


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

    password = _new_password(password_stdin)
    services = build_services(settings_from_env())
    try:
        created = create_user(
            services.deps.uow_factory, services.deps.clock, services.deps.passwords,
            account_name=account_name, username=username, password=password,
        )  # fmt: skip
    finally:
        services.close()
    click.echo(f"created console user {created.username!r} in account {account_name!r}")


@user.command("passwd")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
@click.argument("username")
def user_passwd(password_stdin: bool, username: str) -> None:
    """Set a console user's password (a forgotten one, say) and sign out all their sessions."""
    from dynimg.cli import settings_from_env

    password = _new_password(password_stdin)
    services = build_services(settings_from_env())
    try:
        ended = reset_password(
            services.deps.uow_factory, services.deps.passwords, username=username, new=password
        )
    finally:
        services.close()
    click.echo(f"password of console user {username!r} changed; {ended} session(s) signed out")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
