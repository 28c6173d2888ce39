from __future__ import annotations

import hashlib

import pytest

from dynimg.domain.signing import RpcRequest, canonical_query, extract_claim, percent_encode
from dynimg.errors import IncompleteSignature, InvalidParameter, MissingParameter
from tests.support import signer


def v1_request(params: dict[str, str], method: str = "GET") -> RpcRequest:
    return RpcRequest(method, "/", list(params.items()), [], {}, b"")


def test_documented_hmac_sha1_vector() -> None:
    params = {
        "AccessKeyId": "testAccessKeyId",
        "Action": "GetVideoPlayAuth",
        "Format": "JSON",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "8f8a035d-6496-4268-afd4-67c22837e38d",
        "SignatureVersion": "1.0",
        "Timestamp": "2017-10-10T12:02:54Z",
        "Version": "2017-03-21",
        "VideoId": "5aed81b74ba84920be578cdfe004af4b",
        "Signature": "Ibgh7y8Vp47LBuAsf5Xhi1SvDss=",
    }
    claim = extract_claim(v1_request(params))
    assert claim.string_to_sign == (
        "GET&%2F&AccessKeyId%3DtestAccessKeyId%26Action%3DGetVideoPlayAuth%26Format%3DJSON"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D8f8a035d-6496-4268-afd4-67c22837e38d"
        "%26SignatureVersion%3D1.0%26Timestamp%3D2017-10-10T12%253A02%253A54Z"
        "%26Version%3D2017-03-21%26VideoId%3D5aed81b74ba84920be578cdfe004af4b"
    )
    assert claim.matches("testAccessKeySecret")
    assert not claim.matches("testAccessKeySecreT")


def test_captured_tea_v3_request_verifies() -> None:
    # Captured from alibabacloud-vod20170321 3.12.1 (reference section 8.2), secret "testsecret".
    query = [("VideoId", "2e114f1100590c3193918fd449a****")]
    headers = {
        "host": "127.0.0.1:8080",
        "x-acs-version": "2017-03-21",
        "x-acs-action": "ListDynamicImage",
        "user-agent": "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
        "x-acs-date": "2026-11-21T15:45:02Z",
        "x-acs-signature-nonce": "05c90236a2cbb3bb9dcba79084b86915",
        "accept": "application/json",
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
        "x-acs-credentials-provider": "static_ak",
        "authorization": "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=accept;host;"
        "user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;"
        "x-acs-signature-nonce;x-acs-version,"
        "Signature=913bf7476822c1968860a7a3b01d958058a401cb6eb9f77dce04d12666876413",
    }
    claim = extract_claim(RpcRequest("POST", "/", query, [], headers, b""))
    assert claim.access_key_id == "testid"
    assert claim.matches("testsecret")


def test_v3_signature_of_the_reference_signer_verifies() -> None:
    query = {"Name": "a b*~", "TemplateType": "DynamicImage"}
    headers = signer.v3_headers("AddVodTemplate", query, "kid", "sec", host="h:1")
    claim = extract_claim(RpcRequest("POST", "/", list(query.items()), [], headers, b""))
    assert claim.matches("sec")


def test_percent_encoding_follows_rfc3986() -> None:
    assert percent_encode("a b*~/") == "a%20b%2A~%2F"
    assert canonical_query([("b", "2"), ("a", "é")]) == "a=%C3%A9&b=2"


def test_v1_needs_every_common_parameter() -> None:
    with pytest.raises(MissingParameter) as caught:
        extract_claim(v1_request({"AccessKeyId": "x"}))
    assert caught.value.parameter == "Signature"


def test_v1_refuses_other_methods() -> None:
    params = signer.v1_params({}, "k", "s")
    with pytest.raises(InvalidParameter):
        extract_claim(v1_request({**params, "SignatureMethod": "HMAC-SHA256"}))


def test_v3_malformed_authorization() -> None:
    headers = {"authorization": "ACS3-HMAC-SHA256 nonsense"}
    with pytest.raises(IncompleteSignature):
        extract_claim(RpcRequest("POST", "/", [], [], headers, b""))
