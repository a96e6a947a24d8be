"""The only module that turns SymPy expressions into LaTeX text (exact numbers alone: numerals.py).

Notation is a table and a printer subclass (never a regex on the output): data values are
wrapped in `UnevaluatedExpr` by steps.py and printed as decimals; bare Rationals are formula
constants and print as fractions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from sympy import Add, Derivative, Expr, Float, Indexed, Mul, Pow, Rational, Symbol, UnevaluatedExpr
from sympy import Number as SymPyNumber  # printing.Number is the printed number
from sympy.printing.latex import LatexPrinter

from . import activation, fields
# Numbers and matrices of numbers need no SymPy (numerals.py): re-exported for printing's callers, and the
# printer's own helpers, which it calls for every number of a document.
from .numerals import (Number, _digits, _ratio, _rational_number, _relation,  # noqa: F401
                       _rounded_real, inline, matrix, named_matrix, number, scalar)
from .problem import Problem
from .style import (MAX_EXACT_DECIMALS, NETWORK_NOTATION, NETWORK_NOTATION_KEYS, NOTATION, NOTATION_KEYS,  # noqa: F401 - re-exported
                    Style, style_from_notation)
from .typeset import width

# The LaTeX page's text is 45.7em wide (letter paper, 2cm margins, 11pt); typeset.width may be a few
# per cent short, so a line is filled to 43.5em and never runs off the page.
LINE_EM = 43.5
QQUAD = 2.0  # a broken sum's continuation lines start \qquad after the alignment point
TABLE_GAP = r"\quad "  # between the equations of one table row
TABLE_SEPARATOR = r" \qquad "  # between displays set side by side
LINE_BREAK = r" \\ &\qquad"  # where a broken sum continues on the next line of its aligned block
# A sum of this many terms is printed with its line breaks at once (and its one-line text is that
# without them), rather than flat and then again broken: it is surely wider than a line.
SURELY_BROKEN_TERMS = 24


@dataclass(frozen=True, eq=False)  # identity: `equation`'s cache must not hash whole SymPy trees
class Equation:
    """lhs = sides[0] = sides[1] = … ; the last side is the value."""

    lhs: Expr
    sides: tuple[Expr, ...]


def _is_value(expr: Expr) -> bool:
    return isinstance(expr, UnevaluatedExpr)


def _negative(value: Expr) -> bool:
    """value < 0 without SymPy's comparison machinery (sympify on every call) for the usual Rational."""
    return value.p < 0 if isinstance(value, Rational) else bool(value < 0)


def _is_negation(expr: Expr) -> bool:
    # Only a number can equal -1: asking SymPy's == of anything else sympifies -1 on every call.
    return isinstance(expr, Mul) and len(expr.args) == 2 and isinstance(expr.args[0], SymPyNumber) and expr.args[0] == -1


