"""SymPy building blocks for the network's equations: data values kept unevaluated, symbols with
layer tags. printing.py turns them into LaTeX; nothing here prints."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

from sympy import (
    Add,
    Expr,
    Float,
    Function,
    Indexed,
    IndexedBase,
    Integer,
    Mul,
    Pow,
    Rational,
    Symbol,
    UnevaluatedExpr,
)

from ..exact import Num, is_exact

T = TypeVar("T")
L = Symbol("L")
ETA, MU = Symbol("eta"), Symbol("mu")


def v(value: Num) -> UnevaluatedExpr:
    """A data value that SymPy must not fold into its neighbours."""
    if is_exact(value):
        return UnevaluatedExpr(Rational(int(value.numerator), int(value.denominator)))
    return UnevaluatedExpr(Float(str(value), 60))


def const(value: Num) -> Rational:
    """A constant of a formula (the 1/n of the MSE), printed as a fraction."""
    return Rational(int(value.numerator), int(value.denominator))


def label(base: str, tag: str = "", kind: str = "") -> str:
    """The name printing.py decodes: base symbol, layer tag (its superscript), and kind ('next',
    'v' for a velocity, 'vnext')."""
    return f"{kind}|{base}|{tag}"


def relabel(name: str, kind: str) -> str:
    """The same symbol as another kind: 'next' for the updated value, 'pad' for the padded input."""
    _, base, tag = name.split("|")
    return f"{kind}|{base}|{tag}"


def velocity_label(param: str, which: str) -> str:
    """The velocity of parameter label `param`: before the step (which='') or after ('next')."""
    _, base, tag = param.split("|")
    return f"{'vnext' if which else 'v'}|{base}|{tag}"


@lru_cache(maxsize=65536)
def sym(name: str, index: tuple[int, ...] = ()) -> Expr:
    """The symbol `name` at `index` (a plain symbol for a scalar)."""
    return Indexed(IndexedBase(name), *index) if index else Symbol(name)


def total(terms: Sequence[Expr]) -> Expr:
    """A sum kept in the order written."""
    return Add._from_args(tuple(terms), True) if len(terms) > 1 else terms[0]


def times(*factors: Expr) -> Expr:
    """A product kept in the order written; factors of 1 left out."""
    kept = [f for f in factors if f != 1]
    if not kept:
        return Integer(1)
    return Mul._from_args(tuple(kept), True) if len(kept) > 1 else kept[0]


def minus(a: Expr, b: Expr) -> Expr:
    """a − b, unevaluated."""
    return Add(a, Mul(Integer(-1), b, evaluate=False), evaluate=False)


def square(e: Expr) -> Expr:
    """e², unevaluated."""
    return Pow(e, 2, evaluate=False)


def pick(items: list[T], detail: str, size: Callable[[T], Num]) -> list[T]:
    """Every item in full detail; in summary the first and the one with the largest |size|."""
    if detail == "full" or len(items) <= 2:
        return items
    largest = max(items, key=lambda item: abs(size(item)))
    return items[:1] + ([largest] if largest != items[0] else [])


class Max(Function):
    """max(…) left unevaluated with its arguments in the order written (SymPy's Max sorts them)."""

    @classmethod
    def eval(cls, *args):
        return None


class Frac(Function):
    """numerator / denominator, written as a fraction and never simplified."""

    @classmethod
    def eval(cls, *args):
        return None


class Sqrt(Function):
    """√(…) left unevaluated (an optimizer's root, printed as \\sqrt)."""

    @classmethod
    def eval(cls, *args):
        return None


class Bracket(Function):
    """(…) around an expression SymPy would not bracket (a derivative squared)."""

    @classmethod
    def eval(cls, *args):
        return None
