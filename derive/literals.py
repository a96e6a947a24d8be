"""Exact numbers from what a user writes: integers, decimals, exponents and "p/q" fractions."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any

from .errors import SpecError

MAX_EXPONENT = 1000
MAX_DIGITS = 100  # significant digits of one literal: no exercise needs more, and exact arithmetic pays for each
_FRACTION = re.compile(r"^\s*([+-]?\d+)\s*/\s*([+-]?\d+)\s*$")
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_BASES = {"x": ("hexadecimal", 16), "o": ("octal", 8), "b": ("binary", 2)}


class NotDecimal(str):
    """A token YAML 1.1 would read as a number in another base (0x10, 0b10, 0o10, 1:30).

    Kept as the text typed: where a number is expected it is refused with what YAML would have
    made of it; where text is expected (a title) it is the text.
    """

    __slots__ = ()

    def problem(self) -> str:
        """Why this token is not read as a number, and what to write instead."""
        sign = -1 if self.startswith("-") else 1
        digits = self.lstrip("+-")
        if ":" in digits:
            value = Fraction(0)
            for part in digits.replace("_", "").split(":"):
                value = value * 60 + Fraction(part)
            return (f"{self} is not a number (YAML 1.1 would read it as {show(sign * value)}, in base 60): "
                    f"write the decimal you mean{_clock_readings(self)}")
        name, base = _BASES[digits[1].lower()]
        meant = sign * int(digits[2:].replace("_", "") or "0", base)
        return f"{self} is not a decimal number (YAML would read it as {name} {meant}): write numbers in decimal"


def _clock_readings(token: str) -> str:
    """The decimals a token like 1:30 was likely meant as, " (1.5, or 1.30)": hours and minutes,
    when that terminates, or a colon typed for the point; nothing for other shapes."""
    sign, digits = ("-", token[1:]) if token.startswith("-") else ("", token.lstrip("+"))
    whole, _, minutes = digits.partition(":")
    if not (whole.isdigit() and minutes.isdigit()):
        return ""
    readings = [f"{sign}{whole}.{minutes}"]
    hours = Fraction(int(whole)) + Fraction(int(minutes), 60)
    if "/" not in show(hours):  # a fraction would be a guess at an exercise's number, not a reading of it
        readings.insert(0, sign + show(hours))
    return " (" + ", or ".join(readings) + ")"


class CommaPairs(list):
    """A row written like `[0,5, 0,2]`: tight pairs separated by ", ", perhaps decimal commas.

    Kept as the list YAML reads; a shape error in a matrix holding one gets a hint.
    """

    __slots__ = ()


def has_comma_pairs(value: Any) -> bool:
    """Whether a nested list holds a row that looks written with decimal commas."""
    if isinstance(value, CommaPairs):
        return True
    return isinstance(value, list) and any(has_comma_pairs(v) for v in value)


class Written(Fraction):
    """An exact number that remembers how many decimals the user wrote (0.30 → 2; "1/3" → None).

    Its constructor keeps Fraction's signature (Fraction's own methods call it that way); the
    decimals written are a keyword.
    """

    __slots__ = ("places",)
    places: int | None

    def __new__(cls, numerator: Any = 0, denominator: Any = None, *, places: int | None = None):
        number = super().__new__(cls, numerator, denominator)
        number.places = places
        return number

    def __reduce__(self):
        return (_written, (self.numerator, self.denominator, self.places))

    def __copy__(self) -> "Written":
        return self  # immutable, like every number

    def __deepcopy__(self, memo: dict) -> "Written":
        return self

    def __repr__(self) -> str:
        return f"Written({str(Fraction(self))!r}, places={self.places})"


def _written(numerator: int, denominator: int, places: int | None) -> Written:
    return Written(numerator, denominator, places=places)


def parse_number(value: Any) -> Fraction:
    """Return `value` as an exact Fraction; 0.1 means 1/10, never a binary float."""
    if isinstance(value, bool):  # bool is an int in Python, but `true` is not a number
        raise SpecError(f"{str(value).lower()} is not a number")
    if value is None:  # `learning_rate:` with nothing after it
        raise SpecError("is empty: a number is needed")
    if isinstance(value, NotDecimal):
        raise SpecError(value.problem())
    if isinstance(value, (int, Fraction)):
        if isinstance(value, int) and abs(value) >= 10**MAX_DIGITS:
            raise SpecError(f"{_show(value)} has more than {MAX_DIGITS} digits")
        return Fraction(value)
    if isinstance(value, float):
        # A float reached us through the Python API: its shortest repr is what was typed
        # (float() first: numpy's float64 is a float whose repr is "np.float64(0.1)").
        value = repr(float(value))
    if isinstance(value, Decimal):
        value = str(value)
    if not isinstance(value, str):
        raise SpecError(f"{_show(value)} is not a number")
    match = _FRACTION.match(value)
    if match:
        if max(len(match[1].lstrip("+-")), len(match[2].lstrip("+-"))) > MAX_DIGITS:
            raise SpecError(f"{_show(value)} has more than {MAX_DIGITS} digits")
        numerator, denominator = int(match[1]), int(match[2])
        if denominator == 0:
            raise SpecError(f"{value!r} divides by zero")
        return Written(numerator, denominator, places=None)
    text = value.strip().replace("_", "")
    if text.lower().lstrip("+-") in (".inf", ".nan"):  # YAML's spelling of the IEEE specials
        text = text.replace(".", "", 1)
    try:
        decimal = Decimal(text)
    except InvalidOperation:
        hint = f" (a decimal comma? write {text.replace(',', '.')})" if _DECIMAL_COMMA.match(text) else ""
        raise SpecError(f"{_show(value)} is not a number{hint}") from None
    if not decimal.is_finite():
        raise SpecError(f"{_show(value)} is not a finite number")
    if len(decimal.as_tuple().digits) > MAX_DIGITS:
        raise SpecError(f"{_show(value)} has more than {MAX_DIGITS} digits")
    if decimal and abs(decimal.adjusted()) > MAX_EXPONENT:
        # Exact arithmetic on 10**100000 would fill the machine; no exercise needs it.
        raise SpecError(f"{_show(value)} is out of range (|exponent| > {MAX_EXPONENT})")
    exponent = decimal.as_tuple().exponent
    assert isinstance(exponent, int)  # 'n', 'N' or 'F' only for NaN and infinity, refused above
    return Written(Fraction(decimal), places=max(0, -exponent))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def show(value: Fraction | Any) -> str:
    """An exact number as a user would write it: 0.1 for 1/10, "1/3" when it does not terminate."""
    exact = Fraction(int(value.numerator), int(value.denominator))
    rest = exact.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest != 1 or exact.denominator > 10**30:
        return f"{exact.numerator}/{exact.denominator}"
    with localcontext() as ctx:
        ctx.prec = 100
        text = f"{Decimal(exact.numerator) / Decimal(exact.denominator):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact_number(value: Any, field: str) -> Any:
    """One number of a spec as an exact gmpy2 rational; an error names `field`."""
    from .exact import rational

    try:
        return rational(parse_number(value))
    except SpecError as exc:
        raise SpecError(exc.message, field=field) from None


def nesting(value: Any) -> int:
    """How deeply lists nest, following first elements ([[]] counts as 2-D, with an empty row)."""
    rank = 0
    while isinstance(value, list):
        rank += 1
        if not value:
            return rank
        value = value[0]
    return rank
