"""dynimg's one typed settings object, read from ``DYNIMG_*`` environment variables once at start.

Every field maps to ``DYNIMG_<FIELD NAME IN UPPER CASE>``, or to ``DYNIMG_<NAME>_FILE`` naming a
file that holds the value (for secrets). Unknown ``DYNIMG_*`` variables are errors (a typo must
not silently fall back to a default), and every problem is reported at once.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from dynimg.domain.limits import MediaLimits
from dynimg.domain.masking import mask_url_password
from dynimg.environment import ENV_PREFIX, environment_values
from dynimg.errors import ConfigurationError
from dynimg.media_settings import LIMITS, field_arguments, limits_of

_STORAGE_URL = re.compile(r"^(file://.+|s3://[a-z0-9][a-z0-9.-]{1,62}(/.*)?|[^:]+)$")


class Settings(BaseModel):
    """Everything dynimg can be configured with; built by :func:`load_settings`."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    home: Path = Path("./var")
    """Data directory of the embedded default: SQLite database, stored files, keys."""

    database_url: str | None = None
    """SQLAlchemy URL (`sqlite:///...` or `postgresql://...`); default: SQLite in `home`."""

    storage_url: str | None = None
    """Where files are stored: a path or `file:///path` (default home/storage), `s3://bucket/prefix`."""

    s3_endpoint_url: str | None = None
    """S3-compatible endpoint for `s3://` storage (MinIO, Ceph...); empty: AWS S3."""

    s3_region: str | None = None
    """Region of the S3 bucket; empty: boto3's default (AWS_REGION, profile)."""

    s3_connect_timeout_seconds: float = Field(default=3.0, gt=0, le=120)
    """How long to wait for a connection to S3 before trying again (3 attempts in all)."""

    s3_read_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    """How long S3 may stay silent on an open connection before the attempt is given up."""

    file_delivery: Literal["stream", "redirect"] = "stream"
    """FileURLs: `stream` bytes through dynimg, or (S3) `redirect` to a presigned URL (<=300 s)."""

    public_url: str | None = None
    """Base URL clients reach this service at (upload endpoint, file URLs); default: host/port."""

    region_id: str = "cn-shanghai"
    """Region reported to clients (UploadAuth, video info)."""

    bucket: str = "dynimg"
    """Bucket name of the OSS-compatible upload endpoint."""

    max_upload_bytes: int = Field(default=4 * 1024**3, ge=1024)
    """Largest file a client may upload."""

    workers: int | None = Field(default=None, ge=0, le=64)
    """Worker processes `dynimg serve` starts beside itself; default one per core, 0 for none."""

    database_connect_timeout_seconds: int = Field(default=5, ge=2, le=120)
    """How long to wait for a new PostgreSQL connection before the request answers 503."""

    queue_url: str = "memory://"
    """How background work is announced: `memory://` (workers poll the database) or a Celery
    broker, `amqp://user:pass@host:5672/vhost` (RabbitMQ, recommended) or `redis://...`."""

    redis_url: str | None = None
    """Redis for state every API process shares (the per-account rate limits); without it,
    each process counts on its own, so N API processes allow N times the configured rates."""

    redis_timeout_seconds: float = Field(default=0.5, gt=0, le=30)
    """How long a request waits to connect to, or hear from, Redis before it goes without it
    (rate limits fail open); Redis is then left alone for 5 s."""

    redis_key_prefix: str = Field(default="dynimg", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    """Prefix of every key dynimg writes to Redis (one per deployment sharing a Redis)."""

    queue_name: str = Field(default="dynimg", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    """The broker queue dynimg's tasks go through (one per deployment sharing a broker)."""

    worker_max_memory_mb: int = Field(default=1024, ge=128)
    """A Celery worker child whose memory grows past this is replaced after its task."""

    broker_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    """How long announcing a job may wait for the broker (connect, publish, confirm); when it
    does not answer, the job waits in the database for the next sweep to announce it."""

    broker_heartbeat_seconds: int = Field(default=30, ge=0, le=600)
    """AMQP heartbeat, so a dead connection is noticed within about twice this time."""

    job_lease_seconds: int = Field(default=60, ge=2, le=3600)
    """How long a worker may go silent before its job is given to another worker."""

    account_fair_share: int = Field(default=1, ge=0, le=1000)
    """Jobs of one account rendering at once, across the cluster, while another account's
    jobs wait; beyond it idle workers take the waiting account's jobs first (0: no fairness,
    first submitted, first served). Idle workers still take any account's jobs."""

    account_queue_limit: int = Field(default=300, ge=0, le=1_000_000)
    """Jobs of one account waiting or running at once, per kind (animated images, snapshots);
    beyond it SubmitDynamicImageJob and SubmitSnapshotJob answer `Throttling` (0: no limit)."""

    url_signing_key: SecretStr | None = None
    """Private key for FileURL auth_key signing; default: generated once into `home`."""

    url_lifetime_seconds: int = Field(default=3600, ge=60, le=7 * 86400)
    """How long a listed FileURL stays valid."""

    console_session_key: SecretStr | None = None
    """Key console session cookies are signed with; default: generated once into `home`."""

    console_idle_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    """A console session ends after this many minutes without a request."""

    console_session_hours: int = Field(default=12, ge=1, le=30 * 24)
    """A console session ends this many hours after sign-in, however active."""

    cdn_base_url: str | None = None
    """Base of FileURLs when a CDN with the same signing key fronts dynimg; default: public_url."""

    allow_private_callbacks: bool = False
    """Admin: let callbacks target loopback and private addresses (tests, internal networks)."""

    allow_private_url_uploads: bool = False
    """Admin: let UploadMediaByURL fetch from loopback and private addresses."""
    url_upload_max_bytes: int = Field(default=4 * 1024**3, ge=1024)
    """Largest file one UploadMediaByURL import downloads."""
    url_upload_timeout_seconds: float = Field(default=3600, gt=0)
    """Longest download of one UploadMediaByURL import."""

    submit_rate_per_second: float = Field(default=30, gt=0)
    """SubmitDynamicImageJob calls per second per account (Alibaba: 30)."""

    list_rate_per_second: float = Field(default=100, gt=0)
    """ListDynamicImage calls per second per account (Alibaba: 100)."""

    allow_h264: bool = False
    """Let templates ask for H.264 MP4 (`"Codec": "h264"`) through libx264. Enabling it, the
    operator takes on libx264's GPL and the H.264 patent licences (see docs/deploy.md);
    off, mp4 is AV1 only."""

    list_images_max: int = Field(default=1000, ge=1, le=100_000)
    """Most animated images one ListDynamicImage answers: a video's newest that many."""

    on_demand_max_concurrent: int = Field(default=4, ge=1, le=256)
    """On-demand renders (animated.gif URLs) one account may have in flight; more answer 429."""

    on_demand_max_renders: int = Field(default=1000, ge=1, le=10_000_000)
    """On-demand renders (animated images, thumbnails) an account keeps; housekeeping removes
    the least recently served beyond it, files included; a removed URL renders again."""

    on_demand_wait_seconds: float = Field(default=20.0, ge=0, le=120)
    """How long an on-demand GET waits for its render before answering 202 with Retry-After."""

    trusted_proxies: str = ""
    """Comma-separated addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For and
    X-Forwarded-Proto dynimg believes (client address of the sign-in throttle, secure cookies);
    empty: none, the peer's address is the client's."""

    host: str = "127.0.0.1"
    """Address `dynimg serve` listens on."""

    port: int = Field(default=8080, ge=1, le=65535)
    """Port `dynimg serve` listens on."""

    host_id: str = "vod.dynimg.local"
    """`HostId` reported in error bodies."""

    timestamp_tolerance_seconds: int = Field(default=900, ge=1, le=86400)
    """How far a request's signed timestamp may be from the server clock (Alibaba: 15 min)."""

    body_idle_seconds: float = Field(default=30.0, gt=0, le=3600)
    """A request body (upload) that sends nothing for this long is refused (400
    RequestTimeout) and counted in `dynimg_slow_clients_total`."""

    max_request_bytes: int = Field(default=1 << 20, ge=1024)
    """Largest RPC request (query plus body) the gateway accepts."""

    metrics_job_count_seconds: float = Field(default=15.0, ge=0, le=3600)
    """How long one count of the jobs table serves `/metrics` scrapes (the job gauges); 0
    counts at every scrape."""

    log_level: str = Field(default="info", pattern="^(debug|info|warning|error)$")
    """Log level of the service: debug, info, warning or error."""

    log_format: Literal["text", "json"] = "text"
    """Log lines as `text` or `json` (one object a line, with request_id and job_id)."""

    max_source_pixels: int = Field(**field_arguments("max_source_pixels"))
    """Largest source frame (width x height) the media engine decodes."""

    max_clip_seconds: float = Field(**field_arguments("max_clip_seconds"))
    """Longest clip an animated image may show."""

    max_output_frames: int = Field(**field_arguments("max_output_frames"))
    """Most frames in one animated image."""

    max_output_pixels: int = Field(**field_arguments("max_output_pixels"))
    """Largest output frame in pixels (width x height); part of the per-job memory bound."""

    max_output_pixel_frames: int = Field(**field_arguments("max_output_pixel_frames"))
    """Output width x height x frames: bounds the work of one animated image."""

    max_render_seconds: float = Field(**field_arguments("max_render_seconds"))
    """Deadline for rendering one animated image, decoding included."""

    max_image_pixels: int = Field(**field_arguments("max_image_pixels"))
    """Largest image (watermark) frame, width x height, checked from its header."""

    max_image_frames: int = Field(**field_arguments("max_image_frames"))
    """Most frames of an animated image (watermark)."""

    max_image_pixel_frames: int = Field(**field_arguments("max_image_pixel_frames"))
    """Image width x height x frames: bounds decoding one image; checked from its header."""

    frame_memory_mb: int = Field(**field_arguments("frame_memory_mb"))
    """Decoded GIF frames held in memory before they spill to a temporary file."""

    max_held_frames_mb: int = Field(**field_arguments("max_held_frames_mb"))
    """Decoded frames that reverse and bounce keep (memory, then a temporary file), all told."""

    endpoint: str | None = None
    """Client commands: the URL of the running service they talk to; default: the address
    `dynimg serve` listens on with these settings, http://host:port (127.0.0.1 for 0.0.0.0)."""

    access_key_id: str | None = None
    """Client commands: AccessKeyId to sign with (else a key of `--account` from `home`)."""

    access_key_secret: SecretStr | None = None
    """Client commands: AccessKeySecret that goes with `access_key_id`."""

    @field_validator("storage_url")
    @classmethod
    def _supported_storage_url(cls, url: str | None) -> str | None:
        # Checked here, not when storage opens, so a typo is reported with every other problem.
        if url is not None and not _STORAGE_URL.match(url):
            raise ValueError("must be file:///path, a path, or s3://bucket[/prefix]")
        return url

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            ipaddress.ip_network(item, strict=False)  # ValueError names the bad item
        return ",".join(items)

    @field_validator("bucket")
    @classmethod
    def _bucket_is_not_a_route(cls, bucket: str) -> str:
        # /videos/{VideoId}/animated.gif is routed before the upload endpoint's /{bucket}/...
        if bucket == "videos":
            raise ValueError("'videos' is the path of on-demand URLs; choose another bucket name")
        return bucket

    @property
    def effective_database_url(self) -> str:
        """The database URL with the embedded default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'dynimg.db').resolve()}"

    @property
    def effective_storage_url(self) -> str:
        """The storage URL with the embedded default filled in; a plain path becomes `file://`."""
        if not self.storage_url:
            return f"file://{(self.home / 'storage').resolve()}"
        if "://" not in self.storage_url:
            return f"file://{Path(self.storage_url).resolve()}"
        return self.storage_url

    @property
    def effective_public_url(self) -> str:
        """The base URL clients use to reach this service."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return self._local_url

    @property
    def effective_endpoint(self) -> str:
        """Where client commands find the service: `endpoint`, else where `serve` listens."""
        return self.endpoint.rstrip("/") if self.endpoint else self._local_url

    @property
    def _local_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    def media_limits(self) -> MediaLimits:
        """The media engine's limits (the ``max_*`` media settings and the frame memory), and
        whether it may encode H.264."""
        limits = limits_of({name: getattr(self, name) for name in LIMITS})
        return replace(limits, allow_h264=self.allow_h264)

    def describe(self) -> Iterator[tuple[str, str, str]]:
        """Yield (environment variable, effective value with secrets masked, description)."""
        for name, field in type(self).model_fields.items():
            value: Any = getattr(self, name)
            if isinstance(value, SecretStr):
                shown = "********"
            elif name == "database_url":
                shown = mask_url_password(self.effective_database_url)
            elif name in ("queue_url", "redis_url") and value:
                shown = mask_url_password(str(value))
            elif name == "storage_url":
                shown = self.effective_storage_url
            elif name == "endpoint":
                shown = self.effective_endpoint
            else:
                shown = "" if value is None else str(value)
            yield ENV_PREFIX + name.upper(), shown, field.description or ""


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build the settings from an environment mapping, reporting every error at once.

    ``DYNIMG_<NAME>_FILE`` names a file holding the value of ``DYNIMG_<NAME>`` (Docker and
    Kubernetes secrets are mounted as files), its trailing newline dropped.
    """
    values, problems = environment_values(environ, ENV_PREFIX, Settings.model_fields)
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        problems += [
            f"{ENV_PREFIX}{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        ]
    if problems:
        raise ConfigurationError("invalid settings:\n  " + "\n  ".join(problems)) from None
    return settings
