"""The one table of answer fields (derive/fields.py) and the one interface of a solved problem
(derivation.Solved): answers.json, check, variants and mark read the table; cli, build and mark call
the interface for flat and network specs alike."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import derive
from derive import fields
from derive.check import read_submission
from derive.errors import SpecError
from derive.variants import plan

ROOT = Path(__file__).resolve().parent.parent

# Written as a teacher writes it: an activation, a bias and momentum, so every flat field exists.
EVERY_FIELD = """\
input:
  - [1, -1, 2]
  - [0, 2, -1]
  - [-2, 1, 1]
kernel:
  - [0.5, -0.25]
  - [0.25, 0.5]
bias: 0.5
activation: relu
optimizer: {type: sgd, momentum: 0.9}
target:
  - [1, 0]
  - [0, 1]
learning_rate: 0.05
"""
PLAIN = EVERY_FIELD.replace("bias: 0.5\n", "").replace("activation: relu\n", "").replace(
    "optimizer: {type: sgd, momentum: 0.9}\n", "")
# A one-layer network whose loss rises after the step (the learning rate overshoots).
NETWORK = """\
input: [1, 2]
layers:
  - dense: {weights: [[0.5, 0.5]], bias: [0]}
target: [0]
loss: mse
learning_rate: 1
"""


def run(*args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def spec(text: str) -> dict:
    import yaml

    return yaml.safe_load(text)


@pytest.mark.parametrize("text", [EVERY_FIELD, PLAIN], ids=["every-field", "plain"])
def test_the_table_is_the_answer_key(text):
    """answers.json holds exactly the table's fields this problem has, in the table's order."""
    d = derive.solve(spec(text))
    keys = tuple(d.answers()["iterations"][0])
    assert keys == d.answer_fields() == tuple(f.name for f in fields.present(d.problem))
    if text == EVERY_FIELD:
        assert keys == fields.NAMES  # every field of the table, none missing, none extra
    else:
        assert set(fields.NAMES) - set(keys) == {"activation", "grad_bias", "velocity", "velocity_bias", "bias_next"}


def test_each_field_reads_its_values_from_the_model():
    """The table's `read` (velocity → velocity_next) gives the values answers.json writes."""
    d = derive.solve(spec(EVERY_FIELD))
    row, it = d.answers()["iterations"][0], d.iterations[0]
    assert row["velocity"] == [[float(v) for v in r] for r in fields.field("velocity").read(it)[0][0]]
    assert row["velocity_bias"] == float(fields.field("velocity_bias").read(it)[0])
    assert fields.attribute("velocity_bias") == "velocity_bias_next"


def test_check_names_the_table_fields_and_what_a_missing_one_needs():
    plain = derive.solve(spec(PLAIN))
    with pytest.raises(SpecError) as unknown:
        read_submission({"qqq": 1}, plain)
    assert unknown.value.message == f"unknown field (valid: {', '.join(plain.answer_fields())})"
    with pytest.raises(SpecError) as missing:
        read_submission({"velocity_bias": 1}, plain)
    assert missing.value.message == "is not part of this problem's answers (only with a bias and momentum)"


def test_variants_ask_names_the_table_fields_and_what_a_missing_one_needs():
    with pytest.raises(SpecError) as unknown:
        plan({**spec(PLAIN), "ask": ["qqq"]})
    assert unknown.value.message == f"unknown answer field 'qqq' (valid: {', '.join(fields.NAMES)})"
    with pytest.raises(SpecError) as missing:
        plan({**spec(PLAIN), "ask": ["grad_bias"]})
    assert missing.value.message == "grad_bias is not part of this problem's answers (only with a bias)"
    assert plan({**spec(EVERY_FIELD), "ask": list(fields.NAMES)}).ask == fields.NAMES


def test_check_on_the_command_line_says_what_a_missing_field_needs(tmp_path):
    (tmp_path / "plain.yaml").write_text(PLAIN)
    (tmp_path / "answer.yaml").write_text("velocity: [[0, 0], [0, 0]]\n")
    result = run("check", "plain.yaml", "answer.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: answer.yaml: velocity: is not part of this problem's answers (only with momentum)\n"


def test_mark_names_the_fields_when_a_column_is_near_no_answer_column(tmp_path):
    (tmp_path / "plain.yaml").write_text(PLAIN)
    assert run("variants", "plain.yaml", "--count", 1, "--seed", 3, "-o", "hw", cwd=tmp_path).returncode == 0
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([["student", "variant", "loss", "qqqqqqqqqqqq[0]"], ["Ann", 1, "1", "2"]])
    (tmp_path / "r.csv").write_text(text.getvalue())
    result = run("mark", "hw", "r.csv", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    names = ", ".join(name for name in fields.NAMES if name in json.loads(
        (tmp_path / "hw" / "variant-001" / "answers.json").read_text())["iterations"][0])
    assert result.stderr.splitlines()[0] == (
        f"error: r.csv: row 1, column 'qqqqqqqqqqqq[0]': unknown answer column: no field 'qqqqqqqqqqqq' "
        f"(the fields: {names}); its cells were not marked")


def test_build_marks_and_warns_for_flat_and_network_specs_alike(tmp_path):
    """One interface: build solves, marks a submission and warns the same way for both kinds of spec
    (a network's rising loss was not reported by build before)."""
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "net.yaml").write_text(NETWORK)
    (bank / "net.submission.yaml").write_text("prediction: [1.5]\nlayers:\n  - {grad_weights: [[3, 6]]}\n")
    (bank / "flat.yaml").write_text(PLAIN.replace("learning_rate: 0.05", "learning_rate: 50"))
    (bank / "flat.submission.yaml").write_text("loss: 0\n")
    result = run("build", "bank", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert [w.split(":")[1].strip() for w in warnings] == ["flat.yaml", "net.yaml"]
    assert all("the loss rises after the update" in w for w in warnings)
    net = json.loads((tmp_path / "out" / "net" / "check.json").read_text())
    assert net["score"] == 1.0 and list(net["fields"]) == ["prediction", "layers[0].grad_weights"]
    flat = json.loads((tmp_path / "out" / "flat" / "check.json").read_text())
    assert flat["fields"]["loss"]["verdict"] == "wrong"
    index = (tmp_path / "out" / "index.md").read_text()
    assert "3×3 input, 1×2×2 kernel, 2×2 output" in index and "net" in index


@pytest.mark.parametrize("text, answer", [(PLAIN, "loss: 0\n"), (NETWORK, "loss: 0\n")], ids=["flat", "network"])
def test_check_command_marks_flat_and_network_specs(tmp_path, text, answer):
    (tmp_path / "p.yaml").write_text(text)
    (tmp_path / "a.yaml").write_text(answer)
    result = run("check", "p.yaml", "a.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fields"]["loss"]["verdict"] == "wrong"
    markdown = run("check", "p.yaml", "a.yaml", cwd=tmp_path)
    assert markdown.returncode == 0 and "loss" in markdown.stdout


def test_both_derivations_give_the_same_interface():
    flat, network = derive.solve(spec(PLAIN)), derive.solve(spec(NETWORK))
    assert (flat.kind, network.kind) == ("flat", "network")
    assert network.answer_fields()[:4] == ("prediction", "loss", "loss_next", "grad_input")
    assert network.warnings() == ("the loss rises after the update (2.25 → 272.25): the learning rate may be too large",)
    assert flat.for_marking().detail == "full" and network.for_marking() is network
