"""ListDynamicImage extras: present when recorded, left out for images made before."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from dynimg.api.rpc.actions.images import image_info
from dynimg.domain.jobs import DynamicImage
from dynimg.services.images import ImageView


def test_images_made_before_the_extras_leave_them_out() -> None:
    old = DynamicImage(
        "i", "a", "v", "j", "gif", 160, 120, "10", 1000, 99, "v/image/dynamic/i.gif",
        datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    info = image_info(ImageView(old, "http://x/i.gif"))
    assert not {"FrameCount", "LoopCount", "Seek", "MD5"} & set(info)
    new = image_info(
        ImageView(replace(old, frame_count=3, loop_count=0, seek_ms=1500, md5_hex="ab"), "")
    )
    assert (new["FrameCount"], new["LoopCount"], new["Seek"], new["MD5"]) == ("3", "0", "1.5", "ab")
