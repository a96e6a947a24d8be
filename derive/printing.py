"""The only module that turns SymPy expressions and exact numbers into LaTeX text.

Notation is a table and a printer subclass (never a regex on the output): data values are
wrapped in `UnevaluatedExpr` by steps.py and printed as decimals; bare Rationals are formula
constants and print as fractions.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Iterable, Sequence

from sympy import Add, Derivative, Expr, Indexed, Mul, Pow, Rational, Symbol, UnevaluatedExpr
from sympy.printing.latex import LatexPrinter

# Semantic names used by steps.py, and how they are written (the seed's notation).
NOTATION = {
    "I": "I",
    "X": r"\tilde{I}",  # the zero-padded input
    "W": "W",
    "Wnext": "W'",
    "b": "b",
    "bnext": "b'",
    "Y": "Y",
    "Yhat": r"\hat{Y}",
    "L": "L",
    "eta": r"\eta",
    "n": "n",
}

MAX_EXACT_DECIMALS = 10  # a terminating decimal longer than this is rounded like 1/3
TERMS_PER_LINE = 6  # long sums are broken after this many terms


@dataclass(frozen=True)
class Equation:
    """lhs = sides[0] = sides[1] = … ; the last side is the value."""

    lhs: Expr
    sides: tuple[Expr, ...]


@dataclass(frozen=True)
class Number:
    """A printed number and whether printing it lost exactness (so ≈ is due)."""

    text: str
    rounded: bool


def number(value: Rational, precision: int) -> Number:
    """Exact decimal when it terminates (within MAX_EXACT_DECIMALS), else rounded to `precision`."""
    value = Rational(value)
    places = _terminating_places(int(value.q))
    if places is not None and places <= max(precision, MAX_EXACT_DECIMALS):
        return Number(_decimal_text(value, places), False)
    with localcontext() as ctx:
        ctx.prec = max(50, len(str(abs(value.p) // value.q)) + precision + 5)
        exact = Decimal(int(value.p)) / Decimal(int(value.q))
        rounded = exact.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
        if rounded.is_zero():
            # Too small to show at this precision: keep `precision` significant digits instead.
            mantissa, exponent = f"{exact:.{max(precision - 1, 0)}e}".split("e")
            return Number(rf"{mantissa} \times 10^{{{int(exponent)}}}", True)
    return Number(f"{rounded:f}", True)


def inline(value: Rational, precision: int) -> str:
    """The number for inline math in prose, with \\approx in front when rounded."""
    shown = number(value, precision)
    return (r"\approx " if shown.rounded else "") + shown.text


def _terminating_places(q: int) -> int | None:
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    return max(twos, fives) if q == 1 else None


def _decimal_text(value: Rational, places: int) -> str:
    if places == 0:
        return str(int(value))
    scaled = abs(int(value.p) * 10**places // int(value.q))
    digits = str(scaled).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _is_value(expr: Expr) -> bool:
    return isinstance(expr, UnevaluatedExpr)


def _is_negation(expr: Expr) -> bool:
    return isinstance(expr, Mul) and expr.args[0] == -1 and len(expr.args) == 2


class DerivePrinter(LatexPrinter):
    """LaTeX for derive's equations: data values as decimals, products with \\cdot, sums in order."""

    _default_settings = {**LatexPrinter._default_settings, "precision": 4, "terms_per_line": 0}

    def __init__(self, settings: dict | None = None):
        super().__init__({"order": "none", **(settings or {})})
        self.rounded = False  # set when a number had to be rounded; read by `equation`

    def value(self, v: Rational) -> str:
        """A data value as text, remembering whether it was rounded."""
        shown = number(v, self._settings["precision"])
        self.rounded |= shown.rounded
        return shown.text

    def _print_UnevaluatedExpr(self, expr: UnevaluatedExpr) -> str:
        text = self.value(expr.args[0])
        return f"({text})" if expr.args[0] < 0 else text

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        return NOTATION.get(expr.name, expr.name)

    def _print_Indexed(self, expr: Indexed) -> str:
        base = NOTATION.get(str(expr.base.label), str(expr.base.label))
        indices = [str(i) for i in expr.indices]
        joined = ("," if any(len(i) > 1 for i in indices) else "").join(indices)
        return f"{base}_{{{joined}}}"

    def _print_Derivative(self, expr: Derivative) -> str:
        (var,) = expr.variables
        return rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {self._print(var)}}}"

    def _print_Rational(self, expr: Rational) -> str:
        # A bare Rational is a constant of the formula (1/4 in the MSE): keep it a fraction.
        if expr.q == 1:
            return str(expr.p)
        sign = "-" if expr.p < 0 else ""
        return rf"{sign}\frac{{{abs(expr.p)}}}{{{expr.q}}}"

    _print_Integer = _print_Rational

    def _print_Pow(self, expr: Pow) -> str:
        base, exponent = expr.args
        text = self._print(base)
        if isinstance(base, (Add, Mul)):
            text = rf"\left({text}\right)"
        return f"{text}^{{{self._print(exponent)}}}"

    def _print_Mul(self, expr: Mul) -> str:
        if _is_negation(expr):
            return "-" + self._factor(expr.args[1])
        parts: list[str] = []
        previous = None
        for i, factor in enumerate(expr.args):
            if i == 0 and _is_value(factor):
                text = self.value(factor.args[0])  # a leading negative needs no parentheses
            else:
                text = self._factor(factor)
            if parts:
                juxtapose = isinstance(previous, Rational) and not _is_value(factor) and isinstance(factor, Add)
                parts.append(" " if juxtapose else r" \cdot ")
            parts.append(text)
            previous = factor
        return "".join(parts)

    def _factor(self, factor: Expr) -> str:
        text = self._print(factor)
        if isinstance(factor, Add):
            if len(factor.args) > 2:
                return rf"\bigl[{text}\bigr]"  # \bigl may be broken across aligned lines
            return rf"\left({text}\right)"
        return text

    def _print_Add(self, expr: Add) -> str:
        per_line = self._settings["terms_per_line"]
        out: list[str] = []
        for k, term in enumerate(expr.args):
            negative = _is_negation(term) or (_is_value(term) and term.args[0] < 0)
            if negative:
                body = self._factor(term.args[1]) if _is_negation(term) else self.value(-term.args[0])
            else:
                body = self._term(term)
            if k == 0:
                out.append(("-" if negative else "") + body)
                continue
            if per_line and k % per_line == 0:
                out.append(r" \\ &\qquad")
            out.append((" - " if negative else " + ") + body)
        return "".join(out)

    def _term(self, term: Expr) -> str:
        text = self._print(term)
        if isinstance(term, Mul) and all(_is_value(f) for f in term.args):
            return f"({text})"  # the seed's (1 · 0.5) + (2 · 0.2)
        return text


