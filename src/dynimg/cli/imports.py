"""``dynimg video import``: videos pulled from URLs by the service (UploadMediaByURL)."""

from __future__ import annotations

import sys
import time
from typing import Any
from urllib.parse import quote

import click

from dynimg.adapters.vod_client import VodClient
from dynimg.cli.client import client_options, open_client

ENDED = ("SUCCESS", "FAIL")


@click.command("import")
@click.argument("urls", nargs=-1, required=True)
@click.option("--wait", is_flag=True, help="Follow the imports until they end.")
@client_options
def video_import(
    urls: tuple[str, ...], wait: bool, endpoint: str | None, account_name: str | None
) -> None:
    """Have the service import videos from http(s) URLs; print each JobId (at most 20)."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    joined = ",".join(quote(url, safe="") for url in urls)  # each encoded, as Alibaba asks
    jobs = client.call("UploadMediaByURL", UploadURLs=joined)["UploadJobs"]
    for job in jobs:
        click.echo(f"JobId: {job['JobId']}  {job['SourceURL']}")
    if not wait:
        return
    ended = _follow(client, [job["JobId"] for job in jobs])
    click.echo(f"{'JobId':<34}{'Status':<9}{'Bytes':>12}  VideoId or error")
    for info in ended:
        outcome = info.get("MediaId") or f"{info['ErrorCode']}: {info['ErrorMessage']}"
        click.echo(f"{info['JobId']:<34}{info['Status']:<9}{info['FileSize']:>12}  {outcome}")
    if any(info["Status"] != "SUCCESS" for info in ended):
        sys.exit(1)


def _follow(client: VodClient, job_ids: list[str], timeout: float = 3600) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found: list[dict[str, Any]] = []
        for start in range(0, len(job_ids), 10):  # at most 10 JobIds a call
            body = client.call("GetURLUploadInfos", JobIds=",".join(job_ids[start : start + 10]))
            found += body["URLUploadInfoList"]
        if all(info["Status"] in ENDED for info in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)
