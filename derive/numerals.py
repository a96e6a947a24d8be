"""Exact numbers written as LaTeX text: terminating decimals, fractions, rounded reals, and matrices and
`name = value` lines of them. Needs no SymPy (a SymPy number is read when SymPy is already loaded), so a
check report, which shows values but no worked step, prints without importing it."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from typing import Any, Sequence

from .exact import mpq
from .significance import terminating_places as _terminating_places
from .style import MAX_EXACT_DECIMALS, Style



def _sympy() -> Any:
    """SymPy's module when something has imported it, else None: a SymPy number cannot exist before that."""
    return sys.modules.get("sympy")


@dataclass(frozen=True)
class Number:
    """A printed number and whether printing it lost exactness (so ≈ is due)."""

    text: str
    rounded: bool


def number(value: Any, precision: int, fractions: bool = False) -> Number:
    """Exact decimal when it terminates (within MAX_EXACT_DECIMALS), else rounded to `precision`;
    with `fractions`, every rational exactly as a fraction.

    `value` is a rational (int, Fraction, gmpy2 mpq, SymPy Rational) or a real (SymPy Float,
    gmpy2 mpfr: a sigmoid or tanh value), which is always rounded.
    """
    ratio = _ratio(value)
    if ratio is not None:
        return _rational_number(*ratio, precision, fractions)  # the same values recur: printed once each
    return _rounded_real(value, precision)


def _rounded_real(value: Any, precision: int) -> Number:
    """A real (sigmoid, tanh) rounded; the context holds every digit left of the point too
    (a value of 1e76 at 4 decimals needs 81 digits, past the 80 that serve ordinary values)."""
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(_digits(value))
        ctx.prec = max(80, exact.adjusted() + precision + 5)
        return _rounded(exact, precision)


def _digits(value: Any) -> str:
    """A real's decimal text, every digit it holds. A SymPy Float's str() is its str printer's
    mpmath to_str at the Float's own precision, without stripping zeros: called here directly,
    as that printer's set-up was most of the cost."""
    sympy = _sympy()
    if sympy is not None and isinstance(value, sympy.Float) and value._prec >= 5:
        from mpmath.libmp import prec_to_dps, to_str  # SymPy's own dependency, loaded with it

        return to_str(value._mpf_, prec_to_dps(value._prec), strip_zeros=False)
    return str(value)


@lru_cache(maxsize=16384)
def _rational_number(numerator: int, denominator: int, precision: int, fractions: bool) -> Number:
    return _number(Fraction(numerator, denominator), precision, fractions)


def _ratio(value: Any) -> tuple[int, int] | None:
    """A rational's (numerator, denominator), cheaper than a Fraction (which would reduce them again)."""
    if type(value) is mpq:  # the model's numbers: most of a document's values
        return int(value.numerator), int(value.denominator)
    if isinstance(value, (int, Fraction)):
        return int(value.numerator), int(value.denominator)
    sympy = _sympy()
    if sympy is not None and isinstance(value, sympy.Rational):
        return int(value.p), int(value.q)
    return None


def _number(value: Any, precision: int, fractions: bool = False) -> Number:
    """Exact decimal when it terminates (within MAX_EXACT_DECIMALS), else rounded to `precision`;
    with `fractions`, every rational exactly as a fraction.

    `value` is a rational (int, Fraction, gmpy2 mpq, SymPy Rational) or a real (SymPy Float,
    gmpy2 mpfr: a sigmoid or tanh value), which is always rounded.
    """
    exact = _as_fraction(value)
    if exact is not None and fractions and exact.denominator != 1:
        sign = "-" if exact < 0 else ""
        return Number(rf"{sign}\frac{{{abs(exact.numerator)}}}{{{exact.denominator}}}", False)
    if exact is not None:
        places = _terminating_places(exact.denominator)
        if places is not None and places <= max(precision, MAX_EXACT_DECIMALS):
            return Number(_decimal_text(exact, places), False)
        digits = len(str(abs(exact.numerator) // exact.denominator)) + precision + 5
        with localcontext() as ctx:
            ctx.prec = max(50, digits)
            return _rounded(Decimal(exact.numerator) / Decimal(exact.denominator), precision)
    return _rounded_real(value, precision)


def _as_fraction(value: Any) -> Fraction | None:
    if isinstance(value, (int, Fraction)) or type(value).__name__ == "mpq":
        return Fraction(int(value.numerator), int(value.denominator))
    sympy = _sympy()
    if sympy is not None and isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    return None


def _rounded(exact: Decimal, precision: int) -> Number:
    rounded = exact.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    if rounded.is_zero() and not exact.is_zero():
        # Too small to show at this precision: keep `precision` significant digits instead.
        mantissa, exponent = f"{exact:.{max(precision - 1, 0)}e}".split("e")
        return Number(rf"{mantissa} \times 10^{{{int(exponent)}}}", True)
    return Number(f"{abs(rounded) if rounded.is_zero() else rounded:f}", True)


def inline(value: Any, style: Style) -> str:
    """The number for inline math in prose, with \\approx in front when rounded."""
    shown = number(value, style.precision, style.fractions)
    return (r"\approx " if shown.rounded else "") + shown.text


def _decimal_text(value: Fraction, places: int) -> str:
    if places == 0:
        return str(int(value))
    scaled = abs(value.numerator * 10**places // value.denominator)
    digits = str(scaled).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


BLANK = Number(r"\square", False)  # a cell left unanswered (derive mark's reports), never a number


def matrix(values: Sequence[Sequence[Any]], style: Style) -> tuple[str, bool]:
    """A bmatrix of values (None: a blank cell, □), and whether any entry was rounded."""
    shown = [[BLANK if v is None else number(v, style.precision, style.fractions) for v in row] for row in values]
    rows = [" & ".join(n.text for n in row) for row in shown]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}", any(n.rounded for row in shown for n in row)


def named_matrix(name: str, values: Sequence[Sequence[Any]], style: Style) -> str:
    """`name = [matrix]`, with ≈ when an entry was rounded."""
    text, rounded = matrix(values, style)
    return f"{name} {_relation(rounded)} {text}"


def scalar(name: str, value: Any, style: Style) -> str:
    """`name = value` (or ≈)."""
    shown = number(value, style.precision, style.fractions)
    return f"{name} {_relation(shown.rounded)} {shown.text}"


def _relation(rounded: bool) -> str:
    return r"\approx" if rounded else "="
