"""`derive check`: each classic mistake, applied to random problems, is diagnosed as itself;
a correct submission is never diagnosed; bad submission files get one clear line."""
from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import derive
from derive.check import Settings, check, read_submission, tolerance
from derive.check import exact as to_fraction
from derive.model import values
from strategies import layer_specs, specs

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


TWO_THIRDS = "input: [[2]]\nkernel: [['1/3']]\ntarget: [[1]]\nlearning_rate: 0.25\n"  # W' = Z = 2/3, ∂L/∂W = -4/3
# W' = 2/3 with nothing rounded before it (the prediction is exact: ∂L/∂W = 0), so the tolerance is
# the sheet's alone.
EXACT_TWO_THIRDS = "input: [[1]]\nkernel: [['2/3']]\ntarget: [['2/3']]\nlearning_rate: 0.01\n"
KEYWORDS = {"right given": "carried", "sign is reversed": "sign", "added instead of subtracted": "sign",
            "times the right one": "scale", "rotated by 180°": "flipped", "transposed": "flipped",
            "partial sum": "partial-sum", "rounded to": "wrong", "no step taken": "wrong"}


def true_values(d, name: str, k: int = 0) -> list[Fraction]:
    """The exact right values of an answer field, flat."""
    attribute = {"velocity": "velocity_next", "velocity_bias": "velocity_bias_next"}.get(name, name)
    return [to_fraction(v) for v in values(getattr(d.iterations[k], attribute))]


def shaped(flat: list, like) -> list:
    """`flat` nested like `like` (an answer-key matrix)."""
    return np.asarray(flat, dtype=object).reshape(np.shape(like)).tolist()


def fraction_text(x: Fraction) -> str:
    return f"{x.numerator}/{x.denominator}"


