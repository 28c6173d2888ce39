"""The checks behind ``dynimg doctor``: each tries one dependency for real and says what to fix.

Every check returns a :class:`Check` and never raises. Details name what failed (an exception's
type and first line) but never a URL: the caller shows URLs with their passwords masked.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dynimg.ports import Storage

ENCODERS = ("gif", "libwebp", "apng", "libsvtav1")
"""What rendering writes: GIF, WebP, APNG, and AV1 for AVIF and MP4."""
H264_ENCODER = "libx264"
"""What ``Codec=h264`` encodes with, checked only when the operator allows it."""
DECODERS = ("h264", "hevc", "vp9", "libdav1d", "mpeg4", "prores")
"""What uploads are most often made of (dav1d: FFmpeg's own AV1 decoder needs hardware)."""
MIN_FREE_BYTES = 1024**3
CLOCK_TOLERANCE_SECONDS = 60.0
PROBE_PREFIX = "doctor"


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``detail`` says what was found, ``fix`` what to do when it failed."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _reason(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def check_codecs(*, allow_h264: bool = False) -> Check:
    """PyAV has the encoders rendering uses and the decoders common uploads need (and libx264
    when the operator allows H.264 MP4: ``DYNIMG_ALLOW_H264``)."""
    import av

    encoders = (*ENCODERS, H264_ENCODER) if allow_h264 else ENCODERS
    missing = [f"{name} encoder" for name in encoders if not _has_codec(name, "w")]
    missing += [f"{name} decoder" for name in DECODERS if not _has_codec(name, "r")]
    if missing:
        return Check(
            "codecs",
            False,
            f"PyAV {av.__version__} lacks {', '.join(missing)}",
            "install the PyAV wheel from PyPI (`pip install --force-reinstall av`), whose FFmpeg "
            "includes them",
        )
    return Check(
        "codecs",
        True,
        f"PyAV {av.__version__}: encodes {', '.join(encoders)}; decodes {', '.join(DECODERS)}",
    )


def check_lossy_lzw() -> Check:
    """Whether the compiled lossy LZW encoder was built. Never a failure: without it GIFs are
    still written, by default losslessly by FFmpeg (``Lossy`` 0), and a ``Lossy`` asked for by
    a template in Python, hundreds of times more slowly."""
    from dynimg.adapters.media import lzw

    if lzw.COMPILED:
        return Check("lzw", True, "compiled lossy LZW encoder: GIFs default to Lossy 1")
    return Check(
        "lzw",
        True,
        "no compiled lossy LZW encoder: GIFs default to Lossy 0 (lossless, about 8% larger) and "
        "a template's Lossy runs in Python, slowly; to build it, install a C compiler and the "
        "Python headers (Debian: apt-get install gcc python3-dev) and reinstall dynimg",
    )


def _has_codec(name: str, mode: Literal["r", "w"]) -> bool:
    import av

    try:
        av.codec.Codec(name, mode)
    except (ValueError, av.FFmpegError):
        return False
    return True


def check_fonts() -> Check:
    """The CJK fonts for text watermarks load."""
    from PIL import ImageFont

    from dynimg.adapters.media.fonts import SANS, SERIF, font_path

    try:
        for name in ("SimSun", "WenQuanYi Zen Hei"):
            ImageFont.truetype(str(font_path(name)), 16)
    except Exception as exc:
        return Check(
            "fonts",
            False,
            _reason(exc),
            "reinstall the font package: `pip install --force-reinstall pylopdf-fonts-zh-cn`",
        )
    return Check("fonts", True, f"{SANS}, {SERIF} (pylopdf-fonts-zh-cn)")


def check_database(url: str) -> Check:
    """The database answers and its schema is at the newest migration."""
    from dynimg.adapters.db.engine import make_engine
    from dynimg.adapters.db.migrate import schema_revision

    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return Check(
            "database", False, "no database file", "run `dynimg migrate` (or `dynimg serve`)"
        )
    engine = make_engine(url)
    try:
        current, head = schema_revision(engine)
    except Exception as exc:
        return Check(
            "database", False, _reason(exc), "check DYNIMG_DATABASE_URL and that the server runs"
        )
    finally:
        engine.dispose()
    if current != head:
        return Check(
            "database",
            False,
            f"schema at {current or 'nothing'}, this dynimg needs {head}",
            "run `dynimg migrate`",
        )
    return Check("database", True, f"{engine.dialect.name}, schema at {head}")


def check_clock(url: str) -> Check:
    """This machine's clock agrees with the database server's (PostgreSQL only).

    Signed requests are refused 15 minutes off, and leases and retries assume one time.
    """
    if not url.startswith("postgresql"):
        return Check("clock", True, "SQLite: one machine, one clock")
    from sqlalchemy import text

    from dynimg.adapters.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            server = float(
                connection.execute(text("SELECT extract(epoch FROM now())")).scalar_one()
            )
    except Exception as exc:
        return Check("clock", False, _reason(exc), "make the database reachable (see database)")
    finally:
        engine.dispose()
    drift = time.time() - server
    if abs(drift) > CLOCK_TOLERANCE_SECONDS:
        return Check(
            "clock",
            False,
            f"{drift:+.1f} s from the database server",
            "synchronise both clocks with NTP (chrony or systemd-timesyncd)",
        )
    return Check("clock", True, f"{drift:+.1f} s from the database server")


def check_storage(storage: Storage, where: str) -> Check:
    """Storage takes a write and a delete."""
    key = f"{PROBE_PREFIX}/{os.getpid()}-{secrets.token_hex(4)}"
    try:
        storage.put(key, iter([b"dynimg doctor\n"]))
        storage.delete(key)
    except Exception as exc:
        return Check(
            "storage",
            False,
            f"{where}: {_reason(exc)}",
            "check DYNIMG_STORAGE_URL, its permissions and (for S3) its credentials",
        )
    return Check("storage", True, f"{where}: write and delete ok")


def check_broker(queue_url: str) -> Check:
    """The task broker answers (memory:// needs nothing)."""
    if queue_url.startswith("memory:"):
        return Check("broker", True, "memory://: workers poll the database")
    from kombu import Connection

    try:
        with Connection(queue_url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:
        return Check(
            "broker",
            False,
            _reason(exc),
            "start the broker (RabbitMQ) or fix DYNIMG_QUEUE_URL; memory:// needs none",
        )
    return Check("broker", True, "connected")


def check_redis(redis_url: str | None) -> Check:
    """Redis answers, when shared rate limits use it."""
    if not redis_url:
        return Check("redis", True, "not configured: rate limits are counted per process")
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        return Check("redis", False, _reason(exc), "start Redis or fix DYNIMG_REDIS_URL")
    finally:
        client.close()
    return Check("redis", True, "ping ok")


def check_disk(name: str, path: Path, minimum: int = MIN_FREE_BYTES) -> Check:
    """At least ``minimum`` bytes free where ``path`` is (or would be created)."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    detail = f"{free / 1024**3:.1f} GiB free at {path}"
    if free < minimum:
        return Check(name, False, detail, f"free space there (at least {minimum // 1024**2} MiB)")
    return Check(name, True, detail)
