"""SGD with momentum, PyTorch's rule: v' = μ·v + g, P' = P − η·v', v starting at 0."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...exact import Num
from ..tensor import Tensor
from .base import Optimizer

if TYPE_CHECKING:
    from ...printing import Equation


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

    def words(self) -> str:
        return "gradient descent with momentum (PyTorch's rule, velocities starting at 0)"

    def rule(self, s: Mapping[str, str]) -> str:
        return (rf"{s['vnext']} = {s['mu']} \, {s['v']} + \frac{{\partial {s['L']}}}{{\partial {s['P']}}}, \qquad "
                rf"{s['Pnext']} = {s['P']} - {s['eta']} \cdot {s['vnext']}")

    def equations(self, param: str, index: tuple[int, ...], p: Num, g: Num, v_before: Num | None, v_after: Num | None,
                  p_next: Num) -> tuple[Equation, ...]:
        from sympy import Add, Derivative

        from ...printing import Equation
        from ..algebra import ETA, MU, L, minus, relabel, sym, times, v, velocity_label

        velocity, after = velocity_label(param, ""), velocity_label(param, "next")
        return (
            Equation(sym(after, index), (
                Add(times(MU, sym(velocity, index)), Derivative(L, sym(param, index)), evaluate=False),
                Add(times(v(self.momentum), v(v_before)), v(g), evaluate=False),
                v(v_after))),
            Equation(sym(relabel(param, "next"), index), (
                minus(sym(param, index), times(ETA, sym(after, index))),
                minus(v(p), times(v(self.learning_rate), v(v_after))),
                minus(v(p), v(self.learning_rate * v_after)),
                v(p_next))),
        )

    def spec(self) -> Any:
        from ..answers import spec_number

        return {"type": "sgd", "momentum": spec_number(self.momentum)}
