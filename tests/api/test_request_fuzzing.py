"""Property-based request fuzzing of every RPC Action, the OSS endpoint and the file URLs.

Hypothesis draws, for every Action the gateway registers, validly signed requests whose
parameters are fuzzed (the Action's declared parameters, unknown ones, ids of both accounts,
JSON documents, sizes at and past each bound), then requests whose signature, common
parameters or headers are malformed, then OSS requests signed with a real upload grant, then
file requests with a valid auth_key and fuzzed ranges. For each answer: no 5xx, no traceback,
no secret (AccessKeySecret, AuthKey) and no path of the server's own. The profile is
derandomized with no example database, so a CI run is reproducible.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import oss2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynimg.api.rpc.registry import build_registry
from tests.support import figures, signer
from tests.support.accounts import AUTH_KEYS, TEXT_MARK, World, template_config
from tests.support.clients import sdk_api
from tests.support.server import Credentials
from tests.support.uploads import create_upload, oss_bucket

SUITE = "request fuzzing (tests/api/test_request_fuzzing.py)"
REGISTRY = build_registry()
PER_ACTION = int(os.environ.get("FUZZ_PER_ACTION", "260"))
MALFORMED = 1200
OSS_REQUESTS = 500
FILE_REQUESTS = 400
REPO = str(Path(__file__).resolve().parents[2])
PROFILE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
"""Reproducible in CI: derandomized, no example database, no deadline on a loaded machine."""


def profile(examples: int) -> settings:
    return settings(PROFILE, max_examples=examples)


_stats: Counter[str] = Counter()
PRINTABLE = st.characters(min_codepoint=32, max_codepoint=126)
"""What an HTTP client can put in a header or a key: the server's parsing is under test, not
h11's refusal to send a NUL."""


class Fuzz:
    """The pooled client, the fuzzing account, and the checks every answer gets.

    Requests are signed by an account of their own, F, so that fuzzed Deletes cannot spoil A's
    and B's objects for the cross-account matrix; A's and B's ids are in the fuzzed values, so
    each of those requests is also an attempt on another account's objects.
    """

    def __init__(self, world: World, creds: Credentials, own_ids: dict[str, str]) -> None:
        self.world = world
        self.creds = creds
        self.own_ids = own_ids
        self.client = httpx.Client(base_url=world.server.url, timeout=60)
        self.secrets = [
            world.a.secret, world.b.secret, creds.secret, *AUTH_KEYS.values(),
            world.server.default_key_fields().get("AccessKeySecret", world.a.secret),
        ]  # fmt: skip
        self.paths = [str(world.server.home), REPO, "site-packages", "/usr/lib/python"]

    def send(
        self, method: str, url: str, *, surface: str = "rpc", **kwargs: object
    ) -> httpx.Response:
        response = self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
        self.check(response, surface=surface)
        return response

    def check(self, response: httpx.Response, *, surface: str = "rpc") -> None:
        _stats["requests"] += 1
        text = response.text
        # OSS answers an operation it does not support with 501 NotImplemented, and so does
        # dynimg's upload-only endpoint (tests/api/test_uploads.py): counted apart, not a fault.
        oss_head = response.request.method == "HEAD" and "x-oss-request-id" in response.headers
        if response.status_code == 501 and ("<Code>NotImplemented</Code>" in text or oss_head):
            _stats["oss 501 NotImplemented"] += 1
            return
        _stats[f"{surface} {response.status_code // 100}xx"] += 1
        _stats["code " + _code(response)] += 1
        if response.status_code >= 500:
            _stats["5xx"] += 1
        assert response.status_code < 500, (response.status_code, text[:500])
        assert "Traceback" not in text and 'File "' not in text, text[:500]
        leaked = [s for s in self.secrets if s in text]
        assert not leaked, ("secret in answer", text[:500])
        paths = [p for p in self.paths if p in text]
        assert not paths, ("internal path in answer", paths, text[:500])


def _code(response: httpx.Response) -> str:
    """The Alibaba code of an RPC answer, for the figures; OSS and files answers are not JSON."""
    try:
        body = response.json()
    except ValueError:
        return "(not JSON)"
    return str(body.get("Code", "(success)")) if isinstance(body, dict) else "(not an object)"


