"""Periodic clean-up that keeps the database small."""

from __future__ import annotations

from dynimg.ports import Clock, UnitOfWorkFactory


def purge_expired_nonces(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Forget signature nonces that can no longer be replayed; returns how many."""
    with uow_factory() as uow:
        purged = uow.nonces.purge(clock.now())
        uow.commit()
    return purged
