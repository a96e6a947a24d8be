"""leaky_relu: a = z for z > 0, α·z otherwise; the derivative at exactly 0 is α (as PyTorch)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any


from ...exact import ONE, Num, mpq
from ...literals import show
from ..tensor import Shape, number
from .base import unknown_options
from .elementwise import Elementwise

if TYPE_CHECKING:
    from sympy import Expr

DEFAULT_SLOPE = mpq(1, 100)


@dataclass(frozen=True)
class LeakyReLU(Elementwise):
    """ReLU with a small slope α for negative inputs."""

    kind = "leaky_relu"
    title = "leaky ReLU"
    mark = "leaky"
    kink = 0
    backward_note = "At exactly 0 the derivative is taken as the slope α, as PyTorch does."
    options_allowed = ("negative_slope",)
    formula = r"⟨out⟩ = \begin{cases} ⟨in⟩ & ⟨in⟩ > 0 \\ \alpha ⟨in⟩ & ⟨in⟩ \le 0 \end{cases}"
    derivative_formula = (r"\frac{\partial ⟨out⟩}{\partial ⟨in⟩} = \begin{cases} 1 & ⟨in⟩ > 0 \\ \alpha & ⟨in⟩ \le 0"
                          r" \end{cases}")
    slope: Any = DEFAULT_SLOPE

    @classmethod
    def parse(cls, options: Mapping[str, Any], field: str, in_shape: Shape) -> LeakyReLU:
        unknown_options(options, cls.options_allowed, field)
        slope = number(options["negative_slope"], f"{field}.negative_slope") if "negative_slope" in options else DEFAULT_SLOPE
        return cls(in_shape, in_shape, slope=slope)

    def f(self, z: Num) -> Num:
        return z if z > 0 else self.slope * z

    def derivative(self, z: Num, a: Num) -> Num:
        return ONE if z > 0 else self.slope

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        from sympy import Symbol

        from ..algebra import times, v

        if z > 0:
            return (zs, v(a))
        # α by name, as the layer's formula writes it, then its number: a = α·z = 0.2·(−2.25) = …
        return (times(Symbol(r"\alpha"), zs), times(v(self.slope), v(z)), v(a))

    def options(self) -> dict[str, Any]:
        from ..answers import spec_number

        return {"negative_slope": spec_number(self.slope)}

    def describe(self) -> str:
        return f"slope α = {show(self.slope)}"


LAYER = LeakyReLU
