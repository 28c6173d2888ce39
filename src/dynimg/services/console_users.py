"""Console users: creating them (``dynimg user create``) and checking their passwords."""

from __future__ import annotations

from dynimg.domain.accounts import Account
from dynimg.domain.console_users import ConsoleUser, validate_password, validate_username
from dynimg.domain.ids import new_resource_id
from dynimg.errors import AccountNotFound, SignInFailed, UserExists
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
    uow_factory: UnitOfWorkFactory, user_id: str
) -> tuple[ConsoleUser, Account] | None:
    """The signed-in user and their account, or None when the user is gone."""
    with uow_factory() as uow:
        user = uow.console_users.get(user_id)
        account = uow.accounts.get(user.account_id) if user is not None else None
    if user is None or account is None:
        return None
    return user, account
