"""``dynimg video upload | list | get`` against a running service, as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.media import make_clip
from tests.support.server import ServerProcess, dynimg_env, run_cli, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = start_server(tmp_path_factory.mktemp("cli-home"))
    yield process
    process.stop()


def test_upload_list_and_info(server: ServerProcess, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "holiday.mp4", seconds=2, size=(640, 480), noise=True)
    uploaded = run_cli(
        server.home,
        "video",
        "upload",
        str(clip.path),
        "--title",
        "Holiday",
        "--endpoint",
        server.url,
    )
    match = re.search(r"VideoId: ([0-9a-f]{32})  Status: Normal", uploaded.stdout)
    assert match, uploaded.stdout + uploaded.stderr
    video_id = match[1]
    assert "uploading holiday.mp4" in uploaded.stderr
    info = json.loads(
        run_cli(server.home, "video", "get", video_id, "--endpoint", server.url).stdout
    )
    assert (info["Title"], info["Status"], info["Size"]) == (
        "Holiday",
        "Normal",
        clip.path.stat().st_size,
    )
    assert info["Duration"] == pytest.approx(2.0, abs=0.05)
    listing = run_cli(server.home, "video", "list", "--endpoint", server.url).stdout
    assert video_id in listing and "Holiday" in listing


def test_large_files_go_in_parts(server: ServerProcess, tmp_path: Path) -> None:
    clip = make_clip(
        tmp_path / "big.mp4",
        seconds=6,
        size=(1280, 720),
        noise=True,
        options={"preset": "ultrafast"},
    )
    assert clip.path.stat().st_size > 8 * 1024 * 1024
    uploaded = run_cli(server.home, "video", "upload", str(clip.path), "--endpoint", server.url)
    assert "Status: Normal" in uploaded.stdout


def test_keys_from_the_environment(server: ServerProcess, tmp_path: Path) -> None:
    creds = server.new_account("envuser")
    listing = run_cli(
        tmp_path,  # a home that knows no accounts: the environment's key is used
        "video",
        "list",
        "--endpoint",
        server.url,
        DYNIMG_ACCESS_KEY_ID=creds.key_id,
        DYNIMG_ACCESS_KEY_SECRET=creds.secret,
    )
    assert "0 video(s)" in listing.stdout


def test_errors_are_one_line(server: ServerProcess) -> None:
    missing = run_cli(server.home, "video", "get", "0" * 32, "--endpoint", server.url, check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: InvalidVideo.NotFound: The video does not exist."
    down = run_cli(server.home, "video", "list", "--endpoint", "http://127.0.0.1:9", check=False)
    assert down.returncode == 1 and down.stderr.startswith(
        "error: ServiceUnAvailable: cannot reach"
    )
    unknown = run_cli(server.home, "video", "list", "--account", "ghost", check=False)
    assert unknown.returncode == 1 and "InvalidAccount.NotFound" in unknown.stderr


def test_submit_wait_images_and_usage(server: ServerProcess, tmp_path: Path) -> None:
    from tests.support.clients import sdk_api
    from tests.support.jobs import template

    clip = make_clip(tmp_path / "c.mp4", seconds=2)
    uploaded = run_cli(server.home, "video", "upload", str(clip.path), "--endpoint", server.url)
    video_id = re.findall(r"VideoId: ([0-9a-f]{32})", uploaded.stdout)[0]
    template_id = template(sdk_api("tea-v3", server.endpoint, server.default_credentials()), "webp")
    submitted = run_cli(
        server.home, "submit", video_id, template_id, "--wait", "--endpoint", server.url
    )
    assert re.search(r"JobId: [0-9a-f]{32}", submitted.stdout)
    assert (
        "Status: Success  DynamicImageId:" in submitted.stdout and "rendering" in submitted.stderr
    )
    listing = run_cli(server.home, "images", video_id, "--endpoint", server.url).stdout
    header, row, url, total = listing.splitlines()
    assert header.split()[:8] == [
        "DynamicImageId", "Format", "Size", "Fps", "Seconds", "Bytes", "Frames", "Seek"
    ]  # fmt: skip
    assert re.fullmatch(
        r"[0-9a-f]{32}\s+webp\s+160x120\s+10\s+1\s+\d+\s+10\s+0\.5  [0-9a-f]{32}", row
    )
    assert "?auth_key=" in url and total == "1 image(s)"
    assert "  Seek: 0.5\n" in submitted.stdout
    usage = run_cli(server.home, "usage", "--endpoint", server.url).stdout
    assert re.search(r"SD\s+webp\s+1\.000\s+1", usage)
    failed = run_cli(
        server.home, "submit", "0" * 32, template_id, "--endpoint", server.url, check=False
    )
    assert failed.returncode == 1 and failed.stderr.startswith("error: InvalidVideo.NotFound")


def test_uploading_a_file_that_is_not_a_video_fails_with_the_reason(
    server: ServerProcess, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"definitely not a video" * 500)
    result = run_cli(
        server.home, "video", "upload", str(junk), "--endpoint", server.url, check=False
    )
    assert result.returncode == 1
    assert "Status: UploadFail" in result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: UploadFail: ") and len(last) > len("error: UploadFail: ")


GIF_CONFIG = (
    '{"Container":{"Format":"gif"},"Video":{"Width":"160","Fps":"5"},'
    '"Clip":{"TimeSpan":{"Seek":"0","Duration":"1"}}}'
)
TEXT_CONFIG = '{"Content":"dynimg","FontSize":16,"FontColor":"white","Top":4,"Left":4}'


def cli(server: ServerProcess, *args: str) -> str:
    """Run a client command against ``server``; its standard output."""
    return run_cli(server.home, *args, "--endpoint", server.url).stdout


def test_templates_watermarks_and_jobs_from_the_shell(
    server: ServerProcess, tmp_path: Path
) -> None:
    from PIL import Image

    clip = make_clip(tmp_path / "shell.mp4", seconds=2)
    video_id = re.findall(
        r"VideoId: ([0-9a-f]{32})", cli(server, "video", "upload", str(clip.path))
    )[0]
    template_id = re.findall(
        r"VodTemplateId: (\S+)", cli(server, "template", "add", "shell-gif", "--config", GIF_CONFIG)
    )[0]
    assert template_id in cli(server, "template", "list") and "shell-gif" in cli(
        server, "template", "list"
    )
    shown = json.loads(cli(server, "template", "get", template_id))
    assert json.loads(shown["TemplateConfig"])["Container"]["Format"] == "gif"

    text = re.findall(
        r"WatermarkId: (\S+)  Type: Text",
        cli(server, "watermark", "add", "label", "--config", TEXT_CONFIG),
    )[0]
    logo_path = tmp_path / "logo.png"
    Image.new("RGBA", (32, 32), (255, 0, 0, 128)).save(logo_path)
    image_config = '{"Width":"32","Height":"32","Dx":"8","Dy":"8","ReferPos":"TopRight"}'
    image = re.findall(
        r"WatermarkId: (\S+)  Type: Image",
        cli(
            server, "watermark", "add", "logo", "--config", image_config, "--image", str(logo_path)
        ),
    )[0]
    cli(server, "watermark", "set-default", text)
    listing = cli(server, "watermark", "list")
    assert re.search(rf"{text}\s+Text\s+Default\s+label", listing) and image in listing

    submitted = cli(server, "submit", video_id, template_id, "--wait")
    job_id = re.findall(r"JobId: (\S+)", submitted)[0]
    jobs = cli(server, "jobs", "list", "--video", video_id)
    assert re.search(rf"{job_id}\s+{video_id}\s+Success\s+\S+\s+DynamicImageId: ", jobs)
    assert "1 job(s)" in jobs

    cli(server, "watermark", "delete", image)
    assert image not in cli(server, "watermark", "list")
    cli(server, "template", "delete", template_id)
    assert template_id not in cli(server, "template", "list")


def test_dynimg_port_moves_the_client_commands_too(server: ServerProcess) -> None:
    # No --endpoint and no DYNIMG_ENDPOINT: the commands go where `dynimg serve` would listen.
    listing = run_cli(server.home, "video", "list", DYNIMG_PORT=str(server.port))
    assert listing.stdout.splitlines()[0].split()[:2] == ["VideoId", "Status"]
    elsewhere = run_cli(server.home, "video", "list", DYNIMG_PORT="9", check=False)
    assert elsewhere.returncode == 1
    assert "cannot reach http://127.0.0.1:9" in elsewhere.stderr


def test_every_list_command_starts_with_a_header_row(server: ServerProcess, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=1)
    uploaded = run_cli(server.home, "video", "upload", str(clip.path), "--endpoint", server.url)
    video_id = re.findall(r"VideoId: ([0-9a-f]{32})", uploaded.stdout)[0]
    headers = {
        ("video", "list"): "VideoId",
        ("template", "list"): "VodTemplateId",
        ("watermark", "list"): "WatermarkId",
        ("jobs", "list"): "JobId",
        ("events", "list"): "EventId",
        ("images", video_id): "DynamicImageId",
        ("snapshot", "list", video_id): "Index",
        ("template", "list", "--type", "Snapshot"): "VodTemplateId",
        ("usage",): "Date",
    }
    for command, first in headers.items():
        shown = run_cli(server.home, *command, "--endpoint", server.url, check=False)
        assert shown.stdout.split(None, 1)[0] == first, (command, shown.stdout, shown.stderr)
    keys = run_cli(server.home, "keys", "list").stdout
    assert keys.split(None, 1)[0] == "AccessKeyId"


def test_get_is_the_verb_and_the_old_names_still_work(server: ServerProcess) -> None:
    for group, old in (("video", "info"), ("jobs", "show")):
        shown = run_cli(server.home, group, "--help").stdout
        assert "  get " in shown and f"  {old} " not in shown, shown
        missing = run_cli(server.home, group, old, "0" * 32, "--endpoint", server.url, check=False)
        assert missing.returncode == 1 and missing.stderr.startswith("error: Invalid")
    assert "  get " in run_cli(server.home, "template", "--help").stdout


def test_a_reader_that_goes_away_ends_the_command_quietly(server: ServerProcess) -> None:
    # `dynimg video list | head -0`: the pipe is closed before the command writes to it.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dynimg", "video", "list", "--endpoint", server.url],
            env=dynimg_env(server.home), stdout=write_end, stderr=subprocess.PIPE, text=True,
            timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert done.stderr == "" and done.returncode == 1


@pytest.mark.timeout(180)
def test_snapshot_templates_jobs_and_files_from_the_shell(
    server: ServerProcess, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "s.mp4", seconds=4, fps=10, size=(160, 120))
    video_id = re.findall(
        r"VideoId: ([0-9a-f]{32})", cli(server, "video", "upload", str(clip.path))
    )[0]
    board = {"SnapshotType": "WebVttSnapshot",
             "SnapshotConfig": {"Count": 4, "Width": 80,
                                "SpriteSnapshotConfig": {"Columns": 2, "Lines": 1}}}  # fmt: skip
    added = cli(server, "template", "add", "board", "--type", "Snapshot", "--config",
                json.dumps(board))  # fmt: skip
    template_id = re.findall(r"VodTemplateId: ([0-9a-f]{32})", added)[0]
    listed = cli(server, "template", "list", "--type", "Snapshot")
    assert template_id in listed and "board" in listed and "1 template(s)" in listed
    assert template_id not in cli(server, "template", "list")  # DynamicImage by default
    job_id = re.findall(
        r"JobId: ([0-9a-f]{32})",
        cli(server, "snapshot", "submit", video_id, "--template", template_id),
    )[0]
    deadline = time.monotonic() + 90
    while f"of job {job_id}" not in (
        sheets := cli(server, "snapshot", "list", video_id, "--type", "SpriteSnapshot")
    ):
        assert time.monotonic() < deadline, sheets
        time.sleep(0.2)
    lines = sheets.splitlines()
    assert lines[0].split() == ["Index", "Url"] and f"2 file(s) of job {job_id}" in sheets
    assert [line.split()[0] for line in lines[1:3]] == ["1", "2"] and "sprite-00002.jpg" in lines[2]
    assert lines[-1].startswith("Regular: ") and lines[-1].endswith("sprite-{SnapshotCount}.jpg")
    inline = cli(server, "snapshot", "submit", video_id, "--count", "2", "--interval", "1",
                 "--height", "60")  # fmt: skip
    assert re.search(r"JobId: [0-9a-f]{32}", inline)
    bad = run_cli(server.home, "snapshot", "submit", video_id, "--count", "10001",
                  "--endpoint", server.url, check=False)  # fmt: skip
    assert bad.returncode == 1 and bad.stderr.startswith("error: InvalidParameter: "), bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
