"""One render's frame memory, shared among the stores that keep decoded frames.

Up to three stores can hold frames at once: the writer's (a GIF keeps every frame until its
palette is known), the frames reverse and bounce keep until the clip is decoded, and the frames
``MaxFileSize`` keeps for re-encoding. Their shares are decided here and nowhere else, so that
together they never hold more than ``MediaLimits.frame_memory_bytes``; past its share each
store spills to a temporary file (docs/media.md has the per-job memory bound this serves).
"""

from __future__ import annotations

from dataclasses import dataclass

from dynimg.domain.limits import MediaLimits

FITTING_SHARE = 2
"""The size search's kept frames get half the budget: they live through every re-encode."""
SHAPING_SHARE = 4
"""Reverse and bounce get a quarter: it keeps a 1080p WebP reverse well under the job bound."""


@dataclass(frozen=True)
class FrameBudget:
    """Bytes of in-memory frames each store may hold; the three add up to the budget at most."""

    writer: int
    """The writer's own frames (and a GIF's analysis planes): what the others leave."""
    shaping: int
    """The frames reverse and bounce keep; 0 when playing forward."""
    fitting: int
    """The frames kept for re-encoding to a ``MaxFileSize``; 0 without one."""


def frame_budget(limits: MediaLimits, *, shaped: bool, fitted: bool) -> FrameBudget:
    """The shares of ``limits.frame_memory_bytes`` for the stores alive together.

    ``shaped``: reverse or bounce frames are being kept; ``fitted``: frames are kept for a
    size search (its re-encodes run with ``shaped=False``: the shaping store is gone by then).
    """
    total = limits.frame_memory_bytes
    fitting = total // FITTING_SHARE if fitted else 0
    shaping = total // SHAPING_SHARE if shaped else 0
    return FrameBudget(writer=total - fitting - shaping, shaping=shaping, fitting=fitting)
