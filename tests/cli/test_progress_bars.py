"""Progress bars as a person at a terminal sees them, and as a script reading a pipe does."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.media import make_clip
from tests.support.server import dynimg_env

SIZED = json.dumps(
    {
        "Container": {"Format": "gif", "MaxFileSize": "4096"},
        "Video": {"Width": "160", "Fps": "8"},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "1"}},
    }
)


def _render(tmp_path: Path, stderr: int) -> subprocess.CompletedProcess[str]:
    clip = make_clip(tmp_path / "c.mp4", seconds=1, noise=True)
    return subprocess.run(
        [sys.executable, "-m", "dynimg", "render", str(clip.path), str(tmp_path / "o.gif"),
         "--template-config", SIZED],
        env=dynimg_env(tmp_path), stdout=subprocess.PIPE, stderr=stderr, text=True,
        timeout=120, check=True,
    )  # fmt: skip


@pytest.mark.timeout(180)
def test_a_render_with_a_size_search_draws_a_bar_on_a_terminal(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        done = _render(tmp_path, terminal)
        os.close(terminal)
        terminal = -1
        screen = b""
        while chunk := _read(controller):
            screen += chunk
    finally:
        if terminal != -1:
            os.close(terminal)
        os.close(controller)
    frames = screen.decode().split("\r")
    assert any(" 100%|" in frame for frame in frames), frames[-3:]
    assert frames[0].strip().startswith("rendering o.gif:") or "rendering o.gif:" in frames[1]
    assert done.stdout.startswith("wrote ") and "MaxFileSize 4096 bytes" in done.stdout


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal's other end is closed: everything has been read
        return b""


def test_a_render_in_a_pipe_writes_no_bar(tmp_path: Path) -> None:
    done = _render(tmp_path, subprocess.PIPE)
    assert done.stderr == ""
