"""SQL repositories for videos, media files, upload grants and multipart uploads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from dynimg.adapters.db.tables import (
    media_files,
    multipart_uploads,
    upload_grants,
    upload_parts,
    videos,
)
from dynimg.domain.media_files import MediaFile, MediaStatus
from dynimg.domain.uploads import UploadGrant, UploadTarget
from dynimg.domain.videos import (
    ProbeFacts,
    Video,
    VideoMetadata,
    VideoStatus,
    dump_tags,
    load_tags,
)

_PROBE_FIELDS = (
    "container",
    "video_codec",
    "width",
    "height",
    "duration_ms",
    "fps",
    "rotation",
    "bit_rate",
)


class SqlVideoRepository:
    """Videos, always looked up within one account except by the post-upload processor."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, video: Video) -> None:
        self._session.execute(insert(videos).values(**_video_row(video)))

    def get(self, account_id: str | None, video_id: str) -> Video | None:
        query = select(videos).where(videos.c.id == video_id)
        if account_id is not None:
            query = query.where(videos.c.account_id == account_id)
        row = self._session.execute(query).first()
        return _video(row._mapping) if row else None

    def list(
        self, account_id: str, statuses: Sequence[str], offset: int, limit: int, newest_first: bool
    ) -> tuple[int, Sequence[Video]]:
        where = [videos.c.account_id == account_id]
        if statuses:
            where.append(videos.c.status.in_(list(statuses)))
        total = self._session.execute(
            select(func.count()).select_from(videos).where(*where)
        ).scalar_one()
        order = videos.c.created_at.desc() if newest_first else videos.c.created_at.asc()
        rows = self._session.execute(
            select(videos).where(*where).order_by(order, videos.c.id).offset(offset).limit(limit)
        )
        return int(total), [_video(row._mapping) for row in rows]

    def with_status(self, status: VideoStatus) -> Sequence[Video]:
        rows = self._session.execute(select(videos).where(videos.c.status == status.value))
        return [_video(row._mapping) for row in rows]

    def update(self, video: Video) -> None:
        self._session.execute(
            update(videos).where(videos.c.id == video.id).values(**_video_row(video))
        )

    def delete(self, account_id: str, video_id: str) -> bool:
        result = self._session.execute(
            delete(videos).where(videos.c.account_id == account_id, videos.c.id == video_id)
        )
        return bool(getattr(result, "rowcount", 0))


