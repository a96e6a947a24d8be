"""derive check on `layers:` specs: each classic mistake made by a generator on random networks is
diagnosed as itself, a correct submission scores 1, lazy guesses earn only what they get right with
no diagnosis, the 2-2-2 classic's typical slips, bad submissions, the command line and derive build."""
from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from network_strategies import networks

import derive
from derive.check import NOTE_ADDED, NOTE_CARRIED, Settings, tolerance
from derive.errors import SpecError
from derive.network.check import check, key_fields, read_submission

ROOT = Path(__file__).resolve().parent.parent
CLASSIC = ROOT / "examples" / "two-two-two.yaml"
# No shrinking: a network spec shrinks slowly, and a derandomized failure is reproduced as drawn.
RANDOM = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
                  phases=(Phase.explicit, Phase.generate))


def mark(spec, submission: dict):
    d = derive.solve(spec)
    return check(d, read_submission(submission, d))


def key(spec) -> dict:
    return key_fields(derive.solve(spec).answers()["iterations"][0])


def flat(value) -> list:
    return [x for v in value for x in flat(v)] if isinstance(value, list) else [value]


def near(a, b) -> bool:
    return abs(Fraction(repr(a)) - Fraction(repr(b))) <= tolerance(Fraction(repr(b)), 4)


def apply(value, fn):
    return [apply(v, fn) for v in value] if isinstance(value, list) else fn(value)


def field_report(report, name):
    return next(f for f in report.fields if f.name == name)


def params(k: dict, spec: dict) -> list[tuple[int, str]]:
    """(layer, parameter) of every parameter the optimizer updates."""
    fixed = {j: set(layer[next(iter(layer))].get("fixed", [])) if isinstance(layer, dict) else set()
             for j, layer in enumerate(spec["layers"])}
    return [(int(n[7:n.index("]")]), n.split(".", 1)[1][5:]) for n in k
            if n.startswith("layers[") and ".grad_" in n and ".grad_output" not in n
            and n.split(".", 1)[1][5:] not in fixed[int(n[7:n.index("]")])]]


@RANDOM
@given(spec=networks)
def test_the_answer_key_scores_one(spec):
    answers = derive.solve(spec).answers()["iterations"]
    submission = {"iterations": [key_fields(row) for row in answers]}
    report = mark(spec, submission)
    assert report.score == 1.0 and {f.verdict for f in report.fields} == {"correct"}
    assert all(f.note == "" for f in report.fields)


@RANDOM
@given(spec=networks, data=st.data())
def test_a_reversed_gradient_is_diagnosed_as_sign(spec, data):
    k = key(spec)
    name = data.draw(st.sampled_from(sorted(n for n in k if ".grad_" in n or n == "grad_input")))
    assume(any(not near(0, x) for x in flat(k[name])))
    report = mark(spec, {name: apply(k[name], lambda x: -x)})
    f = field_report(report, name)
    for cell, true in zip(flat(f.cells), flat(k[name])):
        assert cell == ("correct" if near(-true, true) else "sign"), (name, cell, true)
    assert f.verdict == "sign" and "sign is reversed" in f.note


@RANDOM
@given(spec=networks, data=st.data())
def test_an_added_step_is_diagnosed_as_sign(spec, data):
    k = key(spec)
    choices = params(k, spec)
    assume(choices)
    j, p = data.draw(st.sampled_from(choices))
    eta = Fraction(str(spec["learning_rate"]))
    # Iteration 1 starts with zero velocity, so with momentum too the step is η·g.
    added = [[float(Fraction(repr(w)) + eta * Fraction(repr(g))) for w, g in zip(flat(k[f"layers[{j}].{p}"]),
                                                                             flat(k[f"layers[{j}].grad_{p}"]))]]
    true = flat(k[f"layers[{j}].{p}_next"])
    assume(any(not near(a, t) for a, t in zip(added[0], true)))
    submitted = _reshape(added[0], k[f"layers[{j}].{p}_next"])
    f = field_report(mark(spec, {f"layers[{j}].{p}_next": submitted}), f"layers[{j}].{p}_next")
    for cell, a, t in zip(flat(f.cells), added[0], true):
        assert cell == ("correct" if near(a, t) else "sign")
    assert f.verdict == "sign" and NOTE_ADDED in f.note


