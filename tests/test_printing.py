"""Printing rules as tables: numbers, expressions, relations and escaping."""
from __future__ import annotations

import pytest
from sympy import Add, Derivative, IndexedBase, Integer, Mul, Pow, Rational, Symbol, UnevaluatedExpr

from derive import printing as pr
from derive.typeset import width

R, V = Rational, UnevaluatedExpr
W, Y = IndexedBase("W"), IndexedBase("Yhat")


@pytest.mark.parametrize(
    "value, precision, text, rounded",
    [
        (R(73, 200), 4, "0.365", False),
        (R(1, 3), 4, "0.3333", True),
        (R(2, 3), 2, "0.67", True),
        (R(-2, 3), 4, "-0.6667", True),
        (R(5), 4, "5", False),
        (R(-1, 8), 0, "-0.125", False),  # terminating: exact whatever the precision
        (R(1, 10**7), 4, "0.0000001", False),
        (R(1, 3 * 10**7), 4, r"3.333 \times 10^{-8}", True),  # too small to round to 0
        (R(1, 2**20), 4, r"9.537 \times 10^{-7}", True),  # terminates, but after 20 places
        (R(1, 2**10), 4, "0.0009765625", False),
        (R(5, 2), 0, "2.5", False),
        (R(7, 3), 0, "2", True),
        (R(123456789), 4, "123456789", False),
    ],
)
def test_number(value, precision, text, rounded):
    assert pr.number(value, precision) == pr.Number(text, rounded)


def _mul(*a):
    return Mul(*a, evaluate=False)


def _add(*a):
    return Add(*a, evaluate=False)


def _neg(a):
    return Mul(Integer(-1), a, evaluate=False)


@pytest.mark.parametrize(
    "expr, latex",
    [
        (_add(_mul(V(1), V(R(1, 2))), _mul(V(2), V(R(1, 5)))), r"(1 \cdot 0.5) + (2 \cdot 0.2)"),
        (_add(_mul(V(R(-1, 4)), V(0)), _mul(V(R(1, 10)), V(-1))), r"(-0.25 \cdot 0) + (0.1 \cdot (-1))"),
        (_add(V(R(3, 10)), V(R(-1, 4)), V(0)), r"0.3 - 0.25 + 0"),
        (_add(V(R(-3, 10)), V(1)), r"-0.3 + 1"),
        (_mul(R(1, 4), _add(Pow(V(R(-3, 5)), 2, evaluate=False), Pow(V(1), 2, evaluate=False), V(2))),
         r"\frac{1}{4} \bigl[(-0.6)^{2} + 1^{2} + 2\bigr]"),
        (_mul(R(1, 2), _add(V(R(8, 5)), _neg(V(1)))), r"\frac{1}{2} \left(1.6 - 1\right)"),
        (_add(V(R(1, 2)), _neg(_mul(V(R(1, 10)), V(R(-1, 2))))), r"0.5 - 0.1 \cdot (-0.5)"),
        (Pow(_add(Y[0, 1], _neg(IndexedBase("Y")[0, 1])), 2, evaluate=False), r"\left(\hat{Y}_{01} - Y_{01}\right)^{2}"),
        (Derivative(Symbol("L"), W[1, 0]), r"\frac{\partial L}{\partial W_{10}}"),
        (W[10, 3], r"W_{10,3}"),
        (_mul(Symbol("eta"), Derivative(Symbol("L"), Symbol("b"))), r"\eta \cdot \frac{\partial L}{\partial b}"),
    ],
)
def test_expression(expr, latex):
    assert pr.expression(expr, pr.Style()) == latex


@pytest.mark.parametrize(
    "sides, latex",
    [
        ((V(R(1, 2)),), "x = 0.5"),
        ((V(R(-1, 2)),), "x = -0.5"),  # a value standing alone has no parentheses
        ((_mul(V(3), V(R(1, 3))), V(1)), r"x \approx 3 \cdot 0.3333 \approx 1"),
        ((V(R(1, 3)), V(R(1, 3))), r"x \approx 0.3333"),  # a repeated side is said once
        ((_add(V(1), V(2)), V(3)), "x = 1 + 2 = 3"),
    ],
)
def test_equation_relations(sides, latex):
    assert pr.equation(pr.Equation(Symbol("x"), sides), pr.Style()) == latex