def rounded(x: Fraction, places: int) -> str:
    """x rounded half-up to `places` decimals, as a student writes it."""
    return str((Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def assert_notes_agree(report) -> None:
    """Every note is about cells with its verdict: a note naming cells names only such cells, an
    unprefixed note is about every cell, and every diagnosed cell is explained by a note."""
    for f in report.fields:
        verdicts = values(f.cells)
        shape = np.shape(f.submitted)
        flat = {tuple(int(x) for x in np.unravel_index(i, shape)) if shape else (): v for i, v in enumerate(verdicts)}
        explained: set = set()
        for part in filter(None, f.note.split("; ")):
            kinds = {v for word, v in KEYWORDS.items() if word in part}
            assert len(kinds) == 1, (f.name, part)
            kind = kinds.pop()
            prefix = re.match(r"^(?:entry|entries) ((?:\(\d+(?:, \d+)*\)(?:, )?)+)(?: and \d+ more)?: ", part)
            if prefix:
                named = {tuple(int(x) for x in c.split(", ")) for c in re.findall(r"\(([\d, ]+)\)", prefix[1])}
                if "more" not in part:
                    named = {c for c in flat if c in named}
            else:
                named = set(flat)
            assert named and all(flat[c] == kind for c in named), (f.name, part, f.cells)
            explained |= {c for c in flat if flat[c] == kind} if "more" in part else named
        diagnosed = {c for c, v in flat.items() if v not in ("correct", "wrong")}
        assert "cell (" not in f.note and "cells (" not in f.note.replace("output cells (", ""), f.note  # entries
        assert diagnosed <= explained, (f.name, f.note, f.cells)


@pytest.mark.parametrize("name, content, correct", [
    ("plain.yaml", "kernel_next: [[0.6667]]\n", True),
    ("quoted.yaml", "kernel_next: [['0.6667']]\n", True),
    ("plain.json", '{"kernel_next": [[0.6667]]}', True),
    ("quoted.json", '{"kernel_next": [["0.6667"]]}', True),
    ("more.yaml", "kernel_next: [[0.66667]]\n", True),
    ("fraction.yaml", "kernel_next: [['2/3']]\n", True),
    ("fewer.yaml", "kernel_next: [[0.67]]\n", False),  # fewer digits buy no tolerance
    ("fewer.json", '{"kernel_next": [["0.67"]]}', False),
    ("truncated.yaml", "kernel_next: [[0.6666]]\n", False),
    ("whole.yaml", "kernel_next: [[1]]\n", False),
])
def test_the_tolerance_does_not_depend_on_how_the_number_is_written(tmp_path, name, content, correct):
    (tmp_path / "spec.yaml").write_text(EXACT_TWO_THIRDS)
    (tmp_path / name).write_text(content)
    result = run("check", tmp_path / "spec.yaml", tmp_path / name, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert (json.loads(result.stdout)["fields"]["kernel_next"]["verdict"] == "correct") is correct


def test_precision_sets_the_tolerance(tmp_path):
    (tmp_path / "spec.yaml").write_text(TWO_THIRDS)
    (tmp_path / "answers.yaml").write_text("kernel_next: [[0.67]]\nfeature_map: [[0.7]]\n")
    report = json.loads(run("check", tmp_path / "spec.yaml", tmp_path / "answers.yaml", "--format", "json",
                            "--precision", "2").stdout)
    assert report["fields"]["kernel_next"]["verdict"] == "correct"  # 2/3 to 2 decimals
    assert report["fields"]["feature_map"]["verdict"] == "wrong"  # 2/3 is not 0.7 to 2 decimals


@pytest.mark.parametrize("submission, precision, verdict", [
    ({"loss": 0.4}, None, "wrong"),  # 0.365 to 1 decimal is not the sheet's 4
    ({"loss": 0.37}, None, "wrong"),
    ({"loss": "0.37"}, None, "wrong"),
    ({"loss": 0.37}, 2, "correct"),  # 0.365 rounded half up ...
    ({"loss": 0.36}, 2, "correct"),  # ... or half to even: exactly half a unit away, both pass
    ({"loss": 0.35}, 2, "wrong"),
    ({"loss": 0.4}, 1, "correct"),
    ({"loss": 0.3650}, None, "correct"),
    ({"loss": "0.36505"}, None, "correct"),  # the edge: exactly half a unit in the 4th decimal
    ({"loss": "0.365051"}, None, "wrong"),
    ({"loss": "0.3649"}, None, "wrong"),
    ({"feature_map": [[2, 3], [2, 1]]}, None, "wrong"),  # 2 for 1.6
    ({"feature_map": [[1.6, 2.9], [1.5, 1.2]]}, 0, "correct"),  # to 0 decimals: within 0.5
])
def test_tolerance_edges_on_the_seed(submission, precision, verdict):
    d = derive.solve(yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text()))
    report = check(d, read_submission(submission, d), Settings(precision=precision))
    assert report.fields[0].verdict == verdict


def test_atol_and_rtol_override_the_precision():
    d = derive.solve(yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text()))
    assert check(d, read_submission({"loss": "0.3650001"}, d), Settings(atol=1e-9)).fields[0].verdict == "wrong"
    assert check(d, read_submission({"loss": 0.37}, d), Settings(atol=0.01)).fields[0].verdict == "correct"
    assert check(d, read_submission({"loss": 0.37}, d), Settings(rtol=0.02)).fields[0].verdict == "correct"
    assert check(d, read_submission({"loss": 0.37}, d), Settings(rtol=0.01)).fields[0].verdict == "wrong"


def test_whole_number_guesses_score_nothing_on_the_seed(tmp_path):
    (tmp_path / "guesses.yaml").write_text("prediction: [[2, 3], [2, 1]]\nloss: 0\nkernel_next: [[0, 0], [0, 1]]\n")
    report = json.loads(run("check", "examples/seed.yaml", tmp_path / "guesses.yaml", "--format", "json").stdout)
    assert report["score"] == 0.0
    assert {f["verdict"] for f in report["fields"].values()} == {"wrong"}


def test_values_that_round_to_zero_are_marked_to_significant_figures():
    assert tolerance(Fraction(0), 4) == Fraction(1, 20000)
    assert tolerance(Fraction(-1, 20000), 4) == Fraction(1, 20000)  # 0.00005 rounds to 0.0001: 4 decimals
    assert tolerance(Fraction(1, 30_000_000), 4) == Fraction(5, 10**12)  # 3.333 × 10^-8: ±0.0005 × 10^-8
    assert tolerance(Fraction(7, 10**5), 2) == Fraction(5, 10**7)
    assert tolerance(Fraction(1, 3), 0) == Fraction(1, 20)  # 0 decimals: still one significant figure
    d = derive.solve({"input": [[1]], "kernel": [["1/30000000"]], "target": [[0]], "learning_rate": 0.1})
    verdicts = {text: check(d, read_submission({"feature_map": [[text]]}, d)).fields[0].verdict
                for text in ("3.333e-8", "0.00000003333", "3.3334e-8", "0", "0.0000", "3.3e-8", "3.332e-8")}
    assert verdicts == {"3.333e-8": "correct", "0.00000003333": "correct", "3.3334e-8": "correct", "0": "wrong",
                        "0.0000": "wrong", "3.3e-8": "wrong", "3.332e-8": "wrong"}


def test_a_value_within_tolerance_is_correct_not_carried():
    """A rounded gradient and the update worked from it are both right to 4 decimals."""
    d = derive.solve(yaml.safe_load(TWO_THIRDS))
    report = check(d, read_submission({"grad_kernel": [[-1.3333]], "kernel_next": [[0.666658]]}, d))
    assert [f.verdict for f in report.fields] == ["correct", "correct"]
    assert report.score == 1.0


GUESSES = {
    "whole numbers": lambda x: str(round(x)),
    "all zeros": lambda x: "0",
    "2 decimals": lambda x: rounded(x, 2),
}


@settings(max_examples=25, deadline=None)
@given(exercises(), st.sampled_from(sorted(GUESSES)))
def test_guesses_earn_only_the_cells_they_happen_to_get_right(spec, guess):
    """Whole numbers, zeros or 2-decimal values: a cell is correct exactly when the guess is the
    true value to 4 decimals (plus what rounding every earlier step carries into it); at --precision 2
    a 2-decimal answer is correct unless the value rounds to 0 there (then 2 significant figures are due)."""
    from derive.check import rounding_margins

    d = derive.solve(spec)
    asked = ("prediction", "loss", "grad_kernel", "kernel_next")
    key = d.answers()["iterations"][0]
    truth = {name: true_values(d, name) for name in asked}
    submission = {name: shaped([GUESSES[guess](x) for x in truth[name]], key[name]) if isinstance(key[name], list)
                  else GUESSES[guess](truth[name][0]) for name in asked}
    report = check(d, read_submission(submission, d))
    assert_notes_agree(report)
    margins = rounding_margins(d, 4)[0]
    for f in report.fields:
        for verdict, text, true, margin in zip(values(f.cells), values(f.submitted), truth[f.field], margins[f.field]):
            assert (verdict == "correct") == (abs(Fraction(text) - true) <= Fraction(1, 20000) + margin), (f.name, text, true)
    if guess == "2 decimals":  # right at --precision 2, except values that round to 0 there (significant figures)
        sheet = check(d, read_submission(submission, d), Settings(precision=2))
        margins = rounding_margins(d, 2)[0]
        for f in sheet.fields:
            for verdict, text, true, margin in zip(values(f.cells), values(f.submitted), truth[f.field], margins[f.field]):
                if true == 0 or abs(true) >= Fraction(1, 200):
                    assert verdict == "correct", (f.name, true)
                else:
                    assert (verdict == "correct") == (abs(Fraction(text) - true) <= tolerance(true, 2) + margin), (f.name, true)


def added_update(spec: dict, wrong_gradient: bool):
    """The submission w + η·g (the step added), from the right gradient or a wrong one it also submits."""
    d = derive.solve(spec)
    w, g = true_values(d, "kernel"), true_values(d, "grad_kernel")
    eta = to_fraction(d.problem.learning_rate)
    used = [3 * x + Fraction(1, 2) for x in g] if wrong_gradient else g
    assume(all(abs(eta * x) > Fraction(1, 1000) for x in g + used))  # the added step is visibly not the right one
    assume(all(abs(eta * (x + y)) > Fraction(1, 1000) for x, y in zip(g, used)))  # nor the carried one
    like = d.answers()["iterations"][0]["grad_kernel"]
    submission = {"kernel_next": shaped([fraction_text(a + eta * b) for a, b in zip(w, used)], like)}
    if wrong_gradient:
        submission["grad_kernel"] = shaped([fraction_text(x) for x in used], like)
    return d, submission


@settings(max_examples=30, deadline=None)
@given(exercises(), st.booleans())
def test_an_added_step_is_a_sign_error_saying_so(spec, with_gradient):
    d, submission = added_update(spec, wrong_gradient=False)
    if with_gradient:
        submission["grad_kernel"] = key(spec)["grad_kernel"]
    fields = {f.name: f for f in check(d, read_submission(submission, d)).fields}
    assert fields["kernel_next"].verdict == "sign"
    assert fields["kernel_next"].note == "the step was added instead of subtracted (w + η·g instead of w − η·g)"
    assert fields.get("grad_kernel") is None or fields["grad_kernel"].verdict == "correct"


@settings(max_examples=30, deadline=None)
@given(exercises())
def test_an_added_step_with_a_wrong_gradient_says_both(spec):
    d, submission = added_update(spec, wrong_gradient=True)
    report = check(d, read_submission(submission, d))
    assert_notes_agree(report)
    fields = {f.name: f for f in report.fields}
    assert fields["grad_kernel"].verdict != "correct"
    assert fields["kernel_next"].verdict == "sign"
    assert "added instead of subtracted" in fields["kernel_next"].note
    assert "the gradient it used, the submission's own, is itself wrong" in fields["kernel_next"].note


def test_an_added_step_with_momentum():
    d = derive.solve(ROOT / "examples" / "leaky-momentum.yaml")
    it = d.answers()["iterations"][0]
    w, w_next = true_values(d, "kernel"), true_values(d, "kernel_next")
    added = shaped([fraction_text(2 * a - b) for a, b in zip(w, w_next)], it["kernel_next"])
    fields = {f.name: f for f in check(d, read_submission({"kernel_next": added}, d)).fields}
    assert fields["kernel_next"].verdict == "sign" and "added instead of subtracted" in fields["kernel_next"].note


@settings(max_examples=40, deadline=None)
@given(exercises(), st.data())
def test_mixed_mistakes_get_per_cell_verdicts_and_notes_that_name_their_cells(spec, data):
    """Each cell of the gradient right or wrong; each cell of the update right, carried from the
    submitted gradient, added (with the right or the submitted gradient) or a blunder."""
    d = derive.solve(spec)
    w, g = true_values(d, "kernel"), true_values(d, "grad_kernel")
    eta, n = to_fraction(d.problem.learning_rate), len(g)
    offsets = data.draw(st.lists(st.sampled_from([0, 0, Fraction(1, 2), Fraction(-7, 10), Fraction(13, 10)]),
                                 min_size=n, max_size=n))
    own = [x + o for x, o in zip(g, offsets)]
    modes = data.draw(st.lists(st.sampled_from(["right", "carried", "added", "added own", "blunder"]),
                               min_size=n, max_size=n))
    candidates = [{"right": a - eta * x, "carried": a - eta * y, "added": a + eta * x, "added own": a + eta * y,
                   "blunder": a + Fraction(777, 100)} for a, x, y in zip(w, g, own)]
    assume(all(c["carried"] != 0 for c in candidates))  # a carried 0 needs a nonzero one beside it: see below
    for c, o in zip(candidates, offsets):  # the candidates of one cell are visibly different
        distinct = {k: v for k, v in c.items() if o or k not in ("carried", "added own")}
        assume(all(abs(a - b) > Fraction(1, 1000) for a, b in itertools.combinations(distinct.values(), 2)))
    like = d.answers()["iterations"][0]["grad_kernel"]
    submission = {"grad_kernel": shaped([fraction_text(x) for x in own], like),
                  "kernel_next": shaped([fraction_text(c[m]) for c, m in zip(candidates, modes)], like)}
    report = check(d, read_submission(submission, d))
    assert_notes_agree(report)
    update = {f.name: f for f in report.fields}["kernel_next"]
    expected = {"right": "correct", "carried": "carried", "added": "sign", "added own": "sign", "blunder": "wrong"}
    want = [expected[m] if o or m != "carried" else "correct" for m, o in zip(modes, offsets)]
    assert values(update.cells) == want
    if any(m == "added own" and o for m, o in zip(modes, offsets)):
        assert "is itself wrong" in update.note


@settings(max_examples=30, deadline=None)
@given(exercises())
def test_a_rounded_scale_error_is_named_by_its_cause(spec):
    """The gradient divided by n once too often, written to 4 decimals: the factor is still 1/n."""
    spec = dict(spec, loss="mse")
    d = derive.solve(spec)
    g = true_values(d, "grad_kernel")
    n = len(true_values(d, "prediction"))
    assume(n > 1 and all(abs(x) > Fraction(1, 100) for x in g))
    assume(Fraction(rounded(g[0] / n, 4)) != g[0] / n)  # the rounding shows
    like = d.answers()["iterations"][0]["grad_kernel"]
    report = check(d, read_submission({"grad_kernel": shaped([rounded(x / n, 4) for x in g], like)}, d))
    assert report.fields[0].verdict == "scale"
    assert "divided by n once too often" in report.fields[0].note
    assert "no standard convention" not in report.fields[0].note


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
    z = model.convolve(p, kernel, (rational(Fraction(str(first["bias_next"]))),))
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
        ("gradient: [[1, 2], [3, 4]]\n", "gradient: unknown field (did you mean 'grad_kernel'?)"),
        ("dW: [[1, 2], [3, 4]]\n", "dW: unknown field (did you mean 'grad_kernel'?)"),
        ("input_gradient: [[1, 2], [3, 4]]\n", "input_gradient: unknown field (did you mean 'grad_input'?)"),
        ("new_kernel: [[1, 2], [3, 4]]\n", "new_kernel: unknown field (did you mean 'kernel_next'?)"),
        ("y_hat: [[1, 2], [3, 4]]\n", "y_hat: unknown field (did you mean 'prediction'?)"),
        ("Loss: 1\n", "Loss: unknown field (did you mean 'loss'?)"),
        ("foo: 1\n", "foo: unknown field (valid: feature_map, prediction, loss, grad_kernel, grad_input, kernel_next, "
                      "loss_next)"),
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


def test_the_report_keeps_the_notes_symbols():
    """The note starts a sentence in the report, and its symbols keep their case (Ŷ, not ŷ)."""
    d = derive.solve(ROOT / "examples" / "seed.yaml")
    g = d.answers()["iterations"][0]["grad_kernel"]
    from derive.report import check_view, report_text

    report = check(d, read_submission({"grad_kernel": [[-x for x in row] for row in g]}, d))
    text = report_text(check_view(report, d, "seed.yaml", "sign.yaml"))
    assert "The sign is reversed (e.g. the residual taken as Y − Ŷ instead of Ŷ − Y)." in text


def test_loss_next_from_a_wrong_update_is_carried():
    """The loss recomputed with the submission's own (wrong) updated filter follows through."""
    spec = yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text())
    own_kernel = [[0.47, 0.165], [0.35, 0.695]]  # the seed document's update, from its partial sums
    own_loss = true_values(derive.solve(dict(spec, kernel=own_kernel)), "loss")[0]  # an independent forward pass
    report = mark(spec, {"kernel_next": own_kernel, "loss_next": fraction_text(own_loss)})
    assert {f.name: f.verdict for f in report.fields} == {"kernel_next": "wrong", "loss_next": "carried"}
    assert_notes_agree(report)


