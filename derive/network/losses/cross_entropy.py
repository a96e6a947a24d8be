"""cross_entropy after a final softmax: L = −Σ y_i · log p_i, the target a class index or a
probability vector. ∂L/∂p_i = −y_i / p_i, and through the softmax ∂L/∂z = p − y."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import SpecError
from ...exact import ONE, ZERO, Num
from ...exact import log as exact_log
from ..tensor import Shape, Tensor, whole
from .base import Loss

if TYPE_CHECKING:
    from sympy import Expr


@dataclass(frozen=True)
class CrossEntropy(Loss):
    """Negative log-likelihood of the softmax's probabilities."""

    def target(self, value: Any, shape: Shape) -> tuple[Tensor, Any]:
        n = shape[0]
        if not isinstance(value, list):  # a class index
            k = whole(value, "target", 0)
            if k >= n:
                raise SpecError(f"class {k}, but the network gives {n} classes (0 to {n - 1})", field="target")
            return Tensor(shape, tuple(ONE if i == k else ZERO for i in range(n))), k
        target, _ = super().target(value, shape)
        if any(y < 0 for y in target.data) or sum(target.data, ZERO) != 1:
            raise SpecError("a probability vector must have entries ≥ 0 that sum to 1 (or give a class index)", field="target")
        return target, None

    def value(self, p: Tensor, y: Tensor) -> Num:
        return -sum((yi * exact_log(pi) for yi, pi in zip(y.data, p.data) if yi != 0), ZERO)

    def gradient(self, p: Tensor, y: Tensor) -> Tensor:
        return p.map(lambda pi, yi: -yi / pi if yi != 0 else ZERO, y)  # an exact 0 where the target is 0

    def formulas(self, s: Mapping[str, str], n: int) -> dict[str, str]:
        return {"loss": rf"{s['L']} = -\sum_{{i}} {s['y']}_{{i}} \log {s['out']}_{{i}}",
                "gradient": rf"\frac{{\partial {s['L']}}}{{\partial {s['out']}_{{i}}}} = -\frac{{{s['y']}_{{i}}}}{{{s['out']}_{{i}}}}"}

    def equation_sides(self, out: str, p: Tensor, y: Tensor, value: Num, detail: str) -> tuple[Expr, ...]:
        from sympy import Integer, log  # here, not at import: the answer key's loss runs without SymPy

        from ..algebra import sym, times, total, v

        cells = [i for i in p.indices() if y[i] != 0]
        minus_one = Integer(-1)
        return (
            times(minus_one, total([times(sym("|y|", i), log(sym(out, i), evaluate=False)) for i in p.indices()])),
            times(minus_one, total([times(v(y[i]), log(v(p[i]), evaluate=False)) for i in cells])),
            times(minus_one, total([v(y[i] * exact_log(p[i])) for i in cells])),
            v(value),
        )

    def gradient_sides(self, out: str, p: Tensor, y: Tensor, grad: Tensor, index: tuple[int, ...]) -> tuple[Expr, ...]:
        from sympy import Integer

        from ..algebra import Frac, sym, times, v

        minus_one = Integer(-1)
        return (times(minus_one, Frac(sym("|y|", index), sym(out, index))), times(minus_one, Frac(v(y[index]), v(p[index]))),
                v(grad[index]))


LOSS = CrossEntropy("cross_entropy", "cross-entropy", after="softmax")
