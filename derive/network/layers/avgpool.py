"""avgpool: each window's mean; the backward pass shares each gradient equally over its window."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Mapping

from ...exact import ZERO, Num, mpq
from ..tensor import Tensor, zeros
from .base import Backward, Forward, Params
from .pooling import Index, Pooling

if TYPE_CHECKING:  # the equations' SymPy is imported where they are built: the rules run without it
    from sympy import Expr

    from ...printing import Equation


@dataclass(frozen=True)
class AvgPool(Pooling):
    """Average pooling."""

    kind = "avgpool"
    title = "average pooling"
    forward_note = "Each window gives the average of its cells."
    backward_note = "Average pooling shares each gradient equally among the cells of its window."

    @property
    def share(self) -> Num:
        """1/k for k cells per window."""
        return mpq(1, self.size[0] * self.size[1])

    def forward(self, x: Tensor, params: Params) -> Forward:
        out = [sum((x[c] for c in self.window(cell)), ZERO) * self.share for cell in zeros(self.out_shape).indices()]
        return Forward(Tensor(self.out_shape, tuple(out)))

    def backward(self, x: Tensor, fwd: Forward, params: Params, grad: Tensor) -> Backward:
        data = list(zeros(self.in_shape).data)
        for cell in zeros(self.out_shape).indices():
            for c in self.window(cell):
                data[x.offset(c)] += grad[cell] * self.share
        return Backward(Tensor(self.in_shape, tuple(data)))

    def feeds(self, aux: Any, out: Tensor) -> dict[Index, list[tuple[Index, Num]]]:
        routes: dict[Index, list[tuple[Index, Num]]] = {}
        for cell in out.indices():
            for c in self.window(cell):
                routes.setdefault(c, []).append((cell, self.share))
        return routes

    def equation(self, lhs: Expr, window: Sequence[tuple[Expr, Num]], value: Num) -> Equation:
        """Ŷ_ij = 1/k · Σ A over the window = 1/k · Σ numbers = 1/k · their sum = value."""
        from ...printing import Equation
        from ..algebra import const, times, total, v

        k = const(self.share)
        return Equation(lhs, (times(k, total([s for s, _ in window])), times(k, total([v(x) for _, x in window])),
                              times(k, v(sum((x for _, x in window), ZERO))), v(value)))

    def formulas(self, s: Mapping[str, str]) -> dict[str, str]:
        k = self.size[0] * self.size[1]
        return {"forward": rf"{s['out']}_{{ij}} = \frac{{1}}{{{k}}} \sum_{{(r, c) \in \text{{window}}(i, j)}} {s['in']}_{{rc}}",
                "chain": rf"\frac{{\partial {s['L']}}}{{\partial {s['in']}_{{rc}}}} = \sum_{{(i, j):\ (r, c) \in"
                              rf" \text{{window}}(i, j)}} \frac{{1}}{{{k}}} \frac{{\partial {s['L']}}}{{\partial {s['out']}_{{ij}}}}"}


LAYER = AvgPool