@RANDOM
@given(spec=networks, data=st.data())
def test_a_doubled_gradient_is_diagnosed_as_scale(spec, data):
    assume(spec["loss"] in ("mse", "sse", "half_sse"))
    k = key(spec)
    name = data.draw(st.sampled_from(sorted(n for n in k if ".grad_" in n or n == "grad_input")))
    assume(any(not near(2 * x, x) for x in flat(k[name])))
    f = field_report(mark(spec, {name: apply(k[name], lambda x: 2 * x)}), name)
    assert f.verdict == "scale", (f, k[name])
    assert f.verdict == "scale" and "is 2 times the right one" in f.note
    assert set(flat(f.cells)) <= {"correct", "scale"}


def test_a_gradient_without_the_means_one_over_n_is_scale():
    """binary cross-entropy is a mean over the outputs: a gradient n times too large is that 1/n forgotten."""
    spec = {**yaml.safe_load(CLASSIC.read_text()), "loss": "binary_cross_entropy"}
    k = key(spec)
    n = len(flat(k["prediction"]))
    f = field_report(mark(spec, {"layers[0].grad_weights": apply(k["layers[0].grad_weights"], lambda x: n * x)}),
                     "layers[0].grad_weights")
    assert f.verdict == "scale" and f"n = {n}: the sum where the loss takes the mean" in f.note


@RANDOM
@given(spec=networks, data=st.data())
def test_an_update_from_a_wrong_gradient_is_carried(spec, data):
    k = key(spec)
    choices = params(k, spec)
    assume(choices)
    j, p = data.draw(st.sampled_from(choices))
    eta = Fraction(str(spec["learning_rate"]))
    wrong = apply(k[f"layers[{j}].grad_{p}"], lambda g: g + 1)
    own = [float(Fraction(repr(w)) - eta * Fraction(repr(g))) for w, g in zip(flat(k[f"layers[{j}].{p}"]), flat(wrong))]
    assume(0 not in own)  # a submitted 0 is never diagnosed, not even as follow-through
    submission = {f"layers[{j}].grad_{p}": wrong, f"layers[{j}].{p}_next": _reshape(own, k[f"layers[{j}].{p}_next"])}
    report = mark(spec, submission)
    assert field_report(report, f"layers[{j}].grad_{p}").verdict != "correct"
    f = field_report(report, f"layers[{j}].{p}_next")
    assert f.verdict == "carried" and f.note == NOTE_CARRIED and set(flat(f.cells)) == {"carried"}
    assert 0 < report.score < 1


@RANDOM
@given(spec=networks)
def test_gradients_below_a_wrong_one_are_carried_through_a_dense_layer(spec):
    k = key(spec)
    dense = [j for j, layer in enumerate(spec["layers"]) if isinstance(layer, dict) and "dense" in layer]
    j = dense[-1]
    wrong = [g + 1 for g in k[f"layers[{j}].grad_output"]]
    x = k[f"layers[{j - 1}].output"] if j else spec["input"]
    x = [Fraction(repr(v)) if isinstance(v, float) else Fraction(str(v)) for v in flat(x)]
    weights = k[f"layers[{j}].weights"]
    # Computed here, not by the model: ∂L/∂W = g xᵀ and ∂L/∂x = Wᵀ g for a dense layer.
    grad_w = [[float(Fraction(repr(g)) * v) for v in x] for g in wrong]
    below = [float(sum(Fraction(repr(weights[i][c])) * Fraction(repr(g)) for i, g in enumerate(wrong)))
             for c in range(len(x))]
    below_name = f"layers[{j - 1}].grad_output" if j else "grad_input"
    report = mark(spec, {f"layers[{j}].grad_output": wrong, f"layers[{j}].grad_weights": grad_w, below_name: below})
    for name, true in ((f"layers[{j}].grad_weights", flat(k[f"layers[{j}].grad_weights"])), (below_name, flat(k[below_name]))):
        f = field_report(report, name)
        submitted = flat(grad_w) if "weights" in name else below
        for cell, a, t in zip(flat(f.cells), submitted, true):
            assert cell == ("correct" if near(a, t) else "carried"), (name, a, t)


