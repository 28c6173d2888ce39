"""The commands' progress bars: drawn on a terminal, one line or nothing in a pipe."""

from __future__ import annotations

import io

from dynimg.cli.progress import byte_progress, percent_progress


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as standard error in a shell is."""

    def isatty(self) -> bool:
        return True


def test_an_upload_bar_counts_bytes_with_speed_and_time_left() -> None:
    screen = Terminal()
    with byte_progress("uploading clip.mp4", 3 * 1024 * 1024, screen) as advance:
        for done in (1024 * 1024, 2 * 1024 * 1024, 3 * 1024 * 1024, 3 * 1024 * 1024 + 5):
            advance(done)
    last = screen.getvalue().split("\r")[-1]
    assert last.startswith("uploading clip.mp4: 100%")
    assert "3.00M/3.00M" in last and "/s]" in last, last


def test_a_job_bar_never_goes_back() -> None:
    screen = Terminal()
    with percent_progress("rendering job 1", screen) as advance:
        for percent in (10, 55, 40):
            advance(percent)
    assert screen.getvalue().split("\r")[-1].startswith("rendering job 1:  55%|")
    done = Terminal()
    with percent_progress("rendering job 2", done) as advance:
        advance(100)
    assert done.getvalue().split("\r")[-1].startswith("rendering job 2: 100%|")


def test_a_pipe_gets_the_label_once_and_no_bar() -> None:
    log = io.StringIO()
    with byte_progress("uploading clip.mp4", 100, log) as advance:
        advance(50)
        advance(100)
    assert log.getvalue() == "uploading clip.mp4\n"
    quiet = io.StringIO()
    with percent_progress("rendering out.gif", quiet, announce=False) as advance:
        advance(100)
    assert quiet.getvalue() == ""