def printer(precision: int, terms_per_line: int = 0) -> DerivePrinter:
    """A fresh printer (printers remember rounding, so they are never shared)."""
    return DerivePrinter({"precision": precision, "terms_per_line": terms_per_line})


def expression(expr: Expr, precision: int) -> str:
    """One expression as LaTeX."""
    return printer(precision).doprint(expr)


def equation(eq: Equation, precision: int) -> str:
    """lhs = symbolic = substituted = value, with ≈ where rounding entered; long ones aligned."""
    lhs = expression(eq.lhs, precision)
    flat = _sides(eq.sides, precision, 0)
    if len(lhs) + sum(len(t) for t, _ in flat) < 160:
        return lhs + "".join(f" {rel} {text}" for rel, text in _relations(flat))
    broken = _sides(eq.sides, precision, TERMS_PER_LINE)
    lines = [f"&{rel} {text}" for rel, text in _relations(broken)]
    return r"\begin{aligned}" + lhs + " " + r" \\ ".join(lines) + r"\end{aligned}"


def _sides(sides: Sequence[Expr], precision: int, per_line: int) -> list[tuple[str, bool]]:
    out = []
    for side in sides:
        p = printer(precision, per_line)
        # A value standing alone needs no parentheses, even when negative.
        text = p.value(side.args[0]) if _is_value(side) else p.doprint(side)
        out.append((text, p.rounded))
    return out


def _relations(sides: list[tuple[str, bool]]) -> Iterable[tuple[str, str]]:
    previous_rounded, previous_text = False, None
    for text, rounded in sides:
        if text == previous_text:
            continue  # a one-term sum is its own value: say it once
        previous_text = text
        yield _relation(rounded or previous_rounded), text
        previous_rounded = rounded


def size(rows_cols: tuple[int, int]) -> str:
    """A shape in math: 3 \\times 2."""
    return rf"{rows_cols[0]} \times {rows_cols[1]}"


def matrix(values: Sequence[Sequence[Rational]], precision: int) -> tuple[str, bool]:
    """A bmatrix of values, and whether any entry was rounded."""
    p = printer(precision)
    rows = [" & ".join(p.value(v) for v in row) for row in values]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}", p.rounded


def named_matrix(name: str, values: Sequence[Sequence[Rational]], precision: int) -> str:
    """`name = [matrix]`, with ≈ when an entry was rounded."""
    text, rounded = matrix(values, precision)
    return f"{name} {_relation(rounded)} {text}"


