"""The model's numbers: exact rationals (gmpy2.mpq), and 256-bit reals after sigmoid or tanh.

Rationals are exact and about ten times faster than SymPy's; a sigmoid or tanh value is
transcendental, so from there on values carry about 77 significant digits (far beyond what
any document prints or any test checks) and are always printed with ≈.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from fractions import Fraction
from typing import Union

import gmpy2
from gmpy2 import mpfr, mpq

Num = Union[mpq, mpfr]
PRECISION_BITS = 256
ZERO, ONE = mpq(0), mpq(1)


def rational(value: Fraction) -> mpq:
    """An exact Fraction as the model's rational type."""
    return mpq(value.numerator, value.denominator)


def precise() -> AbstractContextManager:
    """The context for model arithmetic: reals keep PRECISION_BITS bits."""
    return gmpy2.context(gmpy2.get_context(), precision=PRECISION_BITS)


def is_exact(value: Num) -> bool:
    """True for a rational, False for a rounded real."""
    return not isinstance(value, mpfr)


def exp(value: Num) -> mpfr:
    """e**value at the model's precision."""
    return gmpy2.exp(value)


def tanh(value: Num) -> mpfr:
    """tanh(value) at the model's precision."""
    return gmpy2.tanh(value)


def fraction(value: Num) -> Fraction:
    """A rational value as a Fraction (for printing and JSON)."""
    return Fraction(int(value.numerator), int(value.denominator))


def log(value: Num) -> mpfr:
    """The natural logarithm at the model's precision (cross-entropy losses)."""
    return gmpy2.log(value)