def test_an_update_with_a_rotated_gradient_is_flipped():
    """w − η·rot180(g): the step is the right one rotated (the kernel itself is not)."""
    spec = yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text())
    report = mark(spec, {"kernel_next": [[0.405, 0.195], [0.2, 0.57]]})  # W − 0.1·[[0.95, 0.05], [1, 1.3]]
    assert report.fields[0].verdict == "flipped"
    assert report.fields[0].note == "the step (w − w') is the right one rotated by 180° (convolution and cross-correlation confused)"


def test_a_student_who_rounds_every_step_as_the_sheet_says_is_correct():
    """The sheet says: round every value to 4 decimals. Z = 2/3 → 0.6667; ∂L/∂Ẑ = 2(0.6667 − 1) =
    −0.6666; ∂L/∂W = −0.6666 · 2 = −1.3332 (exact −4/3); W' = 1/3 + 0.25 · 1.3332 ≈ 0.6666 (exact 2/3).
    Both are off by more than half a unit, by the rounding the sheet asked for: check accepts them
    as the Moodle blank does, and still refuses what no rounding explains."""
    d = derive.solve(yaml.safe_load(TWO_THIRDS))
    rounded_work = {"feature_map": [[0.6667]], "grad_kernel": [[-1.3332]], "kernel_next": [[0.6666]]}
    assert {f.name: f.verdict for f in check(d, read_submission(rounded_work, d)).fields} == {
        "feature_map": "correct", "grad_kernel": "correct", "kernel_next": "correct"}
    assert check(d, read_submission({"feature_map": [[0.6666]]}, d)).fields[0].verdict == "wrong"  # nothing before Z
    assert check(d, read_submission({"grad_kernel": [[-1.3322]]}, d)).fields[0].verdict == "wrong"
    assert check(d, read_submission({"grad_kernel": [[-1.3332]]}, d), Settings(atol=5e-5)).fields[0].verdict == "wrong"


