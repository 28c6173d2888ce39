"""Callbacks (signature, retry, validation), throttling and isolation of the job Actions."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_vod20170321 import models as vod_models

from tests.support import figures, signer
from tests.support.clients import ApiError, TeaApi, sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_images, wait_for_job
from tests.support.media import make_clip
from tests.support.receiver import Receiver
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess, run_cli, start_server

AUTH_KEY = "Dyn1mgCallbackKey"


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server that may call loopback URLs and throttles at 5 requests per second."""
    process = start_server(
        tmp_path_factory.mktemp("events"),
        DYNIMG_ALLOW_PRIVATE_CALLBACKS="true",
        DYNIMG_SUBMIT_RATE_PER_SECOND="5",
        DYNIMG_LIST_RATE_PER_SECOND="5",
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "c.mp4", seconds=2).path


def test_completion_event_is_signed_and_retried(open_server: ServerProcess, clip: Path) -> None:
    creds = open_server.default_credentials()
    api = sdk_api("tea-v3", open_server.endpoint, creds)
    receiver = Receiver(failures=1)
    try:
        api.call(
            "SetMessageCallback",
            CallbackType="HTTP",
            CallbackURL=receiver.url,
            EventTypeList="DynamicImageComplete",
            AuthSwitch="on",
            AuthKey=AUTH_KEY,
        )
        got = api.call("GetMessageCallback")["MessageCallback"]
        assert (got["CallbackURL"], got["AuthSwitch"]) == (receiver.url, "on")
        video_id = uploaded_video(api, clip)
        job_id = api.call(
            "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template(api)
        )["DynamicImageJob"]["JobId"]
        receiver.wait(2)
        assert len(receiver.requests) == 2, "a failed delivery is retried"
        (_, first, first_at), (headers, event, at) = receiver.requests
        assert first == event and at - first_at >= 0.9
        stamp = headers["X-VOD-TIMESTAMP"]
        expected = hashlib.md5(f"{receiver.url}|{stamp}|{AUTH_KEY}".encode()).hexdigest()
        assert headers["X-VOD-SIGNATURE"] == expected and len(stamp) == 10
        assert (event["EventType"], event["Status"], event["JobId"], event["VideoId"]) == (
            "DynamicImageComplete", "success", job_id, video_id
        )  # fmt: skip
        info = event["DynamicImageJobInfo"]
        [image] = wait_for_images(api, video_id)
        assert info["FileURL"].split("?")[0] == image["FileURL"].split("?")[0]
        assert (info["Width"], info["Height"], info["Fps"]) == ("160", "120", "10")
        assert info["FileSize"] == image["FileSize"]
        assert event["EventTime"].endswith("Z")
        # dynimg's event log (an extension, so raw signed requests rather than the SDKs).
        listed = raw_call(open_server, creds, "ListCallbackEvents", State="delivered")
        [logged] = [e for e in listed["EventList"] if e["CallbackURL"] == receiver.url]
        assert (logged["State"], logged["Attempts"], logged["EventType"]) == (
            "delivered", 2, "DynamicImageComplete"
        )  # fmt: skip
        refused = raw_call(open_server, creds, "RedeliverCallbackEvent", EventId=logged["EventId"])
        assert refused["Code"] == "Forbidden.IllegalStatus", "only given-up events"
        invalid = raw_call(open_server, creds, "ListCallbackEvents", State="lost")
        assert (invalid["_status"], invalid["Code"]) == (400, "InvalidParameter")
        shown = run_cli(
            open_server.home, "events", "list", "--state", "delivered", "--endpoint",
            open_server.url,
        ).stdout  # fmt: skip
        assert shown.splitlines()[0].split()[:4] == ["EventId", "State", "Attempts", "Created"]
        assert re.search(rf"^{logged['EventId']}\s+delivered\s+2\s", shown, re.MULTILINE), shown
    finally:
        api.call("DeleteMessageCallback")
        receiver.close()


