"""What an optimizer provides: one parameter's step, and its equations."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...exact import Num
from ..tensor import Tensor


@dataclass(frozen=True)
class Optimizer:
    """An update rule with learning rate η."""

    learning_rate: Num

    @property
    def has_velocity(self) -> bool:
        """Whether the rule keeps a velocity per parameter."""
        return False

    def step(self, param: Tensor, grad: Tensor, velocity: Tensor | None) -> tuple[Tensor, Tensor | None]:
        """(the updated parameter, the velocity after the step)."""
        raise NotImplementedError

    def spec(self) -> Any:
        """The normalized spec's `optimizer`."""
        raise NotImplementedError
