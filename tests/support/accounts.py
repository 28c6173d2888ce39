"""Two accounts on one server, each owning one of everything: the isolation suites' world.

Account A and account B each have a callback (with an AuthKey), an attached-media upload, a
text watermark, a template using it, a probed video, a finished job with its image and
callback event, and an upload grant not used yet. The server's rate limits are lifted so the
request fuzzer can share it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from tests.support.clients import sdk_api
from tests.support.jobs import wait_for_images, wait_for_job
from tests.support.media import make_clip
from tests.support.receiver import Receiver
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess, start_server
from tests.support.uploads import create_upload, decode, oss_bucket, upload_file, wait_for_status

Ids = dict[str, str]
TEXT_MARK = json.dumps({"Content": "A", "FontSize": 20})
AUTH_KEYS = {"a": "AuthKeyOfA1", "b": "AuthKeyOfB2"}


def template_config(watermark: str) -> str:
    config = {"Container": {"Format": "gif"}, "Clip": {"TimeSpan": {"Seek": "0"}}}
    return json.dumps({**config, "WatermarkIds": [watermark]})


def two_account_world(home: Path, clips: Path) -> Iterator[World]:
    """Start the server, give A and B their objects, yield, stop."""
    server = start_server(
        home,
        DYNIMG_ALLOW_PRIVATE_CALLBACKS="true",
        DYNIMG_SUBMIT_RATE_PER_SECOND="1000000",
        DYNIMG_LIST_RATE_PER_SECOND="1000000",
    )
    receiver = Receiver(failures=0)
    clip = make_clip(clips / "c.mp4", seconds=1, size=(64, 48))
    try:
        a, b = server.default_credentials(), server.new_account("matrix-b")
        a_ids = objects_of(server, a, clip.path, receiver.url + "?a", AUTH_KEYS["a"])
        b_ids = objects_of(server, b, clip.path, receiver.url + "?b", AUTH_KEYS["b"])
        yield World(server, a, b, a_ids, b_ids, [a.secret, AUTH_KEYS["a"]])
    finally:
        receiver.close()
        server.stop()


@dataclass
class World:
    """The server, both keys and the ids of what each account owns."""

    server: ServerProcess
    a: Credentials
    b: Credentials
    a_ids: Ids
    b_ids: Ids
    a_secrets: list[str]
    """What only A may see: its AccessKeySecret and its callback AuthKey."""


def objects_of(
    server: ServerProcess, creds: Credentials, clip: Path, callback: str, auth_key: str
) -> Ids:
    """One of everything an account can own, with the ids, URLs and grants to reach them."""
    api = sdk_api("tea-v3", server.endpoint, creds)
    api.call(
        "SetMessageCallback", CallbackType="HTTP", CallbackURL=callback, AuthSwitch="on",
        AuthKey=auth_key, EventTypeList="DynamicImageComplete",
    )  # fmt: skip
    media = api.call("CreateUploadAttachedMedia", BusinessType="watermark", MediaExt="png")
    address, auth = decode(media["UploadAddress"]), decode(media["UploadAuth"])
    oss_bucket(address, auth).put_object(address["FileName"], _png())
    watermark = api.call("AddWatermark", Name="w", Type="Text", WatermarkConfig=TEXT_MARK)[
        "WatermarkInfo"
    ]["WatermarkId"]
    template = api.call(
        "AddVodTemplate", Name="t", TemplateType="DynamicImage",
        TemplateConfig=template_config(watermark),
    )["VodTemplateId"]  # fmt: skip
    ticket = create_upload(api)
    upload_file(ticket, clip)
    video = ticket["VideoId"]
    assert wait_for_status(api, video, "Normal", timeout=120)["Status"] == "Normal"
    job = api.call("SubmitDynamicImageJob", VideoId=video, DynamicImageTemplateId=template)[
        "DynamicImageJob"
    ]["JobId"]
    assert wait_for_job(server, creds, job, timeout=120)["Status"] == "Success"
    [image] = wait_for_images(api, video, timeout=120)
    pending = create_upload(api)  # an upload grant not used yet
    imported = f"https://import.invalid/{creds.key_id}.mp4"  # an import that will fail
    [url_job] = api.call("UploadMediaByURL", UploadURLs=imported)["UploadJobs"]
    events = raw_call(server, creds, "ListCallbackEvents")["EventList"]
    return {
        "video": video, "template": template, "watermark": watermark, "job": job,
        "image": image["DynamicImageId"], "file_url": image["FileURL"],
        "event": events[0]["EventId"] if events else "none", "media_url": media["FileURL"],
        "media_key": address["FileName"], "media_grant": json.dumps([address, auth]),
        "upload_key": pending["address"]["FileName"],
        "upload_grant": json.dumps([pending["address"], pending["auth"]]),
        "callback_url": callback, "url_job": url_job["JobId"], "import_url": imported,
    }  # fmt: skip


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (32, 16), (0, 0, 255, 128)).save(buffer, "PNG")
    return buffer.getvalue()
