"""Who signed a request: timestamp window, AccessKey, signature, and nonce replay checks."""

from __future__ import annotations

from datetime import timedelta

from dynimg.domain.accounts import Account
from dynimg.domain.signing import RpcRequest, extract_claim
from dynimg.domain.timestamps import parse_utc
from dynimg.errors import (
    AccessKeyInactive,
    AccessKeyNotFound,
    AccountNotFound,
    SignatureDoesNotMatch,
    SignatureNonceUsed,
    TimestampExpired,
)
from dynimg.ports import Clock, UnitOfWorkFactory


def authenticate(
    request: RpcRequest, uow_factory: UnitOfWorkFactory, clock: Clock, tolerance: timedelta
) -> Account:
    """The account whose AccessKey signed ``request``, or the gateway error that refuses it.

    The nonce is only recorded once the signature has been verified, so nobody can burn
    another client's nonces with forged requests.
    """
    claim = extract_claim(request)
    now = clock.now()
    if abs(now - parse_utc(claim.timestamp)) > tolerance:
        raise TimestampExpired()
    with uow_factory() as uow:
        key = uow.access_keys.get(claim.access_key_id)
        if key is None:
            raise AccessKeyNotFound()
        if not key.enabled:
            raise AccessKeyInactive()
        if not claim.matches(key.secret):
            raise SignatureDoesNotMatch(claim.string_to_sign)
        # Remembered for twice the window: a timestamp may be `tolerance` in the future.
        if not uow.nonces.remember(key.id, claim.nonce, now, now + 2 * tolerance):
            raise SignatureNonceUsed()
        account = uow.accounts.get(key.account_id)
        if account is None:
            raise AccountNotFound()
        uow.commit()
    return account