@pytest.fixture(scope="module")
def fuzz(two_accounts: World, request: pytest.FixtureRequest) -> Iterator[Fuzz]:
    server = two_accounts.server
    creds = server.new_account("fuzz")
    api = sdk_api("tea-v3", server.endpoint, creds)
    mark = api.call("AddWatermark", Name="f", Type="Text", WatermarkConfig=TEXT_MARK)
    watermark = mark["WatermarkInfo"]["WatermarkId"]
    config = template_config(watermark)
    template = api.call(
        "AddVodTemplate", Name="f", TemplateType="DynamicImage", TemplateConfig=config
    )["VodTemplateId"]
    upload = create_upload(api, file_name="f.mp4")
    own = {"watermark": watermark, "template": template, "video": upload["VideoId"]}
    fuzzer = Fuzz(two_accounts, creds, own)
    yield fuzzer
    fuzzer.client.close()
    _figures_and_totals(request.session.items, request.module)
    log = "\n".join(two_accounts.server.output)
    assert "Traceback" not in log, log[-3000:]


# Parameter values ------------------------------------------------------------------------------

CONFIG_KEYS = [
    "Container", "Format", "Video", "Width", "Height", "Fps", "LongShortMode", "Clip",
    "TimeSpan", "Seek", "Duration", "End", "WatermarkIds", "Watermarks", "WatermarkId",
    "Content", "FontSize", "FontColor", "Dx", "Dy", "ReferPos", "Timeline", "Start", "Loop",
]  # fmt: skip
SPECIAL = [
    "", " ", "0", "-1", "1", "1.5", "-0.0", "1e309", "NaN", "Infinity", "99999999999999999999",
    "true", "null", "[]", "{}", '{"a":', "[[[[[[[[[[", "../../etc/passwd", "%00", "\x00",
    "\ud7ff", "é", "中文", "😀" * 10, "<script>", "' OR 1=1 --", "a,b,,c", "," * 50,
    "http://169.254.169.254/latest", "file:///etc/passwd", "gif", "webp", "DynamicImage",
    "Normal", "on", "off", "HTTP", "2026-11-29T00:00:00Z",
]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(CONFIG_KEYS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=12,
)


def values(fuzz: Fuzz, max_bytes: int) -> st.SearchStrategy[str]:
    pools = (fuzz.world.a_ids, fuzz.world.b_ids, fuzz.own_ids)
    ids = sorted({v for ids in pools for v in ids.values() if len(v) < 300})
    return st.one_of(
        st.sampled_from(SPECIAL),
        st.sampled_from(ids),
        st.text(max_size=40),
        st.text(alphabet="0123456789abcdef,", max_size=80),
        st.sampled_from([max_bytes, max_bytes + 1]).map(lambda n: "x" * n),
        json_values.map(json.dumps),
    )


def action_params(fuzz: Fuzz, name: str) -> st.SearchStrategy[dict[str, str]]:
    specs = REGISTRY[name].params
    declared = st.fixed_dictionaries(
        {}, optional={spec.name: values(fuzz, spec.max_bytes) for spec in specs}
    )
    extra = st.dictionaries(
        st.sampled_from(["PageNo", "PageSize", "AccessKeyId", "Action", "Version", "Foo"])
        | st.text(min_size=1, max_size=10),
        values(fuzz, 64),
        max_size=2,
    )
    return st.tuples(declared, extra).map(lambda pair: {**pair[1], **pair[0]})


# Validly signed requests, fuzzed parameters ----------------------------------------------------


@pytest.mark.parametrize("action", sorted(REGISTRY))
def test_signed_requests_with_fuzzed_parameters(fuzz: Fuzz, action: str) -> None:
    world = fuzz.world

    @profile(PER_ACTION)
    @given(params=action_params(fuzz, action), v3=st.booleans())
    def run(params: dict[str, str], v3: bool) -> None:
        creds = fuzz.creds
        # V3 puts the parameters in the URL; past httpx's 64 KB URLs they go signed V1 in a form.
        if v3 and sum(len(v) for v in params.values()) < 30_000:
            query = {k: v for k, v in params.items() if k not in ("Action", "Version")}
            headers = signer.v3_headers(
                action, query, creds.key_id, creds.secret, host=world.server.endpoint
            )
            fuzz.send("POST", "/?" + signer.query_string(query), headers=headers)
            return
        signed = signer.v1_params({**params, "Action": action}, creds.key_id, creds.secret)
        fuzz.send("POST", "/", data=signed)

    run()


# Malformed signatures, common parameters and headers -------------------------------------------

