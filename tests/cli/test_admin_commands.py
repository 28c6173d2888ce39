"""The administration commands, run as a user would, on a fresh DYNIMG_HOME."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.server import run_cli, start_server


def test_accounts_and_keys_on_a_fresh_home(tmp_path: Path) -> None:
    assert "created account 'acme'" in run_cli(tmp_path, "account", "create", "acme").stdout
    created = json.loads(run_cli(tmp_path, "keys", "create", "--account", "acme", "--json").stdout)
    assert set(created) == {"AccessKeyId", "AccessKeySecret"}
    listing = run_cli(tmp_path, "keys", "list").stdout
    assert created["AccessKeyId"] in listing and "Enabled" in listing
    assert created["AccessKeySecret"] not in listing
    run_cli(tmp_path, "keys", "disable", created["AccessKeyId"])
    assert "Disabled" in run_cli(tmp_path, "keys", "list", "--account", "acme").stdout


def test_errors_are_one_line_with_a_code(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "keys", "create", "--account", "nobody", check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: InvalidAccount.NotFound: No account is named 'nobody'."
    duplicate = run_cli(tmp_path, "account", "create", "x", check=False)
    assert duplicate.returncode == 0
    again = run_cli(tmp_path, "account", "create", "x", check=False)
    assert again.returncode == 1 and again.stderr.startswith("error: AccountAlreadyExists:")
    bad_name = run_cli(tmp_path, "account", "create", "../x", check=False)
    assert bad_name.returncode == 1 and "InvalidParameter" in bad_name.stderr


def test_bad_settings_are_all_reported(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "config", check=False, DYNIMG_PORT="x", DYNIMG_BOGUS="1")
    assert result.returncode == 2
    assert "DYNIMG_PORT" in result.stderr and "DYNIMG_BOGUS" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_masks_secrets(tmp_path: Path) -> None:
    shown = run_cli(tmp_path, "config", DYNIMG_ACCESS_KEY_SECRET="topsecret").stdout
    assert "DYNIMG_ACCESS_KEY_SECRET=********" in shown and "topsecret" not in shown
    assert f"DYNIMG_HOME={tmp_path}" in shown


def test_serve_prints_the_same_default_key_on_every_start(tmp_path: Path) -> None:
    first = start_server(tmp_path)
    key = first.default_credentials()
    first.stop()
    second = start_server(tmp_path)
    try:
        assert second.default_credentials() == key
        assert (tmp_path / "dynimg.db").exists()
    finally:
        second.stop()


@pytest.mark.parametrize("command", [["--help"], ["keys", "--help"], ["video", "upload", "--help"]])
def test_help_exits_zero(tmp_path: Path, command: list[str]) -> None:
    result = run_cli(tmp_path, *command, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: ")


def test_client_commands_outside_a_data_directory_say_what_to_set(tmp_path: Path) -> None:
    home = tmp_path / "nowhere"
    result = run_cli(home, "video", "list", "--endpoint", "http://127.0.0.1:9", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for needed in ("DYNIMG_ACCESS_KEY_ID", "DYNIMG_ACCESS_KEY_SECRET", "DYNIMG_HOME", "--endpoint"):
        assert needed in result.stderr
    assert not home.exists()
