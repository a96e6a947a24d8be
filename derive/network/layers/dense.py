"""dense: a fully connected layer, y = W·x + b with W out×in (as PyTorch's Linear)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import SpecError
from ...exact import ZERO
from ..tensor import Shape, Tensor, dims, parse_tensor
from .base import (
    Backward,
    Forward,
    Layer,
    Params,
    Step,
    Work,
    fill,
    parse_fixed,
    unknown_options,
)


@dataclass(frozen=True)
class Dense(Layer):
    """z_i = Σ_j W_ij · x_j + b_i."""

    kind = "dense"
    title = "dense"
    forward_note = "Each output unit is the weighted sum of all the inputs, plus the unit's bias when the layer has one."
    backward_note = "Each weight touched one unit, so its gradient is one product; the input gradient sums over every unit."
    symbol = "z"
    param_names = ("weights", "bias")
    options_allowed = ("weights", "bias", "fixed")

    @classmethod
    def parse(cls, options: Mapping[str, Any], field: str, in_shape: Shape) -> Dense:
        unknown_options(options, cls.options_allowed, field)
        if "weights" not in options:
            raise SpecError("missing required key", field=f"{field}.weights")
        weights = parse_tensor(options["weights"], f"{field}.weights", (2,), " (out × in)")
        rows, cols = weights.shape
        if len(in_shape) != 1:
            raise SpecError(f"a dense layer needs a vector, but the previous layer gives {dims(in_shape)} values: "
                            "put a flatten layer before it", field=f"{field}.weights")
        if cols != in_shape[0]:
            raise SpecError(f"{cols} column{'s' if cols != 1 else ''}, but the previous layer gives {in_shape[0]} "
                            f"value{'s' if in_shape[0] != 1 else ''}", field=f"{field}.weights")
        init = [("weights", weights)]
        if options.get("bias") is not None:
            bias = parse_tensor(options["bias"], f"{field}.bias", (1,), " (one number per output unit)")
            if bias.shape != (rows,):
                raise SpecError(f"{bias.shape[0]} values for {rows} output units", field=f"{field}.bias")
            init.append(("bias", bias))
        fixed = parse_fixed(options, field, tuple(name for name, _ in init))
        return cls((cols,), (rows,), tuple(init), fixed)

    def forward(self, x: Tensor, params: Params) -> Forward:
        w, b = params["weights"], params.get("bias")
        rows, cols = w.shape
        out = []
        for i in range(rows):
            acc = b.data[i] if b is not None else ZERO
            row = w.data[i * cols : (i + 1) * cols]
            for wij, xj in zip(row, x.data):
                acc += wij * xj
            out.append(acc)
        return Forward(Tensor((rows,), tuple(out)))

    def backward(self, x: Tensor, fwd: Forward, params: Params, grad: Tensor) -> Backward:
        w = params["weights"]
        rows, cols = w.shape
        gw = tuple(g * xj for g in grad.data for xj in x.data)
        gx = []
        for j in range(cols):
            acc = ZERO
            for i in range(rows):
                acc += grad.data[i] * w.data[i * cols + j]
            gx.append(acc)
        grads = {"weights": Tensor(w.shape, gw)}
        if "bias" in params:
            grads["bias"] = grad
        return Backward(Tensor(x.shape, tuple(gx)), grads)

    def options(self) -> dict[str, Any]:
        return {}

    def describe(self) -> str:
        w = self.parameters["weights"]
        return f"weights {dims(w.shape)}" + (", bias" if "bias" in self.parameters else "")

    def formulas(self, s: Mapping[str, str]) -> dict[str, str]:
        bias = " + ⟨b⟩_{i}" if "bias" in self.parameters else ""
        out = {
            "forward": fill(r"⟨out⟩_{i} = \sum_{j} ⟨W⟩_{ij} \, ⟨in⟩_{j}" + bias, s),
            "weights": fill(r"\frac{\partial ⟨L⟩}{\partial ⟨W⟩_{ij}} = \frac{\partial ⟨L⟩}{\partial ⟨out⟩_{i}}"
                            r" \cdot \frac{\partial ⟨out⟩_{i}}{\partial ⟨W⟩_{ij}} = \frac{\partial ⟨L⟩}{\partial ⟨out⟩_{i}} \cdot ⟨in⟩_{j}", s),
            "grad_input": fill(r"\frac{\partial ⟨L⟩}{\partial ⟨in⟩_{j}} = \sum_{i} \frac{\partial ⟨L⟩}{\partial ⟨out⟩_{i}} \cdot ⟨W⟩_{ij}", s),
        }
        if bias:
            out["bias"] = fill(r"\frac{\partial ⟨L⟩}{\partial ⟨b⟩_{i}} = \frac{\partial ⟨L⟩}{\partial ⟨out⟩_{i}}", s)
        return out

    def work(self, step: Step) -> Work:
        from sympy import Derivative  # here, not at import: an answer key's dense layer runs without SymPy

        from ...printing import Equation
        from ..algebra import L, label, pick, sym, times, total, v

        x, z, g = step.x, step.forward.output, step.grad_output
        w, b = step.params["weights"], step.params.get("bias")
        rows, cols = w.shape
        W, B = label("W", step.tag), label("b", step.tag)
        gw, gx = step.backward.grads["weights"], step.backward.grad_input

        def unit(i: int) -> Equation:
            terms = [(w.data[i * cols + j], x.data[j], (i, j), (j,)) for j in range(cols)]
            sides = [
                total([times(sym(W, wi), sym(step.inp, xi)) for _, _, wi, xi in terms] + ([sym(B, (i,))] if b else [])),
                total([times(v(a), v(c)) for a, c, _, _ in terms] + ([v(b.data[i])] if b else [])),
                total([v(a * c) for a, c, _, _ in terms] + ([v(b.data[i])] if b else [])),
                v(z.data[i]),
            ]
            return Equation(sym(step.out, (i,)), tuple(sides))

        def weight(ij: tuple[int, int]) -> Equation:
            i, j = ij
            return Equation(Derivative(L, sym(W, ij)), (
                times(Derivative(L, sym(step.out, (i,))), sym(step.inp, (j,))),
                times(v(g.data[i]), v(x.data[j])),
                v(gw.data[i * cols + j]),
            ))

        def bias(i: int) -> Equation:
            return Equation(Derivative(L, sym(B, (i,))), (Derivative(L, sym(step.out, (i,))), v(g.data[i])))

        def back(j: int) -> Equation:
            return Equation(Derivative(L, sym(step.inp, (j,))), (
                total([times(Derivative(L, sym(step.out, (i,))), sym(W, (i, j))) for i in range(rows)]),
                total([times(v(g.data[i]), v(w.data[i * cols + j])) for i in range(rows)]),
                total([v(g.data[i] * w.data[i * cols + j]) for i in range(rows)]),
                v(gx.data[j]),
            ))

        units = pick(list(range(rows)), step.detail, lambda i: g.data[i])
        pairs = pick([(i, j) for i in range(rows) for j in range(cols)], step.detail, lambda ij: gw.data[ij[0] * cols + ij[1]])
        params = [("weights", tuple(weight(ij) for ij in pairs))]
        if b is not None:
            params.append(("bias", tuple(bias(i) for i in units)))
        inputs = pick(list(range(cols)), step.detail, lambda j: gx.data[j])
        return Work(forward=tuple(unit(i) for i in units), params=tuple(params), grad_input=tuple(back(j) for j in inputs))


LAYER = Dense
