"""Per-account rate limits hold across API nodes when they share Redis, and only then."""

from __future__ import annotations

from pathlib import Path

import httpx

from dynimg.adapters.rate_limits import SlidingWindowLimiter
from tests.support import signer
from tests.support.rpc import raw_call
from tests.support.server import start_server


def list_codes(tmp_path: Path, database: str, **env: str) -> list[str]:
    """One ListDynamicImage call on node A, then one on node B, right after; then a replay."""
    common = {"DYNIMG_DATABASE_URL": database, "DYNIMG_WORKERS": "0",
              "DYNIMG_LIST_RATE_PER_SECOND": "0.1", **env}  # fmt: skip  # 1 call per 10 s
    nodes = [start_server(tmp_path / name, **common) for name in ("a", "b")]
    try:
        creds = nodes[0].default_credentials()
        codes = [
            raw_call(node, creds, "ListDynamicImage", VideoId="0" * 32)["Code"] for node in nodes
        ]
        # A signed request replayed to the other node is refused there: nonces are shared.
        signed = signer.v1_params({"Action": "GetMessageCallback"}, creds.key_id, creds.secret)
        replies = [
            httpx.post(f"{node.url}/?{signer.query_string(signed)}", timeout=30).json()["Code"]
            for node in nodes
        ]
        assert replies == ["NoSuchResource", "SignatureNonceUsed"], replies
        return codes
    finally:
        for node in nodes:
            node.stop()


def test_limits_are_shared_through_redis(
    tmp_path: Path, postgres_database: str, redis_prefix: tuple[str, str]
) -> None:
    url, prefix = redis_prefix
    codes = list_codes(tmp_path, postgres_database, DYNIMG_REDIS_URL=url,
                       DYNIMG_REDIS_KEY_PREFIX=prefix)  # fmt: skip
    assert codes == ["InvalidVideo.NotFound", "Throttling.User"]


def test_without_redis_each_process_counts_alone(tmp_path: Path, postgres_database: str) -> None:
    codes = list_codes(tmp_path, postgres_database)
    assert codes == ["InvalidVideo.NotFound", "InvalidVideo.NotFound"]


def test_an_unreachable_redis_fails_open() -> None:
    limiter = SlidingWindowLimiter({"ListDynamicImage": 1}, "redis://127.0.0.1:1/0")
    assert limiter.allow("account", "ListDynamicImage")
    assert limiter.allow("account", "ListDynamicImage"), "not counted: Redis is down"
    assert not limiter.healthy()


def test_rates_below_one_per_second_become_longer_windows() -> None:
    limiter = SlidingWindowLimiter({"SubmitDynamicImageJob": 0.5, "ListDynamicImage": 3})
    assert [limiter.allow("a", "SubmitDynamicImageJob") for _ in range(2)] == [True, False]
    assert [limiter.allow("a", "ListDynamicImage") for _ in range(4)] == [True] * 3 + [False]
    assert limiter.allow("b", "ListDynamicImage"), "accounts are counted apart"
    assert limiter.allow("a", "GetDynamicImageJob"), "unlimited Actions pass"
