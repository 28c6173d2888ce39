"""``dynimg video``: client commands that talk to a running dynimg service."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click

from dynimg.adapters.oss_upload import upload
from dynimg.adapters.vod_client import VodClient
from dynimg.cli.client import client_options, hidden_alias, open_client
from dynimg.cli.imports import video_import
from dynimg.cli.progress import byte_progress
from dynimg.settings import Settings

SETTLED = ("Normal", "UploadFail")


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
    from dynimg.cli import fail, settings_from_env

    settings = settings_from_env()
    client = open_client(settings, endpoint, account_name)
    size = path.stat().st_size
    created = client.call(
        "CreateUploadVideo", Title=title or path.name, FileName=path.name, FileSize=size
    )
    with byte_progress(f"uploading {path.name}", size) as advance:
        upload(
            created["UploadAddress"],
            created["UploadAuth"],
            path,
            checkpoints(settings),
            lambda consumed, _total: advance(consumed),
        )
    video_id = created["VideoId"]
    status = _wait(client, video_id) if wait else "UploadSucc"
    click.echo(f"VideoId: {video_id}  Status: {status}")
    if status == "UploadFail":
        reason = client.call("GetMezzanineInfo", VideoId=video_id)["Mezzanine"].get("ErrorMessage")
        fail("UploadFail", reason or "the file is not a playable video")


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


@video.command("get")
@click.argument("video_id")
@client_options
def video_get(video_id: str, endpoint: str | None, account_name: str | None) -> None:
    """Show a video's information as JSON."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call("GetVideoInfo", VideoId=video_id)
    click.echo(json.dumps(body["Video"], indent=2, ensure_ascii=False))


hidden_alias(video, video_get, "info")


@video.command("animated-url")
@click.argument("video_id")
@click.option("--format", "fmt", default="gif", show_default=True, help="gif or webp.")
@click.option("--start", help="Start of the window in seconds (default 0).")
@click.option("--end", help="End of the window in seconds (default start + 5; at most 10 s).")
@click.option("--width", help="Width in pixels, 128 to 640 (default 320).")
@click.option("--fps", help="Frames a second, 1 to 30 (default 15).")
@click.option("--expires", "lifetime", type=int, help="Seconds the URL stays valid.")
@client_options
def video_animated_url(
    video_id: str,
    fmt: str,
    start: str | None,
    end: str | None,
    width: str | None,
    fps: str | None,
    lifetime: int | None,
    endpoint: str | None,
    account_name: str | None,
) -> None:
    """Print a signed on-demand URL of an animated image of a video's window.

    The first GET of the URL renders the image; later ones serve the stored file.
    """
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call(
        "GetAnimatedImageUrl", VideoId=video_id, ImageFormat=fmt, Start=start, End=end,
        Width=width, Fps=fps, AuthTimeout=lifetime,
    )  # fmt: skip
    click.echo(body["AnimatedImageURL"])


@video.command("thumbnail-url")
@click.argument("video_id")
@click.option("--format", "fmt", default="jpg", show_default=True, help="jpg, webp or avif.")
@click.option("--time", help="Seconds or HH:MM:SS.mmm into the video, or auto (the default).")
@click.option("--width", help="Width in pixels, 32 to 1920 (default 640).")
@click.option("--expires", "lifetime", type=int, help="Seconds the URL stays valid.")
@client_options
def video_thumbnail_url(
    video_id: str,
    fmt: str,
    time: str | None,
    width: str | None,
    lifetime: int | None,
    endpoint: str | None,
    account_name: str | None,
) -> None:
    """Print a signed on-demand URL of one picture of a video.

    The first GET takes the picture; later ones serve the stored file.
    """
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call(
        "GetThumbnailUrl", VideoId=video_id, ImageFormat=fmt, Time=time, Width=width,
        AuthTimeout=lifetime,
    )  # fmt: skip
    click.echo(body["ThumbnailURL"])


def checkpoints(settings: Settings) -> Path:
    """Where resumable uploads keep their checkpoints: DYNIMG_HOME if it exists, else the
    user's cache directory (a client command does not create a data directory)."""
    if settings.home.is_dir():
        return settings.home / "uploads"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "dynimg" / "uploads"


def _wait(client: VodClient, video_id: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = str(client.call("GetVideoInfo", VideoId=video_id)["Video"]["Status"])
        if status in SETTLED or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


video.add_command(video_import)
