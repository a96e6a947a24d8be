"""Plain gradient descent: P' = P − η · ∂L/∂P."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..tensor import Tensor
from .base import Optimizer


@dataclass(frozen=True)
class SGD(Optimizer):
    """P' = P − η·g."""

    def step(self, param: Tensor, grad: Tensor, velocity: Tensor | None) -> tuple[Tensor, Tensor | None]:
        eta = self.learning_rate
        return param.map(lambda p, g: p - eta * g, grad), None

    def spec(self) -> Any:
        return "sgd"
