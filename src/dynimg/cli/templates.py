"""``dynimg template`` and ``dynimg watermark``: client commands for what jobs are made from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from dynimg.adapters.oss_upload import upload
from dynimg.adapters.vod_client import VodClient
from dynimg.cli.client import client_options, open_client
from dynimg.cli.progress import byte_progress


def _client(endpoint: str | None, account_name: str | None) -> VodClient:
    from dynimg.cli import settings_from_env

    return open_client(settings_from_env(), endpoint, account_name)


def _show(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@click.group()
def template() -> None:
    """Templates (animated-image, or snapshot with --type Snapshot): add, list, show, delete."""


TEMPLATE_TYPES = click.Choice(["DynamicImage", "Snapshot"])


@template.command("add")
@click.argument("name")
@click.option(
    "--config", "config", required=True,
    help="DynamicImageTemplateConfig JSON (SnapshotTemplateConfig with --type Snapshot).",
)  # fmt: skip
@click.option("--type", "kind", type=TEMPLATE_TYPES, default="DynamicImage", show_default=True)
@client_options
def template_add(
    name: str, config: str, kind: str, endpoint: str | None, account_name: str | None
) -> None:
    """Add a template and print its VodTemplateId."""
    body = _client(endpoint, account_name).call(
        "AddVodTemplate", Name=name, TemplateType=kind, TemplateConfig=config
    )
    click.echo(f"VodTemplateId: {body['VodTemplateId']}")


@template.command("list")
@click.option("--type", "kind", type=TEMPLATE_TYPES, default="DynamicImage", show_default=True)
@client_options
def template_list(kind: str, endpoint: str | None, account_name: str | None) -> None:
    """List the account's templates of a type, newest first."""
    body = _client(endpoint, account_name).call("ListVodTemplate", TemplateType=kind)
    items = body["VodTemplateInfoList"]
    click.echo(f"{'VodTemplateId':<34}{'Created':<22}Name")
    for item in items:
        click.echo(f"{item['VodTemplateId']:<34}{item['CreationTime']:<22}{item['Name']}")
    click.echo(f"{len(items)} template(s)")


@template.command("get")
@click.argument("template_id")
@client_options
def template_get(template_id: str, endpoint: str | None, account_name: str | None) -> None:
    """Show a template as JSON."""
    body = _client(endpoint, account_name).call("GetVodTemplate", VodTemplateId=template_id)
    _show(body["VodTemplateInfo"])


@template.command("delete")
@click.argument("template_id")
@client_options
def template_delete(template_id: str, endpoint: str | None, account_name: str | None) -> None:
    """Delete a template."""
    _client(endpoint, account_name).call("DeleteVodTemplate", VodTemplateId=template_id)
    click.echo(f"deleted template {template_id}")


@click.group()
def watermark() -> None:
    """Watermarks: add, list and delete them, choose the default."""


@watermark.command("add")
@click.argument("name")
@click.option("--config", "config", required=True, help="WatermarkConfig JSON.")
@click.option(
    "--image",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An image file: uploaded first, and the watermark is of Type Image (else Text).",
)
@client_options
def watermark_add(
    name: str, config: str, image: Path | None, endpoint: str | None, account_name: str | None
) -> None:
    """Add a Text watermark, or an Image watermark from a local image file."""
    client = _client(endpoint, account_name)
    params: dict[str, Any] = {"Name": name, "Type": "Text", "WatermarkConfig": config}
    if image is not None:
        params |= {"Type": "Image", "FileUrl": _upload_image(client, image)}
    info = client.call("AddWatermark", **params)["WatermarkInfo"]
    click.echo(f"WatermarkId: {info['WatermarkId']}  Type: {info['Type']}")


@watermark.command("list")
@client_options
def watermark_list(endpoint: str | None, account_name: str | None) -> None:
    """List the account's watermarks."""
    items = _client(endpoint, account_name).call("ListWatermark")["WatermarkInfos"]
    click.echo(f"{'WatermarkId':<34}{'Type':<7}{'Default':<11}Name")
    for item in items:
        click.echo(
            f"{item['WatermarkId']:<34}{item['Type']:<7}{item['IsDefault']:<11}{item['Name']}"
        )
    click.echo(f"{len(items)} watermark(s)")


@watermark.command("delete")
@click.argument("watermark_id")
@client_options
def watermark_delete(watermark_id: str, endpoint: str | None, account_name: str | None) -> None:
    """Delete a watermark."""
    _client(endpoint, account_name).call("DeleteWatermark", WatermarkId=watermark_id)
    click.echo(f"deleted watermark {watermark_id}")


@watermark.command("set-default")
@click.argument("watermark_id")
@client_options
def watermark_set_default(
    watermark_id: str, endpoint: str | None, account_name: str | None
) -> None:
    """Make a watermark the account's default."""
    _client(endpoint, account_name).call("SetDefaultWatermark", WatermarkId=watermark_id)
    click.echo(f"watermark {watermark_id} is the default")


def _upload_image(client: VodClient, path: Path) -> str:
    """Upload an image for a watermark (CreateUploadImage, then OSS); its FileURL."""
    from dynimg.cli import settings_from_env
    from dynimg.cli.video import checkpoints

    extension = path.suffix.lstrip(".").lower() or "png"
    created = client.call(
        "CreateUploadImage", ImageType="watermark", ImageExt=extension, FileName=path.name
    )
    settings = settings_from_env()
    with byte_progress(f"uploading {path.name}", path.stat().st_size) as advance:
        upload(
            created["UploadAddress"],
            created["UploadAuth"],
            path,
            checkpoints(settings),
            lambda consumed, _total: advance(consumed),
        )
    return str(created["FileURL"])
