"""Periodic clean-up that keeps the database small."""

from __future__ import annotations

from datetime import timedelta

from dynimg.ports import Clock, Storage, UnitOfWorkFactory
from dynimg.services.object_uploads import part_key

ABANDONED_UPLOAD = timedelta(days=2)


def purge_expired_nonces(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Forget signature nonces that can no longer be replayed; returns how many."""
    with uow_factory() as uow:
        purged = uow.nonces.purge(clock.now())
        uow.commit()
    return purged


def purge_expired_grants(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Forget upload credentials that have expired."""
    with uow_factory() as uow:
        purged = uow.upload_grants.purge(clock.now())
        uow.commit()
    return purged


def purge_expired_console_sessions(
    uow_factory: UnitOfWorkFactory, clock: Clock, lifetime: timedelta
) -> int:
    """Forget console sessions past their absolute timeout (their cookies are refused anyway);
    a user who never signs in again would otherwise keep them forever."""
    with uow_factory() as uow:
        purged = uow.console_sessions.purge(clock.now() - lifetime)
        uow.commit()
    return purged


def purge_abandoned_uploads(uow_factory: UnitOfWorkFactory, clock: Clock, storage: Storage) -> int:
    """Remove multipart uploads nobody completed or aborted within two days, parts included."""
    with uow_factory() as uow:
        stale = uow.multipart.stale(clock.now() - ABANDONED_UPLOAD)
    for upload_id, numbers in stale:
        for number in numbers:
            storage.delete(part_key(upload_id, number))
        with uow_factory() as uow:
            uow.multipart.delete(upload_id)
            uow.commit()
    return len(stale)
