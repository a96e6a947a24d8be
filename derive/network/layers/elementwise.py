"""The shared shape of activations applied cell by cell: a = f(z), ∂L/∂z = ∂L/∂a · f'(z).

Each activation module subclasses Elementwise with its rule, its derivative, their formulas,
equations and words; this module is not a layer kind itself. A flat spec's `activation:` names
one of these modules too (derive/activation.py), so adding one serves both kinds of spec. SymPy
is imported where equations are written, so the rules load without it (an answer key's start-up)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ...exact import Num
from ..tensor import Shape, Tensor
from .base import Backward, Forward, Layer, Params, Step, Work, fill, unknown_options

if TYPE_CHECKING:
    from sympy import Expr

    from ...printing import Equation


@dataclass(frozen=True)
class Elementwise(Layer):
    """An activation: the same function on every cell."""

    symbol = "a"
    formula = ""  # a = f(z), with ⟨in⟩ and ⟨out⟩ placeholders
    derivative_formula = ""  # ∂a/∂z
    # The input where f has no derivative (ReLU's 0): backward_note says what is taken there, and
    # a flat document repeats it when an input is exactly there.
    kink: ClassVar[int | None] = None

    @classmethod
    def parse(cls, options: Mapping[str, Any], field: str, in_shape: Shape) -> Elementwise:
        unknown_options(options, cls.options_allowed, field)
        return cls(in_shape, in_shape)

    def f(self, z: Num) -> Num:
        """The activation of one cell."""
        raise NotImplementedError

    def derivative(self, z: Num, a: Num) -> Num:
        """∂a/∂z at one cell, from its input z and output a."""
        raise NotImplementedError

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        """a = f(z): symbolic, substituted, value."""
        raise NotImplementedError

    def slope_sides(self, zs: Expr, as_: Expr, z: Num, a: Num, d: Num, precision: int = 4) -> tuple[Expr, ...]:
        """∂a/∂z: symbolic, substituted, value (`precision`: the decimals printed, for a form that
        must not read as 0)."""
        from ..algebra import v

        return (v(d),)

    def noted(self, z: Num) -> bool:
        """The backward_note is about input z (it is the kink), so a document should say it there."""
        return self.kink is not None and z == self.kink

    def forward(self, x: Tensor, params: Params) -> Forward:
        return Forward(x.map(self.f))

    def backward(self, x: Tensor, fwd: Forward, params: Params, grad: Tensor) -> Backward:
        return Backward(grad.map(lambda g, z, a: g * self.derivative(z, a), x, fwd.output))

    def formulas(self, s: Mapping[str, str]) -> dict[str, str]:
        return {"forward": fill(self.formula, s), "local": fill(self.derivative_formula, s),
                "chain": fill(r"\frac{\partial ⟨L⟩}{\partial ⟨in⟩} = \frac{\partial ⟨L⟩}{\partial ⟨out⟩} \cdot "
                              r"\frac{\partial ⟨out⟩}{\partial ⟨in⟩}", s)}

    def work(self, step: Step) -> Work:
        from sympy import Derivative

        from ...printing import Equation
        from ..algebra import L, pick, sym

        x, a, g, gx = step.x, step.forward.output, step.grad_output, step.backward.grad_input
        cells = pick(x.indices(), step.detail, lambda c: gx[c])
        forward, local, chain = [], [], []
        for c in cells:
            zs, as_ = sym(step.inp, c), sym(step.out, c)
            z, av = x[c], a[c]
            d = self.derivative(z, av)
            forward.append(Equation(as_, self.value_sides(zs, z, av)))
            local.append(Equation(Derivative(as_, zs), self.slope_sides(zs, as_, z, av, d)))
            chain.append(chain_equation(Derivative(L, zs), (Derivative(L, as_), Derivative(as_, zs)), g[c], d, gx[c]))
        return Work(forward=tuple(forward), local=tuple(local), chain=tuple(chain))


def chain_equation(lhs: Expr, factors: tuple[Expr, Expr], upstream: Num, slope: Num, value: Num) -> Equation:
    """∂L/∂Z = ∂L/∂A · ∂A/∂Z = g · f'(z) = value, `factors` naming ∂L/∂A and ∂A/∂Z: the flat documents'
    ∂L/∂Z (steps.py) and the network's chain through an activation alike."""
    from ...printing import Equation
    from ..algebra import times, v

    return Equation(lhs, (times(*factors), times(v(upstream), v(slope)), v(value)))
