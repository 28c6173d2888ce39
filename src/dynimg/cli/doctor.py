"""``dynimg doctor``: check what this machine's dynimg depends on, and say what to fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import click

from dynimg.adapters import diagnostics
from dynimg.adapters.diagnostics import Check
from dynimg.bootstrap import open_storage
from dynimg.domain.masking import mask_url_password
from dynimg.settings import Settings


@click.command()
def doctor() -> None:
    """Check codecs, fonts, database, storage, broker, Redis, clock and disk space.

    Prints each check with ok or FAIL and, for a failure, what to fix; exits 1 if any failed.
    """
    from dynimg.cli import fail, settings_from_env

    settings = settings_from_env()
    failed = 0
    for check in _checks(settings):
        failed += not check.ok
        click.echo(f"{'ok' if check.ok else 'FAIL':<6}{check.name:<10}{check.detail}")
        if not check.ok:
            click.echo(f"{'':<16}fix: {check.fix}")
    if failed:
        fail("ChecksFailed", f"{failed} check(s) failed: see the FAIL lines above")
    click.echo("all checks passed")


def _checks(settings: Settings) -> Iterator[Check]:
    database_url = settings.effective_database_url
    masked_queue = mask_url_password(settings.queue_url)
    yield diagnostics.check_codecs(allow_h264=settings.allow_h264)
    yield diagnostics.check_lossy_lzw()
    yield diagnostics.check_fonts()
    yield _named(diagnostics.check_database(database_url), mask_url_password(database_url))
    yield _storage(settings)
    broker = diagnostics.check_broker(settings.queue_url)
    yield broker if settings.queue_url.startswith("memory:") else _named(broker, masked_queue)
    redis = diagnostics.check_redis(settings.redis_url)
    yield _named(redis, mask_url_password(settings.redis_url)) if settings.redis_url else redis
    yield diagnostics.check_clock(database_url)
    home = settings.home.resolve()
    yield diagnostics.check_disk("disk", home)
    local = _local_storage_path(settings)
    if local is not None and not local.is_relative_to(home):
        yield diagnostics.check_disk("disk", local)


def _named(check: Check, where: str) -> Check:
    """The check with where it looked (a URL with its password masked) before its detail."""
    return Check(check.name, check.ok, f"{where}: {check.detail}", check.fix)


def _storage(settings: Settings) -> Check:
    where = settings.effective_storage_url
    try:
        storage = open_storage(settings)
    except Exception as exc:
        return Check("storage", False, f"{where}: {type(exc).__name__}", "fix DYNIMG_STORAGE_URL")
    return diagnostics.check_storage(storage, where)


def _local_storage_path(settings: Settings) -> Path | None:
    parsed = urlparse(settings.effective_storage_url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None
