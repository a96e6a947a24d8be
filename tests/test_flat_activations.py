"""A flat spec's `activation:` is an elementwise layer module of network/layers/: softplus (and any
module added there) solves, checks and makes variants with no flat file naming it."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml
from sympy import Expr, Pow

import derive
import oracle
from derive import activation
from derive.errors import SpecError
from derive.exact import Num
from derive.network import layers
from derive.network.algebra import v
from derive.network.layers.elementwise import Elementwise
from derive.problem import build_problem
from test_oracle import assert_matches

ROOT = Path(__file__).resolve().parent.parent
SOFTPLUS = {
    "title": "Softplus after a convolution",
    "input": [[1, 2, 0], [0, 1, 3], [2, 1, 1]],
    "kernel": [[0.5, -1], [1, 0.25]],
    "target": [[1, 0.5], [2, 1]],
    "bias": 0.1,
    "learning_rate": 0.1,
    "activation": "Softplus",
}
POOLED = dict(SOFTPLUS, input=[[1, 2, 0, 1], [0, 1, 3, -1], [2, 1, 1, 0], [1, 0, -2, 1]], target=[[1, 0.5], [2, 1]],
              pooling={"type": "avg", "size": 2, "stride": 1})


def run(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_the_flat_activations_are_the_elementwise_layer_kinds():
    elementwise = [name for name, kind in layers.kinds().items() if issubclass(kind, Elementwise)]
    assert "softplus" in elementwise and activation.names() == ("none", *elementwise)
    for name in elementwise:
        assert build_problem(dict(SOFTPLUS, activation=name)).activation == name
    with pytest.raises(SpecError, match=r"unknown value 'softmax' \(valid: none, leaky_relu, relu, sigmoid, softplus, tanh\)"):
        build_problem(dict(SOFTPLUS, activation="softmax"))  # a layer kind, but not elementwise


def test_no_flat_file_names_softplus():
    flat = [p for p in (ROOT / "derive").glob("*.py")] + [p for p in (ROOT / "templates").glob("*.j2")
                                                          if not p.name.startswith("network")]
    assert flat and not [p.name for p in flat if "softplus" in p.read_text().lower()]


def test_flat_softplus_matches_the_numpy_oracle():
    spec = dict(SOFTPLUS, iterations=2)
    assert_matches(derive.solve(spec).answers(), oracle.solve(dict(spec, activation="softplus")))
    pooled = dict(POOLED, iterations=2)
    assert_matches(derive.solve(pooled).answers(), oracle.solve(dict(pooled, activation="softplus")))


def test_flat_softplus_values_by_hand():
    it = derive.solve(SOFTPLUS).answers()["iterations"][0]
    z = -1.15  # Z_00 = 1·0.5 + 2·(−1) + 0·1 + 1·0.25 + 0.1
    assert it["feature_map"][0][0] == pytest.approx(z)
    assert it["activation"][0][0] == pytest.approx(math.log1p(math.exp(z)), rel=1e-12)


def test_flat_softplus_document_uses_the_layer_formulas_and_is_linear_above_its_threshold():
    markdown = derive.solve(SOFTPLUS).to_markdown()
    assert "## Step 2: Apply the Activation (softplus)" in markdown
    assert r"\hat{Y} = \begin{cases} \log\left(1 + e^{Z}\right) & Z \le 20 \\ Z & Z > 20 \end{cases}" in markdown
    assert r"\hat{Y}_{00} = \log{\left(1 + e^{Z_{00}} \right)} = \log{\left(1 + e^{-1.15} \right)} \approx 0.2751" in markdown
    assert "Note:" not in markdown
    # An input of 25 is past PyTorch's threshold: a = z and ∂a/∂z = 1, and the layer's note says so.
    tail = derive.solve(dict(SOFTPLUS, input=[[25, 0], [0, 0]], kernel=[[1]], bias=0))
    assert tail.answers()["iterations"][0]["activation"][0][0] == 25
    assert "**Note:** Above 20 softplus is taken as linear (a = z, derivative 1), as PyTorch does." in tail.to_markdown()


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html", "json"])
def test_flat_softplus_solves_in_every_format_from_the_command_line(tmp_path, fmt):
    spec = tmp_path / "softplus.yaml"
    spec.write_text(yaml.safe_dump(SOFTPLUS))
    result = run("solve", spec, "--format", fmt)
    assert result.returncode == 0 and not result.stderr, result.stderr
    assert ("softplus" in result.stdout) if fmt != "json" else json.loads(result.stdout)["problem"]["activation"] == "softplus"


def test_check_marks_a_flat_softplus_submission(tmp_path):
    spec = tmp_path / "softplus.yaml"
    spec.write_text(yaml.safe_dump(POOLED))
    it = derive.solve(POOLED).answers()["iterations"][0]
    right = {name: it[name] for name in ("activation", "prediction", "loss", "grad_kernel")}
    (tmp_path / "right.yaml").write_text(yaml.safe_dump(right))
    wrong = dict(right, grad_kernel=[[g + 0.5 for g in row] for row in it["grad_kernel"]])
    (tmp_path / "wrong.yaml").write_text(yaml.safe_dump(wrong))
    good = json.loads(run("check", spec, tmp_path / "right.yaml", "--format", "json").stdout)
    bad = json.loads(run("check", spec, tmp_path / "wrong.yaml", "--format", "json").stdout)
    assert good["score"] == 1
    assert bad["score"] < 1 and {name for name, f in bad["fields"].items() if f["verdict"] != "correct"} == {"grad_kernel"}


def test_variants_of_a_flat_softplus_spec_and_nice_refused_by_the_layers_exact_flag(tmp_path):
    spec = tmp_path / "softplus.yaml"
    spec.write_text(yaml.safe_dump(dict(SOFTPLUS, variants={"kernel": {"decimals": 1, "range": [-1, 1]}})))
    made = run("variants", spec, "--count", "2", "--seed", "3", "-o", tmp_path / "hw")
    assert made.returncode == 0, made.stderr
    nice = tmp_path / "nice.yaml"
    nice.write_text(yaml.safe_dump(dict(SOFTPLUS, variants={"nice": 3})))
    refused = run("variants", nice, "--count", "2", "--seed", "3", "-o", tmp_path / "nope")
    assert refused.returncode == 2 and not (tmp_path / "nope").exists()
    assert refused.stderr.strip().splitlines() == [
        f"error: {nice}: variants.nice: cannot be met: softplus values never terminate"]


def test_negative_slope_is_refused_for_an_activation_without_it():
    with pytest.raises(SpecError, match="only applies to activation leaky_relu, not softplus"):
        build_problem(dict(SOFTPLUS, negative_slope=0.1))


def test_help_and_reference_spec_list_the_registry():
    assert "activation:     none (default), leaky_relu, relu, sigmoid, softplus or tanh" in run("solve", "--help").stdout
    reference = run("spec").stdout
    assert "# none (default), leaky_relu, relu, sigmoid, softplus or tanh" in reference
    assert "(not with sigmoid, softplus or tanh)" in reference


@dataclass(frozen=True)
class Cube(Elementwise):
    """A throwaway activation a = z³, registered only for the test below."""

    kind = "cube"
    title = "cube"
    formula = r"⟨out⟩ = ⟨in⟩^{3}"
    derivative_formula = r"\frac{\partial ⟨out⟩}{\partial ⟨in⟩} = 3 ⟨in⟩^{2}"

    def f(self, z: Num) -> Num:
        return z * z * z

    def derivative(self, z: Num, a: Num) -> Num:
        return 3 * z * z

    def value_sides(self, zs: Expr, z: Num, a: Num) -> tuple[Expr, ...]:
        return (Pow(zs, 3, evaluate=False), Pow(v(z), 3, evaluate=False), v(a))


def test_a_new_elementwise_module_works_in_a_flat_spec(monkeypatch):
    registry = layers.kinds()
    monkeypatch.setattr(layers, "kinds", lambda: {**registry, "cube": Cube})
    spec = {"input": [[1, -2], [0.5, 3]], "kernel": [[0.5]], "target": [[0, 0], [0, 0]], "learning_rate": 0.1,
            "activation": "cube", "variants": {"nice": 6}}
    d = derive.solve(spec)
    z = np.array([[0.5, -1], [0.25, 1.5]])
    x = np.array([[1, -2], [0.5, 3]])
    dz = 2 / 4 * z**3 * 3 * z**2  # ∂L/∂Ŷ · ∂Ŷ/∂Z under the MSE
    it = d.answers()["iterations"][0]
    assert it["activation"] == [[0.125, -1], [0.015625, 3.375]]
    assert it["grad_kernel"][0][0] == pytest.approx(float(np.sum(dz * x)), rel=1e-12)
    markdown = d.to_markdown()
    assert "Apply the Activation (cube)" in markdown and r"\hat{Y} = Z^{3}" in markdown
    assert r"\frac{\partial \hat{Y}}{\partial Z} = 3 Z^{2}" in markdown
    assert r"\hat{Y}_{01} = Z_{01}^{3} = (-1)^{3} = -1" in markdown
    assert r"\hat{Y}" in d.to_latex()