class DerivePrinter(LatexPrinter):
    """LaTeX for derive's equations: data values as decimals, products with \\cdot, sums in order."""

    _default_settings = {**LatexPrinter._default_settings, "style": Style(), "line_width": 0}

    def __init__(self, settings: dict | None = None):
        super().__init__({"order": "none", **(settings or {})})
        self.rounded = False  # set when a number had to be rounded; read by `equation`
        self.names = self._settings["style"].names
        self._inside_left = 0  # a line break inside \left( … \right) would not compile
        self.used = 0.0  # ems already used on the current line, when line_width is set
        # ∂L/∂Z_ij, printed once each: hundreds recur in a long sum and in every weight's sum. Shared
        # by the copies of one prototype (`_fresh`), which all have this printer's notation.
        self._derivatives: dict[Derivative, str] = {}
        self._symbols: dict[Indexed, str] = {}  # W_{01} and the like, likewise (each depends only on the notation)
        style = self._settings["style"]
        self._precision, self._fractions = style.precision, style.fractions  # read for every number printed

    # The printing methods of the classes derive's equations are made of, looked up once:
    # SymPy's dispatcher walks each expression's class hierarchy, a large share of the cost.
    _methods = {Add: "_print_Add", Mul: "_print_Mul", Pow: "_print_Pow", Symbol: "_print_Symbol",
                UnevaluatedExpr: "_print_UnevaluatedExpr", Indexed: "_print_Indexed", Derivative: "_print_Derivative"}

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if type(expr) is Indexed:  # the same objects recur (made once each): a dictionary hit is an identity test
            text = self._symbols.get(expr)
            if text is None:
                text = self._symbols[expr] = type(self)._print_Indexed(self, expr)
            return text
        method = self._methods.get(type(expr))
        if method is None:
            return super()._print(expr, **kwargs)
        # The class's function, called unbound (a bound method per node costs more); SymPy's own _print
        # also counts its nesting (_print_level), which only its str printer reads.
        return getattr(type(self), method)(self, expr, **kwargs)

    def value(self, v: Rational) -> str:
        """A data value as text, remembering whether it was rounded."""
        ratio = _ratio(v)  # as `number`, a call less: this runs for every number of a document
        shown = (_rational_number(*ratio, self._precision, self._fractions) if ratio is not None
                 else _rounded_real(v, self._precision))
        self.rounded |= shown.rounded
        return shown.text

    def _print_UnevaluatedExpr(self, expr: UnevaluatedExpr) -> str:
        value = expr.args[0]
        text = self.value(value)
        return f"({text})" if _negative(value) else text

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
        text = self._derivatives.get(expr)
        if text is None:
            (var,) = expr.variables
            text = rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {self._print(var)}}}"
            if isinstance(expr.expr, (Symbol, Indexed)) and isinstance(var, (Symbol, Indexed)):
                self._derivatives[expr] = text  # symbols only: nothing in it was rounded
        return text

    def _print_Rational(self, expr: Rational) -> str:
        # A bare Rational is a constant of the formula (1/4 in the MSE): keep it a fraction.
        if expr.q == 1:
            return str(expr.p)
        sign = "-" if expr.p < 0 else ""
        return rf"{sign}\frac{{{abs(expr.p)}}}{{{expr.q}}}"

    _print_Integer = _print_Rational

    def _print_Pow(self, expr: Pow) -> str:
        base, exponent = expr.args
        if type(base).__name__ == "sech":  # sech²(z), a tanh slope far in its tail: the power on the name
            arg = base.args[0]
            inner = self.value(arg.args[0]) if _is_value(arg) else self._print(arg)
            return rf"\operatorname{{sech}}^{{{self._print(exponent)}}}\left({inner}\right)"
        if exponent == -1:
            return rf"\frac{{1}}{{{self._print(base)}}}"
        text = self._unbroken(base)
        if isinstance(base, (Add, Mul)) or (_is_value(base) and r"\times" in text and not text.startswith("(")):
            text = rf"\left({text}\right)"  # 4.5 × 10^{-5} squared needs brackets
        elif isinstance(base, Indexed) and "^" in text:
            text = rf"\left({text}\right)"  # A^{(0)}_{00} squared: LaTeX stops at a double superscript
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
                if self._settings["line_width"] and isinstance(factor, Add) and len(factor.args) > 2:
                    self.used += width("".join(parts)) + 1.0  # what stands before a broken [sum] on its line
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
        room = self._settings["line_width"] if not self._inside_left else 0
        out: list[str] = []
        for k, term in enumerate(expr.args):
            negative = True
            if _is_negation(term):
                body = self._factor(term.args[1])
            elif _is_value(term) and _negative(term.args[0]):
                body = self.value(-term.args[0])
            else:
                body, negative = self._term(term), False
            piece = ("-" if negative else "") + body if k == 0 else (" - " if negative else " + ") + body
            if room:
                wide = width(piece, continues=k > 0)
                if k and self.used + wide > room:
                    out.append(LINE_BREAK)  # continue the sum on the next line of the aligned block
                    self.used = QQUAD
                self.used += wide
            out.append(piece)
        return "".join(out)

    def _term(self, term: Expr) -> str:
        if isinstance(term, Mul) and all(map(_is_value, term.args)):
            # The seed's (1 · 0.5) + (2 · 0.2): most terms of a long sum, so written here at once (as
            # _print_Mul would: the first value bare, the others bracketed when negative).
            first, *rest = term.args
            return "(" + r" \cdot ".join([self.value(first.args[0]), *map(self._print_UnevaluatedExpr, rest)]) + ")"
        return self._print(term)


