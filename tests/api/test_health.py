"""Readiness says what is wrong, liveness only that the process answers, and storage that
cannot be written is a clean 503 for uploads while the node stays ready (degraded)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import oss2
import pytest

from tests.support.clients import sdk_api
from tests.support.server import start_server
from tests.support.uploads import create_upload, oss_bucket


def test_unwritable_storage_degrades_readiness_and_turns_uploads_into_503(tmp_path: Path) -> None:
    server = start_server(tmp_path, DYNIMG_WORKERS="0")
    storage = tmp_path / "storage"
    try:
        ready = httpx.get(f"{server.url}/readyz", timeout=10)
        assert (ready.status_code, ready.json()) == (
            200, {"Status": "ok", "Checks": {"database": "ok", "storage": "ok", "broker": "ok"}}
        )  # fmt: skip
        api = sdk_api("tea-v3", server.endpoint, server.default_credentials())
        ticket = create_upload(api)
        # Break the storage: a file where its directories must go (what a full or read-only
        # disk does to writes, and something even root cannot write through).
        shutil.rmtree(storage)
        storage.write_bytes(b"")
        ready = httpx.get(f"{server.url}/readyz", timeout=10)
        # Still ready: reads are served without storage; the load balancer keeps the node.
        assert ready.status_code == 200
        assert ready.json() == {
            "Status": "degraded",
            "Checks": {"database": "ok", "storage": "not writable", "broker": "ok"},
        }
        alive = httpx.get(f"{server.url}/healthz", timeout=10)  # alive all the same
        assert (alive.status_code, alive.json()) == (200, {"Status": "ok"})
        bucket = oss_bucket(ticket["address"], ticket["auth"])
        with pytest.raises(oss2.exceptions.OssError) as caught:
            bucket.put_object(ticket["address"]["FileName"], b"video bytes")
        assert (caught.value.status, caught.value.code) == (503, "ServiceUnAvailable")
        assert "not writable" in caught.value.message
        storage.unlink()  # space is back: the same credentials can upload now
        bucket.put_object(ticket["address"]["FileName"], b"video bytes")
        assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
        assert 'dynimg_storage_errors_total{operation="put"}' in metrics
    finally:
        server.stop()
