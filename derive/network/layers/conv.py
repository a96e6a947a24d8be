"""conv: a convolution layer with derive's flat-path conventions (stride, zero padding, dilation,
cross-correlation or the flipped-kernel convolution). A kh×kw kernel maps one 2-D map to one; an
F×C×kh×kw kernel maps C channels to F."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ...errors import SpecError
from ...exact import ZERO, Num
from ..tensor import Shape, Tensor, dims, pair, parse_tensor
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

if TYPE_CHECKING:  # the equations' SymPy is imported where they are built: the rules run without it
    from sympy import Expr

    from ...printing import Equation

OPERATIONS = ("cross-correlation", "convolution")
Index = tuple[int, ...]
# One product of a worked sum: (its two symbols, their two values), e.g. (X_01, W_10, 3, 1/2).
Product = tuple["Expr", "Expr", Num, Num]


@dataclass(frozen=True)
class Conv(Layer):
    """Z_f,ij = Σ_c Σ_uv X_c[tap(ij, uv)] · K_f,c,uv (+ b_f)."""

    kind = "conv"
    title = "convolution"
    forward_note = "Each output cell is the sum of its window's products with the kernel, plus the bias when the layer has one."
    backward_note = "Each kernel weight touched every output cell, so its gradient sums over all of them."
    symbol = "z"
    param_names = ("kernel", "bias")
    options_allowed = ("kernel", "bias", "stride", "padding", "dilation", "operation", "fixed")
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    operation: str = "cross-correlation"

    @classmethod
    def parse(cls, options: Mapping[str, Any], field: str, in_shape: Shape) -> Conv:
        unknown_options(options, cls.options_allowed, field)
        if "kernel" not in options:
            raise SpecError("missing required key", field=f"{field}.kernel")
        kernel = parse_tensor(options["kernel"], f"{field}.kernel", (2, 4), " (kh×kw, or F×C×kh×kw)")
        if len(in_shape) not in (2, 3):
            raise SpecError(f"a convolution needs a 2-D or C×H×W input, but the previous layer gives {dims(in_shape)} "
                            "values", field=f"{field}.kernel")
        channels = 1 if len(in_shape) == 2 else in_shape[0]
        if len(kernel.shape) == 2 and len(in_shape) == 3:
            raise SpecError(f"a kh×kw kernel takes a 2-D input, but the previous layer gives {dims(in_shape)}: give an "
                            f"F×{channels}×kh×kw kernel", field=f"{field}.kernel")
        if len(kernel.shape) == 4 and kernel.shape[1] != channels:
            raise SpecError(f"{kernel.shape[1]} input channel{'s' if kernel.shape[1] != 1 else ''}, but the previous "
                            f"layer gives {channels}", field=f"{field}.kernel")
        stride = pair(options.get("stride", 1), f"{field}.stride", 1)
        padding = pair(options.get("padding", 0), f"{field}.padding", 0)
        dilation = pair(options.get("dilation", 1), f"{field}.dilation", 1)
        operation = options.get("operation", OPERATIONS[0])
        if operation not in OPERATIONS:
            raise SpecError(f"unknown value {operation!r} (valid: {', '.join(OPERATIONS)})", field=f"{field}.operation")
        kh, kw = kernel.shape[-2:]
        h, w = in_shape[-2:]
        span = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
        if span[0] > h + 2 * padding[0] or span[1] > w + 2 * padding[1]:
            raise SpecError(f"{dims((kh, kw))} kernel (spanning {dims(span)}) is larger than the "
                            f"{dims((h + 2 * padding[0], w + 2 * padding[1]))} input", field=f"{field}.kernel")
        oh = (h + 2 * padding[0] - span[0]) // stride[0] + 1
        ow = (w + 2 * padding[1] - span[1]) // stride[1] + 1
        filters = kernel.shape[0] if len(kernel.shape) == 4 else 1
        out = (oh, ow) if len(kernel.shape) == 2 else (filters, oh, ow)
        init = [("kernel", kernel)]
        if options.get("bias") is not None:
            if len(kernel.shape) == 2:
                bias = parse_tensor(options["bias"], f"{field}.bias", (0,), " for a kh×kw kernel")
            else:
                bias = parse_tensor(options["bias"], f"{field}.bias", (1,), " (one number per filter)")
                if bias.shape != (filters,):
                    raise SpecError(f"{bias.shape[0]} values for {filters} filters", field=f"{field}.bias")
            init.append(("bias", bias))
        fixed = parse_fixed(options, field, tuple(name for name, _ in init))
        return cls(in_shape, out, tuple(init), fixed, stride=stride, padding=padding, dilation=dilation,
                   operation=operation)

    @cached_property
    def geometry(self) -> tuple[int, int, int, int, int, int, int]:
        """(F, C, kh, kw, oh, ow, padded width)."""
        k = self.parameters["kernel"].shape
        f, c = (k[0], k[1]) if len(k) == 4 else (1, 1)
        return f, c, k[-2], k[-1], self.out_shape[-2], self.out_shape[-1], self.in_shape[-1] + 2 * self.padding[1]

    def tap(self, i: int, j: int, u: int, w: int) -> tuple[int, int]:
        """The padded-input cell that kernel tap (u, w) multiplies for output cell (i, j)."""
        return tap_of((i, j), (u, w), self.geometry[2:4], self.stride, self.dilation, self.operation)

    def padded(self, x: Tensor) -> tuple[int, int, list]:
        """The input's channels surrounded by zeros, as (rows, columns, flat numbers)."""
        (ph, pw), (h, w) = self.padding, self.in_shape[-2:]
        hp, wp = h + 2 * ph, w + 2 * pw
        channels = 1 if len(self.in_shape) == 2 else self.in_shape[0]
        data = [ZERO] * (channels * hp * wp)
        for c in range(channels):
            for r in range(h):
                start = (c * hp + r + ph) * wp + pw
                data[start : start + w] = x.data[(c * h + r) * w : (c * h + r + 1) * w]
        return hp, wp, data

    def padded_tensor(self, x: Tensor) -> Tensor | None:
        """The zero-padded input, shaped as the input (none without padding)."""
        if not any(self.padding):
            return None
        hp, wp, data = self.padded(x)
        return Tensor(self.in_shape[:-2] + (hp, wp), tuple(data))

    def offsets(self) -> list[tuple[int, int, int, int]]:
        """(u, v, row offset, column offset) of every kernel tap: tap(i, j, u, v) is
        (i·stride + row offset, j·stride + column offset)."""
        _, _, kh, kw, _, _, _ = self.geometry
        return [(u, w) + self.tap(0, 0, u, w) for u in range(kh) for w in range(kw)]

    def forward(self, x: Tensor, params: Params) -> Forward:
        f_, c_, kh, kw, oh, ow, _ = self.geometry
        hp, wp, xp = self.padded(x)
        (sh, sw), offsets = self.stride, self.offsets()
        k, b = params["kernel"].data, params.get("bias")
        out = []
        for f in range(f_):
            start = b.data[f] if b is not None else ZERO
            z = [start] * (oh * ow)
            for c in range(c_):
                for u, w, du, dv in offsets:
                    weight = k[((f * c_ + c) * kh + u) * kw + w]
                    if weight == 0:
                        continue  # adds nothing: skipping it keeps the sum exact
                    for i in range(oh):
                        row, zi = (c * hp + i * sh + du) * wp + dv, i * ow
                        for j in range(ow):
                            z[zi + j] += weight * xp[row + j * sw]
            out += z
        return Forward(Tensor(self.out_shape, tuple(out)))

    def backward(self, x: Tensor, fwd: Forward, params: Params, grad: Tensor) -> Backward:
        f_, c_, kh, kw, oh, ow, _ = self.geometry
        hp, wp, xp = self.padded(x)
        (sh, sw), offsets = self.stride, self.offsets()
        k, g = params["kernel"].data, grad.data
        gk = [ZERO] * len(k)
        gxp = [ZERO] * len(xp)
        for f in range(f_):
            for c in range(c_):
                for u, w, du, dv in offsets:
                    at = ((f * c_ + c) * kh + u) * kw + w
                    weight, acc = k[at], ZERO
                    for i in range(oh):
                        row, gi = (c * hp + i * sh + du) * wp + dv, (f * oh + i) * ow
                        for j in range(ow):
                            d = g[gi + j]
                            acc += d * xp[row + j * sw]
                            gxp[row + j * sw] += d * weight
                    gk[at] = acc
        (ph, pw), (h, w_) = self.padding, self.in_shape[-2:]
        gx = [gxp[(c * hp + r + ph) * wp + pw + q] for c in range(c_) for r in range(h) for q in range(w_)]
        grads = {"kernel": Tensor(params["kernel"].shape, tuple(gk))}
        if "bias" in params:
            sums = tuple(sum(g[f * oh * ow : (f + 1) * oh * ow], ZERO) for f in range(f_))
            grads["bias"] = Tensor(params["bias"].shape, sums)
        return Backward(Tensor(x.shape, tuple(gx)), grads)

    def options(self) -> dict[str, Any]:
        return {"stride": list(self.stride), "padding": list(self.padding), "dilation": list(self.dilation),
                "operation": self.operation}

    def describe(self) -> str:
        k = self.parameters["kernel"]
        parts = [f"kernel {dims(k.shape)}"] + (["bias"] if "bias" in self.parameters else [])
        for name, value, default in (("stride", self.stride, (1, 1)), ("padding", self.padding, (0, 0)),
                                     ("dilation", self.dilation, (1, 1))):
            if value != default:
                parts.append(f"{name} {value[0] if value[0] == value[1] else dims(value)}")
        if self.operation == "convolution":
            parts.append("flipped kernel (convolution)")
        return ", ".join(parts)

    # Indices as the spec writes each tensor: 2-D maps for a kh×kw kernel, channels first otherwise.
    def _x_index(self, c: int, r: int, q: int) -> Index:
        return (r, q) if len(self.in_shape) == 2 else (c, r, q)

    def _z_index(self, f: int, i: int, j: int) -> Index:
        return (i, j) if len(self.out_shape) == 2 else (f, i, j)

    def _k_index(self, f: int, c: int, u: int, w: int) -> Index:
        return (u, w) if len(self.parameters["kernel"].shape) == 2 else (f, c, u, w)

    def _b_index(self, f: int) -> Index:
        return () if len(self.parameters["kernel"].shape) == 2 else (f,)

    def formulas(self, s: Mapping[str, str]) -> dict[str, str]:
        multi = len(self.out_shape) == 3
        (sh, sw), (dh, dw) = self.stride, self.dilation
        _, _, kh, kw, _, _, _ = self.geometry
        ri = "i" if sh == 1 else f"{sh}i"
        cj = "j" if sw == 1 else f"{sw}j"
        u = "u" if dh == 1 else f"{dh}u"
        w = "v" if dw == 1 else f"{dw}v"
        if self.operation == "convolution":
            kk = f"{kh - 1} - u,\\, {kw - 1} - v"
        else:
            kk = "uv"
        x = r"\tilde{⟨in⟩}" if any(self.padding) else "⟨in⟩"
        over_c, zf, xc, kf = (r"\sum_{c} ", "f,i,j", "c,", "f,c,") if multi else ("", "ij", "", "")
        bias = (" + ⟨b⟩_{f}" if multi else " + ⟨b⟩") if "bias" in self.parameters else ""
        tap = f"{ri} + {u},\\, {cj} + {w}"
        over_f = r"\sum_{f} " if multi else ""
        out = {
            "forward": fill(rf"⟨out⟩_{{{zf}}} = {over_c}\sum_{{u,v}} {x}_{{{xc}{tap}}} \, ⟨K⟩_{{{kf}{kk}}}{bias}", s),
            "kernel": fill(rf"\frac{{\partial ⟨L⟩}}{{\partial ⟨K⟩_{{{kf}{kk}}}}} = \sum_{{i,j}} \frac{{\partial ⟨L⟩}}"
                           rf"{{\partial ⟨out⟩_{{{zf}}}}} \cdot {x}_{{{xc}{tap}}}", s),
            "grad_input": fill(rf"\frac{{\partial ⟨L⟩}}{{\partial ⟨in⟩_{{{xc}pq}}}} = {over_f}"
                               rf"\sum_{{(i, j, u, v):\ ({tap}) = (p, q)}} \frac{{\partial ⟨L⟩}}{{\partial ⟨out⟩_{{{zf}}}}}"
                               rf" \cdot ⟨K⟩_{{{kf}{kk}}}", s),
        }
        if "bias" in self.parameters:
            out["bias"] = fill(rf"\frac{{\partial ⟨L⟩}}{{\partial ⟨b⟩{'_{f}' if multi else ''}}} = \sum_{{i,j}}"
                               rf" \frac{{\partial ⟨L⟩}}{{\partial ⟨out⟩_{{{zf}}}}}", s)
        if self.stride == (1, 1) and self.dilation == (1, 1) and self.operation == "cross-correlation":
            # Stride 1: the sum is a full cross-correlation of ∂L/∂Z with the kernel rotated by 180°.
            out["full"] = fill(rf"\frac{{\partial ⟨L⟩}}{{\partial ⟨in⟩}} = {over_f}"
                               rf"\operatorname{{full}}\Bigl(\frac{{\partial ⟨L⟩}}{{\partial ⟨out⟩}} \star "
                               rf"\operatorname{{rot}}_{{180}}(⟨K⟩)\Bigr)", s)
        return out

    def work(self, step: Step) -> Work:
        from sympy import Derivative

        from ..algebra import L, label, pick, relabel, sym

        f_, c_, kh, kw, oh, ow, _ = self.geometry
        hp, wp, xp = self.padded(step.x)
        k, z, g = step.params["kernel"], step.forward.output, step.grad_output
        b = step.params.get("bias")
        gk, gx = step.backward.grads["kernel"], step.backward.grad_input
        K, B = label("K", step.tag), label("b", step.tag)
        X = relabel(step.inp, "pad") if any(self.padding) else step.inp

        def kat(f: int, c: int, u: int, w: int) -> Num:
            return k.data[((f * c_ + c) * kh + u) * kw + w]

        def xs(c: int, r: int, q: int) -> Expr:
            return sym(X, self._x_index(c, r, q))

        def dz(f: int, i: int, j: int) -> tuple[Expr, Num]:
            return Derivative(L, sym(step.out, self._z_index(f, i, j))), g.data[(f * oh + i) * ow + j]

        def cell(fij: tuple[int, int, int]) -> Equation:
            f, i, j = fij
            terms = []
            for c in range(c_):
                order = sorted(((u, w) for u in range(kh) for w in range(kw)), key=lambda uw: self.tap(i, j, *uw))
                for u, w in order:
                    r, q = self.tap(i, j, u, w)
                    terms.append((xs(c, r, q), sym(K, self._k_index(f, c, u, w)), xp[(c * hp + r) * wp + q], kat(f, c, u, w)))
            bias = (sym(B, self._b_index(f)), b.data[f]) if b is not None else None
            return cell_equation(sym(step.out, self._z_index(f, i, j)), terms, bias, z.data[(f * oh + i) * ow + j])

        def weight(fcuw: tuple[int, int, int, int]) -> Equation:
            f, c, u, w = fcuw
            terms = [dz(f, i, j) + (r, q) for i in range(oh) for j in range(ow) for r, q in (self.tap(i, j, u, w),)]
            return kernel_gradient_equation(
                Derivative(L, sym(K, self._k_index(f, c, u, w))),
                [(d, xs(c, r, q), dv, xp[(c * hp + r) * wp + q]) for d, dv, r, q in terms],
                gk.data[((f * c_ + c) * kh + u) * kw + w])

        def bias(f: int) -> Equation:
            return bias_gradient_equation(Derivative(L, sym(B, self._b_index(f))),
                                          [dz(f, i, j) for i in range(oh) for j in range(ow)],
                                          step.backward.grads["bias"].data[f])

        def back(cpq: tuple[int, int, int]) -> Equation:
            c, p, q = cpq
            (ph, pw) = self.padding
            terms = [(f, i, j, u, w) for f in range(f_) for i in range(oh) for j in range(ow) for u in range(kh)
                     for w in range(kw) if self.tap(i, j, u, w) == (p + ph, q + pw)]
            return input_gradient_equation(
                Derivative(L, sym(step.inp, self._x_index(c, p, q))),
                [(d, sym(K, self._k_index(f, c, u, w)), dv, kat(f, c, u, w))
                 for f, i, j, u, w in terms for d, dv in (dz(f, i, j),)],
                gx[self._x_index(c, p, q)])

        cells = pick([(f, i, j) for f in range(f_) for i in range(oh) for j in range(ow)], step.detail,
                     lambda fij: g.data[(fij[0] * oh + fij[1]) * ow + fij[2]])
        taps = pick([(f, c, u, w) for f in range(f_) for c in range(c_) for u in range(kh) for w in range(kw)],
                    step.detail, lambda t: gk.data[((t[0] * c_ + t[1]) * kh + t[2]) * kw + t[3]])
        params = [("kernel", tuple(weight(t) for t in taps))]
        if b is not None:
            params.append(("bias", tuple(bias(f) for f in range(f_))))
        h, w = self.in_shape[-2:]
        inputs = pick([(c, p, q) for c in range(c_) for p in range(h) for q in range(w)], step.detail,
                      lambda cpq: gx[self._x_index(*cpq)])
        return Work(forward=tuple(cell(c) for c in cells), params=tuple(params), grad_input=tuple(back(c) for c in inputs))


