"""Every answer-key number against the independent numpy oracle, on the seed and random specs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import derive
import oracle
from strategies import specs

FIELDS = ("feature_map", "prediction", "loss", "grad_kernel", "grad_input", "kernel_next", "loss_next")


def assert_matches(answers: dict, expected: list[dict]) -> None:
    assert len(answers["iterations"]) == len(expected)
    for got, want in zip(answers["iterations"], expected):
        names = FIELDS + (("grad_bias", "bias_next") if "grad_bias" in want else ())
        assert set(got) == set(names)
        for name in names:
            np.testing.assert_allclose(np.array(got[name], dtype=float), want[name], rtol=1e-9, atol=1e-9, err_msg=name)


SEED = {
    "input": [[1, 2, 1], [0, 1, 2], [2, 1, 0]],
    "kernel": [[0.5, 0.2], [0.3, 0.7]],
    "target": [[1, 2], [2, 1]],
    "learning_rate": 0.1,
}


def test_seed_matches_oracle():
    assert_matches(derive.solve(SEED).answers(), oracle.solve(SEED))


def test_seed_gradients_use_all_four_output_cells():
    """The seed document's gradients (0.3, 0.35, -0.5, 0.05) sum two of four terms; these are right."""
    it = derive.solve(SEED).answers()["iterations"][0]
    assert it["loss"] == 0.365
    assert it["grad_kernel"] == [[1.3, 1], [0.05, 0.95]]
    assert it["kernel_next"] == [[0.37, 0.1], [0.295, 0.605]]


@settings(max_examples=150, deadline=None)
@given(specs())
def test_random_specs_match_oracle(spec):
    assert_matches(derive.solve(spec).answers(), oracle.solve(spec))


@settings(max_examples=40, deadline=None)
@given(specs(max_iterations=1))
def test_oracle_gradients_match_finite_differences(spec):
    """The oracle itself is checked: its analytic gradients against central differences."""
    net = oracle.Net(spec)
    kernel = oracle.as_array(spec["kernel"])
    bias = float(oracle.as_array([[spec.get("bias", 0)]])[0, 0])
    _, g_kernel, g_bias, g_input = net.backward(kernel, bias)
    h = 1e-6
    for idx in np.ndindex(kernel.shape):
        step = np.zeros_like(kernel)
        step[idx] = h
        numeric = (net.loss(kernel + step, bias) - net.loss(kernel - step, bias)) / (2 * h)
        assert numeric == pytest.approx(g_kernel[idx], rel=1e-5, abs=1e-5)
    numeric_b = (net.loss(kernel, bias + h) - net.loss(kernel, bias - h)) / (2 * h)
    assert numeric_b == pytest.approx(g_bias, rel=1e-5, abs=1e-5)
    x0 = net.x.copy()
    for idx in np.ndindex(x0.shape):
        net.x = x0.copy()
        net.x[idx] += h
        up = net.loss(kernel, bias)
        net.x[idx] -= 2 * h
        down = net.loss(kernel, bias)
        assert (up - down) / (2 * h) == pytest.approx(g_input[idx], rel=1e-5, abs=1e-5)
    net.x = x0
