"""The squared-error family: L = c(n) · Σ (y − p)², ∂L/∂p = 2c(n) · (p − y). Not a loss itself:
mse.py, sse.py and half_sse.py choose c."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...exact import ZERO, Num, mpq
from ..tensor import Tensor
from .base import Loss

if TYPE_CHECKING:
    from sympy import Expr


@dataclass(frozen=True)
class Squared(Loss):
    """c(n) · Σ (y − p)²."""

    per_n: ClassVar[bool] = False  # c depends on n (the mean): its formulas show 1/n and 2/n first

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
        residual = rf"\left({s['y']}_{{i}} - {s['out']}_{{i}}\right)^{{2}}"
        difference = rf"{s['out']}_{{i}} - {s['y']}_{{i}}"
        loss = rf"{s['L']} = " + " = ".join(f"{c}\\sum_{{i}} {residual}" for c in self._factors(n, 1))
        gradient = rf"\frac{{\partial {s['L']}}}{{\partial {s['out']}_{{i}}}} = " + " = ".join(
            rf"{c}\left({difference}\right)" if c else difference for c in self._factors(n, 2))
        return {"loss": loss, "gradient": gradient}

    def _factors(self, n: int, times: int) -> list[str]:
        """times·c(n) as the flat document writes it: the general form (2/n), then with n substituted
        (2/4), then simplified (1/2) when that differs; "" for a factor of 1."""
        value = times * self.scale(n)
        if not self.per_n:
            return [_factor(value)]
        shown = [rf"\frac{{{times}}}{{n}} ", rf"\frac{{{times}}}{{{n}}} "]
        return shown + ([_factor(value)] if value.denominator != n else [])

    def equation_sides(self, out: str, p: Tensor, y: Tensor, value: Num, detail: str) -> tuple[Expr, ...]:
        from ..algebra import sym

        cells = p.indices()
        return loss_sides(self.scale(len(p)), y.data, p.data, value, detail,
                          lambda k: (sym("|y|", cells[k]), sym(out, cells[k])))

    def gradient_sides(self, out: str, p: Tensor, y: Tensor, grad: Tensor, index: tuple[int, ...]) -> tuple[Expr, ...]:
        from ..algebra import sym

        return gradient_sides(self.grad_scale(len(p)), (sym(out, index), sym("|y|", index)), p[index], y[index],
                              grad[index])


# The squared loss's worked equations, for the flat documents (steps.py: Y, Ŷ) and the network's (y, its
# last layer's symbol) alike: each caller names its own symbols and this writes the rule.

def loss_sides(scale: Num, y: Sequence[Num], p: Sequence[Num], value: Num, detail: str,
               symbols: Callable[[int], tuple[Expr, Expr]]) -> tuple[Expr, ...]:
    """L = c·Σ (Y − Ŷ)² = c·Σ (y − ŷ)² = c·Σ r² = c·Σ (r²) = c·S = value; in summary c·S = value only.
    `symbols(k)` names the k-th (target, prediction) pair: asked only in full detail."""
    from ..algebra import const, minus, square, times, total, v

    c = const(scale)
    residuals = [a - b for a, b in zip(y, p)]
    summed = v(sum((r * r for r in residuals), ZERO))
    if detail == "summary":
        return (times(c, summed), v(value)) if c != 1 else (v(value),)
    sides = [
        times(c, total([square(minus(*symbols(k))) for k in range(len(p))])),
        times(c, total([square(minus(v(a), v(b))) for a, b in zip(y, p)])),
        times(c, total([square(v(r)) for r in residuals])),
        times(c, total([v(r * r) for r in residuals])),
    ]
    if len(p) > 1 and c != 1:  # with c = 1 the sum is the value
        sides.append(times(c, summed))
    return tuple(sides) + (v(value),)


def gradient_sides(grad_scale: Num, symbols: tuple[Expr, Expr], p: Num, y: Num, grad: Num) -> tuple[Expr, ...]:
    """∂L/∂Ŷ = 2c·(Ŷ − Y) = 2c·(ŷ − y) = 2c·d = value at one cell; `symbols` is (prediction, target)."""
    from ..algebra import const, minus, times, v

    c = const(grad_scale)
    sides = [times(c, minus(*symbols)), times(c, minus(v(p), v(y)))]
    if c != 1:
        sides.append(times(c, v(p - y)))
    return tuple(sides) + (v(grad),)


def _factor(q: Num) -> str:
    """A constant factor as LaTeX before a bracket: "" for 1, 2, \\frac{1}{2}."""
    if q == 1:
        return ""
    return rf"\frac{{{q.numerator}}}{{{q.denominator}}} " if q.denominator != 1 else f"{q} "


def fraction(n: int, d: int = 1) -> Num:
    """n/d exactly."""
    return mpq(n, d)
