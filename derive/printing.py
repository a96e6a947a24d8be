"""The only module that turns SymPy expressions and exact numbers into LaTeX text.

Notation is a table and a printer subclass (never a regex on the output): data values are
wrapped in `UnevaluatedExpr` by steps.py and printed as decimals; bare Rationals are formula
constants and print as fractions.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any, Iterable, Sequence

from sympy import Add, Derivative, Expr, Indexed, Mul, Pow, Rational, Symbol, UnevaluatedExpr
from sympy.printing.latex import LatexPrinter

from .problem import Problem

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
    "Z": "Z",  # the convolution's output before an activation or pooling
    "A": "A",  # the activation's output before pooling
    "mu": r"\mu",
    "Lnext": "L'",
    "V": "v",  # momentum buffer (velocity)
    "Vnext": "v'",
    "Vb": "v^{b}",
    "Vbnext": "v'^{b}",
}

# The spec's `notation:` keys (named after the answer fields) and the symbol each renames.
NOTATION_KEYS = {
    "input": "I", "kernel": "W", "target": "Y", "prediction": "Yhat", "loss": "L", "learning_rate": "eta",
    "bias": "b", "feature_map": "Z", "activation": "A", "momentum": "mu", "velocity": "V",
}


@dataclass(frozen=True)
class Style:
    """How numbers and symbols are printed: decimals or exact fractions, and the notation."""

    precision: int = 4
    fractions: bool = False
    notation: tuple[tuple[str, str], ...] = ()  # (semantic name, LaTeX), overriding NOTATION

    @property
    def names(self) -> dict[str, str]:
        """Every semantic name's LaTeX; derived symbols (W', Ĩ, v'^b) follow the renamed ones."""
        own = dict(self.notation)
        names = {**NOTATION, **own}
        derived = {"Wnext": names["W"] + "'", "bnext": names["b"] + "'", "X": rf"\tilde{{{names['I']}}}",
                   "Vnext": names["V"] + "'", "Vb": names["V"] + "^{" + names["b"] + "}",
                   "Vbnext": names["V"] + "'^{" + names["b"] + "}", "Lnext": names["L"] + "'"}
        for key, value in derived.items():
            if key not in own:
                names[key] = value
        return names


def style_from_notation(precision: int, fractions: bool, notation: dict[str, str] | None) -> Style:
    """A Style from the spec's `notation:` (keys as in NOTATION_KEYS)."""
    pairs = tuple((NOTATION_KEYS[k], v) for k, v in sorted((notation or {}).items()))
    return Style(precision, fractions, pairs)


MAX_EXACT_DECIMALS = 10  # a terminating decimal longer than this is rounded like 1/3
LINE_WIDTH = 64  # visible characters on one line of an aligned equation before a long sum breaks


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


def number(value: Any, precision: int, fractions: bool = False) -> Number:
    """Exact decimal when it terminates (within MAX_EXACT_DECIMALS), else rounded to `precision`;
    with `fractions`, every rational exactly as a fraction.

    `value` is a rational (int, Fraction, gmpy2 mpq, SymPy Rational) or a real (SymPy Float,
    gmpy2 mpfr: a sigmoid or tanh value), which is always rounded.
    """
    exact = _as_fraction(value)
    if exact is not None:
        return _rational_number(exact, precision, fractions)  # the same values recur: printed once each
    with localcontext() as ctx:
        ctx.prec = 80
        return _rounded(Decimal(str(value)), precision)


@lru_cache(maxsize=16384)
def _rational_number(exact: Fraction, precision: int, fractions: bool) -> Number:
    return _number(exact, precision, fractions)


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
    with localcontext() as ctx:
        ctx.prec = 80
        return _rounded(Decimal(str(value)), precision)


def _as_fraction(value: Any) -> Fraction | None:
    if isinstance(value, Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, (int, Fraction)) or type(value).__name__ == "mpq":
        return Fraction(int(value.numerator), int(value.denominator))
    return None


def _rounded(exact: Decimal, precision: int) -> Number:
    rounded = exact.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    if rounded.is_zero() and not exact.is_zero():
        # Too small to show at this precision: keep `precision` significant digits instead.
        mantissa, exponent = f"{exact:.{max(precision - 1, 0)}e}".split("e")
        return Number(rf"{mantissa} \times 10^{{{int(exponent)}}}", True)
    return Number(f"{abs(rounded) if rounded.is_zero() else rounded:f}", True)


