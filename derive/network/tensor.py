"""Exact tensors for the network path: a shape and its numbers, flat in row-major order.

A flat tuple makes flatten free (the same numbers, a new shape) and keeps every layer's loops
plain; `nested` gives the nested lists a spec or an answer key writes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from math import prod
from typing import Any

from ..errors import SpecError
from ..exact import ZERO, Num, is_exact, mpq

from ..literals import exact_number, nesting

SETTLE = mpq(1, 2**200)  # below this share of a tensor's largest value, a real is rounding noise

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Tensor:
    """A shape (() for a scalar) and its numbers in row-major order."""

    shape: Shape
    data: tuple[Num, ...]

    def __getitem__(self, index: tuple[int, ...]) -> Num:
        return self.data[self.offset(index)]

    def offset(self, index: tuple[int, ...]) -> int:
        """The flat position of a multi-index."""
        flat = 0
        for i, n in zip(index, self.shape):
            flat = flat * n + i
        return flat

    def indices(self) -> list[tuple[int, ...]]:
        """Every multi-index, in row-major order (the order of `data`)."""
        return list(product(*(range(n) for n in self.shape)))

    def reshape(self, shape: Shape) -> Tensor:
        """The same numbers under another shape of the same size."""
        return Tensor(shape, self.data)

    def map(self, fn: Callable[..., Num], *others: Tensor) -> Tensor:
        """fn applied cell by cell (to this tensor and `others`, of the same size)."""
        return Tensor(self.shape, tuple(fn(x, *(o.data[k] for o in others)) for k, x in enumerate(self.data)))

    def settled(self) -> Tensor:
        """Rounding noise made exact zero: a real (after sigmoid, softmax, log) smaller than 2^-200 of
        the tensor's largest magnitude is a sum whose terms cancel (two softmax outputs' p − y, a
        tied pooling window's gradients), which 256-bit arithmetic leaves as ±1e-77 instead of 0.
        Nothing real that small survives beside its neighbours at this precision anyway."""
        reals = [abs(x) for x in self.data if not is_exact(x)]
        if not reals:
            return self
        floor = max(abs(x) for x in self.data) * SETTLE
        if not any(x <= floor for x in reals):
            return self
        return Tensor(self.shape, tuple(ZERO if not is_exact(x) and abs(x) <= floor else x for x in self.data))

    def nested(self) -> Any:
        """Nested tuples as the spec writes them (a bare number for a scalar)."""
        return _nest(self.data, self.shape)

    def __iter__(self) -> Iterator[Num]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def zeros(shape: Shape) -> Tensor:
    """A tensor of zeros."""
    return Tensor(shape, (ZERO,) * prod(shape))


def _nest(data: tuple, shape: Shape) -> Any:
    if not shape:
        return data[0]
    if len(shape) == 1:
        return tuple(data)
    step = len(data) // shape[0]
    return tuple(_nest(data[k * step : (k + 1) * step], shape[1:]) for k in range(shape[0]))


def dims(shape: Shape) -> str:
    """A shape as people write it: 3×2 (a scalar is 1)."""
    return "×".join(str(n) for n in shape) if shape else "1"


number = exact_number  # one exact number of the spec (shared with the flat spec's reader)
rank_of = nesting


def parse_tensor(value: Any, field: str, ranks: tuple[int, ...], what: str = "") -> Tensor:
    """Nested lists of exact numbers (of one of `ranks`), checked to be rectangular."""
    rank = rank_of(value)
    if rank not in ranks:
        names = {0: "a number", 1: "a list of numbers", 2: "a 2-D list (rows)", 3: "a 3-D list (C×H×W)",
                 4: "a 4-D list (F×C×kh×kw)"}
        raise SpecError(f"must be {' or '.join(names[r] for r in ranks)}{what}", field=field)
    flat: list = []
    shape = _collect(value, field, rank, flat)
    return Tensor(shape, tuple(flat))


def _collect(value: Any, field: str, rank: int, out: list) -> Shape:
    if rank == 0:
        if isinstance(value, list):
            raise SpecError("nested deeper than its first entry", field=field)
        out.append(number(value, field))
        return ()
    if not isinstance(value, list):
        raise SpecError(f"{_show(value)} where a list was expected", field=field)
    if not value:
        raise SpecError("lists must not be empty", field=field)
    shapes = [_collect(v, f"{field}[{k}]", rank - 1, out) for k, v in enumerate(value)]
    for k, s in enumerate(shapes):
        if s != shapes[0]:
            raise SpecError(f"ragged: {field}[{k}] is {dims(s)}, {field}[0] is {dims(shapes[0])}", field=field)
    return (len(value),) + shapes[0]


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def whole(value: Any, field: str, minimum: int) -> int:
    """A whole number at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)) or Fraction(value).denominator != 1:
        raise SpecError(f"must be a whole number, got {_show(value)}", field=field)
    if int(value) < minimum:
        raise SpecError(f"must be at least {minimum}, got {int(value)}", field=field)
    return int(value)


def pair(value: Any, field: str, minimum: int) -> tuple[int, int]:
    """A whole number or [rows, columns]."""
    items = value if isinstance(value, list) else [value, value]
    if len(items) != 2:
        raise SpecError(f"must be a whole number or a pair [rows, columns], got {_show(value)}", field=field)
    return whole(items[0], field, minimum), whole(items[1], field, minimum)
