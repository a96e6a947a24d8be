"""Layer rules that numbers alone do not show: tie-breaking, ReLU at 0, exact sigmoid, shapes."""
from __future__ import annotations

import math

import numpy as np
import pytest

import derive
from test_oracle import SEED

TIE = {"input": [[1, 1], [0, 0]], "kernel": [[1]], "target": [[0]], "learning_rate": 0.5,
       "pooling": {"type": "max", "size": 2}}


def test_max_pooling_tie_goes_to_first_in_row_major_order():
    d = derive.solve(TIE)
    assert d.iterations[0].winners == {(0, 0, 0): (0, 0)}
    assert d.answers()["iterations"][0]["grad_input"] == [[2, 0], [0, 0]]  # only the winner: 2·(1 − 0)·1
    assert "**Tie:** in the window of (0, 0) the maximum is shared; the first in row-major order wins." in d.to_markdown()


def test_no_tie_note_without_a_tie():
    spec = dict(TIE, input=[[1, 2], [0, 0]])
    assert "Tie:" not in derive.solve(spec).to_markdown()


def test_relu_derivative_at_zero_is_zero_and_said():
    spec = {"input": [[1, -1], [2, 0]], "kernel": [[1]], "target": [[0, 0], [0, 0]], "learning_rate": 0.1,
            "activation": "relu"}
    d = derive.solve(spec)
    it = d.answers()["iterations"][0]
    assert it["feature_map"] == [[1, -1], [2, 0]] and it["activation"] == [[1, 0], [2, 0]]
    assert it["grad_kernel"] == [[(2 / 4) * 1 * 1 + (2 / 4) * 2 * 2]]  # ReLU'(0) = 0 and ReLU'(-1) = 0
    # The relu layer module's own words (the same in a network), said only where an input is exactly 0.
    assert "**Note:** At exactly 0, where ReLU has no derivative, it is taken as 0, as PyTorch does." in d.to_markdown()
    assert "as PyTorch does" not in derive.solve(dict(spec, input=[[1, -1], [2, 3]])).to_markdown()


def test_leaky_relu_states_its_slope_and_its_convention_only_at_zero():
    spec = {"input": [[1, -1], [2, 0]], "kernel": [[1]], "target": [[0, 0], [0, 0]], "learning_rate": 0.1,
            "activation": "leaky_relu", "negative_slope": 0.1}
    markdown = derive.solve(spec).to_markdown()
    assert "with slope $\\alpha = 0.1$." in markdown and "Leaky ReLU slope" in markdown
    assert "**Note:** At exactly 0 the derivative is taken as the slope α, as PyTorch does." in markdown
    assert "as PyTorch does" not in derive.solve(dict(spec, input=[[1, -1], [2, 3]])).to_markdown()


def test_sigmoid_shows_exact_form_and_rounds():
    markdown = derive.solve(dict(SEED, activation="sigmoid")).to_markdown()
    assert r"\hat{Y}_{00} = \frac{1}{1 + e^{-Z_{00}}} = \frac{1}{1 + e^{-1.6}} \approx 0.8320" in markdown


def test_three_d_answers_have_three_d_shapes():
    spec = {
        "input": np.arange(2 * 3 * 3).reshape(2, 3, 3).tolist(),
        "kernel": (np.ones((4, 2, 2, 2)) / 10).tolist(),
        "target": np.zeros((4, 2, 2)).tolist(),
        "bias": [0, 0.5, 1, -1],
        "learning_rate": 0.01,
        "optimizer": {"type": "sgd", "momentum": 0.9},
        "activation": "tanh",
    }
    it = derive.solve(spec).answers()["iterations"][0]
    assert np.shape(it["feature_map"]) == (4, 2, 2) == np.shape(it["activation"]) == np.shape(it["prediction"])
    assert np.shape(it["grad_kernel"]) == (4, 2, 2, 2) == np.shape(it["velocity"]) == np.shape(it["kernel_next"])
    assert np.shape(it["grad_input"]) == (2, 3, 3)
    assert len(it["grad_bias"]) == len(it["bias_next"]) == len(it["velocity_bias"]) == 4


def test_two_d_answers_keep_their_keys():
    assert list(derive.solve(SEED).answers()["iterations"][0]) == [
        "feature_map", "prediction", "loss", "grad_kernel", "grad_input", "kernel_next", "loss_next"]


