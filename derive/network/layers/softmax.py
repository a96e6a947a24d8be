"""softmax over a vector: p_i = e^(z_i) / Σ_j e^(z_j); ∂L/∂z_k = p_k·(∂L/∂p_k − Σ_i ∂L/∂p_i·p_i).

Under cross-entropy the chain simplifies to ∂L/∂z = p − y (the trainer computes it that way, as
PyTorch's CrossEntropyLoss does, and the document shows the simplification)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import SpecError
from ...exact import ZERO
from ...exact import exp as exact_exp
from ..tensor import Shape, Tensor, dims
from .base import Backward, Forward, Layer, Params, Step, Work, fill, unknown_options


@dataclass(frozen=True)
class Softmax(Layer):
    """Probabilities from scores."""

    kind = "softmax"
    title = "softmax"
    mark = "softmax"
    exact = False
    symbol = "a"

    @classmethod
    def parse(cls, options: Mapping[str, Any], field: str, in_shape: Shape) -> Softmax:
        unknown_options(options, cls.options_allowed, field)
        if len(in_shape) != 1:
            raise SpecError(f"softmax works over a vector, but the previous layer gives {dims(in_shape)} values: "
                            "put a flatten layer before it", field=field)
        return cls(in_shape, in_shape)

    def forward(self, x: Tensor, params: Params) -> Forward:
        e = [exact_exp(z) for z in x.data]
        s = sum(e, ZERO)
        return Forward(Tensor(x.shape, tuple(ei / s for ei in e)))

    def backward(self, x: Tensor, fwd: Forward, params: Params, grad: Tensor) -> Backward:
        p = fwd.output.data
        dot = sum((g * pi for g, pi in zip(grad.data, p)), ZERO)
        return Backward(Tensor(x.shape, tuple(pk * (gk - dot) for pk, gk in zip(p, grad.data))))

    def formulas(self, s: Mapping[str, str]) -> dict[str, str]:
        return {
            "forward": fill(r"⟨out⟩_{i} = \frac{e^{⟨in⟩_{i}}}{\sum_{j} e^{⟨in⟩_{j}}}", s),
            "local": fill(r"\frac{\partial ⟨out⟩_{i}}{\partial ⟨in⟩_{k}} = ⟨out⟩_{i} \, (\delta_{ik} - ⟨out⟩_{k})", s),
            "chain": fill(r"\frac{\partial ⟨L⟩}{\partial ⟨in⟩_{k}} = \sum_{i} \frac{\partial ⟨L⟩}{\partial ⟨out⟩_{i}}"
                          r" \, ⟨out⟩_{i} (\delta_{ik} - ⟨out⟩_{k}) = ⟨out⟩_{k} \Bigl(\frac{\partial ⟨L⟩}{\partial ⟨out⟩_{k}}"
                          r" - \sum_{i} \frac{\partial ⟨L⟩}{\partial ⟨out⟩_{i}} \, ⟨out⟩_{i}\Bigr)", s),
            "fused": fill(r"\frac{\partial ⟨L⟩}{\partial ⟨in⟩_{k}} = \sum_{i} \Bigl(-\frac{⟨y⟩_{i}}{⟨out⟩_{i}}\Bigr)"
                          r" ⟨out⟩_{i} (\delta_{ik} - ⟨out⟩_{k}) = -⟨y⟩_{k} + ⟨out⟩_{k} \sum_{i} ⟨y⟩_{i}"
                          r" = ⟨out⟩_{k} - ⟨y⟩_{k}", s),
        }

    def work(self, step: Step) -> Work:
        from sympy import Derivative, exp  # here, not at import: an answer key's softmax runs without SymPy

        from ...printing import Equation
        from ..algebra import Frac, L, minus, pick, sym, times, total, v

        z, p, g, gz = step.x, step.forward.output, step.grad_output, step.backward.grad_input
        n = len(z)
        e_sym = [exp(sym(step.inp, (j,)), evaluate=False) for j in range(n)]
        e_num = [exp(v(z.data[j]), evaluate=False) for j in range(n)]
        e_val = [v(exact_exp(z.data[j])) for j in range(n)]
        forward = tuple(
            Equation(sym(step.out, (i,)), (Frac(e_sym[i], total(e_sym)), Frac(e_num[i], total(e_num)),
                                           Frac(e_val[i], total(e_val)), v(p.data[i])))
            for i in pick(list(range(n)), step.detail, lambda i: gz.data[i])
        )
        shown = pick(list(range(n)), step.detail, lambda k: gz.data[k])
        if step.fused and step.target is not None:
            y = step.target.data
            chain = tuple(Equation(Derivative(L, sym(step.inp, (k,))), (
                minus(sym(step.out, (k,)), sym("|y|", (k,))), minus(v(p.data[k]), v(y[k])), v(gz.data[k])))
                for k in shown)
            return Work(forward=forward, chain=chain)
        dot = sum((gi * pi for gi, pi in zip(g.data, p.data)), ZERO)
        chain = tuple(Equation(Derivative(L, sym(step.inp, (k,))), (
            times(sym(step.out, (k,)), minus(Derivative(L, sym(step.out, (k,))),
                                             total([times(Derivative(L, sym(step.out, (i,))), sym(step.out, (i,))) for i in range(n)]))),
            times(v(p.data[k]), minus(v(g.data[k]), total([times(v(g.data[i]), v(p.data[i])) for i in range(n)]))),
            times(v(p.data[k]), minus(v(g.data[k]), v(dot))),
            v(gz.data[k]))) for k in shown)
        return Work(forward=forward, chain=chain)


LAYER = Softmax