def scalar(name: str, value: Rational, precision: int) -> str:
    """`name = value` (or ≈)."""
    shown = number(value, precision)
    return f"{name} {_relation(shown.rounded)} {shown.text}"


def _relation(rounded: bool) -> str:
    return r"\approx" if rounded else "="


LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def escape_latex(text: str) -> str:
    """User text made safe for LaTeX body text."""
    return "".join(LATEX_SPECIALS.get(ch, ch) for ch in text)


def escape_markdown(text: str) -> str:
    """User text made safe for a Markdown heading or paragraph."""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|$" else ch for ch in text)


# General formulas, written once per document: rules as tables, keyed by the spec's options.
LOSS_FORMULAS = {
    "mse": r"L = \frac{1}{n} \sum_{i,j} \left(Y_{ij} - \hat{Y}_{ij}\right)^{2}",
    "sse": r"L = \sum_{i,j} \left(Y_{ij} - \hat{Y}_{ij}\right)^{2}",
    "half_sse": r"L = \frac{1}{2} \sum_{i,j} \left(Y_{ij} - \hat{Y}_{ij}\right)^{2}",
}
LOSS_GRADIENTS = {
    "mse": r"\frac{\partial L}{\partial \hat{Y}_{ij}} = \frac{2}{n} \left(\hat{Y}_{ij} - Y_{ij}\right)",
    "sse": r"\frac{\partial L}{\partial \hat{Y}_{ij}} = 2 \left(\hat{Y}_{ij} - Y_{ij}\right)",
    "half_sse": r"\frac{\partial L}{\partial \hat{Y}_{ij}} = \hat{Y}_{ij} - Y_{ij}",
}
CHAIN_RULE = (
    r"\frac{\partial L}{\partial W_{uv}} = \sum_{i,j} \frac{\partial L}{\partial \hat{Y}_{ij}}"
    r" \cdot \frac{\partial \hat{Y}_{ij}}{\partial W_{uv}}"
)
FLIPPED = r"\operatorname{rot}_{180}(W)"
GRAD_OUTPUT_SYMBOL = r"\partial L / \partial \hat{Y}_{ij}"
UPDATE_RULE = r"W' = W - \eta \cdot \frac{\partial L}{\partial W}"
BIAS_UPDATE_RULE = r"b' = b - \eta \cdot \frac{\partial L}{\partial b}"
BIAS_GRADIENT = (
    r"\frac{\partial L}{\partial b} = \sum_{i,j} \frac{\partial L}{\partial \hat{Y}_{ij}}"
    r" \cdot \frac{\partial \hat{Y}_{ij}}{\partial b} = \sum_{i,j} \frac{\partial L}{\partial \hat{Y}_{ij}}"
)


def tap_formula(
    stride: tuple[int, int], padding: tuple[int, int], kernel_shape: tuple[int, int], operation: str
) -> dict[str, str]:
    """The forward formula, the local derivative ∂Ŷ_ij/∂W_uv and ∂L/∂I for this geometry."""
    x = NOTATION["X"] if any(padding) else NOTATION["I"]
    rows, cols = _scaled("i", stride[0]), _scaled("j", stride[1])
    if operation == "convolution":
        kh, kw = kernel_shape
        # The kernel is flipped: W_uv meets the input at offset (kh-1-u, kw-1-v).
        tap_r, tap_c = f"{rows} + {kh - 1} - u", f"{cols} + {kw - 1} - v"
        forward = rf"\hat{{Y}}_{{ij}} = \sum_{{u,v}} {x}_{{{rows} + u,\, {cols} + v}} \, W_{{{kh - 1} - u,\, {kw - 1} - v}}"
    else:
        tap_r, tap_c = f"{rows} + u", f"{cols} + v"
        forward = rf"\hat{{Y}}_{{ij}} = \sum_{{u,v}} {x}_{{{rows} + u,\, {cols} + v}} \, W_{{uv}}"
    local = rf"\frac{{\partial \hat{{Y}}_{{ij}}}}{{\partial W_{{uv}}}} = {x}_{{{tap_r},\, {tap_c}}}"
    where = f"{tap_r} = p{_plus(padding[0])},\\quad {tap_c} = q{_plus(padding[1])}"
    grad_input = (
        r"\frac{\partial L}{\partial I_{pq}} = \sum_{i,j} \sum_{u,v} \frac{\partial L}{\partial \hat{Y}_{ij}}"
        rf" \cdot W_{{uv}} \quad \text{{over all }} (i, j, u, v) \text{{ with }} {where}"
    )
    return {"forward": forward, "local": local, "grad_input": grad_input}


def _plus(offset: int) -> str:
    return f" + {offset}" if offset else ""


def _scaled(index: str, stride: int) -> str:
    return index if stride == 1 else f"{stride}{index}"
