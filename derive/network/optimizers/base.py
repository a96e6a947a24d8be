"""What an optimizer provides: one parameter's step, and its equations."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...exact import Num
from ..tensor import Tensor

if TYPE_CHECKING:  # the equations' SymPy is imported where they are built: the rules run without it
    from ...printing import Equation


@dataclass(frozen=True)
class Optimizer:
    """An update rule with learning rate η."""

    learning_rate: Num

    @property
    def stateful(self) -> bool:
        """Whether the rule keeps torch.optim state per value (Adam, RMSprop, …): it steps with update()."""
        return False

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

    def words(self) -> str:
        """The rule in words, for the statement."""
        raise NotImplementedError

    def rule(self, s: Mapping[str, str]) -> str:
        """The general update (LaTeX with the symbols `s`: P, Pnext, v, vnext, eta, mu, L)."""
        raise NotImplementedError

    def equations(self, param: str, index: tuple[int, ...], p: Num, g: Num, v_before: Num | None, v_after: Num | None,
                  p_next: Num) -> tuple[Equation, ...]:
        """One value's update worked out: the velocity (momentum) and the new value."""
        raise NotImplementedError
