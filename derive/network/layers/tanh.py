"""tanh: a = tanh(z), with ∂a/∂z = 1 − a²; values are 256-bit reals (exact.py)."""
from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

from ...exact import ONE, ZERO, Num
from ...exact import exp as exact_exp
from ...exact import tanh as exact_tanh
from .elementwise import Elementwise

if TYPE_CHECKING:
    from sympy import Expr


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
        # sech²(z) = 4/(e^z + e^−z)², computed directly: 1 − a² cancels to 0 in 256 bits once |z| passes
        # about 90, where the true value (5.5e-87 at z = 100) is still representable.
        return ONE if z == 0 else 4 / (exact_exp(z) + exact_exp(-z)) ** 2

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        from sympy import tanh

        from ..algebra import v

        return (tanh(zs, evaluate=False), tanh(v(z), evaluate=False), v(a))

    def slope_sides(self, zs: Expr, as_: Expr, z: Num, a: Num, d: Num) -> tuple[Expr, ...]:
        from sympy import Integer

        from ..algebra import minus, square, v

        return (minus(Integer(1), square(as_)), minus(Integer(1), square(v(a))), v(d))


LAYER = Tanh
