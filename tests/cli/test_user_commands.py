"""``dynimg user create``: console users with argon2-hashed passwords."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.support.server import dynimg_env, run_cli


def _create(home: Path, *args: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dynimg", "user", "create", *args],
        env=dynimg_env(home), input=password + "\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_password_from_stdin_is_stored_as_an_argon2_hash(tmp_path: Path) -> None:
    run_cli(tmp_path, "account", "create", "acme")
    created = _create(
        tmp_path, "--account", "acme", "ann", "--password-stdin", password="s3cret-pass"
    )
    assert created.returncode == 0, created.stderr
    assert "created console user 'ann' in account 'acme'" in created.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'dynimg.db'}")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM console_users")).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored


def test_prompted_password_must_be_confirmed(tmp_path: Path) -> None:
    run_cli(tmp_path, "account", "create", "acme")
    result = subprocess.run(
        [sys.executable, "-m", "dynimg", "user", "create", "--account", "acme", "ann"],
        env=dynimg_env(tmp_path), input="long-password\nlong-password\n", capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_errors_are_one_line(tmp_path: Path) -> None:
    run_cli(tmp_path, "account", "create", "acme")
    short = _create(tmp_path, "--account", "acme", "ann", "--password-stdin", password="short")
    assert short.returncode == 1
    assert short.stderr.startswith("error: InvalidParameter: The specified parameter 'Password'")
    nobody = _create(tmp_path, "--account", "nope", "ann", "--password-stdin", password="x" * 12)
    assert nobody.stderr.strip() == "error: InvalidAccount.NotFound: No account is named 'nope'."
    assert (
        _create(
            tmp_path, "--account", "acme", "ann", "--password-stdin", password="x" * 12
        ).returncode
        == 0
    )
    again = _create(tmp_path, "--account", "acme", "ann", "--password-stdin", password="x" * 12)
    assert again.stderr.startswith("error: UserAlreadyExists:")


def test_passwd_resets_a_forgotten_password_and_signs_everyone_out(tmp_path: Path) -> None:
    run_cli(tmp_path, "account", "create", "acme")
    _create(tmp_path, "--account", "acme", "ann", "--password-stdin", password="old-password")
    engine = create_engine(f"sqlite:///{tmp_path / 'dynimg.db'}")
    with engine.begin() as connection:
        old_hash = connection.execute(text("SELECT password_hash FROM console_users")).scalar_one()
        user_id = connection.execute(text("SELECT id FROM console_users")).scalar_one()
        connection.execute(
            text("INSERT INTO console_sessions (id_hash, user_id, created_at) VALUES (:h, :u, :t)"),
            {"h": "a" * 64, "u": user_id, "t": "2026-11-29 00:00:00"},
        )
    changed = _passwd(tmp_path, "ann", password="new-password")
    assert changed.returncode == 0, changed.stderr
    assert "1 session(s) signed out" in changed.stdout
    with engine.connect() as connection:
        new_hash = connection.execute(text("SELECT password_hash FROM console_users")).scalar_one()
        sessions = connection.execute(text("SELECT COUNT(*) FROM console_sessions")).scalar_one()
    engine.dispose()
    assert new_hash.startswith("$argon2id$") and new_hash != old_hash and sessions == 0
    nobody = _passwd(tmp_path, "bob", password="new-password")
    assert nobody.stderr.strip() == "error: InvalidUser.NotFound: No console user is named 'bob'."
    short = _passwd(tmp_path, "ann", password="short")
    assert short.stderr.startswith("error: InvalidParameter: The specified parameter 'Password'")


def _passwd(home: Path, username: str, *, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dynimg", "user", "passwd", username, "--password-stdin"],
        env=dynimg_env(home), input=password + "\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip
