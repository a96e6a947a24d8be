"""`derive check`: each classic mistake, applied to random problems, is diagnosed as itself;
a correct submission is never diagnosed; bad submission files get one clear line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import derive
from derive.check import check, read_submission
from strategies import specs

ROOT = Path(__file__).resolve().parent.parent


def mark(spec: dict, submission: dict):
    d = derive.solve(spec)
    return check(d, read_submission(submission, d))


def key(spec: dict) -> dict:
    return derive.solve(spec).answers()["iterations"][0]


def exact(values) -> list:
    """Floats written with every digit (so the tolerance is the 1e-6 floor, not a rounding allowance)."""
    return np.vectorize(lambda v: f"{v:.17g}", otypes=[object])(np.asarray(values, dtype=float)).tolist()


one_step = specs(max_size=5, max_iterations=1)


@st.composite
def exercises(draw) -> dict:
    """Problems like a problem sheet's: a 2×2 or larger kernel over a small image, nonzero numbers."""
    values = st.integers(1, 5).flatmap(lambda k: st.sampled_from([k, -k, k / 10, -k / 10]))
    h, w = draw(st.integers(3, 5)), draw(st.integers(3, 5))
    kh, kw = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    pad = draw(st.integers(0, 1))
    grid = lambda r, c: st.lists(st.lists(values, min_size=c, max_size=c), min_size=r, max_size=r)  # noqa: E731
    return {
        "input": draw(grid(h, w)), "kernel": draw(grid(kh, kw)),
        "target": draw(grid(h + 2 * pad - kh + 1, w + 2 * pad - kw + 1)), "padding": pad,
        "operation": draw(st.sampled_from(["cross-correlation", "convolution"])),
        "learning_rate": draw(st.sampled_from([0.1, 0.05, 0.01])), "loss": draw(st.sampled_from(["mse", "sse", "half_sse"])),
    }


@settings(max_examples=60, deadline=None)
@given(one_step)
def test_a_correct_submission_is_all_correct(spec):
    answers = key(spec)
    report = mark(spec, {name: value for name, value in answers.items()})
    assert {f.verdict for f in report.fields} == {"correct"}
    assert report.score == 1.0


def nonzero(values) -> bool:
    return bool(np.all(np.abs(np.asarray(values, dtype=float)) > 1e-3))


@settings(max_examples=40, deadline=None)
@given(exercises())
def test_sign_error_is_diagnosed(spec):
    g = np.asarray(key(spec)["grad_kernel"], dtype=float)
    assume(nonzero(g))
    report = mark(spec, {"grad_kernel": exact(-g)})
    assert report.fields[0].verdict == "sign"


@settings(max_examples=40, deadline=None)
@given(exercises(), st.sampled_from(["sum_for_mean", "missing_two", "lr_twice"]))
def test_scale_error_is_diagnosed_with_its_cause(spec, mistake):
    spec = dict(spec, loss="mse")
    answers = key(spec)
    g = np.asarray(answers["grad_kernel"], dtype=float)
    n = np.asarray(answers["prediction"]).size
    assume(nonzero(g))
    if mistake == "lr_twice":
        from fractions import Fraction

        eta = float(Fraction(str(spec["learning_rate"])))
        assume(abs(eta - 1) > 1e-9 and abs(eta * n - 1) > 1e-9 and abs(eta - 0.5) > 1e-9 and abs(eta - 2 / n) > 1e-9)
        w = np.asarray(derive.solve(spec).answers()["problem"]["kernel"], dtype=object)
        w = np.vectorize(lambda v: float(Fraction(str(v))))(w)
        report = mark(spec, {"kernel_next": exact(w - eta * eta * g)})
        assert report.fields[0].verdict == "scale"
        assert "learning rate applied twice" in report.fields[0].note
        return
    factor, cause = {"sum_for_mean": (n, "missing 1/n"), "missing_two": (0.5, "factor 2")}[mistake]
    assume(n != 1 or mistake == "missing_two")  # with one output cell, the sum is the mean
    report = mark(spec, {"grad_kernel": exact(factor * g)})
    assert report.fields[0].verdict == "scale"
    assert cause in report.fields[0].note


@settings(max_examples=40, deadline=None)
@given(exercises())
def test_flipped_kernel_gradient_is_diagnosed(spec):
    g = np.asarray(key(spec)["grad_kernel"], dtype=float)
    flipped = np.flip(g)
    assume(np.max(np.abs(flipped - g)) > 1e-3)
    assume(nonzero(g))
    assume(not np.allclose(flipped, -g, atol=1e-3))  # then every cell would read as a sign error
    ratios = flipped / g
    assume(np.ptp(ratios) > 1e-3)  # a flip that is also a common scale is read as scale
    report = mark(spec, {"grad_kernel": exact(flipped)})
    assert report.fields[0].verdict == "flipped"
    assert "180°" in report.fields[0].note


@settings(max_examples=40, deadline=None)
@given(exercises(), st.data())
def test_partial_sum_is_diagnosed_with_the_cells_used(spec, data):
    from derive.check import _gradient_terms

    d = derive.solve(spec)
    terms = _gradient_terms(d.problem, d.iterations[0], "grad_kernel")
    cells = list(terms[0])
    assume(2 <= len(cells) <= 12)
    used = data.draw(st.sets(st.sampled_from(cells), min_size=1, max_size=len(cells) - 1))
    partial = np.array([sum(t[c] for c in used) for t in terms])
    full = np.array([sum(t.values()) for t in terms])
    assume(np.all(np.abs(partial - full) > 1e-3))  # every entry really is wrong
    assume(np.all(np.abs(partial + full) > 1e-3))  # and not a sign error
    assume(np.all(np.abs(partial) > 1e-3))
    assume(np.ptp(np.where(np.abs(full) > 1e-9, partial / np.where(full == 0, 1, full), 0)) > 1e-3)  # nor a scale
    shape = np.shape(d.answers()["iterations"][0]["grad_kernel"])
    report = mark(spec, {"grad_kernel": exact(partial.reshape(shape))})
    assert report.fields[0].verdict == "partial-sum", report.fields[0]