def test_failed_jobs_are_announced_too(open_server: ServerProcess, clip: Path) -> None:
    creds = open_server.default_credentials()
    api = sdk_api("core-v1", open_server.endpoint, creds)
    receiver = Receiver(failures=0)
    try:
        # Only this event type: the video's cover snapshots send SnapshotComplete too.
        api.call(
            "SetMessageCallback", CallbackURL=receiver.url, EventTypeList="DynamicImageComplete"
        )
        video_id = uploaded_video(api, clip)
        next((open_server.home / "storage" / "video" / video_id).iterdir()).write_bytes(b"x" * 99)
        api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template(api))
        receiver.wait(1)
        headers, event, _ = receiver.requests[0]
        assert (event["Status"], event["ErrorCode"]) == ("fail", "InvalidMedia.Unreadable")
        assert "DynamicImageJobInfo" not in event and "X-VOD-SIGNATURE" not in headers
    finally:
        api.call("DeleteMessageCallback")
        receiver.close()


def test_a_receiver_failing_half_the_time_loses_no_event(
    open_server: ServerProcess, clip: Path
) -> None:
    creds = open_server.default_credentials()
    api = sdk_api("tea-v3", open_server.endpoint, creds)
    receiver = Receiver(failures=0, every_other=True)
    try:
        # Only this event type: the video's cover snapshots send SnapshotComplete too.
        api.call(
            "SetMessageCallback", CallbackURL=receiver.url, EventTypeList="DynamicImageComplete"
        )
        video_id, template_id = uploaded_video(api, clip), template(api)
        jobs = {
            api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id)[
                "DynamicImageJob"
            ]["JobId"]
            for _ in range(4)
        }
        deadline = time.monotonic() + 120
        while {e["JobId"] for e in receiver.accepted} != jobs and time.monotonic() < deadline:
            time.sleep(0.1)
        delivered = [e["JobId"] for e in receiver.accepted]
        assert sorted(delivered) == sorted(jobs), "each event delivered, once"
        failed = len(receiver.requests) - len(receiver.accepted)
        figures.record(
            "fault cases (tests/api/test_job_recovery.py, test_events_and_limits.py, cluster)",
            f"callback receiver failing every other request: {len(jobs)} events, "
            f"{len(receiver.requests)} deliveries ({failed} refused), 0 lost",
        )
    finally:
        api.call("DeleteMessageCallback")
        receiver.close()


def test_callback_urls_are_validated(server: ServerProcess, creds: Credentials) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    for url in (
        "http://127.0.0.1:9/x",
        "http://10.1.2.3/x",
        "http://localhost/x",
        "ftp://example.com/x",
        "http://[::1]/x",
    ):
        with pytest.raises(ApiError) as caught:
            api.call("SetMessageCallback", CallbackURL=url)
        assert caught.value.code == "InvalidParameter" and "CallbackURL" in caught.value.message
    for url in (  # what the resolver also reads as loopback or private addresses
        "http://127.1/x",
        "http://0x7f000001/x",
        "http://2130706433/x",
        "http://0177.0.0.1/x",
        "http://0x7f.1:8080/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0/x",
        "http://10.1/x",
        "http://0xa9.0xfe.0xa9.0xfe/latest/meta-data",
    ):
        with pytest.raises(ApiError) as caught:
            api.call("SetMessageCallback", CallbackURL=url)
        assert caught.value.code == "InvalidParameter" and "CallbackURL" in caught.value.message
    assert "DYNIMG_ALLOW_PRIVATE_CALLBACKS" in caught.value.message
    with pytest.raises(ApiError) as caught:
        api.call(
            "SetMessageCallback",
            CallbackURL="https://example.com/x",
            AuthSwitch="on",
            AuthKey="weak",
        )
    assert "AuthKey" in caught.value.message
    api.call("SetMessageCallback", CallbackURL="https://example.com/hook")
    assert (
        api.call("GetMessageCallback")["MessageCallback"]["CallbackURL"]
        == "https://example.com/hook"
    )
    api.call("DeleteMessageCallback")


@pytest.mark.parametrize("action", ["SubmitDynamicImageJob", "ListDynamicImage"])
def test_throttling(open_server: ServerProcess, action: str) -> None:
    creds = open_server.new_account(f"busy-{action.lower()}")

    def call(_: int) -> tuple[str, str]:
        body = raw_call(
            open_server, creds, action, VideoId="0" * 32, DynamicImageTemplateId="0" * 32
        )
        return str(body["_status"]), body["Code"]

    # Twelve at once: a burst arrives within the second however slow each request is.
    with ThreadPoolExecutor(12) as pool:
        codes = set(pool.map(call, range(12)))
    assert codes == {("404", "InvalidVideo.NotFound"), ("400", "Throttling.User")}
    other = open_server.new_account(f"calm-{action.lower()}")
    assert raw_call(open_server, other, action, VideoId="0" * 32)["Code"] != "Throttling.User"


