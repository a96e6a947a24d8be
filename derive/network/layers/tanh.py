"""tanh: a = tanh(z), with ∂a/∂z = 1 − a² = sech²(z); values are 256-bit reals (exact.py)."""
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
    # The output bracketed: a network's a⁽¹⁾ already carries a superscript.
    derivative_formula = r"\frac{\partial ⟨out⟩}{\partial ⟨in⟩} = 1 - \tanh^{2}(⟨in⟩) = 1 - \left(⟨out⟩\right)^{2}"

    def f(self, z: Num) -> Num:
        return ZERO if z == 0 else exact_tanh(z)  # exact where the value is rational

    def derivative(self, z: Num, a: Num) -> Num:
        if z == 0:
            return ONE
        # sech²(z) = 4/(e^z + e^−z)², computed directly: 1 − tanh²(z) cancels to 0 in 256 bits once
        # |z| passes about 90, where the true value (5.5e-87 at z = 100) is still representable.
        return 4 / (exact_exp(z) + exact_exp(-z)) ** 2

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        from sympy import tanh

        from ..algebra import v

        return (tanh(zs, evaluate=False), tanh(v(z), evaluate=False), v(a))

    def slope_sides(self, zs: Expr, as_: Expr, z: Num, a: Num, d: Num, precision: int = 4) -> tuple[Expr, ...]:
        from sympy import Integer, Rational, sech

        from ..algebra import minus, square, v

        if 1 - abs(a) <= Rational(1, 2 * 10**precision):
            # a prints as ±1, so 1 − (1.0000)² would read as 0: write sech²(z), which derivative() computes.
            return (minus(Integer(1), square(as_)), square(sech(zs, evaluate=False)), square(sech(v(z), evaluate=False)),
                    v(d))
        return (minus(Integer(1), square(as_)), minus(Integer(1), square(v(a))), v(d))


LAYER = Tanh
