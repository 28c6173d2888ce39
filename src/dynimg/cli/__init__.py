"""The ``dynimg`` command."""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

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
    "snapshot": "dynimg.cli.snapshots:snapshot",
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
    """Turns every error into one ``error: <Code>: <message>`` line and a non-zero exit: dynimg's
    own (with their Alibaba codes), click's usage errors (``InvalidUsage``, exit 2) and local
    failures; a reader that goes away (``dynimg ... | head``) ends the command quietly.

    Its commands are loaded lazily from :data:`COMMANDS`.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        try:
            result = super().main(*args, **{**kwargs, "standalone_mode": False})
        except _NoArgsIsHelp as exc:
            exc.show()  # `dynimg` alone: the help, as click shows it
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            ctx = _context(exc)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            fail("InvalidUsage", exc.format_message() + hint, exc.exit_code)
        except click.Abort:
            fail("Aborted", "stopped before it finished", 1)
        sys.exit(result if isinstance(result, int) else 0)

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
            raise  # --help, usage errors and Ctrl-C: main() reports them
        except BrokenPipeError:
            raise  # click's main() ends quietly when standard output's reader has gone
        except ConfigurationError as exc:
            fail(exc.code, exc.message, 2)
        except DynimgError as exc:
            fail(exc.code, exc.message, 1)
        except (OSError, RuntimeError, ValueError) as exc:
            # Local commands only: say what failed in one line rather than a traceback.
            fail("InternalError", f"{type(exc).__name__}: {exc}", 1)


_NoArgsIsHelp: type[click.ClickException] = getattr(
    click.exceptions, "NoArgsIsHelpError", type("_Never", (click.ClickException,), {})
)
"""click >= 8.2 raises this for a group run without a command (to show its help)."""


def _context(exc: click.ClickException) -> click.Context | None:
    return getattr(exc, "ctx", None)


def fail(code: str, message: str, status: int = 1) -> NoReturn:
    """The one error line of every command, ``error: <Code>: <message>`` on standard error,
    and the exit status."""
    click.echo(f"error: {code}: {message}", err=True)
    sys.exit(status)


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
