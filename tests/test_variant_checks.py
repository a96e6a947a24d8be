"""The quality checks of `derive variants` refuse only accidental cases, and an unmeetable one early."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from derive.errors import SpecError
from derive.model import train
from derive.problem import build_problem

ROOT = Path(__file__).resolve().parent.parent
# The teacher trial's spec, as written: 3×3 convolution output over a padded input, one 2×2 max-pool
# window, so only the winning cell gets a gradient and most windows touch the padding.
TRIAL = """\
title: Spec A
input: [[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 2], [1, 0, 1, 3]]
kernel: [[0.5, -0.3], [0.2, 0.4]]
bias: 0.1
target: [[0.6]]
learning_rate: 0.05
stride: 2
padding: 1
activation: relu
pooling: {type: max, size: 2}
loss: mse
optimizer: {type: sgd, momentum: 0.9}
iterations: 2
"""


def run(*args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_the_trial_spec_draws_its_variants_the_same_way_every_time(tmp_path):
    spec = tmp_path / "a.yaml"
    spec.write_text(TRIAL)
    first = run("variants", spec, "--count", 5, "--seed", 7, "-o", tmp_path / "hwa")
    again = run("variants", spec, "--count", 5, "--seed", 7, "-o", tmp_path / "again")
    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    key = (tmp_path / "hwa" / "answers.csv").read_text()
    assert key == (tmp_path / "again" / "answers.csv").read_text()
    assert key.count("\n") == 6
    for n in range(1, 6):
        assert (tmp_path / "hwa" / f"variant-00{n}" / "problem.yaml").read_text() == \
            (tmp_path / "again" / f"variant-00{n}" / "problem.yaml").read_text()


def test_the_trial_spec_through_the_network_path_draws_too(tmp_path):
    spec = tmp_path / "adam.yaml"
    spec.write_text(TRIAL.replace("{type: sgd, momentum: 0.9}", "adam"))
    result = run("variants", spec, "--count", 3, "--seed", 7, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr


def test_zeros_of_the_problems_shape_are_skipped_and_others_still_checked():
    from derive.variants import ZERO_CHECK, CHECKS, plan, probed, zero_entries

    the_plan = probed(plan(yaml.safe_load(TRIAL)), seed=7)
    # grad_kernel[0][0..2] meet the padding unless the bottom-right cell wins: zero in most draws.
    assert {(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)} <= the_plan.structural
    assert (0, 4) not in the_plan.structural  # the bias gets every winner's gradient
    problem = build_problem(dict(yaml.safe_load(TRIAL), kernel=[[-0.5, -0.3], [-0.2, -0.4]], bias=-1))
    its = train(problem)  # every Z < 0: a dead ReLU, every gradient zero
    assert (0, 4) in zero_entries(its)
    assert not dict(CHECKS)[ZERO_CHECK](problem, its, the_plan)


def test_an_entry_is_structural_when_zero_in_at_least_half_the_probe():
    from derive.variants import structural

    probe = [frozenset({"a", "b"})] * 5 + [frozenset({"a"})] * 4 + [frozenset()]
    assert structural(probe) == {"a", "b"}  # a: 9 of 10, b: 5 of 10
    assert structural(probe + [frozenset()]) == {"a"}  # b: 5 of 11


def test_a_max_pool_tie_between_relu_zeros_is_no_tie():
    from derive.variants import TIE_CHECK, CHECKS, plan

    base = {"input": [[1, 2, 1], [3, 1, 2], [2, 1, 4]], "target": [[1]], "learning_rate": 0.1,
            "activation": "relu", "pooling": {"type": "max", "size": 2}}
    check = dict(CHECKS)[TIE_CHECK]
    dead = dict(base, kernel=[[-1, 0], [0, 0]])  # Z = −X: four negative cells, A = 0 everywhere
    problem = build_problem(dead)
    assert check(problem, train(problem), plan(dead))
    live = dict(base, input=[[1, 1, 0], [1, 1, 0], [0, 0, 0]], kernel=[[1, 0], [0, 0]])  # A = 1, 1, 1, 1
    problem = build_problem(live)
    assert not check(problem, train(problem), plan(live))


@pytest.mark.parametrize("image, passes", [([[1, 2, 1], [3, 1, 2], [2, 1, 4]], True),  # A = 0 everywhere
                                           ([[-1, -1, 0], [-1, -1, 0], [0, 0, 0]], False)])  # A = 1, 1, 1, 1
def test_a_network_max_pool_tie_between_relu_zeros_is_no_tie(image, passes):
    from derive.network import variants
    from derive.network.model import train as net_train
    from derive.network.spec import build_network

    spec = {"input": image, "target": [[1]], "learning_rate": 0.1, "loss": "mse",
            "layers": [{"conv": {"kernel": [[-1, 0], [0, 0]]}}, "relu", {"maxpool": {"size": 2}}]}
    net = build_network(spec)
    check = dict(variants.CHECKS)["no max-pooling tie"]
    assert check(net, net_train(net), variants.plan(spec)) is passes


def test_a_check_no_candidate_meets_is_refused_after_the_probe(monkeypatch):
    import derive.variants as variants

    drawn = []
    real = variants.candidate
    monkeypatch.setattr(variants, "candidate", lambda p, s: drawn.append(1) or real(p, s))
    the_plan = variants.plan(dict(yaml.safe_load(TRIAL), learning_rate=50))
    with pytest.raises(SpecError) as caught:
        variants.probed(the_plan, seed=7)
    assert len(drawn) == variants.NICE_PROBE < variants.MAX_ATTEMPTS
    assert "most often failed: the loss falls after the update" in str(caught.value)


def test_an_unmeetable_check_from_the_command_line(tmp_path):
    spec = tmp_path / "a.yaml"
    spec.write_text(TRIAL.replace("learning_rate: 0.05", "learning_rate: 50"))
    result = run("variants", spec, "--count", 5, "--seed", 7, "-o", tmp_path / "out")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {spec}: variants: no variant can be drawn: none of 200 drawn candidates")
    assert "the loss falls after the update" in result.stderr and "lower learning_rate" in result.stderr
    assert "nice" not in result.stderr  # the spec sets none
    assert not (tmp_path / "out").exists()


def test_advice_names_nice_only_when_the_spec_sets_it():
    from derive.variants import LOSS_CHECK, advice

    assert "nice" not in advice(LOSS_CHECK, None)
    assert advice(LOSS_CHECK, 3).endswith("or relax nice")


def test_the_probe_stops_at_a_first_good_candidate_and_exempts_nothing(monkeypatch):
    """A spec whose draws pass as they stand is not solved 200 times before the run (a big network would wait)."""
    import derive.variants as variants

    drawn = []
    real = variants.candidate
    monkeypatch.setattr(variants, "candidate", lambda p, s: drawn.append(1) or real(p, s))
    spec = {"input": [[1, 2, 1], [3, 1, 2], [2, 1, 4]], "kernel": [[0.5, 0.2], [0.3, 0.7]], "target": [[1, 2], [2, 1]],
            "learning_rate": 0.01}
    the_plan = variants.probed(variants.plan(spec), seed=1)
    assert the_plan.structural == frozenset()
    assert 1 <= len(drawn) <= variants.QUICK_PROBE


def test_a_networks_structural_zeros_are_found_too():
    from derive.network import variants
    from derive.network.flat_homework import network_homework

    spec = network_homework(yaml.safe_load(TRIAL.replace("{type: sgd, momentum: 0.9}", "adam")))
    the_plan = variants.probed(variants.plan(spec), seed=7)
    assert {(0, 0, "kernel", 0), (1, 0, "kernel", 0)} <= the_plan.structural  # W₀₀: padding unless (1, 1) wins
    assert not any(entry[2] == "bias" for entry in the_plan.structural)
