"""mse: the mean of the squares of the errors, over every output value."""
from __future__ import annotations

from dataclasses import dataclass

from ...exact import Num
from .squared import Squared, fraction


@dataclass(frozen=True)
class MSE(Squared):
    """L = c · Σ (y − p)² with c = 1/n."""

    per_n = True

    def scale(self, n: int) -> Num:
        return fraction(1, n)


LOSS = MSE("mse", "mean squared error")
