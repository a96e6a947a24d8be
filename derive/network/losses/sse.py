"""sse: the sum of the squares of the errors, over every output value."""
from __future__ import annotations

from dataclasses import dataclass

from ...exact import Num
from .squared import Squared, fraction


@dataclass(frozen=True)
class SSE(Squared):
    """L = c · Σ (y − p)² with c = 1."""

    def scale(self, n: int) -> Num:
        return fraction(1)


LOSS = SSE("sse", "sum of squared errors")
