"""The squared-error family: L = c(n) · Σ (y − p)², ∂L/∂p = 2c(n) · (p − y). Not a loss itself:
mse.py, sse.py and half_sse.py choose c."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...exact import ZERO, Num, mpq
from ..tensor import Tensor
from .base import Loss

if TYPE_CHECKING:
    from sympy import Expr


@dataclass(frozen=True)
class Squared(Loss):
    """c(n) · Σ (y − p)²."""

    def scale(self, n: int) -> Num:
        """c(n)."""
        raise NotImplementedError

    def grad_scale(self, n: int) -> Num:
        """2c(n): ∂L/∂p = 2c(n) · (p − y)."""
        return 2 * self.scale(n)

    def value(self, p: Tensor, y: Tensor) -> Num:
        return self.scale(len(p)) * sum(((a - b) * (a - b) for a, b in zip(y.data, p.data)), ZERO)

    def gradient(self, p: Tensor, y: Tensor) -> Tensor:
        c = self.grad_scale(len(p))
        return p.map(lambda a, b: c * (a - b), y)

    def formulas(self, s: Mapping[str, str], n: int) -> dict[str, str]:
        c, c2 = self.scale(n), 2 * self.scale(n)
        show = lambda q: "" if q == 1 else (rf"\frac{{{q.numerator}}}{{{q.denominator}}} " if q.denominator != 1 else f"{q} ")  # noqa: E731
        return {"loss": rf"{s['L']} = {show(c)}\sum_{{i}} \left({s['y']}_{{i}} - {s['out']}_{{i}}\right)^{{2}}",
                "gradient": rf"\frac{{\partial {s['L']}}}{{\partial {s['out']}_{{i}}}} = {show(c2)}\left({s['out']}_{{i}}"
                            rf" - {s['y']}_{{i}}\right)"}

    def equation_sides(self, out: str, p: Tensor, y: Tensor, value: Num, detail: str) -> tuple[Expr, ...]:
        from ..algebra import const, minus, square, sym, times, total, v

        c = const(self.scale(len(p)))
        residuals = [a - b for a, b in zip(y.data, p.data)]
        summed = v(sum((r * r for r in residuals), ZERO))
        if detail == "summary":
            return (times(c, summed), v(value)) if c != 1 else (v(value),)
        cells = p.indices()
        sides = [
            times(c, total([square(minus(sym("|y|", i), sym(out, i))) for i in cells])),
            times(c, total([square(minus(v(a), v(b))) for a, b in zip(y.data, p.data)])),
            times(c, total([square(v(r)) for r in residuals])),
            times(c, total([v(r * r) for r in residuals])),
        ]
        if len(cells) > 1 and c != 1:
            sides.append(times(c, summed))
        return tuple(sides) + (v(value),)

    def gradient_sides(self, out: str, p: Tensor, y: Tensor, grad: Tensor, index: tuple[int, ...]) -> tuple[Expr, ...]:
        from ..algebra import const, minus, sym, times, v

        c = const(2 * self.scale(len(p)))
        sides = [times(c, minus(sym(out, index), sym("|y|", index))), times(c, minus(v(p[index]), v(y[index])))]
        if c != 1:
            sides.append(times(c, v(p[index] - y[index])))
        return tuple(sides) + (v(grad[index]),)


def fraction(n: int, d: int = 1) -> Num:
    """n/d exactly."""
    return mpq(n, d)
