"""Imports from a URL in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.orm import Session

from dynimg.adapters.db.url_upload_tables import url_uploads
from dynimg.domain.url_uploads import UrlUpload, UrlUploadStatus


class SqlUrlUploadRepository:
    """Implements ``ports.UrlUploadRepository``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, upload: UrlUpload) -> None:
        self._session.execute(insert(url_uploads).values(**_row(upload)))

    def update(self, upload: UrlUpload) -> None:
        row = _row(upload)
        del row["id"]
        self._session.execute(update(url_uploads).where(url_uploads.c.id == upload.id).values(row))

    def progress(self, upload_id: str, received: int) -> None:
        self._session.execute(
            update(url_uploads)
            .where(url_uploads.c.id == upload_id)
            .where(url_uploads.c.status == UrlUploadStatus.PROCESSING.value)
            .values(received=received)
        )

    def unfinished(self, account_id: str) -> int:
        waiting = (UrlUploadStatus.PENDING.value, UrlUploadStatus.PROCESSING.value)
        query = (
            select(func.count())
            .select_from(url_uploads)
            .where(url_uploads.c.account_id == account_id, url_uploads.c.status.in_(waiting))
        )
        return int(self._session.execute(query).scalar_one())

    def get(self, account_id: str | None, upload_id: str) -> UrlUpload | None:
        query = select(url_uploads).where(url_uploads.c.id == upload_id)
        if account_id is not None:
            query = query.where(url_uploads.c.account_id == account_id)
        row = self._session.execute(query).first()
        return _upload(row._mapping) if row else None

    def latest_for_url(self, account_id: str, url: str) -> UrlUpload | None:
        query = (
            select(url_uploads)
            .where(url_uploads.c.account_id == account_id, url_uploads.c.url == url)
            .order_by(url_uploads.c.created_at.desc(), url_uploads.c.id.desc())
            .limit(1)
        )
        row = self._session.execute(query).first()
        return _upload(row._mapping) if row else None


def _row(upload: UrlUpload) -> dict[str, Any]:
    return vars(upload) | {"status": upload.status.value}


def _upload(row: RowMapping) -> UrlUpload:
    values = dict(row)
    return UrlUpload(**(values | {"status": UrlUploadStatus(values["status"])}))
