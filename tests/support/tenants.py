"""Accounts with a video and a GIF template, for tests that run jobs through the services."""

from __future__ import annotations

import dataclasses

from dynimg.bootstrap import Services
from dynimg.domain.accounts import Account
from dynimg.domain.template_documents import read_add_template
from dynimg.domain.upload_requests import read_new_video
from dynimg.domain.videos import VideoStatus
from dynimg.services import accounts, templates
from dynimg.services.uploads import create_upload_video

GIF_TEMPLATE = '{"Container":{"Format":"gif"},"Clip":{"TimeSpan":{"Seek":"0"}}}'


@dataclasses.dataclass
class Tenant:
    """An account, its (Normal) video and a GIF template of its own."""

    account: Account
    video_id: str
    template_id: str


def tenant(services: Services, name: str) -> Tenant:
    """A new account named ``name`` whose video holds bytes no real engine could read."""
    d = services.deps
    account = accounts.create_account(d.uow_factory, d.clock, name)
    template = templates.add_template(
        d.uow_factory, d.clock, account, read_add_template("t", "DynamicImage", GIF_TEMPLATE)
    )
    ticket = create_upload_video(
        d.uow_factory, d.clock, d.upload_policy, account,
        read_new_video({"Title": "t", "FileName": "c.mp4"}),
    )  # fmt: skip
    with d.uow_factory() as uow:
        video = uow.videos.get(account.id, ticket.target_id)
        assert video is not None
        d.storage.put(video.storage_key, iter([b"not a real video: the engine is a fake"]))
        uow.videos.update(dataclasses.replace(video, status=VideoStatus.NORMAL))
        uow.commit()
    return Tenant(account, video.id, template.id)


class Announcements:
    """A dispatcher that only remembers what it was told."""

    def __init__(self) -> None:
        self.refs: list[str] = []

    def announce(self, kind: object, ref: str) -> None:
        self.refs.append(ref)