# A 3-channel, 2-filter problem (a teacher's trial found 1-decimal guesses "partial sums" on one like it).
RGB = {
    "input": [[[1, 0, 2, 1], [0, 1, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]],
              [[0, 1, 1, 0], [1, 0, 2, 1], [1, 1, 0, 2], [0, 2, 1, 1]],
              [[2, 1, 0, 1], [1, 2, 1, 0], [0, 1, 2, 1], [1, 0, 1, 2]]],
    "kernel": [[[[0.2, -0.1], [0.3, 0.1]], [[0.1, 0.2], [-0.2, 0.1]], [[0.3, 0.1], [0.1, -0.3]]],
               [[[-0.1, 0.2], [0.1, 0.3]], [[0.2, -0.2], [0.1, 0.1]], [[0.1, 0.3], [-0.1, 0.2]]]],
    "target": [[[1, 0, 1], [0, 1, 0], [1, 0, 1]], [[0, 1, 0], [1, 0, 1], [0, 1, 0]]],
    "learning_rate": 0.1,
}
GUESS_STRATEGIES = ("all zeros", "whole numbers", "1 decimal", "random")


def guessed(d, strategy: str, draw) -> dict:
    """Every answer field of iteration 1 guessed, as a student who does not know how: zeros, the
    right value rounded to a whole number or 1 decimal, or random 4-decimal values."""
    submission = {}
    for name, like in d.answers()["iterations"][0].items():
        truth = true_values(d, name)
        if strategy == "random":
            texts = [str(Fraction(n, 10_000)) for n in draw(st.lists(st.integers(-99_999, 99_999),
                                                                     min_size=len(truth), max_size=len(truth)))]
        else:
            texts = [{"all zeros": "0", "whole numbers": rounded(x, 0), "1 decimal": rounded(x, 1)}[strategy]
                     for x in truth]
        submission[name] = shaped(texts, like) if isinstance(like, list) else texts[0]
    return submission


