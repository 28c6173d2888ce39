"""``dynimg video``: client commands that talk to a running dynimg service."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from dynimg.adapters.oss_upload import upload
from dynimg.adapters.vod_client import VodClient
from dynimg.bootstrap import build_services
from dynimg.services.accounts import find_key_of_account
from dynimg.settings import Settings

SETTLED = ("Normal", "UploadFail")


def client_options(command: Any) -> Any:
    """--endpoint and --account, shared by every client command."""
    command = click.option(
        "--endpoint", help="URL of the service (default: DYNIMG_ENDPOINT or http://127.0.0.1:8080)."
    )(command)
    return click.option(
        "--account",
        "account_name",
        help="Sign with this local account's key (default: DYNIMG_ACCESS_KEY_ID, else 'default').",
    )(command)


def open_client(settings: Settings, endpoint: str | None, account_name: str | None) -> VodClient:
    """A client signing with DYNIMG_ACCESS_KEY_ID/SECRET or with a local account's key."""
    url = endpoint or settings.endpoint
    if settings.access_key_id and settings.access_key_secret and not account_name:
        return VodClient(url, settings.access_key_id, settings.access_key_secret.get_secret_value())
    services = build_services(settings)
    try:
        key = find_key_of_account(services.uow_factory, account_name or "default")
    finally:
        services.close()
    return VodClient(url, key.id, key.secret)


@click.group()
def video() -> None:
    """Upload and inspect videos on a running service."""


@video.command("upload")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", help="Video title (default: the file name).")
@click.option("--wait/--no-wait", default=True, help="Wait until the video is Normal.")
@client_options
def video_upload(
    path: Path, title: str | None, wait: bool, endpoint: str | None, account_name: str | None
) -> None:
    """Upload a video the way Alibaba's clients do and print its VideoId."""
    from dynimg.cli import settings_from_env

    settings = settings_from_env()
    client = open_client(settings, endpoint, account_name)
    size = path.stat().st_size
    created = client.call(
        "CreateUploadVideo", Title=title or path.name, FileName=path.name, FileSize=size
    )
    with click.progressbar(length=size, label=f"uploading {path.name}", file=sys.stderr) as bar:
        done = [0]

        def progress(consumed: int, _total: int | None) -> None:
            bar.update(consumed - done[0])
            done[0] = consumed

        upload(
            created["UploadAddress"],
            created["UploadAuth"],
            path,
            settings.home / "uploads",
            progress,
        )
    video_id = created["VideoId"]
    status = _wait(client, video_id) if wait else "UploadSucc"
    click.echo(f"VideoId: {video_id}  Status: {status}")


@video.command("list")
@click.option("--status", help="Only videos in these statuses, e.g. Normal,UploadFail.")
@client_options
def video_list(status: str | None, endpoint: str | None, account_name: str | None) -> None:
    """List videos, newest first."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call("GetVideoList", Status=status, PageSize=100)
    click.echo(f"{'VideoId':<34}{'Status':<12}{'Duration':>9}{'Size':>12}  Title")
    for item in body["VideoList"]["Video"]:
        duration = f"{item.get('Duration', 0):.1f}s"
        columns = f"{item['VideoId']:<34}{item['Status']:<12}{duration:>9}{item['Size']:>12}"
        click.echo(f"{columns}  {item['Title']}")
    click.echo(f"{body['Total']} video(s)")


@video.command("info")
@click.argument("video_id")
@client_options
def video_info(video_id: str, endpoint: str | None, account_name: str | None) -> None:
    """Show a video's information as JSON."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call("GetVideoInfo", VideoId=video_id)
    click.echo(json.dumps(body["Video"], indent=2, ensure_ascii=False))


def _wait(client: VodClient, video_id: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = str(client.call("GetVideoInfo", VideoId=video_id)["Video"]["Status"])
        if status in SETTLED or time.monotonic() > deadline:
            return status
        time.sleep(0.2)