def test_long_equation_is_aligned_and_broken():
    terms = _add(*[_mul(V(k), V(R(1, 10))) for k in range(1, 15)])
    text = pr.equation(pr.Equation(Symbol("x"), (terms, V(R(21, 2)))), pr.Style())
    assert text.startswith(r"\begin{aligned}x &= (1 \cdot 0.1)")
    assert text.endswith(r"\\ &= 10.5\end{aligned}")
    lines = text[len(r"\begin{aligned}") : -len(r"\end{aligned}")].split(r" \\ ")
    assert len(lines) >= 3  # the 14-term sum does not fit on one line
    assert all(width(line.replace("&", "")) <= pr.LINE_EM for line in lines)


def test_long_sum_is_printed_once(monkeypatch):
    # A sum too wide for a line used to be printed flat, then again with its line breaks: the
    # costliest part of a 28 × 28 document.
    terms = _add(*[_mul(V(k % 10), V(R(1, 10))) for k in range(100)])
    printed = []
    original = pr.DerivePrinter._print_Add
    monkeypatch.setattr(pr.DerivePrinter, "_print_Add", lambda self, expr: printed.append(expr) or original(self, expr))
    text = pr.equation(pr.Equation(Symbol("x"), (terms, V(R(99, 2)))), pr.Style())
    assert r"\ &\qquad" in text
    assert printed.count(terms) == 1


@pytest.mark.parametrize("count", [20, 23, 24, 25, 40, 150])
def test_sum_printed_broken_at_once_reads_as_printed_twice(monkeypatch, count):
    # A long sum's one-line text is its broken text without the breaks: the same document either way,
    # whether it then fits a line (24 one-digit terms do) or not.
    signs = [V(k % 10) if k % 3 else V(-(k % 7)) for k in range(count)]
    for sides in [(_add(*signs), V(1)), (_add(*[_mul(V(k % 10), V(R(-1, 3))) for k in range(count)]), V(R(1, 3)))]:
        eq = pr.Equation(Symbol("x"), sides)
        once = pr.equation(eq, pr.Style())
        monkeypatch.setattr(pr, "SURELY_BROKEN_TERMS", 10**9, raising=False)
        twice = pr.equation(pr.Equation(eq.lhs, eq.sides), pr.Style())  # a new object: `equation` caches by identity
        monkeypatch.undo()
        assert once == twice


def test_printing_a_sum_of_products_asks_sympy_no_equality(monkeypatch):
    # Asking whether each product is a negation (-1 · x) by SymPy's == sympified -1 for every term
    # of every long sum; only a number can be -1.
    from sympy import Basic

    terms = _add(*[_mul(V(k % 10), W[k, 0]) for k in range(30)], Mul(Integer(-1), W[0, 1], evaluate=False))
    asked = []
    original = Basic.__eq__
    monkeypatch.setattr(Basic, "__eq__", lambda self, other: asked.append(other) or original(self, other))
    text = pr.expression(terms, pr.Style())
    monkeypatch.undo()
    assert text.endswith(r"9 \cdot W_{29,0} - W_{01}")  # the negation is still told
    assert len([other for other in asked if other == -1]) <= 1


def test_a_recurring_derivative_is_printed_once(monkeypatch):
    # ∂L/∂Ŷ_ij recurs in every weight's sum of a document: its symbols are printed once per notation.
    L = Symbol("L")
    terms = _add(*[_mul(Derivative(L, Y[k % 3, 0]), W[k, 0]) for k in range(30)])
    printed = []
    original = pr.DerivePrinter._print_Indexed
    monkeypatch.setattr(pr.DerivePrinter, "_print_Indexed", lambda self, expr: printed.append(expr) or original(self, expr))
    # Printers of one style share their printed symbols (the cached prototype's): start from none, whatever
    # earlier tests of the run printed with this style (they had been evicted only by chance).
    pr._prototype.cache_clear()
    style = pr.Style(precision=3)
    text = pr.expression(terms, style)
    assert text.count(r"\frac{\partial L}{\partial \hat{Y}_{10}}") == 10
    assert printed.count(Y[1, 0]) == 1
    assert pr.expression(Derivative(L, Y[1, 0]), pr.Style(notation=(("L", "J"),))) == r"\frac{\partial J}{\partial \hat{Y}_{10}}"