def assert_only_correct_wrong_or_carried(d, submission: dict) -> None:
    """No cell of a guess is diagnosed as a classic mistake; carried only where the submission's own
    earlier values give that value."""
    from derive.check import _FollowThrough

    rounds = read_submission(submission, d)
    report = check(d, rounds)
    assert_notes_agree(report)
    follow = _FollowThrough(d.problem, d.iterations, rounds)
    for f in report.fields:
        own = follow.carried(0, f.field)
        for i, (verdict, text) in enumerate(zip(values(f.cells), values(f.submitted))):
            if verdict == "carried":
                assert own is not None and abs(Fraction(text) - own[i]) <= Fraction(1, 20_000), (f.name, i)
            else:
                assert verdict in ("correct", "wrong"), (f.name, i, verdict, f.note)


@settings(max_examples=60, deadline=None)
@given(st.one_of(exercises(), layer_specs(max_size=4, max_iterations=1)), st.sampled_from(GUESS_STRATEGIES), st.data())
def test_guesses_are_never_diagnosed_as_a_classic_mistake(spec, strategy, data):
    d = derive.solve(spec)
    assert_only_correct_wrong_or_carried(d, guessed(d, strategy, data.draw))


@pytest.mark.parametrize("strategy", GUESS_STRATEGIES[:3])
@pytest.mark.parametrize("problem", ["seed", "rgb"])
def test_the_trials_guesses_get_no_invented_diagnosis(problem, strategy):
    """The teacher trial's cases: zeros (∂L/∂W₀₁ = 0 was 'a partial sum over (0,0), (1,1)'), 1-decimal
    guesses on 3 channels and 2 filters, and whole numbers (a 0 in kernel_next was 'the step added')."""
    spec = yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text()) if problem == "seed" else RGB
    d = derive.solve(spec)
    assert_only_correct_wrong_or_carried(d, guessed(d, strategy, None))


