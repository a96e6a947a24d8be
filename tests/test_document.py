"""Every number printed in the Markdown solution, read back and checked.

For each equation: its value agrees with the numpy oracle, and every numeric side, evaluated
independently, equals that value (exactly when printed with =, within rounding with ≈).
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings

import derive
import oracle
from document_check import displays, equations, evaluate, matrix, quantity, split_equation
from strategies import layer_specs, specs
from test_oracle import SEED

# Inputs restated inside an iteration (kernel, bias, velocity at its start; padded input; the
# flipped kernel; the residuals of the summary): their values come from the spec or the
# previous iteration, which are checked where they are computed.
UNCHECKED = re.compile(r"^(W|b|v|v\^\{b\}|\\tilde\{I\}|\\operatorname\{rot\}_\{180\}\(W\)|Y - \\hat\{Y\})(\^\{\([\d,]+\)\})?$")


def tolerance(precision: int, rounded: bool, text: str) -> float:
    """Exact lines must agree to float precision; a rounded line within the rounding it admits:
    each printed number is off by at most half a unit in its last place, so a side is off by at
    most that per number plus that times the magnitudes it multiplies (first order, doubled)."""
    numbers = [abs(float(x)) for x in re.findall(r"\d+(?:\.\d+)?", text)]
    if not rounded:
        return 1e-9 * (1 + sum(numbers))
    # Each rounded number adds up to half a unit; a product adds the other factor's share too.
    return 10.0**-precision * (len(numbers) + 1 + 2 * sum(numbers))


def check_document(spec: dict, precision: int = 4, detail: str | None = None) -> int:
    """Check every equation and matrix of the document; return how many values were checked."""
    expected = oracle.solve(spec)
    markdown = derive.solve(spec, precision=precision, detail=detail).to_markdown()
    checked = 0
    for number, latex in ((k, eq) for k, display in displays(markdown) for eq in equations(display)):
        if number <= 0:
            continue
        want = expected[number - 1]
        lhs, sides, relations = split_equation(latex)
        named = quantity(lhs)
        if named is None:
            # Nothing may print a value the checker cannot attribute, except restated inputs.
            assert not sides or evaluate(sides[-1]) is None or UNCHECKED.match(lhs), f"unchecked value: {latex[:200]}"
            continue
        field, index = named
        truth = np.asarray(want[field])
        if sides and sides[0].startswith(r"\begin{bmatrix}"):  # a whole matrix (or bias row)
            got = matrix(sides[0])
            truth = truth[index] if index else truth
            rounded = relations[0] == r"\approx"
            limit = 0.5 * 10.0**-precision * (1 + 1e-9) if rounded else 1e-9
            np.testing.assert_allclose(got.reshape(np.shape(truth)), truth, rtol=0 if rounded else 1e-9,
                                       atol=limit + 1e-12, err_msg=lhs)
            checked += 1
            continue
        if np.ndim(truth[index]) != 0:
            continue  # a general formula such as W' = W − η ∂L/∂W
        value_truth = float(truth[index])
        rounded_line = r"\approx" in relations
        for side in sides:
            value = evaluate(side)
            if value is None:
                continue
            assert value == pytest.approx(value_truth, abs=tolerance(precision, rounded_line, side)), (lhs, side)
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
    markdown = derive.solve(SEED).to_markdown().replace("= 1.3\\end{aligned}", "= 0.3\\end{aligned}")
    lhs, sides, relations = split_equation(equations(next(b for _, b in displays(markdown) if "0.3\\end" in b))[0])
    assert evaluate(sides[-1]) == 0.3 and evaluate(sides[-2]) == pytest.approx(1.3)


@settings(max_examples=40, deadline=None)
@given(specs(max_size=5, max_iterations=2))
def test_random_documents(spec):
    check_document(spec)


@settings(max_examples=40, deadline=None)
@given(layer_specs(max_size=5, max_iterations=2))
def test_random_layer_documents(spec):
    assume(not oracle.near_max_tie(spec))
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


def _network_optimizer(path) -> bool:
    """A flat spec whose optimizer (Adam, …) the network path solves."""
    from derive.network.flat import needs_network
    from derive.spec import read_spec

    return needs_network(read_spec(path))


EXAMPLES = sorted(p for p in (__import__("pathlib").Path(__file__).resolve().parent.parent / "examples").glob("*.yaml")
                  if not p.stem.endswith(".submission") and "\nlayers:" not in p.read_text()
                  and not _network_optimizer(p))  # networks, and flat specs solved as one: test_networks.py, test_optimizers.py


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_documents(example):
    from derive.spec import read_spec

    assert check_document(read_spec(example)) > 10


def rgb_markdown() -> str:
    from test_latex import RGB

    return derive.solve(RGB, detail="full").to_markdown()


def test_three_channel_document_numbers():
    from test_latex import RGB

    assert check_document(RGB, detail="full") > 150  # the tables' entries are read back too


def test_long_runs_are_tables_with_several_equations_to_a_line():
    """18 ∂L/∂Ŷ and 24 updates were 42 displays; each run is now one block, rows of several."""
    blocks = [latex for _, latex in displays(rgb_markdown())]
    grad_y = [b for b in blocks if r"\frac{\partial L}{\partial \hat{Y}^{(0)}_{00}} &" in b]
    updates = [b for b in blocks if r"W'^{(0,0)}_{00} &" in b]
    for block, count in ((grad_y[0], 18), (updates[0], 24)):
        entries = equations(block)
        assert len(entries) == count and len({split_equation(e)[0] for e in entries}) == count
        assert block.count(r" & \quad ") >= count // 2  # several equations to a line
        assert all(r"\hat{Y}^{(0)}_{00} -" not in e for e in entries[1:])  # the general formula says it once


def test_every_weight_sum_is_written_in_full():
    """The point of the document (the seed got it wrong): each weight sums over all 9 output cells."""
    sums = {}
    for _, block in displays(rgb_markdown()):
        for eq in equations(block):
            lhs, sides, _ = split_equation(eq)
            named = quantity(lhs)
            if named and named[0] == "grad_kernel" and len(named[1]) == 4:
                sums[named[1]] = next(s for s in sides if evaluate(s) is not None)
    assert len(sums) == 24
    assert all(side.count(r"\cdot") == 9 for side in sums.values())


def test_seed_reads_like_the_seed():
    """Runs of four stay one equation to a display, each with its symbolic form."""
    blocks = [latex for _, latex in displays(derive.solve(SEED).to_markdown())]
    assert r"\frac{\partial L}{\partial \hat{Y}_{10}} = \frac{1}{2} \left(\hat{Y}_{10} - Y_{10}\right) = " \
           r"\frac{1}{2} \left(1.5 - 2\right) = \frac{1}{2} \cdot (-0.5) = -0.25" in blocks
    assert sum(b.startswith(r"\begin{aligned}\hat{Y}_{") for b in blocks) == 4  # Step 1, cell by cell
    assert all(r"I_{00} \cdot W_{00}" in b or r"I_{01} \cdot W_{00}" in b or r"I_{10} \cdot W_{00}" in b
               or r"I_{11} \cdot W_{00}" in b for b in blocks if b.startswith(r"\begin{aligned}\hat{Y}_{"))


def test_matrices_of_several_channels_side_by_side():
    given = next(b for _, b in displays(rgb_markdown()) if b.startswith("I^{(0)} = "))
    assert r"\qquad I^{(1)} = " in given and r"\qquad I^{(2)} = " in given


def test_pooling_routes_say_where_each_gradient_comes_from():
    """Their symbolic forms differ from cell to cell (which windows a cell won): a table keeps them."""
    from derive.spec import read_spec

    markdown = derive.solve(read_spec(EXAMPLES[0].parent / "rgb-relu-maxpool.yaml")).to_markdown()
    assert (r"\frac{\partial L}{\partial A^{(1)}_{01}} &= \frac{\partial L}{\partial \hat{Y}^{(1)}_{00}} + "
            r"\frac{\partial L}{\partial \hat{Y}^{(1)}_{01}} = 0.175 + 0.05 = 0.225") in markdown
