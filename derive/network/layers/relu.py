"""relu: a = max(0, z); its derivative at exactly z = 0 is taken as 0 (as PyTorch)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...exact import ONE, ZERO, Num
from .elementwise import Elementwise

if TYPE_CHECKING:
    from sympy import Expr


@dataclass(frozen=True)
class ReLU(Elementwise):
    """The rectified linear unit."""

    kind = "relu"
    title = "ReLU"
    mark = "ReLU"
    kink = 0
    backward_note = "At exactly 0, where ReLU has no derivative, it is taken as 0, as PyTorch does."
    formula = r"⟨out⟩ = \max(0, ⟨in⟩)"
    derivative_formula = (r"\frac{\partial ⟨out⟩}{\partial ⟨in⟩} = \begin{cases} 1 & ⟨in⟩ > 0 \\ 0 & ⟨in⟩ \le 0"
                          r" \end{cases}")

    def f(self, z: Num) -> Num:
        return z if z > 0 else ZERO

    def derivative(self, z: Num, a: Num) -> Num:
        return ONE if z > 0 else ZERO

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        from sympy import Integer

        from ..algebra import Max, v

        return (Max(Integer(0), zs), Max(Integer(0), v(z)), v(a))


LAYER = ReLU
