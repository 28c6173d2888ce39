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


def test_a_file_variant_reads_the_value_from_a_file(tmp_path: Path) -> None:
    # As Docker and Kubernetes mount secrets: one file each, often with a trailing newline.
    (tmp_path / "db").write_text("postgresql://dyn:s3cret@db:5432/dynimg\n")
    (tmp_path / "key").write_text("signing-key-from-a-file\r\n")
    settings = load_settings(
        {
            "DYNIMG_DATABASE_URL_FILE": str(tmp_path / "db"),
            "DYNIMG_URL_SIGNING_KEY_FILE": str(tmp_path / "key"),
            "DYNIMG_PORT": "8081",
        }
    )
    assert settings.database_url == "postgresql://dyn:s3cret@db:5432/dynimg"
    assert settings.url_signing_key is not None
    assert settings.url_signing_key.get_secret_value() == "signing-key-from-a-file"
    assert settings.port == 8081
    shown = {env: value for env, value, _ in settings.describe()}
    assert "s3cret" not in shown["DYNIMG_DATABASE_URL"]


def test_a_value_from_a_file_is_validated_like_any_other(tmp_path: Path) -> None:
    (tmp_path / "port").write_text("8082\n")
    assert load_settings({"DYNIMG_PORT_FILE": str(tmp_path / "port")}).port == 8082
    (tmp_path / "port").write_text("http\n")
    with pytest.raises(ConfigurationError, match="DYNIMG_PORT: "):
        load_settings({"DYNIMG_PORT_FILE": str(tmp_path / "port")})


def test_file_variant_problems_are_reported_with_every_other(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n")
    (tmp_path / "secret").write_text("x")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(
            {
                "DYNIMG_URL_SIGNING_KEY_FILE": str(tmp_path / "missing"),
                "DYNIMG_CONSOLE_SESSION_KEY_FILE": str(tmp_path / "empty"),
                "DYNIMG_ACCESS_KEY_SECRET": "inline",
                "DYNIMG_ACCESS_KEY_SECRET_FILE": str(tmp_path / "secret"),
                "DYNIMG_NO_SUCH_THING_FILE": str(tmp_path / "secret"),
                "DYNIMG_LOG_LEVEL": "loud",
            }
        )
    lines = caught.value.message.splitlines()[1:]
    assert len(lines) == 5, lines
    message = caught.value.message
    assert f"DYNIMG_URL_SIGNING_KEY_FILE: cannot read {tmp_path / 'missing'}" in message
    assert f"DYNIMG_CONSOLE_SESSION_KEY_FILE: {tmp_path / 'empty'} is empty" in message
    assert "DYNIMG_ACCESS_KEY_SECRET_FILE: set DYNIMG_ACCESS_KEY_SECRET or" in message
    assert "DYNIMG_NO_SUCH_THING_FILE: " in message and "DYNIMG_LOG_LEVEL: " in message


def test_client_commands_find_the_service_where_serve_listens() -> None:
    assert load_settings({}).effective_endpoint == "http://127.0.0.1:8080"
    assert load_settings({"DYNIMG_PORT": "9090"}).effective_endpoint == "http://127.0.0.1:9090"
    wildcard = load_settings({"DYNIMG_HOST": "0.0.0.0", "DYNIMG_PORT": "9091"})
    assert wildcard.effective_endpoint == "http://127.0.0.1:9091"
    chosen = load_settings({"DYNIMG_ENDPOINT": "http://vod.example:80/", "DYNIMG_PORT": "9092"})
    assert chosen.effective_endpoint == "http://vod.example:80"