COMMON = ["Format", "Version", "AccessKeyId", "SignatureMethod", "SignatureVersion",
          "Timestamp", "SignatureNonce", "Signature", "Action"]  # fmt: skip


@st.composite
def malformed(draw: st.DrawFn, fuzz: Fuzz) -> tuple[str, str, dict[str, str], bytes]:
    world = fuzz.world
    action = draw(st.sampled_from(sorted(REGISTRY)) | st.text(max_size=20))
    creds = fuzz.creds
    signed = signer.v1_params({"Action": action}, creds.key_id, creds.secret)
    how = draw(st.sampled_from(["drop", "replace", "resign-wrong", "v3", "raw"]))
    headers: dict[str, str] = {}
    if how == "drop":
        for name in draw(st.lists(st.sampled_from(COMMON), min_size=1, max_size=4)):
            signed.pop(name, None)
    elif how == "replace":
        name = draw(st.sampled_from(COMMON))
        signed[name] = draw(values(fuzz, 256))
    elif how == "resign-wrong":
        secret = draw(st.sampled_from([world.a.secret, "", creds.secret + "x"]))
        signed = signer.v1_params(
            {"Action": action, **draw(st.dictionaries(st.text(max_size=8), st.text(max_size=8)))},
            creds.key_id, secret, timestamp=draw(st.sampled_from([None, "2000-01-01T00:00:00Z"])),
        )  # fmt: skip
    elif how == "v3":
        headers = signer.v3_headers(
            action if action in REGISTRY else "GetVideoList", {}, creds.key_id, creds.secret,
            host=world.server.endpoint,
        )  # fmt: skip
        name = draw(st.sampled_from(sorted(headers)))
        headers[name] = draw(st.text(alphabet=PRINTABLE).map(str.strip))  # h11 refuses padding
        signed = {}
    else:
        raw = draw(st.binary(max_size=300))
        return draw(st.sampled_from(["GET", "POST"])), "/?" + quote(raw), headers, raw
    method = draw(st.sampled_from(["GET", "POST"]))
    return method, "/?" + signer.query_string(signed), headers, b""


def test_malformed_signatures_and_headers(fuzz: Fuzz) -> None:
    @profile(MALFORMED)
    @given(request=malformed(fuzz))
    def run(request: tuple[str, str, dict[str, str], bytes]) -> None:
        method, url, headers, body = request
        response = fuzz.send(method, url, headers=headers, content=body or None)
        assert response.status_code != 200 or "Code" not in response.text

    run()


# The OSS endpoint, with a real grant -----------------------------------------------------------


def test_oss_requests_with_a_real_grant(fuzz: Fuzz) -> None:
    world = fuzz.world
    api = sdk_api("tea-v3", world.server.endpoint, fuzz.creds)
    ticket = create_upload(api, file_name="fuzz.mp4")
    bucket = oss_bucket(ticket["address"], ticket["auth"])
    own_key = ticket["address"]["FileName"]
    keys = st.sampled_from([own_key, world.b_ids["upload_key"], own_key + "x", ""]) | st.text(
        alphabet=PRINTABLE, max_size=30
    )

    @profile(OSS_REQUESTS)
    @given(
        op=st.sampled_from(["put", "init", "part", "complete", "list", "abort", "head", "raw"]),
        key=keys,
        body=st.binary(max_size=2048),
        upload_id=st.sampled_from(["", "0", "x" * 64]) | st.text(max_size=20),
        part=st.integers(min_value=-5, max_value=20000),
        headers=st.dictionaries(
            st.sampled_from(["Content-MD5", "Content-Type", "x-oss-meta-a", "Content-Length"]),
            st.text(alphabet=PRINTABLE, max_size=30).map(str.strip),
            max_size=2,
        ),
    )
    def run(
        op: str, key: str, body: bytes, upload_id: str, part: int, headers: dict[str, str]
    ) -> None:
        try:
            oss_call(fuzz, bucket, op, key or own_key, body, upload_id, part, headers)
        except oss2.exceptions.OssError as exc:
            status = int(exc.status)
            _stats["requests"] += 1
            _stats["oss 501 NotImplemented" if status == 501 else f"oss {status // 100}xx"] += 1
            # 501 NotImplemented is OSS's own answer to an operation it does not support.
            assert status < 500 or (status == 501 and exc.code == "NotImplemented"), exc
            assert "Traceback" not in str(exc.body) and not any(
                s.encode() in (exc.body or b"") for s in fuzz.secrets
            )

    run()