@RANDOM
@given(spec=networks)
def test_zeros_earn_only_the_zero_cells_and_are_never_diagnosed(spec):
    rows = derive.solve(spec).answers()["iterations"]
    submission = {"iterations": [{n: apply(v, lambda _: 0) for n, v in key_fields(row).items()} for row in rows]}
    report = mark(spec, submission)
    for f in report.fields:
        assert f.note == "" and set(flat(f.cells)) <= {"correct", "wrong"}
    # The score counts neither a right 0 nor an update that leaves its parameter where it was (unless nothing else).
    cells = [(t, t != 0 and not (n.endswith("_next") and n != "loss_next" and t == before))
             for row in map(key_fields, rows) for n, v in row.items()
             for t, before in zip(flat(v), flat(row.get(n.removesuffix("_next"), v)))]
    counted = [t for t, c in cells if c] or [t for t, _ in cells]
    assert report.score == round(sum(near(0, t) for t in counted) / len(counted), 4)


@RANDOM
@given(spec=networks)
def test_whole_number_guesses_are_never_diagnosed(spec):
    k = key(spec)
    for name, value in k.items():
        if name.endswith("_next") and name != "loss_next":
            continue  # a whole number can be w + η·g exactly: that is the added step, not an invention
        f = field_report(mark(spec, {name: apply(value, lambda x: int(round(x)))}), name)
        assert f.note == "" and set(flat(f.cells)) <= {"correct", "wrong"}, (name, f)


def _reshape(values: list, like):
    if not isinstance(like, list):
        return values[0]
    if not isinstance(like[0], list):
        return list(values)
    size = len(values) // len(like)
    return [_reshape(values[i * size:(i + 1) * size], like[0]) for i in range(len(like))]


# The 2-2-2 classic's typical slips, as a student writes them (4 decimals).
SLIPS = """\
prediction: [0.75137, 0.772928]
loss: 0.2984
layers[3].grad_output: [-0.7414, 0.2171]
layers[2].grad_output: [-0.7414, 0.2171]
layers[2].grad_weights: [[-0.4398, -0.4425], [0.1288, 0.1296]]
layers:
  2:
    weights_next: [[0.6199, 0.6712], [0.4356, 0.4852]]
"""


def test_classic_two_two_two_slips():
    d = derive.solve(str(CLASSIC))
    report = check(d, read_submission(yaml.safe_load(SLIPS), d))
    by = {f.name: f for f in report.fields}
    assert [f.name for f in report.fields] == ["prediction", "loss", "layers[2].grad_output", "layers[2].grad_weights",
                                               "layers[2].weights_next", "layers[3].grad_output"]
    assert by["prediction"].verdict == by["loss"].verdict == "correct"
    # (target − out) instead of (out − target)
    assert by["layers[3].grad_output"].verdict == "sign" and "y − out instead of out − y" in by["layers[3].grad_output"].note
    # The sigmoid's derivative forgotten: the gradient passed down unchanged.
    assert by["layers[2].grad_output"].verdict == "wrong"
    assert by["layers[2].grad_output"].note == "layers[3]'s sigmoid derivative left out (∂L/∂out of layers[3] passed down unchanged)"
    # Everything after follows from the student's own numbers.
    assert by["layers[2].grad_weights"].verdict == by["layers[2].weights_next"].verdict == "carried"
    assert report.score == round((3 + 0.5 * 8) / 15, 4)


def test_classic_forgotten_derivative_against_the_right_gradient():
    d = derive.solve(str(CLASSIC))
    right = key(str(CLASSIC))["layers[3].grad_output"]
    report = check(d, read_submission({"layers[2].grad_output": right}, d))
    assert report.fields[0].verdict == "wrong" and "sigmoid derivative left out" in report.fields[0].note


def test_rounded_correct_values_carry_no_penalty():
    """Every value to 4 decimals, each computed from the student's own rounded earlier values: all correct."""
    d = derive.solve(str(CLASSIC))
    sub = {"layers[2].grad_output": [0.1385, -0.0381], "layers[2].grad_weights": [[0.0822, 0.0827], [-0.0226, -0.0227]],
           "layers[2].weights_next": [[0.3589, 0.4087], [0.5113, 0.5614]]}
    report = check(d, read_submission(sub, d))
    assert report.score == 1.0