def printer(style: Style, line_width: float = 0) -> DerivePrinter:
    """A fresh printer (printers remember rounding, so they are never shared); with `line_width`
    (ems from the alignment point), long sums break onto continuation lines."""
    return _fresh(_prototype(DerivePrinter, style, line_width))


@lru_cache(maxsize=64)
def _prototype(kind: type, style: Style, line_width: float) -> DerivePrinter:
    # SymPy's printer builds its settings anew for each instance: a tenth of a small document's own
    # time. One is built per (kind, style, width), and each use gets a copy with fresh state.
    return kind({"style": style, "line_width": line_width})


def _fresh(proto: DerivePrinter) -> DerivePrinter:
    # A shallow copy (the settings dict is shared and never written after construction), made
    # directly: copy.copy's generic __reduce_ex__ path was a tenth of printing a small equation.
    p = object.__new__(type(proto))
    p.__dict__.update(proto.__dict__)
    p.rounded, p._inside_left, p.used, p._print_level, p._context = False, 0, 0.0, 0, {}
    return p


def expression(expr: Expr, style: Style) -> str:
    """One expression as LaTeX."""
    return printer(style).doprint(expr)


@lru_cache(maxsize=4096)  # marking a class prints the same worked step (object) for many students
def equation(eq: Equation, style: Style, symbolic: bool = True) -> str:
    """lhs = symbolic = substituted = value, with ≈ where rounding entered; without the
    symbolic form when not `symbolic` (in a run whose first equation showed it).

    One line when it fits the page; otherwise an aligned block in which the symbolic form and the
    substituted numbers each start a line, later sides (products, sum, value) follow on the same
    line while they fit, and a side wider than a line breaks between its terms."""
    return _display(*_lines(eq, style, symbolic))


def _display(lhs: str, lines: list[str]) -> str:
    """The lines `_lines` laid out: one line as it is, several as an aligned block."""
    if len(lines) == 1:
        return lhs + " " + lines[0][1:]
    return r"\begin{aligned}" + lhs + " " + r" \\ ".join(lines) + r"\end{aligned}"


def stacked(equations: Sequence[Equation], style: Style, symbolic: bool = True) -> str:
    """Several equations in one aligned block, lined up on their = (a run of long sums: one
    display rather than one each, which spends a display's space above and below on every one)."""
    rows = []
    for eq in equations:
        lhs, lines = _lines(eq, style, symbolic)
        rows += [lhs + " " + lines[0]] + lines[1:]
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


def _line_width(latex: str) -> float:
    """typeset.width, or infinity for a text that surely does not fit a line: a sum of hundreds of
    products (a 28×28 problem) need not be measured character by character to know that. Every
    digit is at least 0.3em (0.5em, in a script of a script 0.3em), and a fraction shows at least
    half the digits it holds, so 0.15em a digit is a floor."""
    digits = sum(map(latex.count, "0123456789"))
    return math.inf if digits * 0.15 > LINE_EM else width(latex)


