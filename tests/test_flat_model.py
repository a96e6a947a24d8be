"""The flat path's numbers are the network model's: one module per rule (conv, pooling, activation,
loss, optimizer) computes them for flat specs and `layers:` specs alike, and check's follow-through
and the LMS tolerances call the same modules."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings

import derive
from derive.check import check, read_submission
from derive.model import values
from derive.network.flat import as_network
from derive.network.model import train as train_network
from derive.network.spec import build_network
from derive.problem import build_problem
from derive.tolerance import rounding_student
from strategies import layer_specs

SPEC = {  # every rule at once: conv with bias, ReLU, max pooling, MSE, SGD with momentum
    "input": [[1, 2, 0, 1, 2], [0, 1, 3, 1, 0], [2, 1, 0, 2, 1], [1, 0, 1, 1, 3], [0, 2, 1, 0, 1]],
    "kernel": [[0.5, -0.25], [0.25, 0.5]], "bias": 0.1,
    "activation": "relu", "pooling": {"type": "max", "size": 2},
    "target": [[1, 0.5], [0.5, 1]], "learning_rate": 0.1, "iterations": 2,
    "optimizer": {"type": "sgd", "momentum": 0.9},
}


def _as_layers_spec(spec: dict) -> dict:
    """The flat spec written as its `layers:` spec, parsed by the network's own spec reader."""
    flat = dict(spec, optimizer=spec.get("optimizer", "sgd"))
    return as_network(flat, build_problem(spec))


@settings(max_examples=80, deadline=None)
@given(layer_specs())
def test_flat_iterations_are_the_network_models_values(spec):
    flat = derive.solve(spec).iterations
    net = train_network(build_network(_as_layers_spec(spec)))
    for it, n in zip(flat, net, strict=True):
        conv, last = n.layers[0], n.layers[-1]
        pairs = [
            (it.feature_map, conv.forward.output), (it.prediction, n.prediction),
            (it.grad_prediction, last.grad_output), (it.grad_feature_map, conv.grad_output),
            (it.grad_kernel, conv.backward.grads["kernel"]), (it.grad_input, conv.backward.grad_input),
            (it.kernel_next, conv.params_next["kernel"]),
        ]
        if it.activation is not None:
            pairs.append((it.activation, n.layers[1].forward.output))
        if it.bias is not None:
            pairs += [(it.grad_bias, conv.backward.grads["bias"]), (it.bias_next, conv.params_next["bias"])]
        if it.velocity_next is not None:
            pairs.append((it.velocity_next, conv.velocity["kernel"]))
        for mine, theirs in pairs:
            assert values(mine) == list(theirs.data)  # exact: the same rationals, the same 256-bit reals
        assert (it.loss, it.loss_next) == (n.loss, n.loss_next)


# Each rule patched in its one module changes the flat answers: a second copy of it in the flat path
# (model.py, check.py, tolerance.py) would leave them as they were, and this test would fail.
RULES = [
    ("derive.network.layers.conv.Conv.forward", "feature_map"),
    ("derive.network.layers.conv.Conv.backward", "grad_kernel"),
    ("derive.network.layers.relu.ReLU.f", "prediction"),
    ("derive.network.layers.relu.ReLU.derivative", "grad_kernel"),
    ("derive.network.layers.maxpool.MaxPool.forward", "prediction"),
    ("derive.network.layers.maxpool.MaxPool.backward", "grad_kernel"),
    ("derive.network.losses.squared.Squared.value", "loss"),
    ("derive.network.losses.squared.Squared.grad_scale", "grad_kernel"),
    ("derive.network.optimizers.momentum.Momentum.step", "kernel_next"),
]


def _doubled(original):
    """The rule with every number it gives doubled (a parameter's step doubles its new value)."""
    from derive.network.layers.base import Backward, Forward
    from derive.network.tensor import Tensor

    def twice(x):
        if isinstance(x, Tensor):
            return x.map(lambda v: 2 * v)
        if isinstance(x, Forward):
            return Forward(twice(x.output), x.aux)
        if isinstance(x, Backward):
            return Backward(twice(x.grad_input), {k: twice(g) for k, g in x.grads.items()})
        if isinstance(x, tuple):
            return tuple(twice(part) for part in x)
        return None if x is None else 2 * x

    return lambda *args, **kwargs: twice(original(*args, **kwargs))


def _patch(monkeypatch, path: str) -> None:
    import importlib

    module, cls, name = path.rsplit(".", 2)
    owner = getattr(importlib.import_module(module), cls)
    monkeypatch.setattr(owner, name, _doubled(getattr(owner, name)))


@pytest.mark.parametrize("rule, field", RULES)
def test_each_rule_has_one_module_that_the_flat_answers_follow(monkeypatch, rule, field):
    before = derive.solve(SPEC).answers()["iterations"][0][field]
    _patch(monkeypatch, rule)
    assert derive.solve(SPEC).answers()["iterations"][0][field] != before


@pytest.mark.parametrize("rule, field", RULES)
def test_the_rounding_student_uses_the_same_rules(monkeypatch, rule, field):
    name = "velocity_next" if field == "kernel_next" else field
    before = rounding_student(build_problem(SPEC), 2)[0][name]
    _patch(monkeypatch, rule)
    assert rounding_student(build_problem(SPEC), 2)[0][name] != before


@pytest.mark.parametrize("rule, field", [r for r in RULES if r[1] != "feature_map"])
def test_checks_follow_through_uses_the_same_rules(monkeypatch, rule, field):
    # A submitted feature map makes every later field follow through from it, by the model's rules.
    d = derive.solve(SPEC)
    first = d.answers()["iterations"][0]
    submission = {"feature_map": copy.deepcopy(first["feature_map"])}
    submission["feature_map"][0][0] += 1
    expected = _expected(d, submission, field)
    _patch(monkeypatch, rule)
    assert _expected(derive.solve(SPEC), submission, field) != expected


def _expected(d, submission: dict, field: str):
    """The value check expects for `field` (submitted as zeros) after the submission's earlier fields."""
    zeros = _zeros(d.answers()["iterations"][0][field])
    report = check(d, read_submission({"iterations": [dict(submission, **{field: zeros})]}, d))
    return next(f.expected for f in report.fields if f.field == field)


def _zeros(value):
    return [_zeros(v) for v in value] if isinstance(value, list) else 0
