"""softplus (torch.nn.Softplus, beta=1, threshold=20): exact answers against the numpy oracle, PyTorch's
threshold, and the places an activation is read from its one module (diagram, variants' `nice`)."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from network_oracle import Net

import derive
from derive.exact import is_exact, mpq, precise
from derive.network.layers import kinds
from derive.network.layers.softplus import Softplus

ROOT = Path(__file__).resolve().parent.parent
# Hidden pre-activations 0.6, 0.05, and 25 (beyond the threshold: linear there), a negative one −0.9.
SPEC = {
    "title": "Softplus",
    "input": [0.5, -1],
    "layers": [
        {"dense": {"weights": [[0.2, -0.4], [0.3, 0.1], [10, -20], [-1, 0.4]], "bias": [0.1, 0, 0, 0]}},
        "softplus",
        {"dense": {"weights": [[0.5, -0.25, 0.01, 0.3]]}},
    ],
    "target": [1],
    "loss": "mse",
    "learning_rate": 0.1,
    "iterations": 2,
}


def close(a, b) -> bool:
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9, atol=1e-12)


def test_softplus_is_a_layer_kind_from_its_module():
    assert kinds()["softplus"] is Softplus


def test_answers_match_the_numpy_oracle():
    ours = derive.solve(SPEC).answers()["iterations"]
    theirs = Net(SPEC).train()
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        for key in ("prediction", "loss", "grad_input", "loss_next"):
            assert close(a[key], b[key]), key
        for k, (x, y) in enumerate(zip(a["layers"], b["layers"])):
            assert set(x) == set(y), k
            for key in x:
                if key != "type":
                    assert close(x[key], y[key]), (k, key)


def test_values_are_pytorchs():
    layer = Softplus((1,), (1,))
    with precise():
        assert float(layer.f(mpq(0))) == pytest.approx(math.log(2), rel=1e-15)
        assert float(layer.f(mpq(-3))) == pytest.approx(math.log1p(math.exp(-3)), rel=1e-15)
        assert layer.derivative(mpq(0), layer.f(mpq(0))) == mpq(1, 2)  # σ(0), exactly
        assert float(layer.derivative(mpq(2), layer.f(mpq(2)))) == pytest.approx(1 / (1 + math.exp(-2)), rel=1e-15)


def test_above_the_threshold_it_is_linear_and_exact():
    layer = Softplus((1,), (1,))
    assert layer.f(mpq(25)) == mpq(25) and is_exact(layer.f(mpq(25)))
    assert layer.derivative(mpq(25), mpq(25)) == 1
    with precise():
        assert not is_exact(layer.f(mpq(20)))  # 20 itself is below the threshold: log(1 + e^20)


def test_document_shows_the_rule_and_the_threshold():
    md = derive.solve(SPEC).to_markdown()
    assert r"\log\left(1 + e^{0.6}\right)" in md
    assert "Above 20 softplus is taken as linear" in md


def test_diagram_draws_a_softplus_network(tmp_path):
    spec = tmp_path / "sp.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    result = subprocess.run([sys.executable, "-m", "derive", "solve", str(spec), "--figures", "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "figures" / "network.png").is_file()  # a dense network with an activation has its diagram


def test_nice_variants_are_refused_through_softplus(tmp_path):
    spec = tmp_path / "hw.yaml"
    spec.write_text(yaml.safe_dump(dict(SPEC, variants={"nice": 2, "input": "fixed"})))
    result = subprocess.run([sys.executable, "-m", "derive", "variants", str(spec), "--count", "2", "--seed", "1", "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "softplus values never terminate" in result.stderr and not (tmp_path / "out").exists()
