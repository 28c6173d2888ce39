"""Console users: creating them (``dynimg user create``), checking and changing their passwords,
and their signed-in sessions (kept in the database so that signing out really ends them)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from dynimg.domain.accounts import Account
from dynimg.domain.console_users import (
    ConsoleSession,
    ConsoleUser,
    validate_password,
    validate_username,
)
from dynimg.domain.ids import new_resource_id
from dynimg.errors import AccountNotFound, SignInFailed, UserExists, UserNotFound
from dynimg.ports import Clock, PasswordHasher, UnitOfWorkFactory


def create_user(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    hasher: PasswordHasher,
    *,
    account_name: str,
    username: str,
    password: str,
) -> ConsoleUser:
    """Create a console user of an existing account."""
    validate_username(username)
    # Hashed before the transaction: argon2 takes tens of milliseconds on purpose.
    password_hash = hasher.hash(validate_password(password))
    with uow_factory() as uow:
        account = uow.accounts.get_by_name(account_name)
        if account is None:
            raise AccountNotFound(f"No account is named {account_name!r}.")
        if uow.console_users.get_by_username(username) is not None:
            raise UserExists(f"A console user named {username!r} exists already.")
        user = ConsoleUser(new_resource_id(), account.id, username, password_hash, clock.now())
        uow.console_users.add(user)
        uow.commit()
    return user


def authenticate(
    uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, username: str, password: str
) -> ConsoleUser:
    """The user with this username and password; SignInFailed for any mismatch, alike."""
    with uow_factory() as uow:
        user = uow.console_users.get_by_username(username)
    if user is None:
        hasher.dummy_verify()
        raise SignInFailed()
    if not hasher.verify(user.password_hash, password):
        raise SignInFailed()
    return user


def session_user(
    uow_factory: UnitOfWorkFactory, user_id: str, session_id: str
) -> tuple[ConsoleUser, Account] | None:
    """The signed-in user and their account, or None when the user is gone or the session was
    signed out (here, everywhere, or by a password change)."""
    with uow_factory() as uow:
        if not uow.console_sessions.exists(session_hash(session_id), user_id):
            return None
        user = uow.console_users.get(user_id)
        account = uow.accounts.get(user.account_id) if user is not None else None
    if user is None or account is None:
        return None
    return user, account


def start_session(
    uow_factory: UnitOfWorkFactory, clock: Clock, user: ConsoleUser, lifetime: timedelta
) -> str:
    """Record a new signed-in session and return its id (for the cookie only). The user's
    sessions older than ``lifetime`` (expired anyway) are deleted on the way."""
    session_id = secrets.token_urlsafe(32)
    now = clock.now()
    with uow_factory() as uow:
        uow.console_sessions.delete_for_user(user.id, before=now - lifetime)
        uow.console_sessions.add(ConsoleSession(session_hash(session_id), user.id, now))
        uow.commit()
    return session_id


def end_session(uow_factory: UnitOfWorkFactory, session_id: str) -> None:
    """Sign one session out: its cookie is refused from now on, wherever it is replayed."""
    with uow_factory() as uow:
        uow.console_sessions.delete(session_hash(session_id))
        uow.commit()


def end_all_sessions(uow_factory: UnitOfWorkFactory, user_id: str) -> int:
    """Sign the user out everywhere; returns how many sessions ended."""
    with uow_factory() as uow:
        ended = uow.console_sessions.delete_for_user(user_id)
        uow.commit()
    return ended


def change_password(
    uow_factory: UnitOfWorkFactory,
    hasher: PasswordHasher,
    user: ConsoleUser,
    *,
    current: str,
    new: str,
    session_id: str,
) -> None:
    """Change a user's password (the current one is asked again) and sign out every other
    session, so whoever knew the old password is out too."""
    if not hasher.verify(user.password_hash, current):
        raise SignInFailed("The current password is wrong.")
    password_hash = hasher.hash(validate_password(new))
    with uow_factory() as uow:
        uow.console_users.set_password_hash(user.id, password_hash)
        uow.console_sessions.delete_for_user(user.id, keep=session_hash(session_id))
        uow.commit()


def reset_password(
    uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, *, username: str, new: str
) -> int:
    """Set a user's password without the current one (``dynimg user passwd``, an operator's
    reset) and sign out every session; returns how many ended."""
    password_hash = hasher.hash(validate_password(new))  # before the transaction: it is slow
    with uow_factory() as uow:
        user = uow.console_users.get_by_username(username)
        if user is None:
            raise UserNotFound(f"No console user is named {username!r}.")
        uow.console_users.set_password_hash(user.id, password_hash)
        ended = uow.console_sessions.delete_for_user(user.id)
        uow.commit()
    return ended


def session_hash(session_id: str) -> str:
    """What the database keeps of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()
