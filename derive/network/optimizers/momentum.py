"""SGD with momentum, PyTorch's rule: v' = μ·v + g, P' = P − η·v', v starting at 0."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...exact import Num
from ..tensor import Tensor
from .base import Optimizer


@dataclass(frozen=True)
class Momentum(Optimizer):
    """v' = μv + g; P' = P − ηv'."""

    momentum: Num = 0

    @property
    def has_velocity(self) -> bool:
        return True

    def step(self, param: Tensor, grad: Tensor, velocity: Tensor | None) -> tuple[Tensor, Tensor | None]:
        mu, eta = self.momentum, self.learning_rate
        after = grad.map(lambda g, vel: mu * vel + g, velocity) if velocity is not None else grad
        return param.map(lambda p, d: p - eta * d, after), after

    def spec(self) -> Any:
        from ..answers import spec_number

        return {"type": "sgd", "momentum": spec_number(self.momentum)}
