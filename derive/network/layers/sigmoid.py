"""sigmoid: a = 1 / (1 + e^(−z)), with ∂a/∂z = a·(1 − a); values are 256-bit reals (exact.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...exact import ONE, Num, mpq
from ...exact import exp as exact_exp
from .elementwise import Elementwise

if TYPE_CHECKING:
    from sympy import Expr

HALF = mpq(1, 2)


@dataclass(frozen=True)
class Sigmoid(Elementwise):
    """The logistic function."""

    kind = "sigmoid"
    title = "sigmoid"
    mark = "σ"
    exact = False
    formula = r"⟨out⟩ = \sigma(⟨in⟩) = \frac{1}{1 + e^{-⟨in⟩}}"
    derivative_formula = (r"\frac{\partial ⟨out⟩}{\partial ⟨in⟩} = \sigma(⟨in⟩)\bigl(1 - \sigma(⟨in⟩)\bigr)"
                          r" = ⟨out⟩ (1 - ⟨out⟩)")

    def f(self, z: Num) -> Num:
        return HALF if z == 0 else ONE / (ONE + exact_exp(-z))  # exact where the value is rational

    def derivative(self, z: Num, a: Num) -> Num:
        if z == 0:
            return a * (ONE - a)  # 1/4, exact
        # σ(z)·σ(−z) = a / (1 + e^z): 1 − a would cancel to 0 far in the tail, where a rounds to 1.
        return a / (ONE + exact_exp(z))

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        from sympy import Add, Integer, Mul, Pow, exp

        from ..algebra import v

        one = Integer(1)
        return (Pow(Add(one, exp(Mul(Integer(-1), zs, evaluate=False), evaluate=False), evaluate=False), -1, evaluate=False),
                Pow(Add(one, exp(v(-z), evaluate=False), evaluate=False), -1, evaluate=False),
                v(a))

    def slope_sides(self, zs: Expr, as_: Expr, z: Num, a: Num, d: Num, precision: int = 4) -> tuple[Expr, ...]:
        from sympy import Integer

        from ..algebra import minus, times, v

        return (times(as_, minus(Integer(1), as_)), times(v(a), minus(Integer(1), v(a))), v(d))


LAYER = Sigmoid
