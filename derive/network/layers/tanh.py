"""tanh: a = tanh(z), with ∂a/∂z = 1 − a²; values are 256-bit reals (exact.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sympy import Expr, Integer, tanh

from ...exact import ONE, ZERO, Num
from ...exact import tanh as exact_tanh
from ..algebra import minus, square, v
from .elementwise import Elementwise


@dataclass(frozen=True)
class Tanh(Elementwise):
    """The hyperbolic tangent."""

    kind = "tanh"
    title = "tanh"
    mark = "tanh"
    exact = False
    formula = r"⟨out⟩ = \tanh(⟨in⟩)"
    derivative_formula = r"\frac{\partial ⟨out⟩}{\partial ⟨in⟩} = 1 - \left(⟨out⟩\right)^{2}"

    def f(self, z: Num) -> Num:
        return ZERO if z == 0 else exact_tanh(z)  # exact where the value is rational

    def derivative(self, z: Num, a: Num) -> Num:
        return ONE - a * a

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        return (tanh(zs, evaluate=False), tanh(v(z), evaluate=False), v(a))

    def slope_sides(self, zs: Expr, as_: Expr, z: Num, a: Num, d: Num) -> tuple[Expr, ...]:
        return (minus(Integer(1), square(as_)), minus(Integer(1), square(v(a))), v(d))


LAYER = Tanh