def test_throttled_answers_say_when_to_retry(open_server: ServerProcess) -> None:
    creds = open_server.new_account("impatient")

    def call(_: int) -> httpx.Response:
        params = {"Action": "ListDynamicImage", "VideoId": "0" * 32}
        signed = signer.v1_params(params, creds.key_id, creds.secret)
        return httpx.post(f"{open_server.url}/?{signer.query_string(signed)}", timeout=30)

    # Twelve at once: a burst arrives within the second however slow each request is.
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(call, range(12)))
    throttled = [r for r in answers if r.json()["Code"] == "Throttling.User"]
    assert throttled, "12 calls at a 5/s limit were never throttled"
    response = throttled[0]
    assert response.headers["Retry-After"] == "1"
    assert response.headers["x-acs-retry-after"] == "1000"  # milliseconds, as the new SDK reads
    assert "Retry after 1 s" in response.json()["Message"]
    calm = [r for r in answers if r.json()["Code"] != "Throttling.User"]
    assert calm and not {"Retry-After", "x-acs-retry-after"} & set(calm[0].headers)


def test_the_new_sdk_learns_from_a_throttled_answer_how_long_to_wait(
    open_server: ServerProcess,
) -> None:
    from alibabacloud_tea_openapi.exceptions import ThrottlingException

    client = sdk_api("tea-v3", open_server.endpoint, open_server.new_account("sdk-impatient"))
    assert isinstance(client, TeaApi)

    def call(_: int) -> AlibabaCloudException:
        try:
            client.client.list_dynamic_image(vod_models.ListDynamicImageRequest(video_id="0" * 32))
        except AlibabaCloudException as exc:
            return exc
        raise AssertionError("a video that does not exist was listed")

    with ThreadPoolExecutor(12) as pool:
        errors = list(pool.map(call, range(12)))
    throttled = [e for e in errors if isinstance(e, ThrottlingException)]
    assert throttled, [e.code for e in errors]
    assert {(e.code, e.retry_after) for e in throttled} == {("Throttling.User", 1000)}


def test_a_slow_rate_asks_for_its_whole_window() -> None:
    from dynimg.adapters.rate_limits import SlidingWindowLimiter

    limiter = SlidingWindowLimiter({"SubmitDynamicImageJob": 0.2, "ListDynamicImage": 30})
    assert limiter.retry_after("SubmitDynamicImageJob") == 5
    assert limiter.retry_after("ListDynamicImage") == 1


def test_jobs_and_images_are_isolated(
    server: ServerProcess, creds: Credentials, other_creds: Credentials, clip: Path
) -> None:
    owner = sdk_api("tea-v3", server.endpoint, creds)
    intruder = sdk_api("core-v1", server.endpoint, other_creds)
    video_id, template_id = uploaded_video(owner, clip), template(owner)
    job_id = owner.call(
        "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id
    )["DynamicImageJob"]["JobId"]
    assert wait_for_job(server, creds, job_id)["Status"] == "Success"
    mine = template(intruder)
    for params in (
        {"VideoId": video_id, "DynamicImageTemplateId": mine},
        {"VideoId": uploaded_video(intruder, clip), "DynamicImageTemplateId": template_id},
    ):
        with pytest.raises(ApiError) as caught:
            intruder.call("SubmitDynamicImageJob", **params)
        assert caught.value.status == 404
    for action in ("ListDynamicImage", "DeleteDynamicImage"):
        with pytest.raises(ApiError) as caught:
            intruder.call(action, VideoId=video_id)
        assert (caught.value.code, caught.value.status) == ("InvalidVideo.NotFound", 404)
    foreign_job = raw_call(server, other_creds, "GetDynamicImageJob", JobId=job_id)
    assert (foreign_job["_status"], foreign_job["Code"]) == (404, "InvalidJob.NotFound")
    assert raw_call(server, other_creds, "ListDynamicImageJobs", VideoId=video_id)["Total"] == 0
    assert len(owner.call("ListDynamicImage", VideoId=video_id)["DynamicImageList"]) == 1
