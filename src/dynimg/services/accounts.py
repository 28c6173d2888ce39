"""Managing accounts and their AccessKeys (the `dynimg account` and `dynimg keys` commands)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from dynimg.domain.accounts import (
    DEFAULT_ACCOUNT,
    AccessKey,
    Account,
    new_access_key_id,
    new_access_key_secret,
    validate_account_name,
)
from dynimg.domain.ids import new_resource_id
from dynimg.errors import AccessKeyNotFound, AccountExists, AccountNotFound
from dynimg.ports import Clock, UnitOfWork, UnitOfWorkFactory


def create_account(uow_factory: UnitOfWorkFactory, clock: Clock, name: str) -> Account:
    """Create an account with a unique name."""
    validate_account_name(name)
    with uow_factory() as uow:
        if uow.accounts.get_by_name(name) is not None:
            raise AccountExists(f"An account named {name!r} exists already.")
        account = _new_account(uow, clock, name)
        uow.commit()
    return account


def create_access_key(uow_factory: UnitOfWorkFactory, clock: Clock, account_name: str) -> AccessKey:
    """Issue a new AccessKey for an account; the secret is shown to the caller only now."""
    with uow_factory() as uow:
        account = _account_named(uow, account_name)
        key = _new_key(uow, clock, account)
        uow.commit()
    return key


def list_access_keys(
    uow_factory: UnitOfWorkFactory, account_name: str | None = None
) -> list[tuple[AccessKey, Account]]:
    """AccessKeys with their accounts, newest first, optionally of one account."""
    with uow_factory() as uow:
        account_id = _account_named(uow, account_name).id if account_name else None
        keys: Sequence[AccessKey] = uow.access_keys.list(account_id)
        accounts = {a.id: a for a in uow.accounts.list()}
    return [(key, accounts[key.account_id]) for key in keys]


def set_access_key_enabled(uow_factory: UnitOfWorkFactory, key_id: str, enabled: bool) -> None:
    """Enable or disable an AccessKey; a disabled key signs nothing."""
    with uow_factory() as uow:
        if not uow.access_keys.set_enabled(key_id, enabled):
            raise AccessKeyNotFound()
        uow.commit()


def list_account_keys(uow_factory: UnitOfWorkFactory, account: Account) -> Sequence[AccessKey]:
    """One account's AccessKeys, newest first (for the console: secrets are not shown)."""
    with uow_factory() as uow:
        return uow.access_keys.list(account.id)


def set_account_key_enabled(
    uow_factory: UnitOfWorkFactory, account: Account, key_id: str, enabled: bool
) -> None:
    """Enable or disable one of the account's keys; another account's key does not exist."""
    with uow_factory() as uow:
        key = uow.access_keys.get(key_id)
        if key is None or key.account_id != account.id:
            raise AccessKeyNotFound()
        uow.access_keys.set_enabled(key_id, enabled)
        uow.commit()


def ensure_default_key(uow_factory: UnitOfWorkFactory, clock: Clock) -> tuple[Account, AccessKey]:
    """The default account and an enabled key of it, creating either when missing."""
    account, key, _ = provision_default_key(uow_factory, clock)
    return account, key


def provision_default_key(
    uow_factory: UnitOfWorkFactory, clock: Clock
) -> tuple[Account, AccessKey, bool]:
    """As :func:`ensure_default_key`, and whether the key was created just now."""
    with uow_factory() as uow:
        account = uow.accounts.get_by_name(DEFAULT_ACCOUNT) or _new_account(
            uow, clock, DEFAULT_ACCOUNT
        )
        enabled = [k for k in uow.access_keys.list(account.id) if k.enabled]
        key = enabled[0] if enabled else _new_key(uow, clock, account)
        uow.commit()
    return account, key, not enabled


def find_key_of_account(uow_factory: UnitOfWorkFactory, account_name: str) -> AccessKey:
    """The newest enabled key of an account, for client commands run on the server's machine."""
    with uow_factory() as uow:
        account = _account_named(uow, account_name)
        enabled = [k for k in uow.access_keys.list(account.id) if k.enabled]
    if not enabled:
        raise AccessKeyNotFound(f"Account {account_name!r} has no enabled AccessKey.")
    return enabled[0]


def _account_named(uow: UnitOfWork, name: str) -> Account:
    account = uow.accounts.get_by_name(name)
    if account is None:
        raise AccountNotFound(f"No account is named {name!r}.")
    return account


def _new_account(uow: UnitOfWork, clock: Clock, name: str) -> Account:
    account = Account(
        id=new_resource_id(),
        name=name,
        uid=secrets.randbelow(9 * 10**15) + 10**15,
        created_at=clock.now(),
    )
    uow.accounts.add(account)
    return account


def _new_key(uow: UnitOfWork, clock: Clock, account: Account) -> AccessKey:
    key = AccessKey(
        id=new_access_key_id(),
        account_id=account.id,
        secret=new_access_key_secret(),
        enabled=True,
        created_at=clock.now(),
    )
    uow.access_keys.add(key)
    return key
