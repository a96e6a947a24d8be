"""flatten: every value in one vector, row-major and channels first (as torch.flatten)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import prod
from typing import Any

from ..tensor import Shape, Tensor
from .base import Backward, Forward, Layer, Params, unknown_options


@dataclass(frozen=True)
class Flatten(Layer):
    """A reshape: the same numbers, one index."""

    kind = "flatten"
    title = "flatten"
    forward_note = "The values are laid out in one vector, row by row and channel after channel (as torch.flatten)."
    backward_note = "The gradient goes back to the cells the values came from."
    symbol = "f"

    @classmethod
    def parse(cls, options: Mapping[str, Any], field: str, in_shape: Shape) -> Flatten:
        unknown_options(options, cls.options_allowed, field)
        return cls(in_shape, (prod(in_shape),))

    def forward(self, x: Tensor, params: Params) -> Forward:
        return Forward(x.reshape(self.out_shape))

    def backward(self, x: Tensor, fwd: Forward, params: Params, grad: Tensor) -> Backward:
        return Backward(grad.reshape(x.shape))

    def formulas(self, s: Mapping[str, str]) -> dict[str, str]:
        if len(self.in_shape) == 3:
            _, h, w = self.in_shape
            text = rf"{s['out']}_{{{h * w}c + {w}i + j}} = {s['in']}_{{c,i,j}}"
        elif len(self.in_shape) == 2:
            text = rf"{s['out']}_{{{self.in_shape[1]}i + j}} = {s['in']}_{{ij}}"
        else:
            text = rf"{s['out']}_{{i}} = {s['in']}_{{i}}"
        return {"forward": text}


LAYER = Flatten