def inline(value: Rational, style: Style) -> str:
    """The number for inline math in prose, with \\approx in front when rounded."""
    shown = number(value, style.precision, style.fractions)
    return (r"\approx " if shown.rounded else "") + shown.text


def _terminating_places(q: int) -> int | None:
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    return max(twos, fives) if q == 1 else None


def _decimal_text(value: Fraction, places: int) -> str:
    if places == 0:
        return str(int(value))
    scaled = abs(value.numerator * 10**places // value.denominator)
    digits = str(scaled).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _is_value(expr: Expr) -> bool:
    return isinstance(expr, UnevaluatedExpr)


def _is_negation(expr: Expr) -> bool:
    return isinstance(expr, Mul) and expr.args[0] == -1 and len(expr.args) == 2


class DerivePrinter(LatexPrinter):
    """LaTeX for derive's equations: data values as decimals, products with \\cdot, sums in order."""

    _default_settings = {**LatexPrinter._default_settings, "style": Style(), "line_width": 0}

    def __init__(self, settings: dict | None = None):
        super().__init__({"order": "none", **(settings or {})})
        self.rounded = False  # set when a number had to be rounded; read by `equation`
        self.names = self._settings["style"].names
        self._inside_left = 0  # a line break inside \left( … \right) would not compile

    def value(self, v: Rational) -> str:
        """A data value as text, remembering whether it was rounded."""
        style = self._settings["style"]
        shown = number(v, style.precision, style.fractions)
        self.rounded |= shown.rounded
        return shown.text

    def _print_UnevaluatedExpr(self, expr: UnevaluatedExpr) -> str:
        text = self.value(expr.args[0])
        return f"({text})" if expr.args[0] < 0 else text

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        return self.names.get(expr.name, expr.name)

    def _print_Indexed(self, expr: Indexed) -> str:
        # Position indices as a subscript (W_00, W_10,3); filter and channel as a superscript:
        # W^(f,c)_uv, Z^(f)_ij, I^(c)_pq.
        label = expr.base.label.name
        base = self.names.get(label, label)
        indices = [str(int(i)) for i in expr.indices]
        lead, position = (indices[:-2], indices[-2:]) if len(indices) > 2 else ([], indices)
        joined = ("," if any(len(i) > 1 for i in position) else "").join(position)
        upper = f"^{{({','.join(lead)})}}" if lead else ""
        return f"{base}{upper}_{{{joined}}}"

    def _print_Max(self, expr: Expr) -> str:
        # Arguments are separated by commas: a negative value needs no parentheses.
        args = (self.value(a.args[0]) if _is_value(a) else self._print(a) for a in expr.args)
        return r"\max\left(" + ", ".join(args) + r"\right)"

    def _print_exp(self, expr: Expr) -> str:
        power = expr.args[0]
        # An exponent is already raised: a negative value needs no parentheses there.
        return f"e^{{{self.value(power.args[0]) if _is_value(power) else self._print(power)}}}"

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
        if exponent == -1:
            return rf"\frac{{1}}{{{self._print(base)}}}"
        text = self._unbroken(base)
        if isinstance(base, (Add, Mul)) or (_is_value(base) and r"\times" in text and not text.startswith("(")):
            text = rf"\left({text}\right)"  # 4.5 × 10^{-5} squared needs brackets
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
        if isinstance(factor, Add) and len(factor.args) > 2:
            return rf"\bigl[{self._print(factor)}\bigr]"  # \bigl may be broken across aligned lines
        if isinstance(factor, Add):
            return rf"\left({self._unbroken(factor)}\right)"
        return self._print(factor)

    def _unbroken(self, expr: Expr) -> str:
        self._inside_left += 1
        try:
            return self._print(expr)
        finally:
            self._inside_left -= 1

    def _print_Add(self, expr: Add) -> str:
        width = self._settings["line_width"] if not self._inside_left else 0
        out: list[str] = []
        used = 0
        for k, term in enumerate(expr.args):
            negative = _is_negation(term) or (_is_value(term) and term.args[0] < 0)
            if negative:
                body = self._factor(term.args[1]) if _is_negation(term) else self.value(-term.args[0])
            else:
                body = self._term(term)
            if k == 0:
                out.append(("-" if negative else "") + body)
                used = visible_width(body) if width else 0
                continue
            piece = (" - " if negative else " + ") + body
            if width:
                if used + visible_width(piece) > width:
                    out.append(r" \\ &\qquad")  # continue the sum on the next line of the aligned block
                    used = 4
                used += visible_width(piece)
            out.append(piece)
        return "".join(out)

    def _term(self, term: Expr) -> str:
        text = self._print(term)
        if isinstance(term, Mul) and all(_is_value(f) for f in term.args):
            return f"({text})"  # the seed's (1 · 0.5) + (2 · 0.2)
        return text


def printer(style: Style, line_width: int = 0) -> DerivePrinter:
    """A fresh printer (printers remember rounding, so they are never shared)."""
    return DerivePrinter({"style": style, "line_width": line_width})


def visible_width(latex: str) -> int:
    """Roughly how many characters wide `latex` typesets: a fraction as wide as its wider part,
    a command as one symbol, braces and sub/superscript marks as nothing."""
    text = latex
    while r"\frac{" in text:
        start = text.index(r"\frac{")
        numerator, end = _group(text, start + len(r"\frac"))
        denominator, end = _group(text, end)
        wider = max(numerator, denominator, key=visible_width)
        text = text[:start] + "x" * visible_width(wider) + text[end:]
    width, i = 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            j = i + 1
            while j < len(text) and text[j].isalpha():
                j += 1
            name = text[i + 1 : j]
            width += 0 if name in ("left", "right", "bigl", "bigr", "hat", "tilde", "text", "operatorname") else 1
            i = max(j, i + 2)
            continue
        if char not in "{}^_&":
            width += 1
        i += 1
    return width


def _group(text: str, start: int) -> tuple[str, int]:
    """The {…} group starting at `start` and the index after it."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i], i + 1
    return text[start + 1 :], len(text)


def expression(expr: Expr, style: Style) -> str:
    """One expression as LaTeX."""
    return printer(style).doprint(expr)


def equation(eq: Equation, style: Style) -> str:
    """lhs = symbolic = substituted = value, with ≈ where rounding entered; long ones aligned."""
    lhs = expression(eq.lhs, style)
    flat = _sides(eq.sides, style, 0)
    if len(lhs) + sum(len(t) for t, _ in flat) < 160:
        return lhs + "".join(f" {rel} {text}" for rel, text in _relations(flat))
    # Only a side wider than a line needs printing again with line breaks (printing is the cost).
    broken = [_sides((side,), style, LINE_WIDTH)[0] if visible_width(text) > LINE_WIDTH - 8 else (text, rounded)
              for side, (text, rounded) in zip(eq.sides, flat)]
    lines = [f"&{rel} {text}" for rel, text in _relations(broken)]
    return r"\begin{aligned}" + lhs + " " + r" \\ ".join(lines) + r"\end{aligned}"


def _sides(sides: Sequence[Expr], style: Style, per_line: int) -> list[tuple[str, bool]]:
    out = []
    for side in sides:
        p = printer(style, per_line)
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


def partial(name: str, loss: str = "L") -> str:
    """∂L/∂name."""
    return rf"\frac{{\partial {loss}}}{{\partial {name}}}"


def size(rows_cols: tuple[int, int]) -> str:
    """A shape in math: 3 \\times 2."""
    return rf"{rows_cols[0]} \times {rows_cols[1]}"


def matrix(values: Sequence[Sequence[Rational]], style: Style) -> tuple[str, bool]:
    """A bmatrix of values, and whether any entry was rounded."""
    p = printer(style)
    rows = [" & ".join(p.value(v) for v in row) for row in values]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}", p.rounded


def named_matrix(name: str, values: Sequence[Sequence[Rational]], style: Style) -> str:
    """`name = [matrix]`, with ≈ when an entry was rounded."""
    text, rounded = matrix(values, style)
    return f"{name} {_relation(rounded)} {text}"


def scalar(name: str, value: Rational, style: Style) -> str:
    """`name = value` (or ≈)."""
    shown = number(value, style.precision, style.fractions)
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
# ⟨name⟩ stands for a symbol of the notation (Style.names), filled in by `_named`.
LOSS_FORMULAS = {
    "mse": r"⟨L⟩ = \frac{1}{n} \sum_{i,j} \left(⟨Y⟩_{ij} - ⟨Yhat⟩_{ij}\right)^{2}",
    "sse": r"⟨L⟩ = \sum_{i,j} \left(⟨Y⟩_{ij} - ⟨Yhat⟩_{ij}\right)^{2}",
    "half_sse": r"⟨L⟩ = \frac{1}{2} \sum_{i,j} \left(⟨Y⟩_{ij} - ⟨Yhat⟩_{ij}\right)^{2}",
}
LOSS_GRADIENTS = {
    "mse": r"\frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩_{ij}} = \frac{2}{n} \left(⟨Yhat⟩_{ij} - ⟨Y⟩_{ij}\right)",
    "sse": r"\frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩_{ij}} = 2 \left(⟨Yhat⟩_{ij} - ⟨Y⟩_{ij}\right)",
    "half_sse": r"\frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩_{ij}} = ⟨Yhat⟩_{ij} - ⟨Y⟩_{ij}",
}
ACTIVATION_FORMULAS = {  # (A = f(Z), ∂A/∂Z); ⟨a⟩ is the activation's output
    "relu": (r"⟨a⟩ = \max(0, ⟨Z⟩)", r"\frac{\partial ⟨a⟩}{\partial ⟨Z⟩} = \begin{cases} 1 & ⟨Z⟩ > 0 \\ 0 & ⟨Z⟩ \le 0 \end{cases}"),
    "leaky_relu": (r"⟨a⟩ = \begin{cases} ⟨Z⟩ & ⟨Z⟩ > 0 \\ \alpha ⟨Z⟩ & ⟨Z⟩ \le 0 \end{cases}",
                   r"\frac{\partial ⟨a⟩}{\partial ⟨Z⟩} = \begin{cases} 1 & ⟨Z⟩ > 0 \\ \alpha & ⟨Z⟩ \le 0 \end{cases}"),
    "sigmoid": (r"⟨a⟩ = \sigma(⟨Z⟩) = \frac{1}{1 + e^{-⟨Z⟩}}",
                r"\frac{\partial ⟨a⟩}{\partial ⟨Z⟩} = \sigma(⟨Z⟩)\bigl(1 - \sigma(⟨Z⟩)\bigr) = ⟨a⟩ (1 - ⟨a⟩)"),
    "tanh": (r"⟨a⟩ = \tanh(⟨Z⟩)", r"\frac{\partial ⟨a⟩}{\partial ⟨Z⟩} = 1 - \tanh^{2}(⟨Z⟩) = 1 - ⟨a⟩^{2}"),
}
POOLING_FORMULAS = {  # (forward, backward); ⟨a⟩ is the map being pooled
    "max": (r"⟨Yhat⟩_{ij} = \max_{(r, c) \in \text{window}(i, j)} ⟨a⟩_{rc}",
            r"\frac{\partial ⟨L⟩}{\partial ⟨a⟩_{rc}} = \sum_{(i, j):\ (r, c) \text{ wins window } (i, j)} \frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩_{ij}}"),
    "avg": (r"⟨Yhat⟩_{ij} = \frac{1}{k} \sum_{(r, c) \in \text{window}(i, j)} ⟨a⟩_{rc}",
            r"\frac{\partial ⟨L⟩}{\partial ⟨a⟩_{rc}} = \sum_{(i, j):\ (r, c) \in \text{window}(i, j)} \frac{1}{k} \frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩_{ij}}"),
}
FLIPPED = r"\operatorname{rot}_{180}(⟨W⟩)"


def _named(template: str, names: dict[str, str]) -> str:
    """Fill the ⟨name⟩ placeholders of one of the tables above with the notation's symbols."""
    out, rest = [], template
    while "⟨" in rest:
        before, _, after = rest.partition("⟨")
        key, _, rest = after.partition("⟩")
        out += [before, names[key]]
    return "".join(out) + rest


def formulas(p: Problem, style: Style = Style()) -> dict[str, str]:
    """Every general formula and symbol of the document, for this problem's geometry, layers and notation."""
    n = dict(style.names)
    staged = p.activation != "none" or p.pooling is not None
    n["Z"] = n["Z"] if staged else n["Yhat"]  # the convolution's output is the prediction in a plain problem
    n["a"] = n["A"] if p.pooling is not None else n["Yhat"]
    z, x, w, L = n["Z"], n["X"] if any(p.padding) else n["I"], n["W"], n["L"]
    f_, fc, c_ = ("", "", "") if p.rank2 else ("^{(f)}", "^{(f,c)}", "^{(c)}")
    b = n["b"] if p.rank2 else n["b"] + "_{f}"
    over_c = "" if p.rank2 else r"\sum_{c} "
    (sh, sw), (dh, dw), (kh, kw) = p.stride, p.dilation, p.kernel_size
    rows, cols = _scaled("i", sh), _scaled("j", sw)
    if p.operation == "convolution":
        # The kernel is flipped: W_uv meets the input at offset (kh-1-u, kw-1-v).
        tap_r, tap_c = f"{rows} + {_scaled(f'{kh - 1} - u', dh)}", f"{cols} + {_scaled(f'{kw - 1} - v', dw)}"
        forward = (rf"{z}{f_}_{{ij}} = {over_c}\sum_{{u,v}} {x}{c_}_{{{rows} + {_scaled('u', dh)},\, {cols} + {_scaled('v', dw)}}}"
                   rf" \, {w}{fc}_{{{kh - 1} - u,\, {kw - 1} - v}}")
    else:
        tap_r, tap_c = f"{rows} + {_scaled('u', dh)}", f"{cols} + {_scaled('v', dw)}"
        forward = rf"{z}{f_}_{{ij}} = {over_c}\sum_{{u,v}} {x}{c_}_{{{tap_r},\, {tap_c}}} \, {w}{fc}_{{uv}}"
    where = f"{tap_r} = p{_plus(p.padding[0])},\\quad {tap_c} = q{_plus(p.padding[1])}"
    over_f = "" if p.rank2 else r"\sum_{f} "
    dz = rf"\frac{{\partial {L}}}{{\partial {z}{f_}_{{ij}}}}"
    eta, mu, v, vb = n["eta"], n["mu"], n["V"], n["Vb"]
    out = {
        "z": z,
        "forward": forward + (f" + {b}" if p.bias is not None else ""),
        "local": rf"\frac{{\partial {z}{f_}_{{ij}}}}{{\partial {w}{fc}_{{uv}}}} = {x}{c_}_{{{tap_r},\, {tap_c}}}",
        "local_symbol": rf"\partial {z}_{{ij}} / \partial {w}_{{uv}}",
        "weight_symbol": rf"{w}_{{uv}}",
        "chain_rule": rf"\frac{{\partial {L}}}{{\partial {w}{fc}_{{uv}}}} = \sum_{{i,j}} {dz}"
                      rf" \cdot \frac{{\partial {z}{f_}_{{ij}}}}{{\partial {w}{fc}_{{uv}}}}",
        "grad_z_symbol": rf"\partial {L} / \partial {z}_{{ij}}",
        "grad_input": (rf"\frac{{\partial {L}}}{{\partial {n['I']}{c_}_{{pq}}}} = {over_f}\sum_{{i,j}} \sum_{{u,v}} {dz}"
                       rf" \cdot {w}{fc}_{{uv}} \quad \text{{over all }} (i, j, u, v) \text{{ with }} {where}"),
        "bias_gradient": (rf"\frac{{\partial {L}}}{{\partial {b}}} = \sum_{{i,j}} {dz} \cdot \frac{{\partial {z}{f_}_{{ij}}}}{{\partial {b}}}"
                          rf" = \sum_{{i,j}} {dz}"),
        "loss": _named(LOSS_FORMULAS[p.loss], n),
        "loss_gradient": _named(LOSS_GRADIENTS[p.loss], n),
        "update_rule": rf"{n['Wnext']} = {w} - {eta} \cdot \frac{{\partial {L}}}{{\partial {w}}}",
        "bias_update_rule": rf"{n['bnext']} = {n['b']} - {eta} \cdot \frac{{\partial {L}}}{{\partial {n['b']}}}",
        "eta": eta, "mu": mu, "L": L, "v": v, "a": n["a"], "Z": n["Z"], "b": n["b"],
        "relu_slope": rf"\partial {n['a']} / \partial {n['Z']} = 0",
        "zero_input": rf"{n['Z']} = 0",
        "flipped": _named(FLIPPED, n),
    }
    if p.momentum is not None:
        out["update_rule"] = (rf"{n['Vnext']} = {mu} {v} + \frac{{\partial {L}}}{{\partial {w}}}, \qquad "
                              rf"{n['Wnext']} = {w} - {eta} \cdot {n['Vnext']}")
        out["bias_update_rule"] = (rf"{n['Vbnext']} = {mu} {vb} + \frac{{\partial {L}}}{{\partial {n['b']}}}, \qquad "
                                   rf"{n['bnext']} = {n['b']} - {eta} \cdot {n['Vbnext']}")
    if p.activation != "none":
        out["activation"], out["activation_derivative"] = (_named(f, n) for f in ACTIVATION_FORMULAS[p.activation])
        a = n["a"]
        out["chain_z"] = (rf"\frac{{\partial {L}}}{{\partial {n['Z']}_{{ij}}}} = \frac{{\partial {L}}}{{\partial {a}_{{ij}}}}"
                          rf" \cdot \frac{{\partial {a}_{{ij}}}}{{\partial {n['Z']}_{{ij}}}}")
    if p.pooling is not None:
        n_pool = dict(n, a=n["A"] if p.activation != "none" else n["Z"])
        out["pool"], out["unpool"] = (_named(f, n_pool) for f in POOLING_FORMULAS[p.pooling.type])
    return out


def _plus(offset: int) -> str:
    return f" + {offset}" if offset else ""


def _scaled(index: str, factor: int) -> str:
    if factor == 1:
        return index
    return f"{factor}{index}" if len(index) == 1 else f"{factor}({index})"


_ANSWER_SYMBOLS = {  # answer field → (semantic base name, whether it is ∂L/∂base)
    "prediction": ("Yhat", False), "grad_kernel": ("W", True), "grad_bias": ("b", True), "grad_input": ("I", True),
    "velocity": ("Vnext", False), "velocity_bias": ("Vbnext", False), "kernel_next": ("Wnext", False),
    "bias_next": ("bnext", False), "loss": ("L", False), "loss_next": ("Lnext", False),
}


def cell_label(p: Problem, field: str, index: tuple[int, ...], style: Style = Style()) -> str:
    """The symbol of one answer cell, as the worked solution writes it (W'_{01}, ∂L/∂W^{(0,1)}_{10})."""
    from sympy import Indexed, IndexedBase

    staged = p.activation != "none" or p.pooling is not None
    bases = dict(_ANSWER_SYMBOLS, feature_map=("Z" if staged else "Yhat", False),
                 activation=("A" if p.pooling is not None else "Yhat", False))
    name, partial_of = bases[field]
    if p.rank2 and field in ("feature_map", "activation", "prediction", "grad_input"):
        index = index[-2:]
    symbol: Expr = Symbol(name) if not index else Indexed(IndexedBase(name), *index)
    text = printer(style).doprint(symbol)
    return partial(text, style.names["L"]) if partial_of else text


# ---------------------------------------------------------------------------------------------
# Networks (a `layers:` spec, derive/network/). Symbols carry layer superscripts (z^{(1)},
# W^{(2)}_{01}); their SymPy names are labels "kind|base|tag" made by network/algebra.py:
# base is a notation key below, tag the layer's superscript, kind '' (the value), 'next' (after
# the update), 'v'/'vnext' (a velocity of parameter base) or 'pad' (the zero-padded input).
# The flat path above does not use this section.

NETWORK_NOTATION = {
    "x": "x", "y": "y", "L": "L", "eta": r"\eta", "mu": r"\mu", "V": "v", "W": "W", "K": "K", "b": "b",
    "z": "z", "a": "a", "p": "p", "f": "f",
}
NETWORK_NOTATION_KEYS = {
    "input": "x", "target": "y", "loss": "L", "learning_rate": "eta", "momentum": "mu", "velocity": "V",
    "weights": "W", "kernel": "K", "bias": "b", "pre_activation": "z", "activation": "a", "pooled": "p",
    "flattened": "f",
}


def network_names(style: Style) -> dict[str, str]:
    """The network notation with the spec's renamings (Style.notation holds NETWORK_NOTATION keys here)."""
    names = {**NETWORK_NOTATION, **dict(style.notation)}
    names["Lnext"] = names["L"] + "'"
    return names


def _joined(index: Sequence[Any]) -> str:
    parts = [i if isinstance(i, str) else str(int(i)) for i in index]  # strings: a slice such as \\cdot
    return ("," if len(parts) > 2 or any(len(p) > 1 for p in parts) else "").join(parts)


def network_symbol(label: str, names: dict[str, str], index: Sequence[Any] = ()) -> str:
    """The LaTeX of a network label (see above) at `index`."""
    kind, base, tag = label.split("|")
    sup = f"^{{({tag})}}" if tag else ""
    sub = _joined(index)
    if kind in ("v", "vnext"):
        inner = names.get(base, base) + ("," + sub if sub else "")
        return names["V"] + ("'" if kind == "vnext" else "") + sup + f"_{{{inner}}}"
    text = names.get(base, base)
    if kind == "pad":
        text = rf"\tilde{{{text}}}"
    if kind == "next":
        text += "'"
    return text + sup + (f"_{{{sub}}}" if sub else "")


class NetworkPrinter(DerivePrinter):
    """DerivePrinter for networks: layer-tagged symbols, fractions and logarithms as written."""

    # The printing methods of the classes a network's equations are made of, looked up once:
    # SymPy's dispatcher walks each expression's class hierarchy, a large share of the cost.
    _methods = {Add: "_print_Add", Mul: "_print_Mul", Pow: "_print_Pow", Symbol: "_print_Symbol",
                UnevaluatedExpr: "_print_UnevaluatedExpr", Indexed: "_print_Indexed", Derivative: "_print_Derivative"}

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        self.names = network_names(self._settings["style"])

    def _print(self, expr: Any, **kwargs: Any) -> str:
        method = self._methods.get(type(expr))
        if method is None:
            return super()._print(expr, **kwargs)
        self._print_level += 1
        try:
            return getattr(self, method)(expr, **kwargs)
        finally:
            self._print_level -= 1

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        return network_symbol(expr.name, self.names) if "|" in expr.name else self.names.get(expr.name, expr.name)

    def _print_Indexed(self, expr: Indexed) -> str:
        name = expr.base.label.name
        if "|" not in name:
            return super()._print_Indexed(expr)
        return network_symbol(name, self.names, expr.indices)

    def _print_Pow(self, expr: Pow) -> str:
        base, exponent = expr.args
        if isinstance(base, (Indexed, Symbol)) and exponent != -1:
            # a^{(1)}_{0} already has a superscript: a power needs brackets, or TeX sees a double one.
            return rf"\left({self._print(base)}\right)^{{{self._print(exponent)}}}"
        return super()._print_Pow(expr)

    def _print_Frac(self, expr: Expr) -> str:
        numerator, denominator = expr.args
        return rf"\frac{{{self._unbroken(numerator)}}}{{{self._unbroken(denominator)}}}"

    def _print_log(self, expr: Expr) -> str:
        return rf"\log\left({self._unbroken(expr.args[0])}\right)"


BREAK = r" \\ &\qquad"  # what DerivePrinter._print_Add puts where a long sum continues on the next line


def network_printer(style: Style, line_width: int = 0) -> NetworkPrinter:
    """A fresh network printer (printers remember rounding, so they are never shared)."""
    return NetworkPrinter({"style": style, "line_width": line_width})


def network_latex(expr: Expr, style: Style) -> str:
    """One network expression (a symbol, a derivative) as LaTeX."""
    return network_printer(style).doprint(expr)


def network_equation(eq: Equation, style: Style) -> str:
    """As `equation`, for a network's symbols: lhs = symbolic = substituted = value, ≈ where rounding entered."""
    lhs = network_latex(eq.lhs, style)
    # One pass, with line breaks allowed: printing twice (as `equation` does) doubled a network
    # document's cost. Without a break and under 160 characters, the text is the unbroken one.
    sides = _network_sides(eq.sides, style, LINE_WIDTH)
    if len(lhs) + sum(len(t) for t, _ in sides) < 160 and not any(BREAK in t for t, _ in sides):
        return lhs + "".join(f" {rel} {text}" for rel, text in _relations(sides))
    lines = [f"&{rel} {text}" for rel, text in _relations(sides)]
    return r"\begin{aligned}" + lhs + " " + r" \\ ".join(lines) + r"\end{aligned}"


def _network_sides(sides: Sequence[Expr], style: Style, per_line: int) -> list[tuple[str, bool]]:
    out = []
    for side in sides:
        p = network_printer(style, per_line)
        text = p.value(side.args[0]) if _is_value(side) else p.doprint(side)
        out.append((text, p.rounded))
    return out


def network_vector(name: str, values: Sequence[Any], style: Style) -> str:
    """`name = [v0, v1, …]` as a row (a network's vectors), with ≈ when an entry was rounded."""
    return named_matrix(name, [list(values)], style)