def _lines(eq: Equation, style: Style, symbolic: bool, make: Any = None) -> tuple[str, list[str]]:
    """The left-hand side and the lines after it, each starting at the alignment point `&`
    (printed by `make`'s printers: the flat problem's by default, a network's for networks)."""
    make = make or printer
    formula = [_is_symbolic(side) for side in eq.sides]  # each side walked once: a sum may hold hundreds of terms
    if not symbolic:
        numeric = tuple(side for side, f in zip(eq.sides, formula) if not f)
        if numeric:
            eq, formula = Equation(eq.lhs, numeric), [False] * len(numeric)
    lhs = make(style).doprint(eq.lhs)
    room = LINE_EM - width(lhs)
    flat, broken = _sides_broken(eq.sides, style, make, room)
    shown = list(_relations(flat))
    one_line = " ".join(f"{rel} {text}" for _, rel, text in shown)
    # Each side starts with its relation, whose width does not depend on what stands before it, and
    # spaces set as nothing: the line is as wide as its sides together (each measured once, cached).
    if width(lhs) + sum(_line_width(f"{rel} {text}") for _, rel, text in shown) <= LINE_EM:
        return lhs, ["&" + one_line]
    lines: list[str] = []
    used = room  # nothing may join the first line before it exists
    for k, rel, text in shown:
        piece = f"{rel} {text}"
        wide = _line_width(piece)
        first_numbers = k > 0 and formula[k - 1] and not formula[k]
        if lines and not first_numbers and used + wide + 0.3 <= room:
            lines[-1] += " " + piece
            used += wide + 0.3
        elif wide <= room:
            lines.append(f"&{piece}")
            used = wide
        else:  # too wide for any line: breaking between its terms
            start = width(rel) + 0.3
            if k in broken and broken[k][0] == start:
                text = broken[k][1]
            else:  # printed again, with breaks
                p = make(style, room)
                p.used = start
                text = p.value(eq.sides[k].args[0]) if _is_value(eq.sides[k]) else p.doprint(eq.sides[k])
            lines.append(f"&{rel} {text}")
            used = room  # a broken side ends its line: the next side starts a new one
    return lhs, lines


def _sides_broken(sides: Sequence[Expr], style: Style, make: Any,
                  room: float) -> tuple[list[tuple[str, bool]], dict[int, tuple[float, str]]]:
    """As `_sides`; a long sum is printed once, with its line breaks for a line of `room` ems
    (kept, by index, with the ems its first line starts at), and its flat text is that without them."""
    flat = []
    broken: dict[int, tuple[float, str]] = {}
    start = width("=") + 0.3  # as wide as \approx: either relation may come to stand before it
    for k, side in enumerate(sides):
        if isinstance(side, Add) and len(side.args) >= SURELY_BROKEN_TERMS:
            p = make(style, room)
            p.used = start
            text = p.doprint(side)
            broken[k] = (start, text)
            flat.append((text.replace(LINE_BREAK, ""), p.rounded))
        else:
            flat.extend(_sides([side], style, make))
    return flat, broken