class SqlMediaFileRepository:
    """Images and attached media."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, media: MediaFile) -> None:
        self._session.execute(insert(media_files).values(**_media_row(media)))

    def get(self, account_id: str | None, media_id: str) -> MediaFile | None:
        query = select(media_files).where(media_files.c.id == media_id)
        if account_id is not None:
            query = query.where(media_files.c.account_id == account_id)
        row = self._session.execute(query).first()
        return _media(row._mapping) if row else None

    def get_by_key(self, account_id: str, storage_key: str) -> MediaFile | None:
        row = self._session.execute(
            select(media_files).where(
                media_files.c.account_id == account_id, media_files.c.storage_key == storage_key
            )
        ).first()
        return _media(row._mapping) if row else None

    def update(self, media: MediaFile) -> None:
        self._session.execute(
            update(media_files).where(media_files.c.id == media.id).values(**_media_row(media))
        )


class SqlUploadGrantRepository:
    """Temporary upload credentials."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, grant: UploadGrant) -> None:
        row = vars(grant).copy()
        row["target"] = grant.target.value
        self._session.execute(insert(upload_grants).values(**row))

    def get(self, key_id: str) -> UploadGrant | None:
        row = self._session.execute(
            select(upload_grants).where(upload_grants.c.key_id == key_id)
        ).first()
        if row is None:
            return None
        values = dict(row._mapping)
        values["target"] = UploadTarget(values["target"])
        return UploadGrant(**values)

    def complete(self, key_id: str, now: datetime) -> bool:
        result = self._session.execute(
            update(upload_grants)
            .where(upload_grants.c.key_id == key_id, upload_grants.c.completed_at.is_(None))
            .values(completed_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    def delete_for(self, target_id: str) -> None:
        self._session.execute(delete(upload_grants).where(upload_grants.c.target_id == target_id))

    def purge(self, now: datetime) -> int:
        result = self._session.execute(
            delete(upload_grants).where(upload_grants.c.expires_at <= now)
        )
        return int(getattr(result, "rowcount", 0))


class SqlMultipartRepository:
    """Multipart uploads in progress and their parts."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def create(self, upload_id: str, account_id: str, object_key: str, now: datetime) -> None:
        self._session.execute(
            insert(multipart_uploads).values(
                id=upload_id, account_id=account_id, object_key=object_key, created_at=now
            )
        )

    def object_key(self, upload_id: str) -> str | None:
        row = self._session.execute(
            select(multipart_uploads.c.object_key).where(multipart_uploads.c.id == upload_id)
        ).first()
        return str(row.object_key) if row else None

    def put_part(self, upload_id: str, number: int, size: int, md5_hex: str) -> None:
        where = (upload_parts.c.upload_id == upload_id, upload_parts.c.part_number == number)
        self._session.execute(delete(upload_parts).where(*where))
        self._session.execute(
            insert(upload_parts).values(
                upload_id=upload_id, part_number=number, size=size, md5_hex=md5_hex
            )
        )

    def parts(self, upload_id: str) -> list[tuple[int, int, str]]:
        rows = self._session.execute(
            select(upload_parts)
            .where(upload_parts.c.upload_id == upload_id)
            .order_by(upload_parts.c.part_number)
        )
        return [(row.part_number, row.size, row.md5_hex) for row in rows]

    def stale(self, before: datetime) -> list[tuple[str, list[int]]]:
        rows = self._session.execute(
            select(multipart_uploads.c.id).where(multipart_uploads.c.created_at < before)
        )
        return [(row.id, [n for n, _, _ in self.parts(row.id)]) for row in rows]

    def delete(self, upload_id: str) -> None:
        self._session.execute(delete(upload_parts).where(upload_parts.c.upload_id == upload_id))
        self._session.execute(delete(multipart_uploads).where(multipart_uploads.c.id == upload_id))


def _video_row(video: Video) -> dict[str, Any]:
    meta = video.metadata
    row: dict[str, Any] = {
        "id": video.id,
        "account_id": video.account_id,
        "app_id": video.app_id,
        "file_name": video.file_name,
        "storage_key": video.storage_key,
        "status": video.status.value,
        "title": meta.title,
        "description": meta.description,
        "cover_url": meta.cover_url,
        "cate_id": meta.cate_id,
        "tags": dump_tags(meta.tags),
        "user_data": meta.user_data,
        "declared_size": video.declared_size,
        "size": video.size,
        "failure_reason": video.failure_reason,
        "cover_image_id": video.cover_image_id,
        "cover_snapshot_id": video.cover_snapshot_id,
        "source_key": video.source_key,
        "created_at": video.created_at,
        "modified_at": video.modified_at,
    }
    probe = vars(video.probe) if video.probe else dict.fromkeys(_PROBE_FIELDS)
    row.update(probe)
    return row


def _video(mapping: Any) -> Video:
    row = dict(mapping)
    probe = None
    if row["container"] is not None:
        probe = ProbeFacts(**{name: row[name] for name in _PROBE_FIELDS})
    return Video(
        id=row["id"],
        account_id=row["account_id"],
        app_id=row["app_id"],
        file_name=row["file_name"],
        storage_key=row["storage_key"],
        status=VideoStatus(row["status"]),
        metadata=VideoMetadata(
            title=row["title"],
            description=row["description"],
            cover_url=row["cover_url"],
            cate_id=row["cate_id"],
            tags=load_tags(row["tags"]),
            user_data=row["user_data"],
        ),
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        declared_size=row["declared_size"],
        size=row["size"],
        probe=probe,
        failure_reason=row["failure_reason"],
        cover_image_id=row["cover_image_id"],
        cover_snapshot_id=row["cover_snapshot_id"],
        source_key=row["source_key"],
    )


def _media_row(media: MediaFile) -> dict[str, Any]:
    row = vars(media).copy()
    row["kind"], row["status"] = media.kind.value, media.status.value
    return row


def _media(mapping: Any) -> MediaFile:
    row = dict(mapping)
    row["kind"], row["status"] = UploadTarget(row["kind"]), MediaStatus(row["status"])
    return MediaFile(**row)