def test_a_partial_sum_needs_a_set_a_student_uses_or_one_shared_by_two_entries():
    from derive.check import _gradient_terms

    d = derive.solve(RGB)
    terms = _gradient_terms(d.problem, d.iterations[0], "grad_kernel")
    g = true_values(d, "grad_kernel")
    like = d.answers()["iterations"][0]["grad_kernel"]

    def verdicts(sums: dict[int, frozenset]) -> list[str]:
        texts = [fraction_text(Fraction(sum(terms[i][c] for c in sums[i])).limit_denominator(10**6)) if i in sums
                 else fraction_text(x) for i, x in enumerate(g)]
        return values(check(d, read_submission({"grad_kernel": shaped(texts, like)}, d)).fields[0].cells)

    scattered = frozenset({(0, 0, 1), (0, 1, 2), (0, 2, 0)})  # no row, column or first k
    row = frozenset({(0, 1, 0), (0, 1, 1), (0, 1, 2)})
    assert verdicts({1: scattered})[1] == "wrong"  # one entry, an arbitrary set: a coincidence, not a diagnosis
    assert verdicts({1: row})[1] == "partial-sum"  # one entry, one row of the output
    assert verdicts({1: scattered, 5: scattered})[1::4][:2] == ["partial-sum", "partial-sum"]  # the same set twice


def test_a_field_is_never_rosier_than_its_cells():
    from derive.check import field_verdict

    assert field_verdict(["correct", "correct"]) == "correct"
    assert field_verdict(["correct", "partial-sum", "carried", "wrong"]) == "wrong"
    assert field_verdict(["carried", "carried", "partial-sum", "correct"]) == "carried"
    assert field_verdict(["carried", "sign", "correct"]) == "sign"  # a tie: the more severe
    # The trial's case: an update whose cells are carried, correct and a blunder is wrong, not carried.
    d = derive.solve(yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text()))
    w, g = true_values(d, "kernel"), true_values(d, "grad_kernel")
    own = [x + 1 for x in g]
    update = [w[0] - Fraction(1, 10) * own[0], w[1] - Fraction(1, 10) * own[1], w[2] - Fraction(1, 10) * g[2], Fraction(9)]
    like = d.answers()["iterations"][0]["grad_kernel"]
    report = check(d, read_submission({"grad_kernel": shaped([fraction_text(x) for x in own], like),
                                       "kernel_next": shaped([fraction_text(x) for x in update], like)}, d))
    kernel_next = {f.name: f for f in report.fields}["kernel_next"]
    assert values(kernel_next.cells) == ["carried", "carried", "correct", "wrong"]
    assert kernel_next.verdict == "wrong"


def test_notes_name_a_fields_positions_entries_and_output_cells_cells():
    """'entries (1, 0), (1, 1): a partial sum over only output cells (0, 0), (1, 0) of the 4'."""
    d = derive.solve(yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text()))
    seed = derive.spec.read_spec(ROOT / "examples" / "seed.submission.yaml")
    right = d.answers()["iterations"][0]["grad_kernel"]
    half = [right[0], seed["grad_kernel"][1]]  # the first row right, the second the seed's partial sums
    report = check(d, read_submission({"grad_kernel": half}, d))
    assert report.fields[0].note == "entries (1, 0), (1, 1): a partial sum over only output cells (0, 0), (1, 0) of the 4"


def test_a_coarse_rounding_is_wrong_with_a_note_saying_so():
    d = derive.solve(yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text()))
    notes = {text: check(d, read_submission({"loss": text}, d)).fields[0] for text in ("0.4", "0.37", "1.0", "0")}
    assert {f.verdict for f in notes.values()} == {"wrong"}
    assert notes["0.4"].note == "the right value rounded to 1 decimal place (the sheet asks for 4)"
    assert notes["0.37"].note == "the right value rounded to 2 decimal places (the sheet asks for 4)"
    assert notes["1.0"].note == ""  # 0.365 is 0.4 to 1 decimal, 0 to none: 1.0 is no rounding of it
    assert notes["0"].note == ""  # a 0 is the lazy default: no diagnosis, no note


