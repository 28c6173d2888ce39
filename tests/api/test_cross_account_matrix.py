"""Every Action, called by account B with account A's ids, answers as if they did not exist.

One table, :data:`MATRIX`, names each Action the gateway registers and how B calls it:

* ``ids``: with A's ids. The answer must equal, once the ids are masked, the answer to the same
  call with ids that exist nowhere: not A's data, not a different error that tells B the id is
  real. After the whole matrix A's objects are all there, unchanged.
* ``list``: B's listing, whose body must not mention any of A's ids, URLs or keys.
* ``account``: B's own settings or totals, which must not show A's (callback URL, AuthKey, usage).
* ``create``: B creates something of its own, with A's references where it takes any.

Listings that take no VideoId are called again in their variants (:data:`LISTS_WITHOUT_VIDEO_ID`):
B must see its own objects there and none of A's.

A test fails when an Action is registered but missing from the table, so a new Action has to
say here how it keeps accounts apart. FileURLs and OSS upload grants are crossed too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import oss2
import pytest

from dynimg.api.rpc.registry import build_registry
from tests.support import figures
from tests.support.accounts import TEXT_MARK, Ids, World, template_config
from tests.support.rpc import raw_call
from tests.support.uploads import oss_bucket

SUITE = "cross-account matrix (tests/api/test_cross_account_matrix.py)"
MISSING: Ids = {
    "video": "f" * 32,
    "template": "e" * 32,
    "watermark": "d" * 32,
    "job": "c" * 32,
    "image": "b" * 32,
    "event": "a" * 32,
    "media_url": "",  # A's FileURL with another id: see missing_ids()
    "url_job": "8" * 32,
    "import_url": "https://import.invalid/missing.mp4",
}


@dataclass(frozen=True)
class Row:
    """How account B calls one Action, and which check applies (see the module docstring)."""

    kind: str
    params: Callable[[Ids, Ids], dict[str, str]]
    """Parameters from (the ids under test, B's own ids)."""


def _none(_a: Ids, _b: Ids) -> dict[str, str]:
    return {}


MATRIX: dict[str, Row] = {
    # Templates
    "AddVodTemplate": Row(
        "ids",  # with A's watermark
        lambda a, b: {
            "Name": "b",
            "TemplateType": "DynamicImage",
            "TemplateConfig": template_config(a["watermark"]),
        },
    ),
    "GetVodTemplate": Row("ids", lambda a, b: {"VodTemplateId": a["template"]}),
    "UpdateVodTemplate": Row("ids", lambda a, b: {"VodTemplateId": a["template"], "Name": "x"}),
    "DeleteVodTemplate": Row("ids", lambda a, b: {"VodTemplateId": a["template"]}),
    "ListVodTemplate": Row("list", lambda a, b: {"TemplateType": "DynamicImage"}),
    # Uploads
    "CreateUploadVideo": Row("create", lambda a, b: {"Title": "b", "FileName": "b.mp4"}),
    "RefreshUploadVideo": Row("ids", lambda a, b: {"VideoId": a["video"]}),
    "CreateUploadImage": Row("create", lambda a, b: {"ImageType": "default", "ImageExt": "png"}),
    "CreateUploadAttachedMedia": Row(
        "create", lambda a, b: {"BusinessType": "watermark", "MediaExt": "png"}
    ),
    # Videos
    "GetVideoInfo": Row("ids", lambda a, b: {"VideoId": a["video"]}),
    "GetVideoInfos": Row("ids", lambda a, b: {"VideoIds": f"{a['video']},{b['video']}"}),
    "GetVideoList": Row("list", _none),
    "UpdateVideoInfo": Row("ids", lambda a, b: {"VideoId": a["video"], "Title": "stolen"}),
    "GetMezzanineInfo": Row("ids", lambda a, b: {"VideoId": a["video"]}),
    "DeleteVideo": Row("ids", lambda a, b: {"VideoIds": a["video"]}),
    # Watermarks
    "AddWatermark": Row(
        "ids",  # A's attached-media FileURL as B's image watermark
        lambda a, b: {
            "Name": "b",
            "Type": "Image",
            "FileUrl": a["media_url"],
            "WatermarkConfig": json.dumps({"Width": "32"}),
        },
    ),
    "UpdateWatermark": Row(
        "ids", lambda a, b: {"WatermarkId": a["watermark"], "WatermarkConfig": TEXT_MARK}
    ),
    "GetWatermark": Row("ids", lambda a, b: {"WatermarkId": a["watermark"]}),
    "ListWatermark": Row("list", _none),
    "DeleteWatermark": Row("ids", lambda a, b: {"WatermarkId": a["watermark"]}),
    "SetDefaultWatermark": Row("ids", lambda a, b: {"WatermarkId": a["watermark"]}),
    # Jobs and images
    "SubmitDynamicImageJob": Row(
        "ids", lambda a, b: {"VideoId": a["video"], "DynamicImageTemplateId": b["template"]}
    ),
    "GetDynamicImageJob": Row("ids", lambda a, b: {"JobId": a["job"]}),
    "ListDynamicImageJobs": Row("ids", lambda a, b: {"VideoId": a["video"]}),
    "ListDynamicImage": Row("ids", lambda a, b: {"VideoId": a["video"]}),
    "DeleteDynamicImage": Row(
        "ids", lambda a, b: {"VideoId": a["video"], "DynamicImageIds": a["image"]}
    ),
    "GetAnimatedImageUrl": Row(
        "ids", lambda a, b: {"VideoId": a["video"], "ImageFormat": "gif", "Start": "0", "End": "1"}
    ),
    "GetThumbnailUrl": Row("ids", lambda a, b: {"VideoId": a["video"], "Time": "0.5"}),
    # Snapshots
    "SubmitSnapshotJob": Row("ids", lambda a, b: {"VideoId": a["video"], "Count": "1"}),
    "ListSnapshots": Row(
        "ids", lambda a, b: {"VideoId": a["video"], "SnapshotType": "NormalSnapshot"}
    ),
    # Imports from a URL
    "UploadMediaByURL": Row("create", lambda a, b: {"UploadURLs": "https://import.invalid/b.mp4"}),
    "GetURLUploadInfos": Row("ids", lambda a, b: {"JobIds": a["url_job"]}),
    # Callbacks, events, usage
    "SetMessageCallback": Row(
        "account", lambda a, b: {"CallbackType": "HTTP", "CallbackURL": b["callback_url"]}
    ),
    "GetMessageCallback": Row("account", _none),
    "DeleteMessageCallback": Row("account", _none),
    "ListCallbackEvents": Row("list", _none),
    "RedeliverCallbackEvent": Row("ids", lambda a, b: {"EventId": a["event"]}),
    "DescribeDynamicImageUsage": Row("account", _none),
}
# Where B's own objects can stand in for A's: the other half of a two-id Action.
EXTRA_IDS_CASES: list[tuple[str, Callable[[Ids, Ids], dict[str, str]]]] = [
    (
        "SubmitDynamicImageJob",
        lambda a, b: {"VideoId": b["video"], "DynamicImageTemplateId": a["template"]},
    ),
    ("DeleteDynamicImage", lambda a, b: {"VideoId": b["video"], "DynamicImageIds": a["image"]}),
    (
        "SubmitSnapshotJob",
        lambda a, b: {"VideoId": b["video"], "SnapshotTemplateId": a["template"]},
    ),
    ("GetURLUploadInfos", lambda a, b: {"UploadURLs": a["import_url"]}),
]


# Listings called without a VideoId, each filter a path of its own that can lose the account:
# (Action, parameters, what of B's own the answer must show: the control that B's list is not
# empty, and A's of the same kind shows in A's). The matrix calls ListDynamicImageJobs with
# A's VideoId only; an account filter dropped only without it was caught by a browser walk.
LISTS_WITHOUT_VIDEO_ID: list[tuple[str, dict[str, str], str]] = [
    ("ListDynamicImageJobs", {}, "job"),
    ("ListDynamicImageJobs", {"PageSize": "100"}, "job"),
    ("ListDynamicImageJobs", {"Status": "Success", "PageSize": "100"}, "job"),
    ("GetVideoList", {"PageSize": "100"}, "video"),
    ("GetVideoList", {"Status": "Normal", "PageSize": "100"}, "video"),
    ("GetVideoList", {"Status": "Normal,Uploading", "SortBy": "CreationTime:Asc"}, "video"),
    ("ListVodTemplate", {"TemplateType": "DynamicImage"}, "template"),
    ("ListWatermark", {}, "watermark"),
    ("ListCallbackEvents", {"PageSize": "100"}, "event"),
    ("ListCallbackEvents", {"State": "delivered", "PageSize": "100"}, ""),  # delivery is async
]


def test_every_registered_action_is_in_the_matrix() -> None:
    assert set(MATRIX) == set(build_registry())


def masked(body: dict[str, Any], ids: Ids) -> str:
    text = json.dumps({k: v for k, v in body.items() if k != "RequestId"}, sort_keys=True)
    for name, value in ids.items():
        if name in MISSING:
            text = text.replace(value, f"<{name}>")
    text = re.sub(r"auth_key=[^\"&]+", "auth_key=<signed>", text)  # fresh on every call
    return re.sub(r"[0-9a-f]{32}", "<new-id>", text)


def missing_ids(two_accounts: World) -> Ids:
    """Ids shaped like A's that exist nowhere."""
    return {
        **MISSING,
        "media_url": re.sub(r"[0-9a-f]{32}", "9" * 32, two_accounts.a_ids["media_url"]),
    }


def a_values(two_accounts: World) -> list[str]:
    """Every string of A's that B must never be shown."""
    keep = ("video", "template", "watermark", "job", "image", "event", "media_key", "url_job",
            "import_url")  # fmt: skip
    return [two_accounts.a_ids[k] for k in keep] + [
        two_accounts.a_ids["callback_url"],
        *two_accounts.a_secrets,
    ]


def test_b_with_a_ids_gets_what_a_missing_id_gets(two_accounts: World) -> None:
    cases = [(name, row.params) for name, row in MATRIX.items() if row.kind == "ids"]
    before = snapshot(two_accounts)
    for name, params in [*cases, *EXTRA_IDS_CASES]:
        foreign = raw_call(
            two_accounts.server,
            two_accounts.b,
            name,
            **params(two_accounts.a_ids, two_accounts.b_ids),
        )
        missing_params = params(missing_ids(two_accounts), two_accounts.b_ids)
        missing = raw_call(two_accounts.server, two_accounts.b, name, **missing_params)
        assert masked(foreign, two_accounts.a_ids) == masked(missing, missing_ids(two_accounts)), (
            name
        )
        assert foreign["_status"] < 500, (name, foreign)
    assert snapshot(two_accounts) == before, "B changed A's objects"
    figures.record(SUITE, f"id Actions: {len(cases) + len(EXTRA_IDS_CASES)} foreign-id calls")


def test_b_lists_and_settings_never_show_a(two_accounts: World) -> None:
    rows = {n: r for n, r in MATRIX.items() if r.kind in ("list", "account", "create")}
    for name, row in rows.items():
        body = raw_call(
            two_accounts.server,
            two_accounts.b,
            name,
            **row.params(two_accounts.a_ids, two_accounts.b_ids),
        )
        assert body["_status"] < 500, (name, body)
        text = json.dumps(body)
        leaked = [value for value in a_values(two_accounts) if value in text]
        assert not leaked, (name, leaked)
    a_callback = raw_call(two_accounts.server, two_accounts.a, "GetMessageCallback")[
        "MessageCallback"
    ]
    assert a_callback["CallbackURL"] == two_accounts.a_ids["callback_url"], "B's calls changed A's"
    figures.record(SUITE, f"list/account/create Actions: {len(rows)} checked for A's data")


def test_lists_without_a_video_id_show_b_its_own_and_never_a(two_accounts: World) -> None:
    for name, params, own in LISTS_WITHOUT_VIDEO_ID:
        body = raw_call(two_accounts.server, two_accounts.b, name, **params)
        assert body["_status"] == 200, (name, params, body)
        text = json.dumps(body)
        leaked = [value for value in a_values(two_accounts) if value in text]
        assert not leaked, (name, params, leaked)
        if own:
            assert two_accounts.b_ids[own] in text, (name, params, "B's own list is empty")
            mine = json.dumps(raw_call(two_accounts.server, two_accounts.a, name, **params))
            assert two_accounts.a_ids[own] in mine, (name, params, "A's list, the control")
    figures.record(SUITE, f"lists without a VideoId: {len(LISTS_WITHOUT_VIDEO_ID)} calls by B")


def test_file_urls_and_upload_grants_do_not_cross(two_accounts: World) -> None:
    a_url, b_url = (
        urlsplit(two_accounts.a_ids["file_url"]),
        urlsplit(two_accounts.b_ids["file_url"]),
    )
    base = two_accounts.server.url
    assert httpx.get(f"{base}{b_url.path}?{b_url.query}").status_code == 200
    crossed = httpx.get(f"{base}{b_url.path}?{a_url.query}")  # A's auth_key on B's image
    assert crossed.status_code == 403
    checked = 2
    for grant in ("upload_grant", "media_grant"):
        address, auth = json.loads(two_accounts.a_ids[grant])
        bucket = oss_bucket(address, auth)
        for target in ("upload_key", "media_key"):
            with pytest.raises(oss2.exceptions.OssError) as denied:
                bucket.put_object(two_accounts.b_ids[target], b"overwrite")
            assert denied.value.status == 403, (grant, target)
            checked += 1
    figures.record(SUITE, f"FileURL and OSS grant crossings refused: {checked}")
    figures.record(SUITE, f"matrix: {len(MATRIX)} Actions (all registered), 2 accounts")


def snapshot(two_accounts: World) -> str:
    """A's objects as A sees them, to compare before and after B's attempts."""
    a = two_accounts.a_ids
    calls = [
        ("GetVodTemplate", {"VodTemplateId": a["template"]}),
        ("GetVideoInfo", {"VideoId": a["video"]}),
        ("GetWatermark", {"WatermarkId": a["watermark"]}),
        ("GetDynamicImageJob", {"JobId": a["job"]}),
        ("ListDynamicImage", {"VideoId": a["video"]}),
        ("GetMessageCallback", {}),
    ]
    bodies = [
        raw_call(two_accounts.server, two_accounts.a, name, **params) for name, params in calls
    ]
    for body in bodies:
        assert body["_status"] == 200, body
    text = json.dumps([{k: v for k, v in b.items() if k != "RequestId"} for b in bodies])
    return re.sub(r"auth_key=[^\"&]+", "auth_key=<signed>", text)