def test_nested_and_flat_names_mark_the_same():
    d = derive.solve(str(CLASSIC))
    k = key(str(CLASSIC))
    a = check(d, read_submission({"layers[2].grad_weights": k["layers[2].grad_weights"]}, d))
    b = check(d, read_submission({"layers": {2: {"grad_weights": k["layers[2].grad_weights"]}}}, d))
    c = check(d, read_submission({"layers": [{}, {}, {"grad_weights": k["layers[2].grad_weights"]}]}, d))
    assert a.to_json() == b.to_json() == c.to_json() and a.score == 1.0


@pytest.mark.parametrize("submission, message", [
    ({"layers[2].grad_weight": 1}, "layers[2].grad_weight: unknown field (did you mean 'layers[2].grad_weights'?)"),
    ({"layers[1].grad_weights": 1}, "layers[1].grad_weights: unknown field: layers[1] (sigmoid) has no grad_weights "
                                     "(layers with it: layers[0] (dense), layers[2] (dense))"),
    ({"grad_weights": 1}, "grad_weights: unknown field: per-layer fields are named layers[J].grad_weights"),
    ({"layers[9].output": 1}, "layers[9].output: unknown field: the network has layers 0 to 3"),
    ({"los": 1}, "los: unknown field (did you mean 'loss'?)"),
    ({"layers": {2: {"grad_weights": [1, 2]}}}, "layers[2].grad_weights: shape 2 does not match the answer's shape 2×2"),
    ({"layers": 3}, "layers: must map layer numbers to their fields"),
    ({"iterations": [{}, {}]}, "iterations: 2 iterations submitted, the problem has 1"),
])
def test_bad_submissions_name_the_field(submission, message):
    d = derive.solve(str(CLASSIC))
    with pytest.raises(SpecError) as err:
        read_submission(submission, d)
    assert message in str(err.value)


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "derive", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_markdown_and_json(tmp_path):
    sub = tmp_path / "slips.yaml"
    sub.write_text(SLIPS)
    md = _run("check", str(CLASSIC), str(sub))
    assert md.returncode == 0, md.stderr
    assert "| `layers[3].grad_output` | sign |" in md.stdout and "sigmoid derivative left out" in md.stdout
    assert "## `layers[2].weights_next`: carried" in md.stdout
    js = _run("check", str(CLASSIC), str(sub), "--format", "json", "--carried-credit", "1")
    report = json.loads(js.stdout)
    assert report["fields"]["layers[2].grad_weights"]["verdict"] == "carried"
    assert report["score"] == round(11 / 15, 4)


def test_cli_bad_submission_is_one_line(tmp_path):
    sub = tmp_path / "bad.yaml"
    sub.write_text("layers[2].grad_weight: [[1, 2], [3, 4]]\n")
    run = _run("check", str(CLASSIC), str(sub))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == f"error: {sub}: layers[2].grad_weight: unknown field (did you mean 'layers[2].grad_weights'?)\n"


def test_build_checks_a_network_submission(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "net.yaml").write_text(CLASSIC.read_text())
    (specs / "net.submission.yaml").write_text(SLIPS)
    run = _run("build", str(specs), "-o", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "out" / "net" / "check.json").read_text())
    assert report["fields"]["layers[3].grad_output"]["verdict"] == "sign"
    assert "Check of net.submission.yaml" in (tmp_path / "out" / "net" / "check.md").read_text()


def test_settings_tolerance_applies():
    d = derive.solve(str(CLASSIC))
    sub = read_submission({"loss": 0.3}, d)
    assert check(d, sub).score == 0.0
    assert check(d, sub, Settings(atol=0.01)).score == 1.0


