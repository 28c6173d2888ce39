"""UploadMediaByURL and GetURLUploadInfos through both official SDKs against a real server that
pulls from an HTTP server on loopback (allowed here with DYNIMG_ALLOW_PRIVATE_URL_UPLOADS):
videos imported whole, progress while a slow one arrives, each failure with its reason, the
UploadByURLComplete event, and the request rules."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.clients import ApiError, SdkApi, sdk_api
from tests.support.media import make_clip
from tests.support.origin import Origin
from tests.support.receiver import Receiver
from tests.support.server import Credentials, ServerProcess, run_cli, start_server
from tests.support.uploads import wait_for_status

pytestmark = pytest.mark.timeout(300)
LIMIT = 3 * 1024 * 1024
"""The server's DYNIMG_URL_UPLOAD_MAX_BYTES."""
QUEUE_LIMIT = 4
"""Imports of one account unfinished at once (DYNIMG_ACCOUNT_QUEUE_LIMIT)."""


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("url-uploads") / "clip.mp4"
    return make_clip(path, seconds=2, fps=10, size=(160, 120), noise=True).path.read_bytes()


@pytest.fixture(scope="module")
def origin(clip: bytes) -> Iterator[Origin]:
    files = {"clip.mp4": clip, "big.mp4": b"\0" * (LIMIT + 1), "text.mp4": b"not a video\n" * 50}
    served = Origin(files, pause=0.25)
    yield served
    served.close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(failures=0)
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = start_server(
        tmp_path_factory.mktemp("url-uploads-home"), DYNIMG_ALLOW_PRIVATE_URL_UPLOADS="true",
        DYNIMG_ALLOW_PRIVATE_CALLBACKS="true", DYNIMG_URL_UPLOAD_MAX_BYTES=str(LIMIT),
        DYNIMG_ACCOUNT_QUEUE_LIMIT=str(QUEUE_LIMIT),
    )  # fmt: skip
    yield process
    process.stop()
    log = "\n".join(process.output)
    assert "Traceback" not in log, log[-3000:]  # every failure above was an expected one


@pytest.fixture(scope="module")
def creds(server: ServerProcess) -> Credentials:
    return server.default_credentials()


def uploaded_bytes(server: ServerProcess) -> float:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    found = re.search(r"^dynimg_upload_bytes_total (\S+)$", text, re.M)
    return float(found[1]) if found else 0.0


def infos(api: SdkApi, **query: str) -> dict[str, Any]:
    return api.call("GetURLUploadInfos", **query)


def wait_ended(api: SdkApi, job: str, timeout: float = 90) -> dict[str, Any]:
    """GetURLUploadInfos until the import is SUCCESS or FAIL."""
    deadline = time.monotonic() + timeout
    while True:
        [info] = infos(api, JobIds=job)["URLUploadInfoList"]
        if info["Status"] in ("SUCCESS", "FAIL") or time.monotonic() > deadline:
            return info
        time.sleep(0.1)


@pytest.mark.parametrize("mode", ["tea-v3", "core-v1"])
def test_videos_imported_from_urls(
    mode: str, server: ServerProcess, creds: Credentials, origin: Origin, clip: bytes
) -> None:
    api = sdk_api(mode, server.endpoint, creds)
    counted = uploaded_bytes(server)
    plain, moved = f"{origin.url}/clip.mp4?{mode}", f"{origin.url}/to/clip.mp4"
    metadata = [{"SourceURL": moved, "Title": "Moved clip"}]
    jobs = api.call(
        "UploadMediaByURL", UploadURLs=f"{plain},{moved}", UploadMetadatas=json.dumps(metadata),
        UserData=json.dumps({"Extend": {"mine": 1}}),
    )["UploadJobs"]  # fmt: skip
    assert [j["SourceURL"] for j in jobs] == [plain, moved]
    for job in jobs:
        info = wait_ended(api, job["JobId"])
        assert info["Status"] == "SUCCESS", info
        assert int(info["FileSize"]) == len(clip) and info["UploadURL"] == job["SourceURL"]
        assert info["CompleteTime"] >= info["CreationTime"] and info["ErrorCode"] == ""
        assert json.loads(info["UserData"]) == {"Extend": {"mine": 1}}
        video = wait_for_status(api, info["MediaId"], "Normal")
        assert video["Status"] == "Normal" and video["Size"] == len(clip)
    assert uploaded_bytes(server) == counted + 2 * len(clip)  # as if they had been uploaded
    assert api.call("GetVideoInfo", VideoId=infos(api, JobIds=jobs[1]["JobId"])[
        "URLUploadInfoList"][0]["MediaId"])["Video"]["Title"] == "Moved clip"  # fmt: skip
    by_url = infos(api, UploadURLs=f"{plain},{origin.url}/never.mp4")
    assert [i["JobId"] for i in by_url["URLUploadInfoList"]] == [jobs[0]["JobId"]]
    assert by_url["NonExists"] == [f"{origin.url}/never.mp4"]
    assert infos(api, JobIds="0" * 32)["NonExists"] == ["0" * 32]