def test_printing_a_sum_bypasses_sympys_dispatcher(monkeypatch):
    # SymPy's dispatcher walks each node's class hierarchy; derive's own node types are looked up once.
    from sympy.printing.latex import LatexPrinter

    terms = _add(*[_mul(V(k % 10), W[k, 0]) for k in range(30)], Derivative(Symbol("L"), Y[0, 0]))
    walked = []
    original = LatexPrinter._print
    monkeypatch.setattr(LatexPrinter, "_print", lambda self, expr, **kw: walked.append(expr) or original(self, expr, **kw))
    text = pr.expression(terms, pr.Style())
    assert text.startswith(r"0 \cdot W_{00} + 1 \cdot W_{10}")
    assert walked == []


def test_no_line_break_inside_left_right():
    inner = _add(*[V(k) for k in range(1, 40)])
    text = pr.equation(pr.Equation(Symbol("x"), (Pow(_add(V(1), inner), 2, evaluate=False), V(1))), pr.Style())
    for chunk in text.split(r"\left(")[1:]:
        assert r"\\" not in chunk.split(r"\right)")[0]


@pytest.mark.parametrize(
    "latex, ems",  # pdflatex's own widths at 11pt, in ems; the estimate is within 5 per cent
    [(r"(0.0333 \cdot 0)", 4.78), (r"\frac{\partial L}{\partial \hat{Y}^{(0)}_{00}}", 2.65), (r"W^{(0,1)}_{00}", 2.72),
     (r"I^{(2)}_{01} \cdot W^{(0,2)}_{00}", 5.00), (r"\left(Y^{(0)}_{00} - \hat{Y}^{(0)}_{00}\right)^{2}", 6.53),
     (r"\max\left(0, 1.3\right)", 5.03), (r"\frac{1}{18}", 1.22)],
)
def test_typeset_width(latex, ems):
    assert width(latex) == pytest.approx(ems, rel=0.05)


@pytest.mark.parametrize(
    "text, latex",
    [
        ("Week 3: 50% & more_", r"Week 3: 50\% \& more\_"),
        (r"\input{x} $y$ #1 ~ ^", r"\textbackslash{}input\{x\} \$y\$ \#1 \textasciitilde{} \textasciicircum{}"),
    ],
)
def test_escape_latex(text, latex):
    from derive.templating import escape_latex  # the templates' `tex` filter

    assert escape_latex(text) == latex


def test_matrix():
    assert pr.named_matrix("W", ((R(1, 2), R(-1)), (R(0), R(1, 3))), pr.Style(precision=2)) == (
        r"W \approx \begin{bmatrix} 0.5 & -1 \\ 0 & 0.33 \end{bmatrix}"
    )


@pytest.mark.parametrize(
    "value, text",
    [(R(1, 3), r"\frac{1}{3}"), (R(-3, 10), r"-\frac{3}{10}"), (R(4), "4"), (R(0), "0")],
)
def test_fractions_setting(value, text):
    assert pr.number(value, 4, fractions=True) == pr.Number(text, False)


def test_notation_renames_symbols_and_their_derived_forms():
    style = pr.style_from_notation(4, False, {"kernel": "K", "learning_rate": r"\alpha", "input": "X"})
    names = style.names
    assert (names["W"], names["Wnext"], names["eta"], names["X"]) == ("K", "K'", r"\alpha", r"\tilde{X}")
    assert pr.expression(Derivative(Symbol("L"), W[0, 1]), style) == r"\frac{\partial L}{\partial K_{01}}"


