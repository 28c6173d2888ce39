"""``dynimg snapshot``: client commands for snapshot jobs and the files they make."""

from __future__ import annotations

import click

from dynimg.cli.client import client_options, open_client

TYPES = ["CoverSnapshot", "NormalSnapshot", "SpriteSnapshot", "SpriteOriginSnapshot",
         "WebVttSnapshot"]  # fmt: skip


@click.group()
def snapshot() -> None:
    """Snapshots: submit a snapshot job, list a video's pictures, sheets and storyboards."""


@snapshot.command("submit")
@click.argument("video_id")
@click.option("--template", "template_id", help="A Snapshot template's VodTemplateId.")
@click.option("--count", type=int, help="Pictures to take (without --template).")
@click.option("--interval", type=int, help="Seconds between them; 0 spreads them evenly.")
@click.option("--offset", type=int, help="SpecifiedOffsetTime: the first one, in ms.")
@click.option("--width", type=int)
@click.option("--height", type=int)
@click.option("--sprite", help="SpriteSnapshotConfig JSON: tile the pictures onto sheets.")
@click.option("--user-data", help="UserData JSON (its Extend comes back in SnapshotComplete).")
@client_options
def submit(
    video_id: str,
    template_id: str | None,
    count: int | None,
    interval: int | None,
    offset: int | None,
    width: int | None,
    height: int | None,
    sprite: str | None,
    user_data: str | None,
    endpoint: str | None,
    account_name: str | None,
) -> None:
    """Submit a snapshot job from a template or inline parameters and print its JobId."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call(
        "SubmitSnapshotJob", VideoId=video_id, SnapshotTemplateId=template_id, Count=count,
        Interval=interval, SpecifiedOffsetTime=offset, Width=width, Height=height,
        SpriteSnapshotConfig=sprite, UserData=user_data,
    )  # fmt: skip
    click.echo(f"JobId: {body['SnapshotJob']['JobId']}")


@snapshot.command("list")
@click.argument("video_id")
@click.option(
    "--type", "kind", type=click.Choice(TYPES), default="CoverSnapshot", show_default=True
)
@click.option("--page", type=int, default=1, show_default=True)
@client_options
def list_snapshots(
    video_id: str, kind: str, page: int, endpoint: str | None, account_name: str | None
) -> None:
    """The newest job's files of one type, 100 per page, with their signed URLs."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    listed = client.call(
        "ListSnapshots", VideoId=video_id, SnapshotType=kind, PageNo=page, PageSize=100
    )["MediaSnapshot"]
    click.echo(f"{'Index':<7}Url")
    for item in listed.get("Snapshots", {}).get("Snapshot", []):
        click.echo(f"{item['Index']:<7}{item['Url']}")
    job = (
        f" of job {listed['JobId']} ({listed.get('CreationTime', '-')})"
        if listed.get("JobId")
        else ""
    )
    click.echo(f"{listed.get('Total', 0)} file(s){job}")
    if listed.get("Regular"):
        click.echo(f"Regular: {listed['Regular']}")
