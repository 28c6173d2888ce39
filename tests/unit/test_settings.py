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
