"""Console users in the ``console_users`` table."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dynimg.adapters.db.tables import console_users
from dynimg.domain.console_users import ConsoleUser


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
