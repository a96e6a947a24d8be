"""half_sse: the half the sum of the squares of the errors, over every output value."""
from __future__ import annotations

from dataclasses import dataclass

from ...exact import Num
from .squared import Squared, fraction


@dataclass(frozen=True)
class HalfSSE(Squared):
    """L = c · Σ (y − p)² with c = 1/2."""

    def scale(self, n: int) -> Num:
        return fraction(1, 2)


LOSS = HalfSSE("half_sse", "half the sum of squared errors")
