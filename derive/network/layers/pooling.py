"""The shared shape of pooling layers: windows of `size` every `stride` cells, on each channel
of a 2-D or C×H×W map (the last rows and columns a stride does not reach are skipped, as PyTorch).
Not a layer kind itself: maxpool.py and avgpool.py are."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import SpecError
from ...exact import Num
from ..tensor import Shape, Tensor, dims, pair
from .base import Layer, Step, Work, unknown_options

if TYPE_CHECKING:  # the equations' SymPy is imported where they are built: the rules run without it
    from sympy import Expr

    from ...printing import Equation

Index = tuple[int, ...]


@dataclass(frozen=True)
class Pooling(Layer):
    """A window reduction on every channel."""

    symbol = "p"
    options_allowed = ("size", "stride")
    size: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (2, 2)

    @classmethod
    def parse(cls, options: Mapping[str, Any], field: str, in_shape: Shape) -> Pooling:
        unknown_options(options, cls.options_allowed, field)
        if "size" not in options:
            raise SpecError("missing required key", field=f"{field}.size")
        size = pair(options["size"], f"{field}.size", 1)
        stride = pair(options["stride"], f"{field}.stride", 1) if "stride" in options else size
        if len(in_shape) not in (2, 3):
            raise SpecError(f"pooling needs a 2-D or C×H×W map, but the previous layer gives {dims(in_shape)} values",
                            field=field)
        h, w = in_shape[-2:]
        if size[0] > h or size[1] > w:
            raise SpecError(f"window {dims(size)} is larger than the {dims((h, w))} map it pools", field=f"{field}.size")
        out = in_shape[:-2] + ((h - size[0]) // stride[0] + 1, (w - size[1]) // stride[1] + 1)
        return cls(in_shape, out, size=size, stride=stride)

    def window(self, cell: Index) -> list[Index]:
        """The input cells pooled into output `cell`, in row-major order."""
        lead = cell[:-2]
        return [lead + rc for rc in window_of(cell[-2:], self.size, self.stride)]

    def options(self) -> dict[str, Any]:
        return {"size": list(self.size), "stride": list(self.stride)}

    def describe(self) -> str:
        stride = str(self.stride[0]) if self.stride[0] == self.stride[1] else dims(self.stride)
        return f"window {dims(self.size)}, stride {stride}"

    def feeds(self, aux: Any, out: Tensor) -> dict[Index, list[tuple[Index, Num]]]:
        """For each input cell that receives gradient: the output cells it fed, with their share."""
        raise NotImplementedError

    def work(self, step: Step) -> Work:
        from sympy import Derivative

        from ..algebra import L, pick, sym

        out, g, gx = step.forward.output, step.grad_output, step.backward.grad_input
        cells = pick(out.indices(), step.detail, lambda c: g[c])
        forward = tuple(self.equation(sym(step.out, c), [(sym(step.inp, s), step.x[s]) for s in self.window(c)], out[c])
                        for c in cells)
        feeds = self.feeds(step.forward.aux, out)
        sources = pick(sorted(feeds), step.detail, lambda c: gx[c])
        chain = tuple(route_equation(Derivative(L, sym(step.inp, src)),
                                     [(share, Derivative(L, sym(step.out, o)), g[o]) for o, share in feeds[src]], gx[src])
                      for src in sources)
        return Work(forward=forward, chain=chain)

    def equation(self, lhs: Expr, window: Sequence[tuple[Expr, Num]], value: Num) -> Equation:
        """One pooled cell worked out from its window's (symbol, value) pairs (the flat documents' Ŷ_ij too)."""
        raise NotImplementedError


def route_equation(lhs: Expr, fed: Sequence[tuple[Num, Expr, Num]], value: Num) -> Equation:
    """∂L/∂A_rc = Σ share · ∂L/∂Ŷ_ij over the pooled cells (share, ∂L/∂Ŷ_ij symbol, its value) that cell (r, c)
    fed, substituted, summed: the flat documents' routes and the network's chain alike."""
    from ...printing import Equation
    from ..algebra import const, times, total, v

    return Equation(lhs, (total([times(const(share), d) for share, d, _ in fed]),
                          total([times(const(share), v(g)) for share, _, g in fed]), v(value)))


def window_of(cell: tuple[int, ...], size: tuple[int, int], stride: tuple[int, int]) -> list[tuple[int, int]]:
    """The (row, column) cells a size window every `stride` cells pools into output cell (i, j), in row-major order
    (the flat documents' model.pool_windows too)."""
    (i, j), (kh, kw), (sh, sw) = cell, size, stride
    return [(i * sh + a, j * sw + b) for a in range(kh) for b in range(kw)]