def test_progress_while_a_slow_file_arrives(
    server: ServerProcess, creds: Credentials, origin: Origin, clip: bytes
) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    [job] = api.call("UploadMediaByURL", UploadURLs=f"{origin.url}/slow/clip.mp4")["UploadJobs"]
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 60
    while not seen or seen[-1][0] not in ("SUCCESS", "FAIL"):
        assert time.monotonic() < deadline, seen
        [info] = infos(api, JobIds=job["JobId"])["URLUploadInfoList"]
        seen.append((info["Status"], int(info["FileSize"])))
        time.sleep(0.2)
    assert seen[-1] == ("SUCCESS", len(clip))
    partial = [size for status, size in seen if status == "PROCESSING" and 0 < size < len(clip)]
    assert partial, seen  # 16 pieces 0.25 s apart: the count moves while it downloads
    assert partial == sorted(partial)


@pytest.mark.parametrize(
    ("path", "code", "reason"),
    [
        ("/status/404", "URLInvalidError", "HTTP 404"),
        ("/big.mp4", "FileSizeExceeded", f"at most {LIMIT}"),
        ("/bare/big.mp4", "FileSizeExceeded", f"larger than {LIMIT}"),
    ],
)
def test_failures_say_why(
    path: str, code: str, reason: str, server: ServerProcess, creds: Credentials,
    origin: Origin, receiver: Receiver,
) -> None:  # fmt: skip
    api = sdk_api("tea-v3", server.endpoint, creds)
    api.call("SetMessageCallback", CallbackURL=receiver.url, EventTypeList="UploadByURLComplete")
    [job] = api.call("UploadMediaByURL", UploadURLs=f"{origin.url}{path}")["UploadJobs"]
    info = wait_ended(api, job["JobId"])
    assert (info["Status"], info["ErrorCode"]) == ("FAIL", code), info
    assert reason in info["ErrorMessage"] and "MediaId" not in info
    assert origin.hits[path.split("?")[0]] == 1  # what cannot succeed is not tried again
    event = _event(receiver, job["JobId"])
    assert event["Status"] == "fail" and event["ErrorCode"] == code
    assert event["SourceURL"] == f"{origin.url}{path}"


def test_a_file_that_is_not_a_video_fails_its_video(
    server: ServerProcess, creds: Credentials, origin: Origin
) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    [job] = api.call("UploadMediaByURL", UploadURLs=f"{origin.url}/text.mp4")["UploadJobs"]
    info = wait_ended(api, job["JobId"])
    assert info["Status"] == "SUCCESS"  # the import worked; the probe says what it is
    video = wait_for_status(api, info["MediaId"], "UploadFail")
    assert video["Status"] == "UploadFail"


def _event(receiver: Receiver, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in receiver.accepted if e.get("JobId") == job_id]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no UploadByURLComplete for {job_id}")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "MissingParameter"),
        ({"UploadURLs": "ftp://example.com/v.mp4"}, "InvalidParameter"),
        ({"UploadURLs": ",".join(f"https://e.com/{i}.mp4" for i in range(21))}, "InvalidParameter"),
        ({"UploadURLs": "https://e.com/v.mp4", "UploadMetadatas": "{"}, "InvalidParameter"),
        ({"UploadURLs": "https://e.com/v.mp4", "UserData": "[1]"}, "InvalidParameter"),
    ],
)
def test_bad_requests(
    params: dict[str, str], code: str, server: ServerProcess, creds: Credentials
) -> None:
    api = sdk_api("core-v1", server.endpoint, creds)
    with pytest.raises(ApiError) as refused:
        api.call("UploadMediaByURL", **params)
    assert refused.value.code == code
    with pytest.raises(ApiError) as empty:
        api.call("GetURLUploadInfos")
    assert empty.value.code == "InvalidParameter"


def test_the_cli_imports_and_follows(server: ServerProcess, origin: Origin, clip: bytes) -> None:
    urls = (f"{origin.url}/clip.mp4?cli,1", f"{origin.url}/status/410")
    done = run_cli(server.home, "video", "import", *urls, "--wait", "--endpoint", server.url,
                   check=False)  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0].startswith("JobId: ") and lines[0].endswith("/clip.mp4?cli,1"), done.stdout
    assert lines[2].split() == ["JobId", "Status", "Bytes", "VideoId", "or", "error"]
    assert lines[3].split()[1:3] == ["SUCCESS", str(len(clip))] and len(lines[3].split()[3]) == 32
    assert lines[4].split()[1:4] == ["FAIL", "0", "URLInvalidError:"] and "HTTP 410" in lines[4]
    assert done.returncode == 1
    refused = run_cli(server.home, "video", "import", "ftp://example.com/v.mp4",
                      "--endpoint", server.url, check=False)  # fmt: skip
    assert refused.returncode == 1 and refused.stderr.startswith("error: InvalidParameter: ")


def test_an_account_has_a_bounded_number_of_imports_waiting(
    server: ServerProcess, creds: Credentials, origin: Origin
) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    urls = ",".join(f"{origin.url}/slow/clip.mp4?{i}" for i in range(QUEUE_LIMIT + 1))
    with pytest.raises(ApiError) as refused:
        api.call("UploadMediaByURL", UploadURLs=urls)
    assert (refused.value.code, refused.value.status) == ("Throttling", 429)
    jobs = api.call("UploadMediaByURL", UploadURLs=urls.rsplit(",", 1)[0])["UploadJobs"]
    with pytest.raises(ApiError):  # four are still downloading
        api.call("UploadMediaByURL", UploadURLs=f"{origin.url}/clip.mp4?one-more")
    assert all(wait_ended(api, job["JobId"])["Status"] == "SUCCESS" for job in jobs)
    api.call("UploadMediaByURL", UploadURLs=f"{origin.url}/clip.mp4?one-more")
