"""The ``dynimg`` command."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from dynimg.errors import ConfigurationError, DynimgError
from dynimg.settings import Settings, load_settings


class DynimgGroup(click.Group):
    """Turns dynimg errors into one ``error: <Code>: <message>`` line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigurationError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(2)
        except DynimgError as exc:
            click.echo(f"error: {exc.code}: {exc.message}", err=True)
            sys.exit(1)
        except (OSError, RuntimeError, ValueError) as exc:
            # Local commands only: say what failed in one line rather than a traceback.
            click.echo(f"error: InternalError: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)


def settings_from_env() -> Settings:
    """The settings from this process's environment, read once per command."""
    return load_settings(os.environ)


@click.group(cls=DynimgGroup)
@click.version_option(package_name="dynimg")
def main() -> None:
    """dynimg: an Alibaba Cloud VOD compatible service for animated GIF and WebP images."""


def _register(*commands: Callable[..., Any]) -> None:
    for command in commands:
        assert isinstance(command, click.Command)
        main.add_command(command)


def _load() -> None:
    from dynimg.cli import admin, jobs, render, server, users, video

    _register(
        server.serve,
        server.worker,
        render.render,
        video.video,
        jobs.submit,
        jobs.images,
        jobs.usage,
        jobs.events,
        admin.config,
        admin.migrate,
        admin.account,
        admin.keys,
        users.user,
    )


_load()
