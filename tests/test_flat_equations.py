"""The flat document's worked equations come from the same builders as a `layers:` document's: each
rule (conv forward and gradients, pooling, the chain through an activation, the squared loss, SGD
and momentum) writes its equations once, in its module, and both documents call it with their own
symbols (tests/test_flat_model.py checks the same for the values)."""
from __future__ import annotations

import importlib

import pytest

import derive
from derive.network.flat import as_network
from derive.problem import build_problem

SPEC = {  # every rule at once: conv with bias, ReLU, max pooling, MSE, SGD with momentum, ∂L/∂I
    "input": [[1, 2, 0, 1, 2], [0, 1, 3, 1, 0], [2, 1, 0, 2, 1], [1, 0, 1, 1, 3], [0, 2, 1, 0, 1]],
    "kernel": [[0.5, -0.25], [0.25, 0.5]], "bias": 0.1,
    "activation": "relu", "pooling": {"type": "max", "size": 2},
    "target": [[1, 0.5], [0.5, 1]], "learning_rate": 0.1,
    "optimizer": {"type": "sgd", "momentum": 0.9}, "show": ["grad_input"],
}
AVERAGE = dict(SPEC, pooling={"type": "avg", "size": 2})
PLAIN = {k: val for k, val in SPEC.items() if k != "optimizer"}  # plain SGD: W′ = W − η·∂L/∂W

# (module, builder): each returns an Equation, or (the squared loss) an equation's sides.
BUILDERS = [
    ("derive.network.layers.conv", "cell_equation", SPEC),
    ("derive.network.layers.conv", "kernel_gradient_equation", SPEC),
    ("derive.network.layers.conv", "bias_gradient_equation", SPEC),
    ("derive.network.layers.conv", "input_gradient_equation", SPEC),
    ("derive.network.layers.maxpool.MaxPool", "equation", SPEC),
    ("derive.network.layers.avgpool.AvgPool", "equation", AVERAGE),
    ("derive.network.layers.pooling", "route_equation", SPEC),
    ("derive.network.layers.elementwise", "chain_equation", SPEC),
    ("derive.network.losses.squared", "loss_sides", SPEC),
    ("derive.network.losses.squared", "gradient_sides", SPEC),
    ("derive.network.optimizers.momentum", "velocity_equation", SPEC),
    ("derive.network.optimizers.sgd", "update_equation", SPEC),
    ("derive.network.optimizers.sgd", "update_equation", PLAIN),
]
MARK = "987654321"  # a value no equation here has: the last side, which every layout prints


def _owner(path: str):
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:  # a class: module.Class
        module, cls = path.rsplit(".", 1)
        return getattr(importlib.import_module(module), cls)


def _marked(original):
    """The builder with MARK as a last side: where its equations print, MARK shows."""
    from derive.exact import mpq
    from derive.network.algebra import v
    from derive.printing import Equation

    def builder(*args, **kwargs):
        made = original(*args, **kwargs)
        if isinstance(made, Equation):
            return Equation(made.lhs, made.sides + (v(mpq(int(MARK))),))
        return made + (v(mpq(int(MARK))),)

    return builder


def _documents(spec: dict) -> tuple[str, str]:
    """The flat spec's Markdown, and its `layers:` spec's (the same numbers, the network's symbols)."""
    layers = as_network(dict(spec, optimizer=spec.get("optimizer", "sgd")), build_problem(spec))  # show: carried over
    return derive.solve(spec).to_markdown(), derive.solve(layers).to_markdown()


@pytest.mark.parametrize("owner, name, spec", BUILDERS, ids=lambda x: x if isinstance(x, str) else "")
def test_flat_and_network_documents_write_each_equation_with_one_builder(monkeypatch, owner, name, spec):
    flat, network = _documents(spec)
    assert MARK not in flat and MARK not in network
    target = _owner(owner)
    monkeypatch.setattr(target, name, _marked(getattr(target, name)))
    flat, network = _documents(spec)
    assert MARK in flat, f"the flat document does not write {owner}.{name}'s equations with it"
    assert MARK in network, f"the network document does not write {owner}.{name}'s equations with it"


def test_the_conv_equation_for_the_same_numbers_differs_only_in_its_symbols():
    # The flat Z_00 and the network's z⁽¹⁾_00 for one spec: the same sides, numbers and value.
    from derive.network.layers import conv

    calls: list[tuple] = []
    original = conv.cell_equation

    def spy(lhs, products, bias, value):
        calls.append((tuple((x, k) for _, _, x, k in products), bias[1] if bias else None, value))
        return original(lhs, products, bias, value)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conv, "cell_equation", spy)
        flat, _ = _documents(SPEC)
        flat_calls, calls[:] = list(calls), []
        _documents(SPEC)
    assert flat_calls and flat_calls[0] in calls


def test_a_one_term_sum_is_said_once():
    # ∂L/∂x from one product: x·k, its numbers, the value; no separate "sum of the products" (the
    # network document printed "≈ −0.1319 · 0 ≈ 0.0000 ≈ 0" where the flat one wrote "≈ 0").
    from sympy import Symbol

    from derive.exact import mpq
    from derive.network.algebra import v
    from derive.network.layers import conv

    d, k, lhs = Symbol("d"), Symbol("k"), Symbol("g")
    one = conv.input_gradient_equation(lhs, [(d, k, mpq(1, 3), mpq(2))], mpq(2, 3))
    two = conv.input_gradient_equation(lhs, [(d, k, mpq(1, 3), mpq(2))] * 2, mpq(4, 3))
    assert (len(one.sides), len(two.sides)) == (3, 4)
    assert len(conv.bias_gradient_equation(lhs, [(d, mpq(1, 3))], mpq(1, 3)).sides) == 2
    assert conv.input_gradient_equation(lhs, [], mpq(0)).sides == (v(mpq(0)),)  # no window reaches it