# The convolution's worked equations, for the flat documents (steps.py) and the network's (work() above)
# alike: each caller names its own symbols (I, W_00, Z_00 or x, K^(1), z^(1)) and this writes the rule.

def cell_equation(lhs: Expr, products: Sequence[Product], bias: tuple[Expr, Num] | None, value: Num) -> Equation:
    """Z_ij = Σ X·W (+ b) = Σ x·w (+ b) = Σ (x·w) (+ b) = value: one output cell of the forward pass."""
    from ...printing import Equation
    from ..algebra import times, total, v

    extra_s, extra_v = ([bias[0]], [v(bias[1])]) if bias is not None else ([], [])
    return Equation(lhs, (
        total([times(a, b) for a, b, _, _ in products] + extra_s),
        total([times(v(x), v(y)) for _, _, x, y in products] + extra_v),
        total([v(x * y) for _, _, x, y in products] + extra_v),
        v(value)))


def kernel_gradient_equation(lhs: Expr, products: Sequence[Product], value: Num) -> Equation:
    """∂L/∂W_uv = Σ_ij ∂L/∂Z_ij · X[tap] over every output cell, substituted, multiplied, summed."""
    from ...printing import Equation
    from ..algebra import times, total, v

    return Equation(lhs, (
        total([times(d, x) for d, x, _, _ in products]),
        total([times(v(d), v(x)) for _, _, d, x in products]),
        total([v(d * x) for _, _, d, x in products]),
        v(value)))