def test_a_zero_step_is_never_carried():
    """Zeros everywhere: W'₀₀ = 0 − η·0 follows from the zero gradient, but zeros are what a guess writes; and
    W'₀₁ = 0.5 − η·0, the given weight copied, is no step either (the teacher trial: copying the given weights
    after zero gradients earned half credit on every update cell)."""
    spec = {"input": [[1, 2, 1], [0, 1, 2], [2, 1, 0]], "kernel": [[0, 0.5], [0.3, 0.7]],
            "target": [[1, 2], [2, 1]], "learning_rate": 0.1}
    d = derive.solve(spec)
    zeros = [["0", "0"], ["0", "0"]]
    lazy = {f.name: f for f in check(d, read_submission({"grad_kernel": zeros, "kernel_next": zeros}, d)).fields}
    assert values(lazy["kernel_next"].cells) == ["wrong"] * 4
    copied = {"grad_kernel": zeros, "kernel_next": [["0", "0.5"], ["0.3", "0.7"]]}
    update = {f.name: f for f in check(d, read_submission(copied, d)).fields}["kernel_next"]
    assert values(update.cells) == ["wrong"] * 4 and "no step taken" in update.note


def test_a_flip_that_also_negates_some_entries_is_one_flip():
    """∂L/∂W = [[4, 4], [4, 4], [2, −4]]: rotated, two entries also equal minus the right ones. A flip
    explains the whole field; calling those two entries sign errors would invent a second mistake."""
    spec = {"input": [[1, 1, 1], [1, 1, 1], [1, -1, -1]], "kernel": [[1, 1], [1, 1], [1, 1]], "target": [[1, 1]],
            "learning_rate": 0.1}
    g = np.asarray(key(spec)["grad_kernel"], dtype=float)
    report = mark(spec, {"grad_kernel": exact(np.flip(g))})
    assert report.fields[0].verdict == "flipped"
    assert report.fields[0].cells == [["flipped", "flipped"], ["correct", "correct"], ["flipped", "flipped"]]
    assert "sign" not in report.fields[0].note


@pytest.mark.parametrize("loss, factor, named, never", [
    ("mse", 2, "counted twice", "1/2"),  # MSE has no 1/2 to leave out (trial: "the loss's 1/2 left out")
    ("half_sse", 2, "already cancels", "counted twice"),
    ("sse", 0.5, "factor 2", "mean"),
])
def test_scale_causes_name_only_what_the_loss_has(loss, factor, named, never):
    d = derive.solve(dict(yaml.safe_load((ROOT / "examples" / "seed.yaml").read_text()), loss=loss))
    g = true_values(d, "grad_kernel")
    like = d.answers()["iterations"][0]["grad_kernel"]
    report = check(d, read_submission({"grad_kernel": shaped([str(x * Fraction(factor)) for x in g], like)}, d))
    assert report.fields[0].verdict == "scale"
    note = report.fields[0].note.split(": ", 1)[1]
    assert named in note and never not in note


ACT_SPEC = {"input": [[1, 2, 0], [0, 1, 3], [2, 1, 1]], "kernel": [[0.5, -1], [0.25, 0.5]],
            "target": [[0, 1], [1, 0]], "activation": "relu", "learning_rate": 0.1}


def test_a_forward_value_is_carried_only_if_it_follows_from_the_earlier_ones():
    """A submitted activation is compared with f(the submission's own Z), not with itself: ReLU(−0.5) is 0, so
    0.5 there is wrong even after a wrong Z; the cells that do follow are carried."""
    report = mark(ACT_SPEC, {"feature_map": [[1.5, -0.5], [1.5, 2.5]], "activation": [[1.5, 0.5], [1.5, 2.5]]})
    activation = next(f for f in report.fields if f.name == "activation")
    assert activation.cells == [["carried", "wrong"], ["carried", "carried"]]
    assert activation.verdict == "wrong"


def test_a_later_feature_map_follows_the_submitted_update_not_itself():
    """Iteration 2's Z follows from iteration 1's submitted kernel_next: any other Z is wrong, not carried."""
    spec = {**ACT_SPEC, "iterations": 2}
    answers = derive.solve(spec).answers()
    first = answers["iterations"][0]
    wrong_next = (np.asarray(first["kernel_next"], dtype=float) + 0.25).tolist()
    submission = {"iterations": [{"kernel_next": wrong_next}, {"feature_map": [[9, 9], [9, 9]]}]}
    report = mark(spec, submission)
    z = next(f for f in report.fields if f.name == "iteration_2.feature_map")
    assert z.verdict == "wrong", z


def test_a_copied_kernel_after_a_zero_gradient_is_no_step():
    """grad_kernel all 0 and kernel_next = the given kernel: W − η·0 = W follows, but earns nothing and is named."""
    report = mark(ACT_SPEC, {"grad_kernel": [[0, 0], [0, 0]], "kernel_next": [[0.5, -1], [0.25, 0.5]]})
    update = next(f for f in report.fields if f.name == "kernel_next")
    assert update.verdict == "wrong" and "no step taken" in update.note and "added" not in update.note, update
    assert update.cells == [["wrong", "correct"], ["wrong", "wrong"]]  # ∂L/∂W₀₁ is 0: there the copy is right


# The teacher trial's sparse problem: padding and max pooling leave most gradient entries exactly 0 and the
# weights they belong to unmoved, so a guess of 0, or a copy of the given weights, is right there for free.
SPARSE = {"input": [[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 2], [1, 0, 1, 3]], "kernel": [[0.5, -0.3], [0.2, 0.4]],
          "bias": 0.1, "target": [[0.6]], "learning_rate": 0.05, "stride": 2, "padding": 1, "activation": "relu",
          "pooling": {"type": "max", "size": 2}, "loss": "mse", "optimizer": {"type": "sgd", "momentum": 0.9},
          "iterations": 2}
