"""The health check says what is wrong, and storage that cannot be written is a clean 503."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import oss2
import pytest

from tests.support.clients import sdk_api
from tests.support.server import start_server
from tests.support.uploads import create_upload, oss_bucket


def test_unwritable_storage_turns_health_red_and_uploads_into_503(tmp_path: Path) -> None:
    server = start_server(tmp_path, DYNIMG_WORKERS="0")
    storage = tmp_path / "storage"
    try:
        health = httpx.get(f"{server.url}/healthz", timeout=10)
        assert (health.status_code, health.json()["Checks"]) == (
            200, {"database": "ok", "storage": "ok"}
        )  # fmt: skip
        api = sdk_api("tea-v3", server.endpoint, server.default_credentials())
        ticket = create_upload(api)
        # Break the storage: a file where its directories must go (what a full or read-only
        # disk does to writes, and something even root cannot write through).
        shutil.rmtree(storage)
        storage.write_bytes(b"")
        health = httpx.get(f"{server.url}/healthz", timeout=10)
        assert health.status_code == 503
        assert health.json() == {
            "Status": "unavailable",
            "Checks": {"database": "ok", "storage": "not writable"},
        }
        bucket = oss_bucket(ticket["address"], ticket["auth"])
        with pytest.raises(oss2.exceptions.OssError) as caught:
            bucket.put_object(ticket["address"]["FileName"], b"video bytes")
        assert (caught.value.status, caught.value.code) == (503, "ServiceUnAvailable")
        assert "not writable" in caught.value.message
        storage.unlink()  # space is back: the same credentials can upload now
        bucket.put_object(ticket["address"]["FileName"], b"video bytes")
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    finally:
        server.stop()