@settings(max_examples=40, deadline=None)
@given(exercises())
def test_update_from_a_wrong_gradient_is_carried(spec):
    from fractions import Fraction

    answers = derive.solve(spec).answers()
    g = np.asarray(answers["iterations"][0]["grad_kernel"], dtype=float)
    wrong = g * 3 + 0.5
    eta = float(Fraction(str(spec["learning_rate"])))
    w = np.vectorize(lambda v: float(Fraction(str(v))))(np.asarray(answers["problem"]["kernel"], dtype=object))
    assume(np.all(np.abs(eta * (wrong - g)) > 1e-3))
    report = mark(spec, {"grad_kernel": exact(wrong), "kernel_next": exact(w - eta * wrong)})
    verdicts = {f.name: f.verdict for f in report.fields}
    assert verdicts["kernel_next"] == "carried"
    assert verdicts["grad_kernel"] != "correct"


def test_the_seed_documents_numbers():
    """The seed's gradients sum two of four output cells; its updated filter follows from them."""
    report = mark(yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text()),
                  derive.spec.read_spec(ROOT / "examples" / "seed.submission.yaml"))
    fields = {f.name: f for f in report.fields}
    assert fields["feature_map"].verdict == "correct" and fields["loss"].verdict == "correct"
    assert fields["grad_kernel"].verdict == "partial-sum"
    assert "(0, 0), (1, 0) of the 4" in fields["grad_kernel"].note
    assert fields["kernel_next"].verdict == "carried"
    assert report.score == pytest.approx((4 + 1 + 0 + 0.5 * 4) / 13, abs=1e-4)


def test_tolerance_follows_the_decimals_written():
    spec = yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text())
    assert mark(spec, {"loss": "0.37"}).fields[0].verdict == "correct"  # 0.365 to 2 decimals
    assert mark(spec, {"loss": "0.35"}).fields[0].verdict == "wrong"
    assert mark(spec, {"loss": "0.3650001"}).fields[0].verdict == "correct"  # the 1e-6 floor
    d = derive.solve(spec)
    from derive.check import Settings

    strict = check(d, read_submission({"loss": "0.37"}, d), Settings(atol=1e-9))
    assert strict.fields[0].verdict == "wrong"


def test_iterations_and_carried_feature_map():
    spec = dict(yaml.safe_load((ROOT / "examples" / "iterations.yaml").read_text()))
    d = derive.solve(spec)
    answers = d.answers()["iterations"]
    first = dict(answers[0])
    first["kernel_next"] = [[0.41, 0.12], [0.33, 0.64]]  # a wrong update ...
    import derive.model as model  # ... and iteration 2's feature map computed from it
    from derive.exact import rational
    from fractions import Fraction

    p = d.problem
    kernel = ((tuple(tuple(rational(Fraction(str(v))) for v in row) for row in first["kernel_next"]),),)
    z = model.convolve(p, model.padded(p), kernel, (rational(Fraction(str(first["bias_next"]))),))
    second = {"feature_map": [[float(v) for v in row] for row in z[0]]}
    report = check(d, read_submission({"iterations": [first, second]}, d))
    verdicts = {f.name: f.verdict for f in report.fields}
    assert verdicts["kernel_next"] == "wrong" and verdicts["iteration_2.feature_map"] == "carried"


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_cli_json_contract():
    result = run("check", "examples/seed.yaml", "examples/seed.submission.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"score", "fields"}
    assert report["fields"]["grad_kernel"] == {"verdict": "partial-sum", "cells": [["partial-sum"] * 2] * 2,
                                               "note": report["fields"]["grad_kernel"]["note"]}
    assert report["fields"]["loss"]["cells"] == "correct"


def test_cli_markdown_shows_the_correct_steps():
    result = run("check", "examples/seed.yaml", "examples/seed.submission.yaml")
    assert result.returncode == 0
    assert "## `grad_kernel`: partial-sum" in result.stdout
    assert r" = 1.3\end{aligned}" in result.stdout  # the right gradient, worked out


def test_carried_credit_option():
    full = json.loads(run("check", "examples/seed.yaml", "examples/seed.submission.yaml", "--format", "json",
                          "--carried-credit", "1").stdout)
    assert full["score"] == pytest.approx(9 / 13, abs=1e-4)


@pytest.mark.parametrize(
    "content, message",
    [
        ("grad_kernal: [[1, 2], [3, 4]]\n", "grad_kernal: unknown field (did you mean 'grad_kernel'?)"),
        ("grad_kernel: [[1, 2, 3], [3, 4, 5]]\n", "grad_kernel: shape 2×3 does not match the answer's shape 2×2"),
        ("loss: [1]\n", "loss: shape 1 does not match the answer's shape a single number"),
        ("grad_kernel: [[1, x], [3, 4]]\n", "grad_kernel[0][1]: 'x' is not a number"),
        ("grad_bias: 1\n", "grad_bias: is not part of this problem's answers"),
        ("- 1\n", "a submission must be a mapping of answer fields to values"),
        ("iterations: [{loss: 1}, {loss: 2}]\n", "iterations: 2 iterations submitted, the problem has 1"),
        ("loss: [1\n", "invalid YAML"),
    ],
)
def test_bad_submissions_get_one_line(tmp_path, content, message):
    submission = tmp_path / "answers.yaml"
    submission.write_text(content)
    result = run("check", "examples/seed.yaml", submission)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {submission}: ")
    assert message in result.stderr
