"""Every answer-key number against the independent numpy oracle, on the seed and random specs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings

import derive
import oracle
from strategies import layer_specs, specs

INTERNAL = ("grad_output", "grad_feature_map", "grad_activation", "activation_grad")  # the oracle's intermediates, not answer-key fields


def assert_matches(answers: dict, expected: list[dict]) -> None:
    assert len(answers["iterations"]) == len(expected)
    for got, want in zip(answers["iterations"], expected):
        names = set(want) - set(INTERNAL)
        assert set(got) == names
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


@settings(max_examples=200, deadline=None)
@given(layer_specs())
def test_random_layer_specs_match_oracle(spec):
    assume(not oracle.near_max_tie(spec))
    assert_matches(derive.solve(spec).answers(), oracle.solve(spec))


def _smooth_here(net: oracle.Net, kernel: np.ndarray, bias: np.ndarray, h: float) -> bool:
    """False near a kink: a ReLU input, a softplus input at PyTorch's threshold 20 (where it turns linear,
    a jump of 2e-9 that a central difference of step 1e-6 reads as a slope off by 1e-3), or a max-pooling tie
    within the finite-difference step."""
    z, a, _, _, _ = net.forward(kernel, bias)
    if net.act in ("relu", "leaky_relu") and np.min(np.abs(z)) < 1e3 * h:
        return False
    if net.act == "softplus" and np.min(np.abs(z - 20)) < 1e3 * h:
        return False
    if net.pool and net.pool[0] == "max":
        _, (kh, kw), (sh, sw) = net.pool
        for f in range(a.shape[0]):
            for i in range((a.shape[1] - kh) // sh + 1):
                for j in range((a.shape[2] - kw) // sw + 1):
                    window = np.sort(a[f, i * sh : i * sh + kh, j * sw : j * sw + kw].ravel())
                    if window.size > 1 and window[-1] - window[-2] < 1e3 * h:
                        return False
    return True


@settings(max_examples=60, deadline=None)
@given(layer_specs(max_iterations=1))
def test_oracle_gradients_match_finite_differences(spec):
    """The oracle itself is checked: its analytic gradients against central differences."""
    net = oracle.Net(spec)
    kernel = net.kernel(spec)
    bias = np.atleast_1d(oracle.as_array(spec["bias"])) if "bias" in spec else np.zeros(kernel.shape[0])
    h = 1e-6
    assume(_smooth_here(net, kernel, bias, h))
    g = net.backward(kernel, bias)

    def numeric(loss_at) -> float:
        return (loss_at(h) - loss_at(-h)) / (2 * h)

    for idx in np.ndindex(kernel.shape):
        step = np.zeros_like(kernel)
        step[idx] = 1
        assert numeric(lambda e: net.loss(kernel + e * step, bias)) == pytest.approx(g["grad_kernel"][idx], rel=1e-5, abs=1e-5)
    for f in range(len(bias)):
        step = np.zeros_like(bias)
        step[f] = 1
        assert numeric(lambda e: net.loss(kernel, bias + e * step)) == pytest.approx(g["grad_bias"][f], rel=1e-5, abs=1e-5)
    for idx in np.ndindex(net.x.shape):
        step = np.zeros_like(net.x)
        step[idx] = 1
        assert numeric(lambda e: net.loss(kernel, bias, net.x + e * step)) == pytest.approx(g["grad_input"][idx], rel=1e-5, abs=1e-5)
