"""`derive variants` and `derive mark` on a flat spec with Adam: the teacher's flat answer names throughout."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

# Written as a teacher writes one: plain YAML numbers, a flat spec, Adam.
FLAT_ADAM = """\
title: Adam by hand
input:
  - [1, 2, 0]
  - [0, 1, 3]
  - [2, 1, 1]
kernel:
  - [0.5, -0.5]
  - [0.25, 0]
bias: 0.1
target:
  - [1, 0]
  - [0.5, 1]
activation: relu
learning_rate: 0.1
optimizer: {type: adam}
ask: [loss, grad_kernel, kernel_next]
"""


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def homework(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("flat-adam")
    (folder / "hw.yaml").write_text(FLAT_ADAM, encoding="utf-8")
    done = run("variants", "hw.yaml", "--count", 2, "--seed", 5, "-o", "out", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


def _table(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_answers_csv_names_the_flat_fields(homework: Path) -> None:
    header = (homework / "out" / "answers.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "kernel_next[0][1]" in header and "grad_kernel[1][0]" in header
    assert not [name for name in header if name.startswith("layers[") or name.startswith("optimizer_state")]


def test_problem_yaml_stays_a_flat_spec_asking_flat_names(homework: Path) -> None:
    spec = yaml.safe_load((homework / "out" / "variant-001" / "problem.yaml").read_text(encoding="utf-8"))
    assert "layers" not in spec and "kernel" in spec and spec["optimizer"]["type"] == "adam"
    assert spec["ask"] == ["loss", "grad_kernel", "kernel_next"]
    again = run("solve", "out/variant-001/problem.yaml", "--format", "json", cwd=homework)
    assert again.returncode == 0, again.stderr


def test_lms_blanks_carry_the_flat_names(homework: Path) -> None:
    blanks = (homework / "out" / "prairielearn" / "hw" / "variants.json").read_text(encoding="utf-8")
    assert '"kernel_next[0][1]"' in blanks and "layers[0]" not in blanks


def test_mark_reads_the_flat_column_names(homework: Path) -> None:
    key = _table(homework / "out" / "answers.csv")[0]
    responses = homework / "responses.csv"
    with responses.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "variant", "loss", "kernel_next[0][1]", "layers[0].grad_kernel[0][0]"])
        writer.writerow(["Ada", key["variant"], key["loss"], key["kernel_next[0][1]"], key["grad_kernel[0][0]"]])
    done = run("mark", "out", responses.name, "-o", "marked", cwd=homework)
    assert done.returncode == 0, done.stderr
    grades = _table(homework / "marked" / "grades.csv")
    assert grades[0]["kernel_next"] == "correct" and grades[0]["loss"] == "correct"
    # The network's name is still read, and counts as the asked flat field it is.
    assert grades[0]["grad_kernel"] == "correct" and not [name for name in grades[0] if name.startswith("layers[")]
