"""dynimg's type-A ``auth_key`` against Alibaba's documented scheme, with known answers.

The expected digests are literal values: Alibaba's own example and vectors worked out from the
documented formula ``md5("{URI}-{timestamp}-{rand}-{uid}-{PrivateKey}")`` (the strings they
hash are written next to them). What dynimg signs is checked with the tests' own signer
(tests/support/auth_key.py), never with dynimg's.
"""

from __future__ import annotations

import pytest

from dynimg.domain.url_signing import DeliveryPolicy, sign_path, signed_text, verify
from tests.support import auth_key as type_a

# (URI, timestamp, rand, uid, private key, md5 of "URI-timestamp-rand-uid-key")
VECTORS = [
    # Alibaba's example (DOCS-CDN "Type A signing"): the URL
    # http://cdn.example.com/video/standard/1K.html?auth_key=1444435200-0-0-80cd38...
    ("/video/standard/1K.html", 1444435200, "0", "0", "aliyuncdnexp1234",
     "80cd3862d699b7118eed99103f2a3a4f"),
    # md5("/5aed81b74ba84920be578cdfe004af4b/image/dynamic/9f2c.webp-1597296785-
    #      477b3bbc253f467b8def6711128c7bec-1234-Secr3tKey")
    ("/5aed81b74ba84920be578cdfe004af4b/image/dynamic/9f2c.webp", 1597296785,
     "477b3bbc253f467b8def6711128c7bec", "1234", "Secr3tKey",
     "4837381dea830ffcca4bf7f47ad71bb8"),
    # An on-demand URL signs its canonical query too:
    # md5("/videos/v1/animated.gif?end=2&start=1-2000000000-0-42-key")
    ("/videos/v1/animated.gif?end=2&start=1", 2000000000, "0", "42", "key",
     "6e2b7407677f8709104ac44dcdb355a2"),
]  # fmt: skip


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("uri", "timestamp", "rand", "uid", "key", "digest"), VECTORS)
def test_known_answers(
    uri: str, timestamp: int, rand: str, uid: str, key: str, digest: str
) -> None:
    assert type_a.type_a_hash(uri, timestamp, rand, uid, key) == digest  # the tests' signer
    value = f"{timestamp}-{rand}-{uid}-{digest}"
    assert verify(uri, value, [key], now=timestamp), "dynimg accepts what a CDN signs"
    assert verify(uri, value, ["old-key", key], now=timestamp), "any configured key verifies"
    assert not verify(uri, value, ["another-key"], now=timestamp)
    assert not verify(uri, value, [key], now=timestamp + 1), "expired"
    swapped = f"{timestamp}-{rand}-{uid}-{type_a.type_a_hash(uri, rand, timestamp, uid, key)}"
    assert not verify(uri, swapped, [key], now=timestamp), "the field order matters"


@pytest.mark.timeout(10)
def test_alibabas_documented_url() -> None:
    uri, key, value = type_a.DOCUMENTED_VECTOR
    assert type_a.auth_key(uri, key, 1444435200) == value
    assert verify(uri, value, [key], now=1444435000)


@pytest.mark.timeout(10)
def test_what_dynimg_signs_a_cdn_accepts() -> None:
    path = "/5aed81b74ba84920be578cdfe004af4b/image/dynamic/9f2c.webp"
    assert type_a.is_signed_by(path, sign_path(path, "Secr3tKey", 2_000_000_000), "Secr3tKey")
    assert type_a.is_signed_by(path, sign_path(path, "k", 2_000_000_000, "77"), "k")
    policy = DeliveryPolicy("https://cdn.example.com/", ("new", "old"), 600)
    url = policy.file_url(path, now=1_700_000_000)
    assert url.startswith(f"https://cdn.example.com{path}?auth_key=1700000600-")
    assert type_a.file_url_is_signed_by(url, "new") and not type_a.file_url_is_signed_by(url, "old")
    query = [("start", "1"), ("end", "2"), ("text", "a b*~/é")]
    on_demand = policy.query_url("/videos/v1/animated.gif", query, "42", expires=2_000_000_000)
    value = on_demand.rsplit("auth_key=", 1)[1]
    assert value.startswith("2000000000-") and value.split("-")[2] == "42"
    uri = type_a.on_demand_uri("/videos/v1/animated.gif", query)
    assert uri == "/videos/v1/animated.gif?end=2&start=1&text=a%20b%2A~%2F%C3%A9"
    assert signed_text("/videos/v1/animated.gif", query) == uri
    assert type_a.is_signed_by(uri, value, "new")
