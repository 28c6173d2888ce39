"""``dynimg video upload | list | info`` against a running service, as a user runs them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.media import make_clip
from tests.support.server import ServerProcess, run_cli, start_server


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
        run_cli(server.home, "video", "info", video_id, "--endpoint", server.url).stdout
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
    missing = run_cli(server.home, "video", "info", "0" * 32, "--endpoint", server.url, check=False)
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
    assert "webp  160x120  10 fps  1 s" in listing and "?auth_key=" in listing
    assert re.search(r"  10 frames  from 0\.5 s  md5 [0-9a-f]{32}\n", listing), listing
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
