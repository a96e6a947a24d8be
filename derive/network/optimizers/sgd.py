"""Plain gradient descent: P' = P − η · ∂L/∂P."""
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

        from ...printing import Equation
        from ..algebra import ETA, L, minus, relabel, sym, times, v

        return (Equation(sym(relabel(param, "next"), index), (
            minus(sym(param, index), times(ETA, Derivative(L, sym(param, index)))),
            minus(v(p), times(v(self.learning_rate), v(g))),
            minus(v(p), v(self.learning_rate * g)),
            v(p_next))),)