def bias_gradient_equation(lhs: Expr, cells: Sequence[tuple[Expr, Num]], value: Num) -> Equation:
    """∂L/∂b = Σ_ij ∂L/∂Z_ij (since ∂Z_ij/∂b = 1), substituted, summed."""
    from ...printing import Equation
    from ..algebra import total, v

    if len(cells) == 1:  # the one term is the value: said once
        return Equation(lhs, (cells[0][0], v(value)))
    return Equation(lhs, (total([d for d, _ in cells]), total([v(g) for _, g in cells]), v(value)))


def input_gradient_equation(lhs: Expr, products: Sequence[Product], value: Num) -> Equation:
    """∂L/∂I_pq = Σ ∂L/∂Z_ij · W_uv over the (cell, weight) pairs whose tap is input (p, q); just the
    value where none is (an input no window reaches)."""
    from ...printing import Equation
    from ..algebra import times, total, v

    if not products:
        return Equation(lhs, (v(value),))
    sides: tuple[Expr, ...] = (total([times(d, k) for d, k, _, _ in products]),
                               total([times(v(d), v(k)) for _, _, d, k in products]))
    if len(products) > 1:  # one product is its own sum
        sides += (total([v(d * k) for _, _, d, k in products]),)
    return Equation(lhs, sides + (v(value),))


LAYER = Conv


def tap_of(cell: tuple[int, int], weight: tuple[int, int], size: tuple[int, int], stride: tuple[int, int],
           dilation: tuple[int, int], operation: str) -> tuple[int, int]:
    """The padded-input cell that kernel weight (u, w) of a kh×kw kernel multiplies for output cell (i, j)
    (the flat documents' model.tap too)."""
    (i, j), (u, w) = cell, weight
    if operation == "convolution":  # the kernel is flipped: W_uv meets the mirrored tap
        u, w = size[0] - 1 - u, size[1] - 1 - w
    return i * stride[0] + u * dilation[0], j * stride[1] + w * dilation[1]
