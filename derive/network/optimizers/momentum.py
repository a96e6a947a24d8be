"""SGD with momentum, PyTorch's rule: v' = μ·v + g, P' = P − η·v', v starting at 0."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...exact import Num
from ..tensor import Tensor
from .base import Optimizer

if TYPE_CHECKING:
    from sympy import Expr

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
        from sympy import Derivative

        from ..algebra import L, relabel, sym, velocity_label
        from .sgd import update_equation

        assert v_before is not None and v_after is not None, "momentum keeps a velocity"
        old, after = sym(param, index), sym(velocity_label(param, "next"), index)
        return (velocity_equation(after, sym(velocity_label(param, ""), index), Derivative(L, old), self.momentum,
                                  v_before, g, v_after),
                update_equation(sym(relabel(param, "next"), index), old, after, self.learning_rate, p, v_after, p_next))

    def spec(self) -> Any:
        from ..answers import spec_number

        return {"type": "sgd", "momentum": spec_number(self.momentum)}


def velocity_equation(new: Expr, before: Expr, gradient: Expr, mu: Num, v_before: Num, g: Num, v_after: Num) -> Equation:
    """v' = μ·v + ∂L/∂P = substituted = value (PyTorch's momentum buffer): the flat documents' V′ (steps.py)
    and the network's alike."""
    from sympy import Add

    from ...printing import Equation
    from ..algebra import MU, times, v

    return Equation(new, (Add(times(MU, before), gradient, evaluate=False),
                          Add(times(v(mu), v(v_before)), v(g), evaluate=False), v(v_after)))
