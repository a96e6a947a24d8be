"""binary_cross_entropy on outputs in (0, 1), as PyTorch's BCELoss (the mean over every value):
L = −(1/n) Σ [y·log p + (1 − y)·log(1 − p)], ∂L/∂p = (p − y) / (n · p · (1 − p))."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import SpecError
from ...exact import ONE, ZERO, Num, mpq
from ...exact import log as exact_log
from ..tensor import Shape, Tensor
from .base import Loss

if TYPE_CHECKING:
    from sympy import Expr


@dataclass(frozen=True)
class BinaryCrossEntropy(Loss):
    """The mean binary cross-entropy."""

    def target(self, value: Any, shape: Shape) -> tuple[Tensor, Any]:
        target, _ = super().target(value, shape)
        if any(y < 0 or y > 1 for y in target.data):
            raise SpecError("binary cross-entropy needs targets between 0 and 1", field="target")
        return target, None

    def check_prediction(self, p: Tensor, iteration: int) -> None:
        if any(pi <= 0 or pi >= 1 for pi in p.data):
            raise SpecError(f"binary_cross_entropy needs outputs strictly between 0 and 1, but the network gives "
                            f"{[float(pi) for pi in p.data]} in iteration {iteration}: end it with a sigmoid", field="loss")

    def value(self, p: Tensor, y: Tensor) -> Num:
        terms = (yi * exact_log(pi) + (ONE - yi) * exact_log(ONE - pi) for yi, pi in zip(y.data, p.data))
        return -sum(terms, ZERO) / len(p)

    def gradient(self, p: Tensor, y: Tensor) -> Tensor:
        n = len(p)
        return p.map(lambda pi, yi: (pi - yi) / (n * pi * (ONE - pi)), y)

    def formulas(self, s: Mapping[str, str], n: int) -> dict[str, str]:
        out, y, L = s["out"], s["y"], s["L"]
        mean, per = (rf"\frac{{1}}{{{n}}} ", rf"\frac{{1}}{{{n}}} \cdot ") if n > 1 else ("", "")
        return {"loss": rf"{L} = -{mean}\sum_{{i}} \Bigl[{y}_{{i}} \log {out}_{{i}} + (1 - {y}_{{i}})"
                        rf" \log (1 - {out}_{{i}})\Bigr]",
                "gradient": rf"\frac{{\partial {L}}}{{\partial {out}_{{i}}}} = {per}"
                            rf"\frac{{{out}_{{i}} - {y}_{{i}}}}{{{out}_{{i}} (1 - {out}_{{i}})}}"}

    def equation_sides(self, out: str, p: Tensor, y: Tensor, value: Num, detail: str) -> tuple[Expr, ...]:
        from sympy import Integer, log  # here, not at import: the answer key's loss runs without SymPy

        from ..algebra import const, minus, sym, times, total, v

        c, one = const(mpq(-1, len(p))), Integer(1)

        def term(ys: Expr, ps: Expr) -> Expr:
            return total([times(ys, log(ps, evaluate=False)), times(minus(one, ys), log(minus(one, ps), evaluate=False))])

        cells = p.indices()
        each = [y[i] * exact_log(p[i]) + (ONE - y[i]) * exact_log(ONE - p[i]) for i in cells]
        return (times(c, total([term(sym("|y|", i), sym(out, i)) for i in cells])),
                times(c, total([term(v(y[i]), v(p[i])) for i in cells])),
                times(c, total([v(t) for t in each])), v(value))

    def gradient_sides(self, out: str, p: Tensor, y: Tensor, grad: Tensor, index: tuple[int, ...]) -> tuple[Expr, ...]:
        from sympy import Integer

        from ..algebra import Frac, const, minus, sym, times, v

        c, one = const(mpq(1, len(p))), Integer(1)
        ps, ys = sym(out, index), sym("|y|", index)
        pv, yv = p[index], y[index]
        return (times(c, Frac(minus(ps, ys), times(ps, minus(one, ps)))),
                times(c, Frac(minus(v(pv), v(yv)), times(v(pv), minus(one, v(pv))))), v(grad[index]))


LOSS = BinaryCrossEntropy("binary_cross_entropy", "binary cross-entropy")