def test_a_wrong_update_is_carried_into_the_next_iteration():
    spec = str(ROOT / "examples" / "conv-tanh-avgpool.yaml")
    rows = derive.solve(spec).answers()["iterations"]
    first, second = key_fields(rows[0]), key_fields(rows[1])
    name = next(n for n in first if n.endswith("].kernel_next"))
    wrong = apply(first[name], lambda w: w + 0.1)
    start = name.replace("kernel_next", "kernel")
    report = mark(spec, {"iterations": [{name: wrong}, {start: wrong, "loss": second["loss"]}]})
    by = {f.name: f for f in report.fields}
    assert by[name].verdict == "wrong"
    assert by[f"iteration_2.{start}"].verdict == "carried" and by["iteration_2.loss"].verdict == "correct"


@pytest.mark.parametrize("loss, named, never", [("sse", "counted twice", "1/2"), ("half_sse", "already cancels", "twice")])
def test_a_doubled_network_gradient_names_only_what_its_loss_has(loss, named, never):
    # The network's causes are the flat check's (check.slip_factors): a sum has no 1/2 to leave out.
    spec = {**yaml.safe_load(CLASSIC.read_text()), "loss": loss}
    k = key(spec)
    f = field_report(mark(spec, {"layers[2].grad_weights": apply(k["layers[2].grad_weights"], lambda x: 2 * x)}),
                     "layers[2].grad_weights")
    note = f.note.split("times the right one: ", 1)[1]
    assert f.verdict == "scale" and named in note and never not in note


def test_copied_weights_after_a_zero_gradient_earn_no_follow_through():
    """A zero gradient and the given weights copied as 'updated' (W − η·0 = W) is no step: wrong, named, not carried."""
    submission = {"layers[2].grad_weights": [[0, 0], [0, 0]], "layers[2].weights_next": [[0.40, 0.45], [0.50, 0.55]],
                  "layers[0].grad_weights": [[0, 0], [0, 0]], "layers[0].weights_next": [[0.15, 0.20], [0.25, 0.30]]}
    report = mark(CLASSIC, submission)
    for name in ("layers[0].weights_next", "layers[2].weights_next"):
        f = next(f for f in report.fields if f.name == name)
        assert f.verdict == "wrong" and "no step taken" in f.note, f
    assert report.score == 0


def _adam_without_bias_correction(iterations: int = 2) -> list[dict]:
    """A spreadsheet's Adam without bias correction on the flat Adam example: full precision, written to 4 decimals."""
    import numpy as np

    x = np.array([[1, 2, 0], [0, 1, -1], [2, 1, 1]], float)
    k, b, t = np.array([[.5, -.3], [.2, .4]]), .1, np.array([[1, 0], [.5, 1]])
    mk, vk, mb, vb, rows = np.zeros((2, 2)), np.zeros((2, 2)), 0.0, 0.0, []
    for _ in range(iterations):
        y = np.array([[(x[i:i + 2, j:j + 2] * k).sum() + b for j in range(2)] for i in range(2)])
        g = 2 * (y - t) / 4
        gk = np.array([[(x[a:a + 2, c:c + 2] * g).sum() for c in range(2)] for a in range(2)])
        gb = g.sum()
        mk, vk = .9 * mk + .1 * gk, .999 * vk + .001 * gk ** 2
        mb, vb = .9 * mb + .1 * gb, .999 * vb + .001 * gb ** 2
        k, b = k - .1 * mk / (np.sqrt(vk) + 1e-8), b - .1 * mb / (np.sqrt(vb) + 1e-8)
        rows.append({"prediction": np.round(y, 4).tolist(), "loss": round(float(((y - t) ** 2).mean()), 4),
                     "grad_kernel": np.round(gk, 4).tolist(), "grad_bias": round(float(gb), 4),
                     "kernel_next": np.round(k, 4).tolist(), "bias_next": round(float(b), 4)})
    return rows


def test_an_adam_slip_carried_at_full_precision_is_named_in_every_cell():
    """The slip's replay starts from the submission's rounded values, so it is matched as loosely as follow-through."""
    spec = {"input": [[1, 2, 0], [0, 1, -1], [2, 1, 1]], "kernel": [[0.5, -0.3], [0.2, 0.4]], "bias": 0.1,
            "target": [[1, 0], [0.5, 1]], "learning_rate": 0.1, "loss": "mse", "optimizer": {"type": "adam"}, "iterations": 2}
    d = derive.solve(spec)
    report = d.check(d.read_submission({"iterations": _adam_without_bias_correction()}), Settings())
    updates = [f for f in report.fields if f.field.endswith("_next")]
    assert len(updates) == 4
    for f in updates:
        assert f.verdict == "wrong" and "without bias correction" in f.note and "entr" not in f.note, f


