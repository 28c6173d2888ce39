"""SQL implementations of the repository ports: row <-> domain mapping, never a commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dynimg.adapters.db.tables import (
    access_keys,
    accounts,
    request_nonces,
    templates,
    watermarks,
)
from dynimg.domain.accounts import AccessKey, Account
from dynimg.domain.json_document import dump_compact, parse_json_object
from dynimg.domain.template_documents import read_template_config
from dynimg.domain.templates import Template, TemplateType
from dynimg.domain.watermark_documents import read_watermark_config
from dynimg.domain.watermarks import Watermark, WatermarkType


class SqlAccountRepository:
    """Accounts in the ``accounts`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, account: Account) -> None:
        self._session.execute(insert(accounts).values(**vars(account)))

    def get(self, account_id: str) -> Account | None:
        row = self._session.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return Account(**row._mapping) if row else None

    def get_by_name(self, name: str) -> Account | None:
        row = self._session.execute(select(accounts).where(accounts.c.name == name)).first()
        return Account(**row._mapping) if row else None

    def list(self) -> Sequence[Account]:
        rows = self._session.execute(select(accounts).order_by(accounts.c.name))
        return [Account(**row._mapping) for row in rows]


class SqlAccessKeyRepository:
    """AccessKeys in the ``access_keys`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, key: AccessKey) -> None:
        self._session.execute(insert(access_keys).values(**vars(key)))

    def get(self, key_id: str) -> AccessKey | None:
        row = self._session.execute(select(access_keys).where(access_keys.c.id == key_id)).first()
        return AccessKey(**row._mapping) if row else None

    def list(self, account_id: str | None = None) -> Sequence[AccessKey]:
        query = select(access_keys).order_by(access_keys.c.created_at.desc(), access_keys.c.id)
        if account_id is not None:
            query = query.where(access_keys.c.account_id == account_id)
        return [AccessKey(**row._mapping) for row in self._session.execute(query)]

    def set_enabled(self, key_id: str, enabled: bool) -> bool:
        result = self._session.execute(
            update(access_keys).where(access_keys.c.id == key_id).values(enabled=enabled)
        )
        return bool(getattr(result, "rowcount", 0))


class SqlTemplateRepository:
    """Templates in the ``templates`` table, always filtered by account."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, template: Template) -> None:
        self._session.execute(insert(templates).values(**_template_row(template)))

    def get(self, account_id: str, template_id: str) -> Template | None:
        row = self._session.execute(
            select(templates).where(
                templates.c.account_id == account_id, templates.c.id == template_id
            )
        ).first()
        return _template(row._mapping) if row else None

    def list(self, account_id: str, template_type: str) -> Sequence[Template]:
        rows = self._session.execute(
            select(templates)
            .where(templates.c.account_id == account_id, templates.c.type == template_type)
            .order_by(templates.c.created_at.desc(), templates.c.id)
        )
        return [_template(row._mapping) for row in rows]

    def update(self, template: Template) -> None:
        self._session.execute(
            update(templates)
            .where(templates.c.account_id == template.account_id, templates.c.id == template.id)
            .values(**_template_row(template))
        )

    def delete(self, account_id: str, template_id: str) -> bool:
        result = self._session.execute(
            delete(templates).where(
                templates.c.account_id == account_id, templates.c.id == template_id
            )
        )
        return bool(getattr(result, "rowcount", 0))


class SqlNonceRepository:
    """Recently used signature nonces in ``request_nonces``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def remember(self, key_id: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
        where = (request_nonces.c.key_id == key_id, request_nonces.c.nonce == nonce)
        seen = self._session.execute(select(request_nonces.c.expires_at).where(*where)).first()
        if seen is not None:
            if seen.expires_at > now:
                return False
            self._session.execute(
                update(request_nonces).where(*where).values(expires_at=expires_at)
            )
            return True
        try:
            with self._session.begin_nested():
                self._session.execute(
                    insert(request_nonces).values(key_id=key_id, nonce=nonce, expires_at=expires_at)
                )
        except IntegrityError:
            return False  # the same nonce arrived concurrently: one of the two is a replay
        return True

    def purge(self, now: datetime) -> int:
        result = self._session.execute(
            delete(request_nonces).where(request_nonces.c.expires_at <= now)
        )
        return int(getattr(result, "rowcount", 0))


class SqlWatermarkRepository:
    """Watermarks, always filtered by account."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, watermark: Watermark) -> None:
        self._session.execute(insert(watermarks).values(**_watermark_row(watermark)))

    def get(self, account_id: str, watermark_id: str) -> Watermark | None:
        row = self._session.execute(
            select(watermarks).where(
                watermarks.c.account_id == account_id, watermarks.c.id == watermark_id
            )
        ).first()
        return _watermark(row._mapping) if row else None

    def default(self, account_id: str) -> Watermark | None:
        row = self._session.execute(
            select(watermarks).where(
                watermarks.c.account_id == account_id, watermarks.c.is_default.is_(True)
            )
        ).first()
        return _watermark(row._mapping) if row else None

    def list(self, account_id: str) -> Sequence[Watermark]:
        rows = self._session.execute(
            select(watermarks)
            .where(watermarks.c.account_id == account_id)
            .order_by(watermarks.c.created_at.desc(), watermarks.c.id)
        )
        return [_watermark(row._mapping) for row in rows]

    def update(self, watermark: Watermark) -> None:
        self._session.execute(
            update(watermarks)
            .where(watermarks.c.account_id == watermark.account_id, watermarks.c.id == watermark.id)
            .values(**_watermark_row(watermark))
        )

    def set_default(self, account_id: str, watermark_id: str) -> None:
        self._session.execute(
            update(watermarks)
            .where(watermarks.c.account_id == account_id)
            .values(is_default=watermarks.c.id == watermark_id)
        )

    def delete(self, account_id: str, watermark_id: str) -> bool:
        result = self._session.execute(
            delete(watermarks).where(
                watermarks.c.account_id == account_id, watermarks.c.id == watermark_id
            )
        )
        return bool(getattr(result, "rowcount", 0))


def _watermark_row(watermark: Watermark) -> dict[str, Any]:
    row = vars(watermark).copy()
    row["type"] = watermark.type.value
    del row["config"], row["document"]
    row["config_json"] = dump_compact(watermark.document)
    return row


def _watermark(mapping: Any) -> Watermark:
    values = dict(mapping)
    values["type"] = WatermarkType(values["type"])
    document = parse_json_object(values.pop("config_json"), "WatermarkConfig")
    stored = read_watermark_config(values["type"], document)
    return Watermark(**values, config=stored.config, document=stored.document)


def _template_row(template: Template) -> dict[str, Any]:
    row = vars(template).copy()
    row["type"] = template.type.value
    del row["config"], row["document"]
    row["config_json"] = dump_compact(template.document)
    return row


def _template(mapping: Any) -> Template:
    values = dict(mapping)
    values["type"] = TemplateType(values["type"])
    stored = read_template_config(values.pop("config_json"), values["type"])
    return Template(**values, config=stored.config, document=stored.document)