LAZY = {"iterations": [  # whole numbers, zeros, the given weights copied as "updated", 1-decimal roundings
    {"prediction": [[1]], "loss": 0, "grad_kernel": [[0, 0], [0, 1]], "grad_bias": 1, "velocity": [[0, 0], [0, 0]],
     "kernel_next": [[0.5, -0.3], [0.2, 0.4]], "bias_next": 0.1},
    {"prediction": [[0.8]], "loss": 0.0, "grad_kernel": [[0, 0], [0, 1]], "grad_bias": 0, "velocity": [[0, 0], [0, 1.7]],
     "velocity_bias": 0.8, "kernel_next": [[0.5, -0.3], [0.2, 0.3]], "bias_next": 0.0}]}
ATTEMPT = {"iterations": [  # a real attempt with mistakes: a sign, a missing 2, an added step, μ·v forgotten
    {"prediction": [[0.9]], "loss": 0.09, "grad_kernel": [[0, 0], [0, -1.2]], "grad_bias": 0.3,
     "velocity": [[0, 0], [0, 1.2]], "kernel_next": [[0.5, -0.3], [0.2, 0.46]], "bias_next": 0.07},
    {"prediction": [[0.75]], "loss": 0.0225, "grad_kernel": [[0.6, 0], [0, 0]], "grad_bias": 0.3,
     "velocity": [[0, 0], [0, 0.6]], "velocity_bias": 0.3, "kernel_next": [[0.5, -0.3], [0.2, 0.28]], "bias_next": 0.055}]}


def test_a_lazy_guess_on_a_sparse_problem_scores_nothing_and_below_a_real_attempt(tmp_path):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(SPARSE))
    scores = {}
    for name, submission in (("lazy", LAZY), ("attempt", ATTEMPT)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(submission))
        result = run("check", tmp_path / "a.yaml", tmp_path / f"{name}.yaml", "--format", "json")
        assert result.returncode == 0, result.stderr
        scores[name] = json.loads(result.stdout)["score"]
    # The old rule gave the lazy guess 54.5 % (its zeros and copied weights), above the attempt's 74.2 % less its slips.
    assert scores["lazy"] == 0.0 and scores["attempt"] == 0.5


def test_a_right_zero_and_an_unmoved_weight_are_marked_but_weigh_nothing():
    d = derive.solve(SPARSE)
    report = check(d, read_submission({"grad_kernel": [[0, 0], [0, 1]], "kernel_next": [[0.5, -0.3], [0.2, 0.4]]}, d))
    grad, step = report.fields
    assert grad.cells == [["correct", "correct"], ["correct", "wrong"]] and grad.counted == (False, False, False, True)
    assert step.cells == [["correct", "correct"], ["correct", "wrong"]] and step.counted == (False, False, False, True)
    assert report.score == 0.0  # the old rule: 6 of 8
    assert check(d, read_submission({"grad_kernel": [[0, 0], [0, 1.2]]}, d)).score == 1.0


def test_when_every_asked_cell_is_a_zero_or_unmoved_they_all_count():
    d = derive.solve({**SPARSE, "target": [[0.9]], "iterations": 1})  # the prediction is the target: nothing moves
    report = check(d, read_submission({"loss": 0.5, "grad_kernel": [[0, 0], [0, 0]], "bias_next": 0.1}, d))
    assert [f.verdict for f in report.fields] == ["wrong", "correct", "correct"]
    assert report.score == round(5 / 6, 4)


def test_a_copied_bias_is_no_step_taken_without_the_gradient_submitted():
    d = derive.solve(SPARSE)
    bias, = check(d, read_submission({"bias_next": 0.1}, d)).fields  # the right step: 0.1 − 0.05·0.6 = 0.07
    assert bias.verdict == "wrong" and bias.note.startswith("the weight left as it was: no step taken")
    assert "rounded" not in bias.note


def test_a_velocity_without_momentum_is_named_from_the_second_iteration():
    d = derive.solve(SPARSE)
    # Iteration 1 starts from v = 0, where v′ = g is right; in iteration 2 v′ = 0.9·1.2 + 0.6 = 1.68, not g = 0.6.
    submission = {"iterations": [{"velocity": [[0, 0], [0, 1.2]], "velocity_bias": 0.6},
                                 {"velocity": [[0, 0], [0, 0.6]], "velocity_bias": 0.3}]}
    first, first_bias, second, second_bias = check(d, read_submission(submission, d)).fields
    assert first.verdict == first_bias.verdict == "correct"
    assert second.verdict == second_bias.verdict == "wrong"
    assert second.note == "entry (1, 1): the velocity without μ·v: v′ = g instead of μ·v + g"
    assert second_bias.note == "the velocity without μ·v: v′ = g instead of μ·v + g"
