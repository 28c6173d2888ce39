"""The administration commands, run as a user would, on a fresh DYNIMG_HOME."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tests.support import signer
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
    assert result.stderr.startswith("error: InvalidConfiguration: invalid settings:")
    assert "DYNIMG_PORT" in result.stderr and "DYNIMG_BOGUS" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["nosuch"], "No such command 'nosuch'. (see `{} --help`)"),
        (["keys", "create"], "Missing option '--account'. (see `{} keys create --help`)"),
        (["config", "--bogus"], "No such option '--bogus'. (see `{} config --help`)"),
    ],
)
def test_usage_errors_are_one_line_in_the_same_style(
    tmp_path: Path, command: list[str], message: str
) -> None:
    result = run_cli(tmp_path, *command, check=False)
    assert (result.returncode, result.stdout) == (2, "")
    program = "python -m dynimg"  # how run_cli starts it; `dynimg` when installed
    assert result.stderr == f"error: InvalidUsage: {message.format(program)}\n"


def test_config_masks_secrets(tmp_path: Path) -> None:
    shown = run_cli(tmp_path, "config", DYNIMG_ACCESS_KEY_SECRET="topsecret").stdout
    assert "DYNIMG_ACCESS_KEY_SECRET=********" in shown and "topsecret" not in shown
    assert f"DYNIMG_HOME={tmp_path}" in shown


def test_serve_prints_the_default_secret_only_when_it_creates_the_key(tmp_path: Path) -> None:
    first = start_server(tmp_path)
    key = first.default_credentials()
    first.stop()
    second = start_server(tmp_path)
    try:
        assert second.default_key_fields() == {"AccessKeyId": key.key_id}
        assert not any(key.secret in line for line in second.output)
        assert any("dynimg keys list" in line for line in second.output)
        assert any(
            "/console" in line and "dynimg user create --account default" in line
            for line in second.output
        ), "serve says where the console is and how to make its users"
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


def test_access_log_keeps_query_strings_out(tmp_path: Path) -> None:
    server = start_server(tmp_path, DYNIMG_LOG_LEVEL="info")
    try:
        creds = server.default_credentials()
        params = {"Action": "SetMessageCallback", "CallbackURL": "https://example.com/h"}
        secret_key = "Walk1AuthKeyInTheQuery"
        signed = signer.v1_params(
            {**params, "AuthSwitch": "on", "AuthKey": secret_key}, creds.key_id, creds.secret
        )
        response = httpx.post(f"{server.url}/?{signer.query_string(signed)}", timeout=30)
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + 10
        while not any('"POST /' in line for line in server.output) and time.monotonic() < deadline:
            time.sleep(0.05)
        access = [line for line in server.output if '"POST /' in line]
        assert access, server.output
        log = "\n".join(server.output)
        assert secret_key not in log and signed["Signature"] not in log and "AuthKey" not in log
    finally:
        server.stop()
