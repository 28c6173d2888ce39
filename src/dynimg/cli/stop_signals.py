"""How ``dynimg worker`` waits for SIGTERM or Ctrl-C: without running Python in signal context.

A handler that sets a :class:`threading.Event` can deadlock the process: a second signal that
arrives while the first handler is inside ``Event.set`` runs the handler again on the same
thread, and it waits forever for the Condition lock the interrupted call holds. Two SIGTERMs
close together are ordinary here (the supervisor's, then ``PR_SET_PDEATHSIG``'s when ``serve``
is killed), and a worker hung this way in CI, holding its parent's output pipe open. So the
signals are blocked and taken with :func:`signal.sigwait` instead.
"""

from __future__ import annotations

import signal

STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})


def hold_stop_signals() -> None:
    """Block SIGTERM and SIGINT in this thread and in every thread it starts from now on.

    Call it before any thread starts: a thread that leaves them unblocked would receive them
    with their default action, which ends the process at once.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def release_stop_signals() -> None:
    """Unblock them in this thread again (for code that installs its own handlers)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def wait_for_stop_signal() -> int:
    """Return once SIGTERM or SIGINT arrives (both must be held).

    Afterwards a second Ctrl-C ends the process at once, as people expect of a second Ctrl-C;
    further SIGTERMs stay pending, so the task in hand still finishes (a killed worker's task is
    recovered by its lease anyway).
    """
    received = signal.sigwait(STOP_SIGNALS)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    return received
