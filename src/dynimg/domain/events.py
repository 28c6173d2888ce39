"""Event notifications: the account's HTTP callback and the DynamicImageComplete event."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from dynimg.domain.hosts import is_internal_host
from dynimg.domain.jobs import DynamicImage, DynamicImageJob
from dynimg.domain.timestamps import format_utc
from dynimg.errors import InvalidParameter

EVENT_DYNAMIC_IMAGE_COMPLETE = "DynamicImageComplete"
_AUTH_KEY = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z0-9]{1,32}$")


@dataclass(frozen=True)
class MessageCallback:
    """Where an account's events go (SetMessageCallback)."""

    account_id: str
    app_id: str
    callback_type: str
    callback_url: str
    event_types: tuple[str, ...]
    auth_switch: bool
    auth_key: str

    def wants(self, event_type: str) -> bool:
        return "ALL" in self.event_types or event_type in self.event_types


def validate_callback_url(url: str, *, allow_private: bool) -> str:
    """http(s) only; loopback, private and link-local addresses only when allowed.

    Host names are checked again against what they resolve to when an event is sent.
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or len(url) > 2048:
        raise InvalidParameter("CallbackURL", "must be an http or https URL")
    if not allow_private and is_internal_host(parsed.hostname):
        raise InvalidParameter(
            "CallbackURL",
            "must not point at a private or loopback address "
            "(the service allows it with DYNIMG_ALLOW_PRIVATE_CALLBACKS=true)",
        )
    return url


def validate_auth_key(key: str) -> str:
    """Alibaba's rule: at most 32 characters, with upper- and lower-case letters and digits."""
    if not _AUTH_KEY.match(key):
        raise InvalidParameter("AuthKey", "1-32 letters and digits, with upper, lower and a digit")
    return key


def parse_event_types(text: str | None) -> tuple[str, ...]:
    types = tuple(t.strip() for t in (text or "ALL").split(",") if t.strip())
    return types or ("ALL",)


def callback_signature(url: str, timestamp: int, key: str) -> str:
    """``X-VOD-SIGNATURE``: md5("{Callback URL}|{X-VOD-TIMESTAMP}|{PrivateKey}")."""
    text = f"{url}|{timestamp}|{key}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def dynamic_image_complete(
    job: DynamicImageJob, image: DynamicImage | None, file_url: str, now: datetime
) -> dict[str, Any]:
    """The DynamicImageComplete event as Alibaba documents it (DynamicImageJobInfo as an object)."""
    event: dict[str, Any] = {
        "EventTime": format_utc(now),
        "EventType": EVENT_DYNAMIC_IMAGE_COMPLETE,
        "VideoId": job.video_id,
        "JobId": job.id,
        "Status": "success" if image else "fail",
    }
    if image is None:
        event["ErrorCode"], event["ErrorMessage"] = job.error_code, job.error_message
        return event
    event["DynamicImageJobInfo"] = {
        "JobId": job.id,
        "Status": "success",
        "FileURL": file_url,
        "FileSize": str(image.file_size),
        "Fps": image.fps,
        "Width": str(image.width),
        "Height": str(image.height),
    }
    return event