def _grad(k: int) -> pr.Equation:
    """∂L/∂Ŷ_k = 1/9 (ŷ − y) = 1/9 · d = d/9, in a run of such."""
    yhat, y = R(k, 10), R(1, 2)
    sides = (_mul(R(1, 9), _add(Y[0, k], _neg(IndexedBase("Y")[0, k]))), _mul(R(1, 9), _add(V(yhat), _neg(V(y)))),
             _mul(R(1, 9), V(yhat - y)), V((yhat - y) / 9))
    return pr.Equation(Derivative(Symbol("L"), Y[0, k]), sides)


def test_table_sets_a_row_of_the_map_to_a_line():
    (block,) = pr.table([(_grad(k),) for k in range(9)], pr.Style(precision=2), per_row=3)
    rows = block[len(r"\begin{aligned}") : -len(r"\end{aligned}")].split(r" \\ ")
    assert len(rows) == 3 and all(row.count(r"& \quad") == 2 for row in rows)
    assert r"\hat{Y}_{00} - Y_{00}" not in block  # the symbolic form is the general formula's
    # Three to a line only fit without the middle side; the value keeps its ≈ (rounded) or = (exact).
    assert r"\frac{1}{9} \cdot" not in block
    assert r"\frac{\partial L}{\partial \hat{Y}_{01}} &= \frac{1}{9} \left(0.1 - 0.5\right) \approx -0.04" in block
    assert r"\frac{\partial L}{\partial \hat{Y}_{05}} &= \frac{1}{9} \left(0.5 - 0.5\right) = 0" in block


def test_table_keeps_every_side_when_a_row_fits():
    (block,) = pr.table([(_grad(k),) for k in range(4)], pr.Style(), per_row=2)
    assert block.count(r"\frac{1}{9} \cdot") == 4 and block.count(r" \\ ") == 1


def test_table_of_a_wide_map_fills_lines():
    """A row of 9 cannot fit: as many to a line as fit, every side kept when that is as dense."""
    (block,) = pr.table([(_grad(k),) for k in range(9)], pr.Style(), per_row=9)
    rows = block[len(r"\begin{aligned}") : -len(r"\end{aligned}")].split(r" \\ ")
    assert [row.count(r"& \quad") + 1 for row in rows] == [2, 2, 2, 2, 1]
    assert all(width(row.replace("&", "")) + 0.0 <= pr.LINE_EM for row in rows)


def test_side_by_side_balances_the_lines():
    item = r"W = \begin{bmatrix} 0.1234 & 0.1234 & 0.1234 \\ 0.1234 & 0.1234 & 0.1234 \end{bmatrix}"
    lines = pr.side_by_side([item] * 4)
    assert [line.count("bmatrix") // 2 for line in lines] == [2, 2]  # not 3 + 1
    assert all(width(line) <= pr.LINE_EM for line in lines)


def test_huge_real_value_is_rounded_not_a_traceback():
    """A sigmoid problem with learning rate 4e76 printed a weight of about 1e76: 81 digits at
    4 decimals, past the decimal context's 80 (found by test_hardening's fuzzing)."""
    from sympy import Float

    shown = pr.number(Float("1e76", 60), 4)
    assert shown.rounded and shown.text.startswith("1") and shown.text.endswith(".0000") and len(shown.text) == 82


def test_a_reals_digits_are_its_str_without_the_str_printer():
    # _digits reads a SymPy Float through mpmath directly; the number it gives must be str()'s exactly.
    import random
    from decimal import Decimal

    import gmpy2
    from sympy import Float

    from derive.exact import precise

    rng = random.Random(7)
    with precise():
        for k in range(3000):
            x = gmpy2.exp(gmpy2.mpfr(rng.uniform(-80, 80))) * rng.choice([1, -1]) / rng.randint(1, 10**6)
            value = Float(str(gmpy2.mpfr(k % 17 - 8) / 16 if k % 5 == 0 else x), 60)
            assert Decimal(pr._digits(value)) == Decimal(str(value)), value
    assert pr._digits(gmpy2.mpfr("0.125")) == str(gmpy2.mpfr("0.125"))  # not a SymPy Float: str() as before
