"""Real dynimg processes on free loopback ports, for tests that go through the wire."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dynimg_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a dynimg process: this one's, minus any DYNIMG_* it has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYNIMG_")}
    return {**env, "DYNIMG_HOME": str(home), "DYNIMG_LOG_LEVEL": "warning", **extra}


def run_cli(
    home: Path, *args: str, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``dynimg ARGS`` to completion."""
    return subprocess.run(
        [sys.executable, "-m", "dynimg", *args],
        env=dynimg_env(home, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


STOP_SECONDS = 45
"""Longer than the 30 s ``serve`` gives its workers to finish a task before it kills them."""


@dataclass
class Credentials:
    key_id: str
    secret: str


@dataclass
class ServerProcess:
    """A running ``dynimg serve`` and what it printed."""

    home: Path
    port: int
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    def default_credentials(self) -> Credentials:
        """The default account's key, which ``serve`` prints in full only when it creates it."""
        fields = self.default_key_fields()
        assert "AccessKeySecret" in fields, "this start did not create the default key"
        return Credentials(fields["AccessKeyId"], fields["AccessKeySecret"])

    def default_key_fields(self) -> dict[str, str]:
        """The ``Name=value`` fields of the line ``serve`` prints about the default key."""
        line = next(line for line in self.output if "AccessKeyId=" in line)
        return dict(part.split("=", 1) for part in line.split() if "=" in part)

    def new_account(self, name: str) -> Credentials:
        run_cli(self.home, "account", "create", name)
        keys = json.loads(run_cli(self.home, "keys", "create", "--account", name, "--json").stdout)
        return Credentials(keys["AccessKeyId"], keys["AccessKeySecret"])

    def new_console_user(self, account: str, username: str, password: str) -> None:
        """``dynimg user create`` with the password on standard input, as a script would."""
        subprocess.run(
            [sys.executable, "-m", "dynimg", "user", "create", "--account", account, username,
             "--password-stdin"],
            env=dynimg_env(self.home), input=password + "\n", capture_output=True, text=True,
            timeout=120, check=True,
        )  # fmt: skip

    def stop(self) -> None:
        """Stop ``serve`` and everything it started, then collect the rest of its output.

        ``serve`` gives its workers 30 s to finish; a worker still alive after that (or after
        the parent was SIGKILLed) keeps the output pipe open, so the whole process group is
        killed before the reader is joined: closing a pipe another thread is reading blocks
        until that read ends, which hung a CI run once.
        """
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.reader is not None:
            self.reader.join(timeout=10)
            assert not self.reader.is_alive(), "serve's output pipe is still open"


def start_server(home: Path, **env: str) -> ServerProcess:
    """Start ``dynimg serve`` and wait until it answers its health check."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dynimg", "serve", "--port", str(port)],
        env=dynimg_env(home, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so stop() can reap its workers too
    )
    server = ServerProcess(home=home, port=port, process=process)
    server.reader = threading.Thread(target=_drain, args=(server,), daemon=True)
    server.reader.start()
    _wait_healthy(server)
    return server


def _drain(server: ServerProcess) -> None:
    assert server.process.stdout is not None
    with server.process.stdout:
        for line in server.process.stdout:
            server.output.append(line.rstrip("\n"))


def _wait_healthy(server: ServerProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("dynimg serve exited:\n" + "\n".join(server.output))
        try:
            healthy = httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200
            if healthy and any("AccessKeyId=" in line for line in server.output):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("dynimg serve did not become healthy:\n" + "\n".join(server.output))
