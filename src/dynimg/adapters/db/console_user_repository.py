"""Console users and their sessions, in ``console_users`` and ``console_sessions``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from dynimg.adapters.db.tables import console_sessions, console_users
from dynimg.domain.console_users import ConsoleSession, ConsoleUser


class SqlConsoleUserRepository:
    """Implements ``ports.ConsoleUserRepository``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: ConsoleUser) -> None:
        self._session.execute(insert(console_users).values(**vars(user)))

    def get(self, user_id: str) -> ConsoleUser | None:
        query = select(console_users).where(console_users.c.id == user_id)
        row = self._session.execute(query).first()
        return ConsoleUser(**row._mapping) if row else None

    def get_by_username(self, username: str) -> ConsoleUser | None:
        query = select(console_users).where(console_users.c.username == username)
        row = self._session.execute(query).first()
        return ConsoleUser(**row._mapping) if row else None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        query = update(console_users).where(console_users.c.id == user_id)
        self._session.execute(query.values(password_hash=password_hash))


class SqlConsoleSessionRepository:
    """Implements ``ports.ConsoleSessionRepository``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, console_session: ConsoleSession) -> None:
        self._session.execute(insert(console_sessions).values(**vars(console_session)))

    def exists(self, id_hash: str, user_id: str) -> bool:
        query = select(console_sessions.c.id_hash).where(
            console_sessions.c.id_hash == id_hash, console_sessions.c.user_id == user_id
        )
        return self._session.execute(query).first() is not None

    def delete(self, id_hash: str) -> None:
        self._session.execute(delete(console_sessions).where(console_sessions.c.id_hash == id_hash))

    def delete_for_user(
        self, user_id: str, *, keep: str | None = None, before: datetime | None = None
    ) -> int:
        query = delete(console_sessions).where(console_sessions.c.user_id == user_id)
        if keep is not None:
            query = query.where(console_sessions.c.id_hash != keep)
        if before is not None:
            query = query.where(console_sessions.c.created_at < before)
        return int(getattr(self._session.execute(query), "rowcount", 0))

    def purge(self, before: datetime) -> int:
        query = delete(console_sessions).where(console_sessions.c.created_at < before)
        return int(getattr(self._session.execute(query), "rowcount", 0))