def table(rows: Sequence[Sequence[Equation]], style: Style, per_row: int = 0, symbolic: bool = False) -> list[str]:
    """A run of same-shape equations, several to a line: each entry's symbolic form is left out
    (the general formula stands before the table), so an entry reads `lhs = numbers = value`;
    kept with `symbolic`, for a run whose symbolic forms differ (which pooled cells a gradient
    comes back from).

    An entry is one equation or several about the same cell (A = max(0, z), then ∂A/∂Z), joined
    by a comma. `per_row` is the length of a row of the map the run walks (3 for a 3 × 3 map):
    a line holds one row of the map, with the middle sides left out if that is what fits, or as
    many entries as fit. Returns the displays (one aligned block, or one display per entry when
    a single entry is wider than the page)."""
    full = [_entry(group, style, keep_middle=True, symbolic=symbolic) for group in rows]
    short = [_entry(group, style, keep_middle=False, symbolic=symbolic) for group in rows]
    # A row of the map to a line, every side if that fits, else without the middle ones; a map
    # too wide for that: whichever fills fewer lines.
    choices = [(entries, columns) for entries in (full, short) if (columns := _columns(entries))]
    if not choices:
        return [equation(e, style, symbolic=False) for group in rows for e in group]  # wider than the page
    whole_rows = [(entries, per_row) for entries, columns in choices if per_row and columns >= per_row]
    entries, columns = whole_rows[0] if whole_rows else max(choices, key=lambda choice: choice[1])
    lines = [(" & " + TABLE_GAP).join(entries[k : k + columns]) for k in range(0, len(entries), columns)]
    return [r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"]


def side_by_side(items: Sequence[str], group: int = 0) -> list[str]:
    """Short displays (`name = matrix`) set next to each other, \\qquad apart: as many to a line as
    fit when each is as wide as the widest, so the lines of a document line up alike. Items come
    in groups of `group` (a filter's channels) that start a line each when given."""
    if not items:
        return []
    widest = max(width(item) for item in items)
    fit = max(1, int((LINE_EM + QQUAD) // (widest + QQUAD)))
    size = group or len(items)
    out = []
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        lines = -(-len(chunk) // fit)
        per_line = -(-len(chunk) // lines)  # balanced: 2 + 2 rather than 3 + 1
        out += [TABLE_SEPARATOR.join(chunk[k : k + per_line]) for k in range(0, len(chunk), per_line)]
    return out


def _entry(group: Sequence[Equation], style: Style, keep_middle: bool, symbolic: bool = False) -> str:
    """`lhs &= numbers = value`, then `, lhs = value` for the other equations of the same cell."""
    parts = []
    for eq in group:
        flat = _sides(eq.sides, style)
        numeric = [item for item in _relations(flat) if symbolic or not _is_symbolic(eq.sides[item[0]])]
        if not numeric:
            numeric = list(_relations(flat))
        formula = [item for item in numeric if _is_symbolic(eq.sides[item[0]])]
        numbers = numeric[len(formula):]
        if not keep_middle and len(numbers) > 2:
            # The value is ≈ when rounding entered anywhere on the way to it, the left-out sides too.
            last = numbers[-1][0]
            rounded = any(flat[k][1] for k in range(numbers[0][0], last + 1))
            numeric = formula + [numbers[0], (last, _relation(rounded), numbers[-1][2])]
        sides = " ".join(f"{rel} {text}" for _, rel, text in numeric)
        parts.append((expression(eq.lhs, style), sides))
    (lhs, sides), rest = parts[0], parts[1:]
    return f"{lhs} &{sides}" + "".join(rf",\quad {other} {said}" for other, said in rest)


def _columns(entries: Sequence[str]) -> int:
    """How many entries fit side by side on a line (0: not even one)."""
    lhs = max(width(e.split("&", 1)[0]) for e in entries)
    rhs = max(width(e.split("&", 1)[1]) for e in entries)
    one = lhs + rhs
    if one > LINE_EM:
        return 0
    return max(1, min(len(entries), int((LINE_EM + 1.0) // (one + 1.0))))  # 1em: the \quad between


def _is_symbolic(side: Expr) -> bool:
    """A side written in symbols only (the formula), with no data value in it."""
    # A loop over a stack, not a recursive generator: a symbolic side of a 28 × 28 problem has
    # thousands of nodes, and a numeric one is told by its first value.
    stack = [side]
    while stack:
        node = stack.pop()
        if isinstance(node, UnevaluatedExpr):
            return False
        if not isinstance(node, Indexed):  # an Indexed holds its base and integer indices
            stack.extend(node.args)
    return True


def _sides(sides: Sequence[Expr], style: Style, make: Any = None) -> list[tuple[str, bool]]:
    out = []
    for side in sides:
        p = (make or printer)(style)
        # A value standing alone needs no parentheses, even when negative.
        text = p.value(side.args[0]) if _is_value(side) else p.doprint(side)
        out.append((text, p.rounded))
    return out


def _relations(sides: list[tuple[str, bool]]) -> Iterable[tuple[int, str, str]]:
    """(index of the side, = or ≈, its text) for every side worth saying."""
    previous_rounded, previous_text = False, None
    for k, (text, rounded) in enumerate(sides):
        if text == previous_text:
            continue  # a one-term sum is its own value: say it once
        previous_text = text
        yield k, _relation(rounded or previous_rounded), text
        previous_rounded = rounded


def partial(name: str, loss: str = "L") -> str:
    """∂L/∂name."""
    return rf"\frac{{\partial {loss}}}{{\partial {name}}}"


def size(rows_cols: tuple[int, int]) -> str:
    """A shape in math: 3 \\times 2."""
    return rf"{rows_cols[0]} \times {rows_cols[1]}"


# General formulas, written once per document: rules as tables, keyed by the spec's options.
# ⟨name⟩ stands for a symbol of the notation (Style.names), filled in by `_named`.
# ⟨sum_f⟩ and ⟨f⟩ carry the filter index when there are several output maps (Y^(f)_ij).
LOSS_FORMULAS = {
    "mse": r"⟨L⟩ = \frac{1}{n} ⟨sum_f⟩\sum_{i,j} \left(⟨Y⟩⟨f⟩_{ij} - ⟨Yhat⟩⟨f⟩_{ij}\right)^{2}",
    "sse": r"⟨L⟩ = ⟨sum_f⟩\sum_{i,j} \left(⟨Y⟩⟨f⟩_{ij} - ⟨Yhat⟩⟨f⟩_{ij}\right)^{2}",
    "half_sse": r"⟨L⟩ = \frac{1}{2} ⟨sum_f⟩\sum_{i,j} \left(⟨Y⟩⟨f⟩_{ij} - ⟨Yhat⟩⟨f⟩_{ij}\right)^{2}",
}
LOSS_GRADIENTS = {
    "mse": r"\frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩⟨f⟩_{ij}} = \frac{2}{n} \left(⟨Yhat⟩⟨f⟩_{ij} - ⟨Y⟩⟨f⟩_{ij}\right)",
    "sse": r"\frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩⟨f⟩_{ij}} = 2 \left(⟨Yhat⟩⟨f⟩_{ij} - ⟨Y⟩⟨f⟩_{ij}\right)",
    "half_sse": r"\frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩⟨f⟩_{ij}} = ⟨Yhat⟩⟨f⟩_{ij} - ⟨Y⟩⟨f⟩_{ij}",
}
POOLING_FORMULAS = {  # (forward, backward); ⟨a⟩ is the map being pooled
    "max": (r"⟨Yhat⟩_{ij} = \max_{(r, c) \in \text{window}(i, j)} ⟨a⟩_{rc}",
            r"\frac{\partial ⟨L⟩}{\partial ⟨a⟩_{rc}} = \sum_{(i, j):\ (r, c) \text{ wins window } (i, j)} \frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩_{ij}}"),
    "avg": (r"⟨Yhat⟩_{ij} = \frac{1}{k} \sum_{(r, c) \in \text{window}(i, j)} ⟨a⟩_{rc}",
            r"\frac{\partial ⟨L⟩}{\partial ⟨a⟩_{rc}} = \sum_{(i, j):\ (r, c) \in \text{window}(i, j)} "
            r"\frac{1}{k} \frac{\partial ⟨L⟩}{\partial ⟨Yhat⟩_{ij}}"),
}
FLIPPED = r"\operatorname{rot}_{180}(⟨W⟩)"


def fill(template: str, names: Mapping[str, str]) -> str:
    """A general formula's ⟨name⟩ placeholders replaced by the notation's symbols (flat and network formulas)."""
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
    loss_names = dict(n, f=f_, sum_f=r"\sum_{f} " if f_ else "")
    out = {
        "z": z,
        "forward": forward + (f" + {b}" if p.bias is not None else ""),
        "local": rf"\frac{{\partial {z}{f_}_{{ij}}}}{{\partial {w}{fc}_{{uv}}}} = {x}{c_}_{{{tap_r},\, {tap_c}}}",
        # The same indices as the formulas: with several channels or filters, W_uv alone is ambiguous.
        "local_symbol": rf"\partial {z}{f_}_{{ij}} / \partial {w}{fc}_{{uv}}",
        "weight_symbol": rf"{w}{fc}_{{uv}}",
        "chain_rule": rf"\frac{{\partial {L}}}{{\partial {w}{fc}_{{uv}}}} = \sum_{{i,j}} {dz}"
                      rf" \cdot \frac{{\partial {z}{f_}_{{ij}}}}{{\partial {w}{fc}_{{uv}}}}",
        "grad_z_symbol": rf"\partial {L} / \partial {z}{f_}_{{ij}}",
        "grad_input": (rf"\frac{{\partial {L}}}{{\partial {n['I']}{c_}_{{pq}}}} = {over_f}\sum_{{i,j}} \sum_{{u,v}} {dz}"
                       rf" \cdot {w}{fc}_{{uv}} \quad \text{{over all }} (i, j, u, v) \text{{ with }} {where}"),
        "bias_gradient": (rf"\frac{{\partial {L}}}{{\partial {b}}} = \sum_{{i,j}} {dz} \cdot \frac{{\partial {z}{f_}_{{ij}}}}{{\partial {b}}}"
                          rf" = \sum_{{i,j}} {dz}"),
        "loss": fill(LOSS_FORMULAS[p.loss], loss_names),
        "loss_gradient": fill(LOSS_GRADIENTS[p.loss], loss_names) + _mse_scale(p, loss_names),
        "update_rule": rf"{n['Wnext']} = {w} - {eta} \cdot \frac{{\partial {L}}}{{\partial {w}}}",
        "bias_update_rule": rf"{n['bnext']} = {n['b']} - {eta} \cdot \frac{{\partial {L}}}{{\partial {n['b']}}}",
        "eta": eta, "mu": mu, "L": L, "v": v, "a": n["a"], "Z": n["Z"], "b": n["b"],
        "flipped": fill(FLIPPED, n),
    }
    if p.momentum is not None:
        out["update_rule"] = (rf"{n['Vnext']} = {mu} {v} + \frac{{\partial {L}}}{{\partial {w}}}, \qquad "
                              rf"{n['Wnext']} = {w} - {eta} \cdot {n['Vnext']}")
        out["bias_update_rule"] = (rf"{n['Vbnext']} = {mu} {vb} + \frac{{\partial {L}}}{{\partial {n['b']}}}, \qquad "
                                   rf"{n['bnext']} = {n['b']} - {eta} \cdot {n['Vbnext']}")
    act = activation.layer(p)
    if act is not None:
        # The activation's layer module writes its formulas for networks: its input is Z here, its output A (or Ŷ).
        layer_names = dict(n, **{"in": n["Z"], "out": n["a"]})
        out["activation"], out["activation_derivative"] = fill(act.formula, layer_names), fill(act.derivative_formula, layer_names)
        a = n["a"]
        out["chain_z"] = (rf"\frac{{\partial {L}}}{{\partial {n['Z']}_{{ij}}}} = \frac{{\partial {L}}}{{\partial {a}_{{ij}}}}"
                          rf" \cdot \frac{{\partial {a}_{{ij}}}}{{\partial {n['Z']}_{{ij}}}}")
    if p.pooling is not None:
        n_pool = dict(n, a=n["A"] if p.activation != "none" else n["Z"])
        out["pool"], out["unpool"] = (fill(f, n_pool) for f in POOLING_FORMULAS[p.pooling.type])
    return out


def _mse_scale(p: Problem, n: dict[str, str]) -> str:
    """The MSE's 2/n with n substituted, then simplified (= 2/18 (…) = 1/9 (…)), so the factor of
    each cell's gradient is seen to come from the formula."""
    if p.loss != "mse":
        return ""
    count = p.filters * p.output_shape[0] * p.output_shape[1]
    difference = fill(r"\left(⟨Yhat⟩⟨f⟩_{ij} - ⟨Y⟩⟨f⟩_{ij}\right)", n)
    text = rf" = \frac{{2}}{{{count}}} {difference}"
    simplest = Rational(2, count)
    if simplest.q != count:
        text += f" = {expression(simplest, Style())} {difference}"
    return text


def _plus(offset: int) -> str:
    return f" + {offset}" if offset else ""


def _scaled(index: str, factor: int) -> str:
    if factor == 1:
        return index
    return f"{factor}{index}" if len(index) == 1 else f"{factor}({index})"


def cell_label(p: Problem, field: str, index: tuple[int, ...], style: Style = Style()) -> str:
    """The symbol of one answer cell, as the worked solution writes it (W'_{01}, ∂L/∂W^{(0,1)}_{10}):
    its notation and whether it is ∂L/∂ of it come from the answer-field table (fields.py)."""
    from sympy import Indexed, IndexedBase

    name = fields.notation(p, field)
    if p.rank2 and fields.field(field).shape == "map":  # a 2-D problem's maps are answered in 2-D
        index = index[-2:]
    symbol: Expr = Symbol(name) if not index else Indexed(IndexedBase(name), *index)
    text = printer(style).doprint(symbol)
    return partial(text, style.names["L"]) if fields.field(field).role == "gradient" else text


# ---------------------------------------------------------------------------------------------
# Networks (a `layers:` spec, derive/network/). Symbols carry layer superscripts (z^{(1)},
# W^{(2)}_{01}); their SymPy names are labels "kind|base|tag" made by network/algebra.py:
# base is a notation key below, tag the layer's superscript, kind '' (the value), 'next' (after
# the update), 'v'/'vnext' (a velocity of parameter base) or 'pad' (the zero-padded input).
# The flat path above does not use this section.

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
    if kind.startswith("state:"):  # an optimizer's state of parameter base: m'^{(1)}_{W,01}
        inner = names.get(base, base) + ("," + sub if sub else "")
        return kind[6:] + sup + f"_{{{inner}}}"
    text = names.get(base, base)
    if kind == "pad":
        text = rf"\tilde{{{text}}}"
    if kind == "next":
        text += "'"
    return text + sup + (f"_{{{sub}}}" if sub else "")


class NetworkPrinter(DerivePrinter):
    """DerivePrinter for networks: layer-tagged symbols, fractions and logarithms as written."""

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        self.names = network_names(self._settings["style"])

    def value(self, v: Rational) -> str:
        """As DerivePrinter's; a real that is exactly 0 (a rounded real times an exact 0) is exact, so
        it reads 0, not 0.0000. (The flat printer keeps 0.0000: its documents are left as they are.)"""
        if isinstance(v, Float) and not v:  # (SymPy: Float(0.0) == 0 is False); exact zeros print as 0 already
            return "0"
        return super().value(v)

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

    def _print_Bracket(self, expr: Expr) -> str:
        return rf"\left({self._print(expr.args[0])}\right)"

    def _print_Sqrt(self, expr: Expr) -> str:
        return rf"\sqrt{{{self._unbroken(expr.args[0])}}}"

    def _print_log(self, expr: Expr) -> str:
        return rf"\log\left({self._unbroken(expr.args[0])}\right)"




def network_printer(style: Style, line_width: float = 0) -> NetworkPrinter:
    """A fresh network printer (printers remember rounding, so they are never shared)."""
    return _fresh(_prototype(NetworkPrinter, style, line_width))


def network_stacked(equations: Sequence[Equation], style: Style, rows: int) -> list[str]:
    """A run of a network's equations as aligned blocks lined up on their =, each of at most `rows`
    lines (the PDF breaks a long block across pages; an HTML page cannot break its MathML table);
    one equation alone stays a display of its own. A run of one-line equations is set several to a line, as many as fit (as the flat document's
    activation table), so 16 units' ∂a/∂z = 1 fill a few lines rather than a column."""
    if len(equations) == 1:
        return [network_equation(equations[0], style)]
    written = []
    for eq in equations:
        lhs, lines = _lines(eq, style, True, network_printer)
        written.append([lhs + " " + lines[0]] + lines[1:])
    if all(len(lines) == 1 for lines in written):
        entries = [lines[0] for lines in written]
        columns = _stacked_columns(entries)
        written = [[(" & " + TABLE_GAP).join(entries[k : k + columns])] for k in range(0, len(entries), columns)]
    blocks: list[list[str]] = []
    used = 0
    for lines in written:
        height = sum(1 + line.count(LINE_BREAK) for line in lines)  # a broken sum's lines count too
        if not blocks or used + height > rows:
            blocks.append([])
            used = 0
        blocks[-1] += lines
        used += height
    return [r"\begin{aligned}" + r" \\ ".join(block) + r"\end{aligned}" for block in blocks]


def _stacked_columns(entries: Sequence[str]) -> int:
    """How many `lhs &= …` entries to a line, balanced (6 + 6 + 4 rather than 7 + 7 + 2): each pair
    of columns is set 2em apart (the \\quad written plus the PDF's align* gap, amsmath's \\minalignsep)."""
    one = max(width(e.split("&", 1)[0]) for e in entries) + max(width(e.split("&", 1)[1]) for e in entries)
    fit = max(1, min(len(entries), int((LINE_EM + 2.0) // (one + 2.0))))
    lines = -(-len(entries) // fit)
    return -(-len(entries) // lines)


def network_equation(eq: Equation, style: Style) -> str:
    """As `equation`, for a network's symbols: lhs = symbolic = substituted = value, ≈ where rounding
    entered; one line when it fits the page, else the same aligned layout."""
    return _display(*_lines(eq, style, True, network_printer))
