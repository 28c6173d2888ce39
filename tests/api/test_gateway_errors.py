"""Every gateway error through the wire, with raw HTTP (and the SDKs where they can send it)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.support import signer
from tests.support.clients import ApiError, CoreApi, TeaApi
from tests.support.server import Credentials, ServerProcess, run_cli

ERROR_FIELDS = {"RequestId", "HostId", "Code", "Message", "Recommend"}


def post_v1(server: ServerProcess, params: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.url}/?{signer.query_string(params)}", timeout=10)


def v1(creds: Credentials, action: str = "ListVodTemplate", **extra: Any) -> dict[str, str]:
    params = {"Action": action, "TemplateType": "DynamicImage"}
    return signer.v1_params(params, creds.key_id, creds.secret, **extra)


def add_template(server: ServerProcess, creds: Credentials, config_text: str) -> httpx.Response:
    params = {
        "Action": "AddVodTemplate",
        "Name": "n",
        "TemplateType": "DynamicImage",
        "TemplateConfig": config_text,
    }
    return post_v1(server, signer.v1_params(params, creds.key_id, creds.secret))


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert (response.status_code, body.get("Code")) == (status, code), body
    assert set(body) == ERROR_FIELDS
    assert response.headers["x-acs-request-id"] == body["RequestId"]
    assert "Traceback" not in body["Message"] and "dynimg/" not in body["Message"]
    return body


def test_signed_v1_request_succeeds_with_extra_common_parameters(
    server: ServerProcess, creds: Credentials
) -> None:
    params = signer.v1_params(
        {
            "Action": "ListVodTemplate",
            "TemplateType": "DynamicImage",
            "RegionId": "cn-shanghai",
            "SignatureType": "",
            "Unknown": "ignored",
        },
        creds.key_id,
        creds.secret,
    )
    response = post_v1(server, params)
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["VodTemplateInfoList"], list)
    assert response.headers["content-type"].startswith("application/json")


def test_get_with_query_and_post_with_form_body(server: ServerProcess, creds: Credentials) -> None:
    get = httpx.get(f"{server.url}/", params=v1(creds, method="GET"), timeout=10)
    assert get.status_code == 200, get.text
    form = httpx.post(f"{server.url}/", data=v1(creds), timeout=10)
    assert form.status_code == 200, form.text


def test_stale_timestamp_is_expired(server: ServerProcess, creds: Credentials) -> None:
    stale = signer.utc_stamp(timedelta(minutes=-16))
    assert_error(post_v1(server, v1(creds, timestamp=stale)), 400, "InvalidTimeStamp.Expired")
    future = signer.utc_stamp(timedelta(minutes=16))
    assert_error(post_v1(server, v1(creds, timestamp=future)), 400, "InvalidTimeStamp.Expired")


def test_timestamp_within_window_is_accepted(server: ServerProcess, creds: Credentials) -> None:
    skewed = signer.utc_stamp(timedelta(minutes=-14))
    assert post_v1(server, v1(creds, timestamp=skewed)).status_code == 200


def test_malformed_timestamp(server: ServerProcess, creds: Credentials) -> None:
    response = post_v1(server, v1(creds, timestamp="2026-11-21 10:00:00"))
    assert_error(response, 400, "InvalidTimeStamp.Format")


def test_reused_nonce_is_refused(server: ServerProcess, creds: Credentials) -> None:
    params = v1(creds)
    assert post_v1(server, params).status_code == 200
    assert_error(post_v1(server, params), 400, "SignatureNonceUsed")


def test_v3_reused_nonce_is_refused(server: ServerProcess, creds: Credentials) -> None:
    query = {"TemplateType": "DynamicImage"}
    headers = signer.v3_headers(
        "ListVodTemplate", query, creds.key_id, creds.secret, host=server.endpoint
    )
    url = f"{server.url}/?{signer.query_string(query)}"
    assert httpx.post(url, headers=headers, timeout=10).status_code == 200
    assert_error(httpx.post(url, headers=headers, timeout=10), 400, "SignatureNonceUsed")


def test_v3_stale_date_is_expired(server: ServerProcess, creds: Credentials) -> None:
    query = {"TemplateType": "DynamicImage"}
    headers = signer.v3_headers(
        "ListVodTemplate",
        query,
        creds.key_id,
        creds.secret,
        host=server.endpoint,
        date=signer.utc_stamp(timedelta(hours=-1)),
    )
    response = httpx.post(f"{server.url}/?{signer.query_string(query)}", headers=headers)
    assert_error(response, 400, "InvalidTimeStamp.Expired")


def test_unknown_access_key(server: ServerProcess) -> None:
    ghost = Credentials("DYNIdoesnotexist00000000", "secret")
    assert_error(post_v1(server, v1(ghost)), 404, "InvalidAccessKeyId.NotFound")


def test_disabled_access_key(server: ServerProcess) -> None:
    creds = server.new_account("soon-disabled")
    assert post_v1(server, v1(creds)).status_code == 200
    run_cli(server.home, "keys", "disable", creds.key_id)
    assert_error(post_v1(server, v1(creds)), 400, "InvalidAccessKeyId.Inactive")


def test_wrong_secret_reports_the_servers_string_to_sign(
    server: ServerProcess, creds: Credentials
) -> None:
    params = v1(Credentials(creds.key_id, "not-the-secret"))
    body = assert_error(post_v1(server, params), 400, "SignatureDoesNotMatch")
    expected = signer.v1_string_to_sign("POST", params)
    assert body["Message"].endswith(f"server string to sign is:{expected}")


def test_tampered_parameter_does_not_match(server: ServerProcess, creds: Credentials) -> None:
    params = {**v1(creds), "TemplateType": "Snapshot"}
    assert_error(post_v1(server, params), 400, "SignatureDoesNotMatch")


def test_legacy_sdk_recognises_a_wrong_secret(server: ServerProcess, creds: Credentials) -> None:
    # aliyun-python-sdk-core compares the server's string to sign with its own and, when they
    # agree, reports the secret as wrong: that only works if the message format is exact.
    api = CoreApi(server.endpoint, Credentials(creds.key_id, "wrong-secret"))
    with pytest.raises(Exception) as caught:
        api.call("ListVodTemplate", TemplateType="DynamicImage")
    assert "InvalidAccessKeySecret" in str(caught.value)


def test_tea_sdk_reports_signature_mismatch(server: ServerProcess, creds: Credentials) -> None:
    api = TeaApi(server.endpoint, Credentials(creds.key_id, "wrong-secret"))
    with pytest.raises(ApiError) as caught:
        api.call("ListVodTemplate", TemplateType="DynamicImage")
    assert (caught.value.code, caught.value.status) == ("SignatureDoesNotMatch", 400)


def test_v3_body_hash_must_match(server: ServerProcess, creds: Credentials) -> None:
    headers = signer.v3_headers(
        "ListVodTemplate", {}, creds.key_id, creds.secret, host=server.endpoint, body=b""
    )
    response = httpx.post(server.url + "/", headers=headers, content=b"TemplateType=x")
    assert_error(response, 400, "IncompleteSignature")


def test_v3_acs_headers_must_be_signed(server: ServerProcess, creds: Credentials) -> None:
    query = {"TemplateType": "DynamicImage"}
    headers = signer.v3_headers(
        "ListVodTemplate",
        query,
        creds.key_id,
        creds.secret,
        host=server.endpoint,
        unsigned=frozenset({"x-acs-action"}),
    )
    response = httpx.post(f"{server.url}/?{signer.query_string(query)}", headers=headers)
    assert_error(response, 400, "IncompleteSignature")


def test_unknown_action(server: ServerProcess, creds: Credentials) -> None:
    response = post_v1(server, v1(creds, action="DescribeNothing"))
    assert_error(response, 404, "InvalidAction.NotFound")


def test_bad_version(server: ServerProcess, creds: Credentials) -> None:
    params = signer.v1_params(
        {"Action": "ListVodTemplate", "TemplateType": "DynamicImage", "Version": "2014-01-01"},
        creds.key_id,
        creds.secret,
    )
    assert_error(post_v1(server, params), 400, "InvalidVersion")


@pytest.mark.parametrize("missing", ["Signature", "AccessKeyId", "SignatureNonce", "Timestamp"])
def test_missing_common_parameter_is_named(
    server: ServerProcess, creds: Credentials, missing: str
) -> None:
    params = {k: v for k, v in v1(creds).items() if k != missing}
    body = assert_error(post_v1(server, params), 400, "MissingParameter")
    assert repr(missing) in body["Message"]


def test_missing_action_parameter_is_named(server: ServerProcess, creds: Credentials) -> None:
    params = signer.v1_params({"Action": "GetVodTemplate"}, creds.key_id, creds.secret)
    body = assert_error(post_v1(server, params), 400, "MissingParameter")
    assert "'VodTemplateId'" in body["Message"]


def test_invalid_parameter_is_named(server: ServerProcess, creds: Credentials) -> None:
    config = {"Container": {"Format": "gif"}, "Clip": {"TimeSpan": {"Seek": "x"}}}
    body = assert_error(add_template(server, creds, json.dumps(config)), 400, "InvalidParameter")
    assert "TemplateConfig.Clip.TimeSpan.Seek" in body["Message"]


def test_deeply_nested_config_is_refused(server: ServerProcess, creds: Credentials) -> None:
    nested = "[" * 5000 + "]" * 5000
    body = assert_error(add_template(server, creds, nested), 400, "InvalidParameter")
    assert "TemplateConfig" in body["Message"]


def test_oversized_request_is_refused(server: ServerProcess, creds: Credentials) -> None:
    response = httpx.post(
        server.url + "/", data={**v1(creds), "Padding": "x" * (2 << 20)}, timeout=30
    )
    assert_error(response, 413, "RequestEntityTooLarge")


def test_repeated_parameter_is_refused(server: ServerProcess, creds: Credentials) -> None:
    query = signer.query_string(v1(creds)) + "&TemplateType=DynamicImage"
    response = httpx.post(f"{server.url}/?{query}", timeout=10)
    body = assert_error(response, 400, "InvalidParameter")
    assert "'TemplateType'" in body["Message"]


def test_unsigned_request_names_the_signature(server: ServerProcess) -> None:
    response = httpx.get(server.url + "/?Action=ListVodTemplate&Version=2017-03-21")
    body = assert_error(response, 400, "MissingParameter")
    assert "Signature" in body["Message"] or "AccessKeyId" in body["Message"]


BEYOND_FLOAT = "1" + "0" * 400  # a JSON integer that float() cannot hold
IMAGE_MARK = {"Dx": "10", "Dy": "10", "Width": "0.2"}
TEXT_MARK = {"Content": "x"}


@pytest.mark.parametrize(
    ("kind", "config", "field"),
    [
        ("Image", {**IMAGE_MARK, "Dx": BEYOND_FLOAT}, "WatermarkConfig.Dx"),
        ("Image", {**IMAGE_MARK, "Width": BEYOND_FLOAT}, "WatermarkConfig.Width"),
        ("Image", {**IMAGE_MARK, "Timeline": {"Start": BEYOND_FLOAT}}, "Timeline.Start"),
        ("Image", {**IMAGE_MARK, "Timeline": {"Start": 1e308}}, "Timeline.Start"),
        ("Image", {**IMAGE_MARK, "Timeline": {"Duration": 1e308}}, "Timeline.Duration"),
        ("Text", {**TEXT_MARK, "FontAlpha": BEYOND_FLOAT}, "WatermarkConfig.FontAlpha"),
    ],
)
def test_numbers_beyond_float_range_are_named(
    server: ServerProcess, creds: Credentials, kind: str, config: dict[str, Any], field: str
) -> None:
    text = json.dumps(config).replace(f'"{BEYOND_FLOAT}"', BEYOND_FLOAT)
    params = {"Action": "AddWatermark", "Name": "n", "Type": kind, "WatermarkConfig": text}
    if kind == "Image":
        params["FileUrl"] = "http://127.0.0.1/dynimg/attached/x/file.png"
    response = post_v1(server, signer.v1_params(params, creds.key_id, creds.secret))
    body = assert_error(response, 400, "InvalidParameter")
    assert field in body["Message"]


def test_fps_beyond_float_range_is_named(server: ServerProcess, creds: Credentials) -> None:
    config = '{"Container":{"Format":"gif"},"Video":{"Fps":%s},"Clip":{"TimeSpan":{"Seek":"0"}}}'
    body = assert_error(add_template(server, creds, config % BEYOND_FLOAT), 400, "InvalidParameter")
    assert "TemplateConfig.Video.Fps" in body["Message"]


def test_usage_ending_at_the_first_day_is_named(server: ServerProcess, creds: Credentials) -> None:
    params = {"Action": "DescribeDynamicImageUsage", "EndTime": "0001-01-01T00:00:00Z"}
    response = post_v1(server, signer.v1_params(params, creds.key_id, creds.secret))
    body = assert_error(response, 400, "InvalidParameter")
    assert "'EndTime'" in body["Message"]


@pytest.mark.parametrize("name", ["StartTime", "EndTime"])
def test_usage_times_in_another_format_say_which_format(
    server: ServerProcess, creds: Credentials, name: str
) -> None:
    params = {"Action": "DescribeDynamicImageUsage", name: "2026-01-31"}
    response = post_v1(server, signer.v1_params(params, creds.key_id, creds.secret))
    body = assert_error(response, 400, "InvalidParameter")
    assert f"'{name}'" in body["Message"] and "yyyy-MM-ddTHH:mm:ssZ" in body["Message"]


def xml_call(server: ServerProcess, creds: Credentials, **params: str) -> httpx.Response:
    """A v1 request asking for ``Format=XML``, Alibaba's documented default."""
    signed = signer.v1_params({"Format": "XML", **params}, creds.key_id, creds.secret)
    return post_v1(server, signed)