def _tail(activation: str, z: int) -> dict:
    return {"input": [[z]], "kernel": [[1]], "target": [[0.5]], "learning_rate": 0.1, "activation": activation}


def test_tanh_far_in_its_tail_keeps_its_digits():
    # tanh'(100) = sech²(100) = 4/(e^100 + e^-100)² ≈ 5.5356e-87; 1 − tanh² cancels to 0 in 256 bits.
    d = derive.solve(_tail("tanh", 100))
    it = d.answers()["iterations"][0]
    assert float(d.iterations[0].activation_grad[0][0][0]) == pytest.approx(4 / (math.exp(100) + math.exp(-100)) ** 2, rel=1e-12, abs=0)
    assert it["grad_input"][0][0] == pytest.approx(2 * (math.tanh(100) - 0.5) * 5.53558610694695e-87, rel=1e-12, abs=0)
    assert it["grad_kernel"][0][0] == pytest.approx(100 * it["grad_input"][0][0], rel=1e-12, abs=0)
    # A prints as 1.0000, so 1 − A² is written as the sech² it is computed as, not as 1 − 1.0000².
    assert (r"= 1 - \hat{Y}_{00}^{2} = \operatorname{sech}^{2}\left(Z_{00}\right) "
            r"= \operatorname{sech}^{2}\left(100\right) \approx 5.536 \times 10^{-87}") in d.to_markdown()


@pytest.mark.parametrize("z, precision, sech", [(10, 4, True), (10, 8, True), (10, 9, False), ("1/2", 4, False)])
def test_tanh_slope_is_written_as_sech_squared_only_where_a_prints_as_one(z, precision, sech):
    # 1 − tanh(10) ≈ 4.1e-9: it prints as 1 with up to 8 decimals.
    markdown = derive.solve(_tail("tanh", z), precision=precision).to_markdown()
    assert (r"\operatorname{sech}^{2}" in markdown) is sech


def test_sigmoid_far_in_its_tail_keeps_its_digits():
    # σ'(200) = e^-200/(1 + e^-200)² ≈ 1.3839e-87; σ(1 − σ) cancels to 0 in 256 bits.
    d = derive.solve(_tail("sigmoid", 200))
    assert float(d.iterations[0].activation_grad[0][0][0]) == pytest.approx(math.exp(-200), rel=1e-12, abs=0)
    assert d.answers()["iterations"][0]["grad_input"][0][0] == pytest.approx(math.exp(-200), rel=1e-12, abs=0)
@pytest.mark.parametrize("stride, padding, dilation, operation", [
    (1, 0, 1, "cross-correlation"), (2, 1, 1, "convolution"), ([1, 3], [2, 0], [2, 1], "cross-correlation"),
    (3, 2, 2, "convolution"),
])
def test_input_gradient_terms_and_busiest_input_match_a_search_of_every_pair(stride, padding, dilation, operation):
    # steps.py solves for the pairs instead of searching: the search is the definition.
    from derive.model import grid, tap
    from derive.problem import build_problem
    from derive.steps import _busiest_input, _pairs_touching

    h, w, kh, kw = 7, 6, 3, 2
    spec = {"input": [[1] * w for _ in range(h)], "kernel": [[1] * kw for _ in range(kh)], "learning_rate": 1,
            "stride": stride, "padding": padding, "dilation": dilation, "operation": operation}
    s, p, d = ([x, x] if isinstance(x, int) else x for x in (stride, padding, dilation))
    oh, ow = ((n + 2 * pp - (k - 1) * dd - 1) // ss + 1 for n, pp, k, dd, ss in ((h, p[0], kh, d[0], s[0]), (w, p[1], kw, d[1], s[1])))
    problem = build_problem({**spec, "target": [[0] * ow for _ in range(oh)]})
    counts = {}
    for pos in grid((h, w)):
        pairs = [(cell, uv) for cell in grid(problem.conv_shape) for uv in grid(problem.kernel_size)
                 if tap(problem, cell, uv) == (pos[0] + p[0], pos[1] + p[1])]
        assert _pairs_touching(problem, pos) == pairs
        counts[pos] = len(pairs)
    busiest = max(counts, key=lambda pq: (counts[pq], -pq[0], -pq[1]))
    assert _busiest_input(problem) == (0, *busiest)
