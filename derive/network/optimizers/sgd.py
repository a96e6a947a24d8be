"""Plain gradient descent: P' = P − η · ∂L/∂P."""
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
class SGD(Optimizer):
    """P' = P − η·g."""

    def step(self, param: Tensor, grad: Tensor, velocity: Tensor | None) -> tuple[Tensor, Tensor | None]:
        eta = self.learning_rate
        return param.map(lambda p, g: p - eta * g, grad), None

    def spec(self) -> Any:
        return "sgd"

    def words(self) -> str:
        return "gradient descent"

    def rule(self, s: Mapping[str, str]) -> str:
        return rf"{s['Pnext']} = {s['P']} - {s['eta']} \cdot \frac{{\partial {s['L']}}}{{\partial {s['P']}}}"

    def equations(self, param: str, index: tuple[int, ...], p: Num, g: Num, v_before: Num | None, v_after: Num | None,
                  p_next: Num) -> tuple[Equation, ...]:
        from sympy import Derivative

        from ..algebra import L, relabel, sym

        old = sym(param, index)
        return (update_equation(sym(relabel(param, "next"), index), old, Derivative(L, old), self.learning_rate, p, g,
                                p_next),)


def update_equation(new: Expr, old: Expr, direction: Expr, eta: Num, p: Num, d: Num, p_next: Num) -> Equation:
    """P' = P − η·D = p − η·d = p − (ηd) = value, for a step along direction D (∂L/∂P, or momentum's v'):
    the flat documents' W′ and b′ (steps.py) and the network's updates alike."""
    from ...printing import Equation
    from ..algebra import ETA, minus, times, v

    return Equation(new, (minus(old, times(ETA, direction)), minus(v(p), times(v(eta), v(d))), minus(v(p), v(eta * d)),
                          v(p_next)))
