"""Every number printed in the Markdown solution, read back and checked.

For each equation: its value agrees with the numpy oracle, and every numeric side, evaluated
independently, equals that value (exactly when printed with =, within rounding with ≈).
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings

import derive
import oracle
from document_check import displays, evaluate, indices, matrix, split_equation
from strategies import specs
from test_oracle import SEED

# lhs pattern → (oracle field, whether it is indexed)
LHS = [
    (re.compile(r"^\\hat\{Y\}_\{[\d,]+\}$"), "feature_map"),
    (re.compile(r"^\\frac\{\\partial L\}\{\\partial \\hat\{Y\}_\{[\d,]+\}\}$"), "grad_output"),
    (re.compile(r"^\\frac\{\\partial L\}\{\\partial W_\{[\d,]+\}\}$"), "grad_kernel"),
    (re.compile(r"^\\frac\{\\partial L\}\{\\partial I_\{[\d,]+\}\}$"), "grad_input"),
    (re.compile(r"^W'_\{[\d,]+\}$"), "kernel_next"),
    (re.compile(r"^\\frac\{\\partial L\}\{\\partial b\}$"), "grad_bias"),
    (re.compile(r"^b'$"), "bias_next"),
    (re.compile(r"^L$"), "loss"),
]
MATRICES = {
    r"\hat{Y}": "feature_map",
    r"\frac{\partial L}{\partial \hat{Y}}": "grad_output",
    r"\frac{\partial L}{\partial W}": "grad_kernel",
    r"\frac{\partial L}{\partial I}": "grad_input",
    "W'": "kernel_next",
}


def tolerance(precision: int, rounded: bool, text: str) -> float:
    """Exact lines must agree to float precision; a rounded line within the rounding it admits:
    each printed number is off by at most half a unit in its last place, so the side is off by
    at most that times the sum of the magnitudes it multiplies (a first-order bound, doubled)."""
    magnitudes = sum(abs(float(x)) for x in re.findall(r"\d+(?:\.\d+)?", text))
    if not rounded:
        return 1e-9 * (1 + magnitudes)
    return 10.0**-precision * (1 + 2 * magnitudes)


def check_document(spec: dict, precision: int = 4, detail: str | None = None) -> int:
    """Check every equation and matrix of the document; return how many values were checked."""
    expected = oracle.solve(spec)
    markdown = derive.solve(spec, precision=precision, detail=detail).to_markdown()
    checked = 0
    for number, latex in displays(markdown):
        if number <= 0:
            continue
        want = expected[number - 1]
        lhs, sides, relations = split_equation(latex)
        field = next((f for pattern, f in LHS if pattern.match(lhs)), None)
        if field is not None:
            truth = want[field] if field in ("loss", "grad_bias", "bias_next") else want[field][indices(lhs)]
            rounded_line = r"\approx" in relations
            for side, relation in zip(sides, relations):
                value = evaluate(side)
                if value is None:
                    continue
                assert value == pytest.approx(truth, abs=tolerance(precision, rounded_line, side)), (lhs, side)
                checked += 1
        elif lhs in MATRICES and sides and sides[0].startswith(r"\begin{bmatrix}"):
            rounded = relations[0] == r"\approx"
            got, truth = matrix(sides[0]), want[MATRICES[lhs]]
            limit = 0.5 * 10.0**-precision * (1 + 1e-9) if rounded else 1e-9
            np.testing.assert_allclose(got, truth, rtol=1e-9 if not rounded else 0, atol=limit + 1e-12, err_msg=lhs)
            checked += 1
    return checked


def test_seed_document_numbers():
    assert check_document(SEED) > 40


def test_seed_document_is_exact_and_uses_every_cell():
    markdown = derive.solve(SEED).to_markdown()
    assert r"\approx" not in markdown
    assert r"(0.3 \cdot 1) + (0.45 \cdot 2) + (-0.25 \cdot 0) + (0.1 \cdot 1)" in markdown
    assert r"W' = \begin{bmatrix} 0.37 & 0.1 \\ 0.295 & 0.605 \end{bmatrix}" in markdown


def test_checker_catches_a_wrong_number():
    """A test that cannot fail is a defect: corrupt one printed value and the check must fail."""
    markdown = derive.solve(SEED).to_markdown().replace("&= 1.3\\end{aligned}", "&= 0.3\\end{aligned}")
    lhs, sides, relations = split_equation(next(l for _, l in displays(markdown) if "0.3\\end" in l))
    assert evaluate(sides[-1]) == 0.3 and evaluate(sides[-2]) == pytest.approx(1.3)


@settings(max_examples=40, deadline=None)
@given(specs(max_size=5, max_iterations=2))
def test_random_documents(spec):
    check_document(spec)


def test_summary_document_numbers():
    rng = np.random.default_rng(7)
    spec = {
        "input": rng.integers(-3, 4, (12, 12)).tolist(),
        "kernel": (rng.integers(-9, 10, (3, 3)) / 10).round(1).tolist(),
        "target": rng.integers(0, 3, (10, 10)).tolist(),
        "learning_rate": 0.01,
        "bias": 0.5,
    }
    assert check_document(spec) > 20


@pytest.mark.parametrize("precision", [0, 2, 6])
def test_precision_setting(precision):
    spec = dict(SEED, bias="1/3")
    check_document(spec, precision=precision)
    markdown = derive.solve(spec, precision=precision).to_markdown()
    assert r"\approx" in markdown


EXAMPLES = sorted((__import__("pathlib").Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_documents(example):
    from derive.spec import read_spec

    assert check_document(read_spec(example)) > 10
