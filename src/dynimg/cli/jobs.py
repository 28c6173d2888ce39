"""``dynimg submit``, ``images``, ``usage`` and ``events``: client commands for jobs and events."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from dynimg.adapters.vod_client import VodClient
from dynimg.cli.client import client_options, hidden_alias, open_client
from dynimg.cli.progress import percent_progress
from dynimg.cli.size_search import echo_size_search


@click.command()
@click.argument("video_id")
@click.argument("template_id")
@click.option("--override", help="OverrideParams JSON.")
@click.option("--wait", is_flag=True, help="Show progress until the job ends.")
@client_options
def submit(
    video_id: str,
    template_id: str,
    override: str | None,
    wait: bool,
    endpoint: str | None,
    account_name: str | None,
) -> None:
    """Submit an animated-image job and print its JobId."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call(
        "SubmitDynamicImageJob",
        VideoId=video_id,
        DynamicImageTemplateId=template_id,
        OverrideParams=override,
    )
    job_id = body["DynamicImageJob"]["JobId"]
    click.echo(f"JobId: {job_id}")
    if wait:
        job = _follow(client, job_id)
        click.echo(f"Status: {job['Status']}" + _outcome(job))
        echo_size_search(job.get("SizeSearch"))
        if job["Status"] != "Success":
            sys.exit(1)


@click.command()
@click.argument("video_id")
@client_options
def images(video_id: str, endpoint: str | None, account_name: str | None) -> None:
    """List a video's animated images with their signed FileURLs."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    items = client.call("ListDynamicImage", VideoId=video_id)["DynamicImageList"]
    click.echo(
        f"{'DynamicImageId':<34}{'Format':<8}{'Size':<11}{'Fps':>5}{'Seconds':>9}{'Bytes':>11}"
        f"{'Frames':>8}{'Seek':>7}  MD5, then the signed FileURL"
    )
    for item in items:
        size = f"{item['Width']}x{item['Height']}"
        click.echo(
            f"{item['DynamicImageId']:<34}{item['Format']:<8}{size:<11}{item['Fps']:>5}"
            f"{item['Duration']:>9}{item['FileSize']:>11}{_extras(item)}"
        )
        click.echo(f"  {item['FileURL']}")
    click.echo(f"{len(items)} image(s)")


def _extras(item: dict[str, Any]) -> str:
    """FrameCount, Seek and MD5, which images made by older servers do not have: `-`."""
    return f"{item.get('FrameCount', '-'):>8}{item.get('Seek', '-'):>7}  {item.get('MD5', '-')}"


@click.command()
@click.option("--start", help="UTC start, yyyy-MM-ddTHH:mm:ssZ (default: 7 days ago).")
@click.option("--end", help="UTC end (default: now).")
@client_options
def usage(
    start: str | None, end: str | None, endpoint: str | None, account_name: str | None
) -> None:
    """Animated-image output per day, resolution class and format."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call("DescribeDynamicImageUsage", StartTime=start, EndTime=end)
    click.echo(f"{'Date':<12}{'Resolution':<12}{'Format':<8}{'Seconds':>10}{'Images':>8}")
    for row in body["DynamicImageUsageData"]:
        click.echo(
            f"{row['Date']:<12}{row['Resolution']:<12}{row['Format']:<8}"
            f"{row['Duration']:>10}{row['Count']:>8}"
        )


@click.group()
def jobs() -> None:
    """Animated-image jobs."""


@jobs.command("list")
@click.option("--video", "video_id", help="Only this video's jobs.")
@click.option("--status", type=click.Choice(["Queued", "Processing", "Success", "Fail"]))
@click.option("--page", type=int, default=1, show_default=True)
@client_options
def list_jobs(
    video_id: str | None,
    status: str | None,
    page: int,
    endpoint: str | None,
    account_name: str | None,
) -> None:
    """Jobs, newest first, 50 per page, with their state and outcome."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call(
        "ListDynamicImageJobs", VideoId=video_id, Status=status, PageNo=page, PageSize=50
    )
    click.echo(f"{'JobId':<34}{'VideoId':<34}{'Status':<12}{'Created':<22}Outcome")
    for job in body["DynamicImageJobList"]:
        click.echo(
            f"{job['JobId']:<34}{job['VideoId']:<34}{job['Status']:<12}{job['CreationTime']:<22}"
            + _listed_outcome(job)
        )
    click.echo(f"{body['Total']} job(s)")


@jobs.command("get")
@click.argument("job_id")
@client_options
def get_job(job_id: str, endpoint: str | None, account_name: str | None) -> None:
    """One job: its state, outcome and, with MaxFileSize, the encodes made to fit."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    job = client.call("GetDynamicImageJob", JobId=job_id)["DynamicImageJob"]
    click.echo(f"JobId: {job['JobId']}  VideoId: {job['VideoId']}  Status: {job['Status']}")
    click.echo(f"Created: {job['CreationTime']}  Completed: {job.get('CompleteTime', '-')}")
    click.echo("Outcome: " + _listed_outcome(job))
    echo_size_search(job.get("SizeSearch"))


hidden_alias(jobs, get_job, "show")


@click.group()
def events() -> None:
    """Callback events: list them with their delivery state, send one again."""


@events.command("list")
@click.option("--state", type=click.Choice(["pending", "delivered", "failed"]))
@click.option("--page", type=int, default=1, show_default=True)
@client_options
def list_events(
    state: str | None, page: int, endpoint: str | None, account_name: str | None
) -> None:
    """Callback events, newest first, 50 per page."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    body = client.call("ListCallbackEvents", State=state, PageNo=str(page), PageSize="50")
    click.echo(f"{'EventId':<34}{'State':<11}{'Attempts':>8}  {'Created':<22}Type  LastError")
    for event in body["EventList"]:
        click.echo(
            f"{event['EventId']:<34}{event['State']:<11}{event['Attempts']:>8}  "
            f"{event['CreationTime']:<22}{event['EventType']}  {event.get('LastError', '')}"
        )
    click.echo(f"{body['Total']} event(s)")


@events.command("redeliver")
@click.argument("event_id")
@client_options
def redeliver(event_id: str, endpoint: str | None, account_name: str | None) -> None:
    """Send an event that was given up on again, with a fresh set of attempts."""
    from dynimg.cli import settings_from_env

    client = open_client(settings_from_env(), endpoint, account_name)
    client.call("RedeliverCallbackEvent", EventId=event_id)
    click.echo(f"event {event_id} is pending again")


def _follow(client: VodClient, job_id: str, timeout: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with percent_progress(f"rendering job {job_id}") as advance:
        while True:
            job: dict[str, Any] = client.call("GetDynamicImageJob", JobId=job_id)["DynamicImageJob"]
            advance(100 if job["Status"] in ("Success", "Fail") else int(job["Progress"]))
            if job["Status"] in ("Success", "Fail") or time.monotonic() > deadline:
                return job
            time.sleep(0.2)


def _outcome(job: dict[str, Any]) -> str:
    if job["Status"] == "Success":
        seek = f"  Seek: {job['Seek']}" if "Seek" in job else ""
        return f"  DynamicImageId: {job['DynamicImageId']}{seek}"
    return f"  {job.get('ErrorCode', '')}: {json.dumps(job.get('ErrorMessage', ''))}"


def _listed_outcome(job: dict[str, Any]) -> str:
    if job["Status"] in ("Success", "Fail"):
        return _outcome(job).strip()
    return f"{job['Progress']}%"
