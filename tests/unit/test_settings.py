from __future__ import annotations

from pathlib import Path

import pytest

from dynimg.errors import ConfigurationError
from dynimg.settings import load_settings


def test_defaults_use_the_embedded_backends() -> None:
    settings = load_settings({})
    assert settings.home == Path("./var")
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("/var/dynimg.db")
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)


def test_every_error_is_reported_at_once() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings({"DYNIMG_PORT": "http", "DYNIMG_LOG_LEVEL": "loud", "DYNIMG_TYPO": "1"})
    message = caught.value.message
    assert "DYNIMG_PORT" in message and "DYNIMG_LOG_LEVEL" in message and "DYNIMG_TYPO" in message


def test_secrets_are_masked() -> None:
    settings = load_settings(
        {
            "DYNIMG_ACCESS_KEY_SECRET": "hunter2",
            "DYNIMG_DATABASE_URL": "postgresql://dyn:pw@db:5432/dynimg",
        }
    )
    shown = {env: value for env, value, _ in settings.describe()}
    assert shown["DYNIMG_ACCESS_KEY_SECRET"] == "********"
    assert shown["DYNIMG_DATABASE_URL"] == "postgresql://dyn:********@db:5432/dynimg"
    assert all(description for _, _, description in settings.describe())


def test_storage_urls(tmp_path: Path) -> None:
    assert load_settings({}).effective_storage_url.endswith("/var/storage")
    plain = load_settings({"DYNIMG_STORAGE_URL": str(tmp_path / "files")})
    assert plain.effective_storage_url == f"file://{tmp_path / 'files'}"
    s3 = load_settings(
        {
            "DYNIMG_STORAGE_URL": "s3://media-bucket/dynimg/prod",
            "DYNIMG_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "DYNIMG_S3_REGION": "eu-west-1",
            "DYNIMG_FILE_DELIVERY": "redirect",
        }
    )
    assert s3.effective_storage_url == "s3://media-bucket/dynimg/prod"
    assert (s3.s3_endpoint_url, s3.s3_region, s3.file_delivery) == (
        "http://127.0.0.1:9000",
        "eu-west-1",
        "redirect",
    )
    assert load_settings({}).file_delivery == "stream"


@pytest.mark.parametrize("url", ["gs://bucket", "s3://", "s3://UPPER", "ftp://x/y"])
def test_unsupported_storage_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="DYNIMG_STORAGE_URL"):
        load_settings({"DYNIMG_STORAGE_URL": url})


def test_open_storage_picks_the_backend_by_url(tmp_path: Path) -> None:
    from dynimg.adapters.storage.local import LocalStorage
    from dynimg.adapters.storage.s3 import S3Storage
    from dynimg.bootstrap import open_storage

    local = open_storage(load_settings({"DYNIMG_HOME": str(tmp_path)}))
    assert isinstance(local, LocalStorage)
    remote = open_storage(
        load_settings(
            {
                "DYNIMG_HOME": str(tmp_path),
                "DYNIMG_STORAGE_URL": "s3://bucket/prefix",
                "DYNIMG_S3_REGION": "us-east-1",
            }
        )
    )
    assert isinstance(remote, S3Storage)


def test_the_bucket_cannot_shadow_on_demand_urls() -> None:
    with pytest.raises(ConfigurationError, match="DYNIMG_BUCKET"):
        load_settings({"DYNIMG_BUCKET": "videos"})