def test_format_xml_is_answered_in_xml(server: ServerProcess, creds: Credentials) -> None:
    from xml.etree import ElementTree

    config = '{"Container":{"Format":"gif"},"Clip":{"TimeSpan":{"Seek":"0","Duration":"1"}}}'
    for _ in range(2):
        added = add_template(server, creds, config)
        assert added.status_code == 200, added.text
    response = xml_call(server, creds, Action="ListVodTemplate", TemplateType="DynamicImage")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml;charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "ListVodTemplateResponse"
    assert root.findtext("RequestId") == response.headers["x-acs-request-id"]
    items = root.findall("VodTemplateInfoList")  # flat: one element per item, no wrapper
    assert len(items) >= 2 and all(item.findtext("VodTemplateId") for item in items)
    assert post_v1(server, v1(creds)).json()["VodTemplateInfoList"]  # JSON stays the default


def test_format_xml_errors_are_xml(server: ServerProcess, creds: Credentials) -> None:
    from xml.etree import ElementTree

    response = xml_call(server, creds, Action="NoSuchAction")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/xml;charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Error"
    assert {child.tag for child in root} == ERROR_FIELDS
    assert root.findtext("Code") == "InvalidAction.NotFound"
    assert root.findtext("RequestId") == response.headers["x-acs-request-id"]
