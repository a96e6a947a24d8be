"""How many significant figures a value keeps when a document prints it at a precision (printing.number's
rule, without SymPy: the answer key's commands warn with it too), and the precision that keeps enough."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from .style import MAX_EXACT_DECIMALS

ENOUGH = 2  # fewer significant figures than this and a student cannot tell 0.0004 from 0.00044
MAX_PRECISION = 30  # the largest --precision


def figures(value: Any, precision: int) -> int | None:
    """The significant figures `value` prints with at `precision` decimals; None when it prints exactly
    (0, or a decimal that terminates within the places printing.number writes out in full)."""
    printed = _printed(value, precision)
    if printed is None:
        return None
    if printed.is_zero():  # printed as m × 10^e, with `precision` significant figures
        return max(precision, 1)
    return len(str(abs(int(printed.scaleb(precision)))))


def printed(value: Any, precision: int) -> str:
    """`value` as a document prints it at `precision` decimals (plain text: 4.39e-5 for m × 10^e)."""
    rounded = _printed(value, precision)
    if rounded is None:
        return str(value)
    if rounded.is_zero():
        return f"{_decimal(value, precision):.{max(precision - 1, 0)}e}"
    return f"{rounded:f}"


def _printed(value: Any, precision: int) -> Decimal | None:
    """printing.number's rounding of `value` (half up), or None when it is printed exactly."""
    if value == 0:
        return None
    ratio = _ratio(value)
    if ratio is not None:
        places = terminating_places(ratio.denominator)
        if places is not None and places <= max(precision, MAX_EXACT_DECIMALS):
            return None
    with localcontext() as ctx:
        ctx.prec = 100 + precision
        return _decimal(value, precision).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def _decimal(value: Any, precision: int) -> Decimal:
    """The value's digits: a rational's to 100 places past `precision`, a real's (a sigmoid's e^z) as it holds them."""
    ratio = _ratio(value)
    if ratio is None:
        return Decimal(str(value))
    with localcontext() as ctx:
        ctx.prec = 100 + precision + len(str(abs(ratio.numerator) // ratio.denominator))
        return Decimal(ratio.numerator) / Decimal(ratio.denominator)


def too_few(values: Iterable[Any], precision: int) -> Iterator[tuple[Any, int]]:
    """Each value that prints with fewer than ENOUGH significant figures, with how many it keeps."""
    for value in values:
        kept = figures(value, precision)
        if kept is not None and kept < ENOUGH:
            yield value, kept


def enough_precision(values: Iterable[Any], precision: int) -> int:
    """The smallest precision above `precision` at which every value keeps ENOUGH figures (at most 30)."""
    pending = list(values)
    for candidate in range(precision + 1, MAX_PRECISION + 1):
        pending = [v for v in pending if (figures(v, candidate) or ENOUGH) < ENOUGH]
        if not pending:
            return candidate
    return MAX_PRECISION


def scalars(value: Any) -> Iterator[Any]:
    """The numbers of an answer: a number, a network Tensor, or nested lists and tuples of them."""
    if value is None:
        return
    data = getattr(value, "data", None)
    if isinstance(data, tuple):  # a network Tensor
        yield from data
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from scalars(item)
    else:
        yield value


def _ratio(value: Any) -> Fraction | None:
    if isinstance(value, (int, Fraction)) or type(value).__name__ == "mpq":
        return Fraction(int(value.numerator), int(value.denominator))
    return None


def terminating_places(q: int) -> int | None:
    """The decimals 1/q needs, or None when it never terminates."""
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    return max(twos, fives) if q == 1 else None
