"""`derive check` on the tiny LeNet names a student's classic backward slips: max pooling's gradient sent to
every cell of its window (or shared evenly), and the conv kernel's gradient rotated by 180°."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

import derive

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "tiny-lenet.yaml"


def _solved():
    d = derive.solve(SPEC)
    return d, d.answers()["iterations"][0]["layers"]


def _report(d, submission: dict) -> dict:
    return {f.name: f for f in d.check(d.read_submission(submission)).fields}


def _rounded(value) -> list:
    return np.round(np.array(value, dtype=float), 4).tolist()


def test_a_max_pool_gradient_sent_to_every_window_cell_is_named() -> None:
    d, layers = _solved()
    above = np.array(layers[2]["grad_output"], dtype=float)  # ∂L/∂ of the pool's output, 2×2
    every = np.kron(above, np.ones((2, 2)))  # copied to each cell of its 2×2 window
    f = _report(d, {"layers[1].grad_output": _rounded(every)})["layers[1].grad_output"]
    assert f.verdict == "wrong" and "went to every cell of its window" in f.note and "largest input" in f.note
    shared = _report(d, {"layers[1].grad_output": _rounded(every / 4)})["layers[1].grad_output"]
    assert "shared evenly over its window" in shared.note


def test_a_max_pool_slip_is_named_along_the_students_own_gradient() -> None:
    d, layers = _solved()
    own = -np.array(layers[2]["grad_output"], dtype=float)  # a sign slip above, then the routing slip
    f = _report(d, {"layers[2].grad_output": _rounded(own),
                    "layers[1].grad_output": _rounded(np.kron(own, np.ones((2, 2))))})["layers[1].grad_output"]
    assert "went to every cell of its window" in f.note


def test_a_kernel_gradient_rotated_by_180_degrees_is_flipped() -> None:
    d, layers = _solved()
    rotated = np.array(layers[0]["grad_kernel"], dtype=float)[::-1, ::-1]
    f = _report(d, {"layers[0].grad_kernel": _rounded(rotated)})["layers[0].grad_kernel"]
    assert f.verdict == "flipped" and "rotated by 180°" in f.note


def test_the_report_names_the_slips(tmp_path) -> None:
    d, layers = _solved()
    submission = {"layers[1].grad_output": _rounded(np.kron(np.array(layers[2]["grad_output"]), np.ones((2, 2)))),
                  "layers[0].grad_kernel": _rounded(np.array(layers[0]["grad_kernel"])[::-1, ::-1])}
    (tmp_path / "student.yaml").write_text(yaml.safe_dump(submission), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "derive", "check", str(SPEC), "student.yaml"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = {line.split(" | ")[0]: line for line in done.stdout.splitlines() if line.startswith("| `layers")}
    assert "| flipped |" in rows["| `layers[0].grad_kernel`"] and "max pooling went to every cell" in rows["| `layers[1].grad_output`"]


def test_a_kernel_gradient_summed_over_one_output_row_is_a_partial_sum() -> None:
    d, layers = _solved()
    x = np.array(yaml.safe_load(SPEC.read_text(encoding="utf-8"))["input"], dtype=float)
    dz = np.array(layers[0]["grad_output"], dtype=float)  # ∂L/∂z of the 6×6 → 4×4 convolution
    row2 = [[sum(dz[2, j] * x[2 + u, j + v] for j in range(4)) for v in range(3)] for u in range(3)]
    f = _report(d, {"layers[0].grad_kernel": _rounded(row2)})["layers[0].grad_kernel"]
    assert f.verdict == "partial-sum" and "output row 2, of the 4×4" in f.note
