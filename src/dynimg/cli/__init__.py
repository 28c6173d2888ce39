"""The ``dynimg`` command."""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from dynimg.cli.startup import collector_paused
from dynimg.errors import ConfigurationError, DynimgError

if TYPE_CHECKING:
    from dynimg.settings import Settings

# OpenBLAS (numpy's BLAS) starts a thread per core when numpy loads and lets them spin after
# each call. dynimg's only BLAS work is small (palette distances), and during a render those
# threads took CPU from the decoder and encoders (3 % of a WebP render's CPU, 6 % of its wall
# time). It must be set before numpy loads, which every command does later; an operator's own
# setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

COMMANDS: dict[str, str] = {
    "serve": "dynimg.cli.server:serve",
    "worker": "dynimg.cli.server:worker",
    "render": "dynimg.cli.render:render",
    "video": "dynimg.cli.video:video",
    "template": "dynimg.cli.templates:template",
    "watermark": "dynimg.cli.templates:watermark",
    "submit": "dynimg.cli.jobs:submit",
    "jobs": "dynimg.cli.jobs:jobs",
    "images": "dynimg.cli.jobs:images",
    "usage": "dynimg.cli.jobs:usage",
    "events": "dynimg.cli.jobs:events",
    "config": "dynimg.cli.admin:config",
    "doctor": "dynimg.cli.doctor:doctor",
    "migrate": "dynimg.cli.admin:migrate",
    "account": "dynimg.cli.admin:account",
    "keys": "dynimg.cli.admin:keys",
    "user": "dynimg.cli.users:user",
}
"""Each command and where it lives. Commands are imported when run, so ``dynimg render``
loads the media stack only, not the HTTP server, database, OSS and broker clients (about half
a second before the first frame was spent importing them)."""


class DynimgGroup(click.Group):
    """Turns dynimg errors into one ``error: <Code>: <message>`` line and a non-zero exit.

    Its commands are loaded lazily from :data:`COMMANDS`.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, name = target.partition(":")
        with collector_paused():
            command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise  # --help, usage errors and Ctrl-C: click reports them itself
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
    """The settings from this process's environment, read once per command.

    Imported here, not at the top: pydantic costs ``dynimg render`` (which reads its media
    limits with :mod:`dynimg.media_settings`) about 0.15 CPU-seconds before the first frame.
    """
    from dynimg.settings import load_settings

    return load_settings(os.environ)


@click.group(cls=DynimgGroup)
@click.version_option(package_name="dynimg")
def main() -> None:
    """dynimg: an Alibaba Cloud VOD compatible service for animated images and looping MP4."""
