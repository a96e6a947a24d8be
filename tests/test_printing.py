"""Printing rules as tables: numbers, expressions, relations and escaping."""
from __future__ import annotations

import pytest
from sympy import Add, Derivative, IndexedBase, Integer, Mul, Pow, Rational, Symbol, UnevaluatedExpr

from derive import printing as pr

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
    assert all(pr.visible_width(line) <= pr.LINE_WIDTH + 8 for line in lines)


def test_no_line_break_inside_left_right():
    inner = _add(*[V(k) for k in range(1, 40)])
    text = pr.equation(pr.Equation(Symbol("x"), (Pow(_add(V(1), inner), 2, evaluate=False), V(1))), pr.Style())
    for chunk in text.split(r"\left(")[1:]:
        assert r"\\" not in chunk.split(r"\right)")[0]


@pytest.mark.parametrize(
    "latex, width",
    [(r"(0.3 \cdot 1)", 9), (r"\frac{\partial L}{\partial \hat{Y}_{00}}", 5), (r"W^{(0,1)}_{10}", 8)],
)
def test_visible_width(latex, width):
    assert pr.visible_width(latex) == width


@pytest.mark.parametrize(
    "text, latex",
    [
        ("Week 3: 50% & more_", r"Week 3: 50\% \& more\_"),
        (r"\input{x} $y$ #1 ~ ^", r"\textbackslash{}input\{x\} \$y\$ \#1 \textasciitilde{} \textasciicircum{}"),
    ],
)
def test_escape_latex(text, latex):
    assert pr.escape_latex(text) == latex


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


@pytest.mark.parametrize("latex, width", [
    ("", 0), ("0.5", 3), (r"\left(1 + 2\right)", 7), (r"W_{00}", 3), (r"\hat{Y}^{2}", 2),
    (r"\frac{\partial L}{\partial W_{00}}", 5), (r"\frac{1}{\frac{a}{bcd}}", 3), (r"a \\ &\qquad b", 7),
    (r"\,", 1), ("\\", 1), (r"\frac{x}", 1),
])
def test_visible_width_counts_what_typesets(latex, width):
    # A table, since the width decides every line break: values from the character loop it replaced.
    from derive.printing import visible_width

    assert visible_width(latex) == width