def test_backpropagating_with_the_updated_weights_is_named():
    """The teacher trial's classic: ∂L/∂a⁽¹⁾ = W⁽²⁾′ᵀ·δ with the weights after the step, from the right δ."""
    import numpy as np

    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    x, w1, w2, t = np.array([.05, .1]), np.array([[.15, .2], [.25, .3]]), np.array([[.4, .45], [.5, .55]]), np.array([.01, .99])
    h = sig(w1 @ x + .35)
    o = sig(w2 @ h + .6)
    delta = (o - t) * o * (1 - o)
    used = (w2 - .5 * np.outer(delta, h)).T @ delta
    report = mark(CLASSIC, {"layers[1].grad_output": np.round(used, 6).tolist()})
    assert report.fields[0].verdict == "wrong" and "after the update" in report.fields[0].note, report.fields[0]
    right = (w2.T @ delta).round(6).tolist()
    assert mark(CLASSIC, {"layers[1].grad_output": right}).fields[0].verdict == "correct"


MOMENTUM = {"input": [1.0, -2.0], "layers": [{"dense": {"weights": [[0.5, -0.3], [0.2, 0.4]], "bias": [0.1, -0.1]}}, "relu"],
            "target": [0.6, 0.0], "loss": "mse", "learning_rate": 0.1, "optimizer": {"type": "sgd", "momentum": 0.9},
            "iterations": 2}


def test_a_velocity_without_momentum_is_named_from_the_second_iteration():
    d = derive.solve(MOMENTUM)
    rows = [key_fields(row) for row in d.answers()["iterations"]]
    g1, g2 = rows[0]["layers[0].grad_weights"], rows[1]["layers[0].grad_weights"]
    report = check(d, read_submission({"iterations": [{"layers[0].velocity_weights": g1},
                                                       {"layers[0].velocity_weights": g2}]}, d))
    first, second = report.fields
    assert first.verdict == "correct"  # v = 0 before the first step: v′ = g is right
    assert second.verdict == "wrong" and "the velocity without μ·v: v′ = g instead of μ·v + g" in second.note


def test_a_copied_weight_is_no_step_whichever_start_it_copies():
    d = derive.solve(MOMENTUM)
    rows = [key_fields(row) for row in d.answers()["iterations"]]
    # The given weights copied without the gradient; in iteration 2, the right start copied after a wrong first step.
    wrong_first = apply(rows[0]["layers[0].weights_next"], lambda x: x + 1)
    report = check(d, read_submission({"iterations": [{"layers[0].bias_next": rows[0]["layers[0].bias"]},
                                                       {"layers[0].weights_next": rows[1]["layers[0].weights"]}]}, d))
    bias, weights = report.fields
    assert bias.verdict == "wrong" and "no step taken" in bias.note
    report = check(d, read_submission({"iterations": [{"layers[0].weights_next": wrong_first},
                                                       {"layers[0].weights_next": rows[1]["layers[0].weights"]}]}, d))
    second = report.fields[1]
    moved = [a != b for a, b in zip(flat(rows[1]["layers[0].weights"]), flat(rows[1]["layers[0].weights_next"]))]
    assert any(moved) and all(v == "wrong" for v, m in zip(flat(second.cells), moved) if m)
    assert "no step taken" in second.note


def test_a_lazy_network_guess_earns_nothing_for_its_zeros_and_copies():
    d = derive.solve(MOMENTUM)
    row = key_fields(d.answers()["iterations"][0])
    relu_zero = [t == 0 for t in flat(row["layers[1].output"])]
    assert any(relu_zero) and not all(relu_zero)  # the relu's output has a 0 the guess gets right for free
    report = check(d, read_submission({"layers[1].output": [0, 0]}, d))
    assert flat(report.fields[0].cells).count("correct") == relu_zero.count(True) and report.score == 0.0