def oss_call(
    fuzz: Fuzz, bucket: oss2.Bucket, op: str, key: str, body: bytes, upload_id: str, part: int,
    headers: dict[str, str],
) -> None:  # fmt: skip
    headers = {k: v for k, v in headers.items() if k != "Content-Length"}  # httpx sets it
    if op == "raw":  # unsigned or half-signed, straight through httpx
        address = fuzz.world.a_ids
        fuzz.send("PUT", f"/{quote(key)}", surface="oss", content=body, headers=headers)
        target = f"/dynimg/{quote(address['upload_key'])}?uploadId={quote(upload_id)}"
        fuzz.send("GET", target, surface="oss")
        return
    calls = {
        "put": lambda: bucket.put_object(key, body, headers=headers),
        "init": lambda: bucket.init_multipart_upload(key, headers=headers),
        "part": lambda: bucket.upload_part(key, upload_id or "x", part, body, headers=headers),
        "complete": lambda: bucket.complete_multipart_upload(
            key, upload_id or "x", [oss2.models.PartInfo(max(part, 1), "etag")]
        ),
        "list": lambda: bucket.list_parts(key, upload_id or "x"),
        "abort": lambda: bucket.abort_multipart_upload(key, upload_id or "x"),
        "head": lambda: bucket.head_object(key),
    }
    calls[op]()
    _stats["requests"] += 1
    _stats["oss 2xx"] += 1


# File URLs -------------------------------------------------------------------------------------


def test_file_requests_with_fuzzed_ranges_and_keys(fuzz: Fuzz) -> None:
    url = urlsplit(fuzz.world.a_ids["file_url"])
    auth_key = url.query.removeprefix("auth_key=")
    ranges = st.one_of(
        st.builds(lambda a, b: f"bytes={a}-{b}", st.integers(-5, 10**6), st.integers(-5, 10**6)),
        st.builds(lambda a: f"bytes={a}-", st.integers(0, 10**25)),
        st.builds(lambda a: f"bytes=-{a}", st.integers(0, 10**25)),
        st.text(alphabet=PRINTABLE, max_size=40).map(str.strip),
    )
    keys = st.sampled_from([auth_key, auth_key[:-1], "", "0-0-0-0"]) | st.text(max_size=60)
    paths = st.sampled_from([url.path, url.path + "x", url.path.replace("gif", "webp")])

    @profile(FILE_REQUESTS)
    @given(path=paths | st.text(max_size=30).map(lambda t: "/" + quote(t)), key=keys,
           range_=ranges, method=st.sampled_from(["GET", "HEAD"]), etag=st.booleans())  # fmt: skip
    def run(path: str, key: str, range_: str, method: str, etag: bool) -> None:
        headers = {"Range": range_}
        if etag:
            headers["If-None-Match"] = f'"{fuzz.world.a_ids["image"]}"'
        fuzz.send(method, f"{path}?auth_key={quote(key)}", surface="files", headers=headers)

    run()


DRIVERS = {
    "test_signed_requests_with_fuzzed_parameters",
    "test_malformed_signatures_and_headers",
    "test_oss_requests_with_a_real_grant",
    "test_file_requests_with_fuzzed_ranges_and_keys",
}


def _figures_and_totals(session_items: list[pytest.Item], module: object) -> None:
    """The suite's figures, whatever part of it ran; its promised totals (10,000 requests, no
    5xx) when all of it ran. At the module fixture's end, not in a test that had to run last
    (it passed only after the rest of the module: order dependence)."""
    total = _stats["requests"]
    by_class = ", ".join(
        f"{k}={v}" for k, v in sorted(_stats.items()) if " " in k and not k.startswith("code ")
    )
    codes = [(k[5:], v) for k, v in _stats.most_common() if k.startswith("code ")]
    figures.record(SUITE, f"{total} requests over {len(REGISTRY)} Actions + OSS + files")
    figures.record(SUITE, f"by surface and status class: {by_class}; 5xx: {_stats['5xx']}")
    figures.record(SUITE, "top codes: " + ", ".join(f"{k}={v}" for k, v in codes[:10]))
    assert _stats["5xx"] == 0
    ran = {getattr(item, "originalname", item.name) for item in session_items
           if getattr(item, "module", None) is module}  # fmt: skip
    if ran >= DRIVERS:
        assert total >= 10_000, total
