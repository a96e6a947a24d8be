"""maxpool: each window's largest value; a tie goes to the first maximum in row-major order, and
the backward pass routes each gradient to its window's winner."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Mapping

from ...exact import ONE, Num
from ..tensor import Tensor, zeros
from .base import Backward, Forward, Params
from .pooling import Index, Pooling

if TYPE_CHECKING:  # the equations' SymPy is imported where they are built: the rules run without it
    from sympy import Expr

    from ...printing import Equation


@dataclass(frozen=True)
class MaxPool(Pooling):
    """Max pooling."""

    kind = "maxpool"
    title = "max pooling"
    forward_note = "Each window gives its largest value; when several cells share it, the first in row-major order wins."
    backward_note = "Max pooling passes each gradient to the cell that won its window; every other cell gets 0."

    def forward(self, x: Tensor, params: Params) -> Forward:
        winners: dict[Index, Index] = {}
        out = []
        for cell in zeros(self.out_shape).indices():
            window = self.window(cell)
            best = window[0]
            for c in window[1:]:
                if x[c] > x[best]:  # strictly greater: the first maximum stays
                    best = c
            winners[cell] = best
            out.append(x[best])
        return Forward(Tensor(self.out_shape, tuple(out)), winners)

    def backward(self, x: Tensor, fwd: Forward, params: Params, grad: Tensor) -> Backward:
        data = list(zeros(self.in_shape).data)
        for cell, src in fwd.aux.items():
            data[x.offset(src)] += grad[cell]
        return Backward(Tensor(self.in_shape, tuple(data)))

    def feeds(self, aux: Any, out: Tensor) -> dict[Index, list[tuple[Index, Num]]]:
        routes: dict[Index, list[tuple[Index, Num]]] = {}
        for cell, src in aux.items():
            routes.setdefault(src, []).append((cell, ONE))
        return routes

    def equation(self, lhs: Expr, window: Sequence[tuple[Expr, Num]], value: Num) -> Equation:
        """Ŷ_ij = max(A over the window) = max(numbers) = value."""
        from ...printing import Equation
        from ..algebra import Max, v

        return Equation(lhs, (Max(*(s for s, _ in window)), Max(*(v(x) for _, x in window)), v(value)))

    def formulas(self, s: Mapping[str, str]) -> dict[str, str]:
        return {"forward": rf"{s['out']}_{{ij}} = \max_{{(r, c) \in \text{{window}}(i, j)}} {s['in']}_{{rc}}",
                "chain": rf"\frac{{\partial {s['L']}}}{{\partial {s['in']}_{{rc}}}} = \sum_{{(i, j):\ (r, c)"
                              rf" \text{{ wins window }} (i, j)}} \frac{{\partial {s['L']}}}{{\partial {s['out']}_{{ij}}}}"}


LAYER = MaxPool
