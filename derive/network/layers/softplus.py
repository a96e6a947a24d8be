"""softplus: a = log(1 + e^z), with ∂a/∂z = σ(z); above z = 20 a = z and ∂a/∂z = 1 (PyTorch's threshold)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...exact import ONE, Num, mpq
from ...exact import exp as exact_exp
from ...exact import log as exact_log
from .elementwise import Elementwise

if TYPE_CHECKING:
    from sympy import Expr

THRESHOLD = 20  # PyTorch's Softplus(beta=1, threshold=20): linear above it, where log(1 + e^z) = z to float precision
HALF = mpq(1, 2)


def _one_over_one_plus_exp(power: Expr) -> Expr:
    """1 / (1 + e^power), unevaluated."""
    from sympy import Add, Integer, Pow, exp

    return Pow(Add(Integer(1), exp(power, evaluate=False), evaluate=False), -1, evaluate=False)


@dataclass(frozen=True)
class Softplus(Elementwise):
    """A smooth ReLU."""

    kind = "softplus"
    title = "softplus"
    mark = "softplus"
    exact = False
    backward_note = f"Above {THRESHOLD} softplus is taken as linear (a = z, derivative 1), as PyTorch does."
    formula = (r"⟨out⟩ = \begin{cases} \log\left(1 + e^{⟨in⟩}\right) & ⟨in⟩ \le 20 \\ ⟨in⟩ & ⟨in⟩ > 20"
               r" \end{cases}")
    derivative_formula = (r"\frac{\partial ⟨out⟩}{\partial ⟨in⟩} = \begin{cases} \frac{1}{1 + e^{-⟨in⟩}} & ⟨in⟩ \le 20"
                          r" \\ 1 & ⟨in⟩ > 20 \end{cases}")

    def f(self, z: Num) -> Num:
        return z if z > THRESHOLD else exact_log(ONE + exact_exp(z))

    def derivative(self, z: Num, a: Num) -> Num:
        if z > THRESHOLD:
            return ONE
        return HALF if z == 0 else ONE / (ONE + exact_exp(-z))  # exact where the value is rational

    def noted(self, z: Num) -> bool:
        return z > THRESHOLD  # the note is about the linear tail

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        from sympy import Add, Integer, exp, log

        from ..algebra import v

        if z > THRESHOLD:
            return (zs, v(a))
        one = Integer(1)
        return (log(Add(one, exp(zs, evaluate=False), evaluate=False), evaluate=False),
                log(Add(one, exp(v(z), evaluate=False), evaluate=False), evaluate=False), v(a))

    def slope_sides(self, zs: Expr, as_: Expr, z: Num, a: Num, d: Num, precision: int = 4) -> tuple[Expr, ...]:
        from sympy import Integer, Mul

        from ..algebra import v

        if z > THRESHOLD:
            return (v(d),)
        return (_one_over_one_plus_exp(Mul(Integer(-1), zs, evaluate=False)), _one_over_one_plus_exp(v(-z)), v(d))


LAYER = Softplus
