"""``dynimg doctor`` on a working home, and on homes with something broken."""

from __future__ import annotations

from pathlib import Path

from tests.support.server import free_port, run_cli

CHECKS = ("codecs", "lzw", "fonts", "database", "storage", "broker", "redis", "clock", "disk")


def _lines(output: str) -> dict[str, str]:
    return {
        line.split()[1]: line for line in output.splitlines() if line[:6].strip() in ("ok", "FAIL")
    }


def test_a_working_home_passes_every_check(tmp_path: Path) -> None:
    run_cli(tmp_path, "migrate")
    result = run_cli(tmp_path, "doctor", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    assert set(lines) == set(CHECKS)
    assert all(line.startswith("ok ") for line in lines.values()), result.stdout
    assert (
        "encodes gif, libwebp, apng, libsvtav1; decodes h264, hevc, vp9, libdav1d"
        in lines["codecs"]
        and "libx264" not in lines["codecs"]
        and "NotoSansSC" in lines["fonts"]
    )
    # `make test` builds the C encoder (setup.py), so the default GIF is lossy LZW's.
    assert "compiled lossy LZW encoder: GIFs default to Lossy 1" in lines["lzw"]
    assert "all checks passed" in result.stdout
    leftovers = [path for path in (tmp_path / "storage").rglob("*") if path.is_file()]
    assert not leftovers, "the storage probe is left behind"


def test_h264_allowed_checks_its_encoder_too(tmp_path: Path) -> None:
    run_cli(tmp_path, "migrate")
    result = run_cli(tmp_path, "doctor", check=False, DYNIMG_ALLOW_H264="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "encodes gif, libwebp, apng, libsvtav1, libx264;" in _lines(result.stdout)["codecs"]


def test_an_unreachable_broker_and_redis_fail_with_what_to_fix(tmp_path: Path) -> None:
    run_cli(tmp_path, "migrate")
    port = free_port()
    result = run_cli(
        tmp_path,
        "doctor",
        check=False,
        DYNIMG_QUEUE_URL=f"amqp://guest:brokerpw@127.0.0.1:{port}//",
        DYNIMG_REDIS_URL=f"redis://:redispw@127.0.0.1:{port}/0",
    )
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert lines["broker"].startswith("FAIL") and lines["redis"].startswith("FAIL")
    assert lines["database"].startswith("ok") and lines["codecs"].startswith("ok")
    assert "fix: start the broker (RabbitMQ) or fix DYNIMG_QUEUE_URL" in result.stdout
    assert "fix: start Redis or fix DYNIMG_REDIS_URL" in result.stdout
    assert "brokerpw" not in result.stdout + result.stderr
    assert "redispw" not in result.stdout + result.stderr
    assert result.stderr == "error: ChecksFailed: 2 check(s) failed: see the FAIL lines above\n"


def test_a_missing_database_is_reported_not_created(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "doctor", check=False)
    assert result.returncode == 1
    assert _lines(result.stdout)["database"].startswith("FAIL")
    assert "fix: run `dynimg migrate`" in result.stdout
    assert not (tmp_path / "dynimg.db").exists()


def test_the_clock_is_compared_with_postgresql(tmp_path: Path, postgres_url: str) -> None:
    run_cli(tmp_path, "migrate", DYNIMG_DATABASE_URL=postgres_url)
    result = run_cli(tmp_path, "doctor", check=False, DYNIMG_DATABASE_URL=postgres_url)
    assert result.returncode == 0, result.stdout
    assert "s from the database server" in _lines(result.stdout)["clock"]
