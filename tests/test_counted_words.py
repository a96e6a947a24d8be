"""Counted nouns on problem sheets and documents agree with their number (1 layer, 2 layers), and the
check report's Markdown table survives a `|` in a note or a field name."""
from __future__ import annotations

import derive
from derive.render import environment

ONE_LAYER = {"input": [1, 2], "layers": [{"dense": {"weights": [[0.5, -0.5]]}}], "target": [1],
             "learning_rate": 0.1}
TWO_LAYERS = {**ONE_LAYER, "layers": [{"dense": {"weights": [[0.5, -0.5]]}}, "relu"]}
FLAT = {"input": [[1, 2, 0], [0, 1, 3], [2, 1, 1]], "kernel": [[1, 0], [0, 1]], "target": [[1, 0], [0, 1]],
        "learning_rate": 0.1}


def test_a_network_of_one_layer_is_singular() -> None:
    for text in (derive.solve(ONE_LAYER).to_markdown(), derive.solve(ONE_LAYER).problem_sheet("markdown")):
        assert "A network of 1 layer maps" in text and "1 layers" not in text
    assert "A network of 2 layers maps" in derive.solve(TWO_LAYERS).problem_sheet("markdown")


def test_one_decimal_is_singular_on_both_sheets() -> None:
    for spec in (ONE_LAYER, FLAT):
        assert "rounded to 1 decimal." in derive.solve(spec, precision=1).problem_sheet("markdown")
        assert "rounded to 3 decimals." in derive.solve(spec, precision=3).problem_sheet("markdown")


def _report(name: str, note: str) -> str:
    field = {"name": name, "verdict": "wrong", "note": note, "table": None, "submitted": "1", "expected": "2",
             "worked": [], "counts": {}}
    view = {"title": "Check of s.yaml", "spec": "p.yaml", "score": "0", "percent": "0.0", "fields": [field]}
    return environment().get_template("check.j2").render(view)


def test_a_pipe_in_a_note_or_name_stays_inside_its_table_cell() -> None:
    text = _report("a|b", "off by |x − y| in cell (0, 1)")
    row = next(line for line in text.splitlines() if line.startswith("| `a"))
    assert row == r"| `a\|b` | wrong | off by \|x − y\| in cell (0, 1) |"
    # Outside the table the note reads as written (a paragraph needs no escape).
    assert "Off by |x − y| in cell (0, 1)." in text


def test_an_index_of_one_variant_is_singular(tmp_path) -> None:
    import subprocess
    import sys

    import yaml

    (tmp_path / "hw.yaml").write_text(yaml.safe_dump(FLAT), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "derive", "variants", "hw.yaml", "--count", "1", "--seed", "3",
                           "-o", "out"], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "index.md").read_text(encoding="utf-8").startswith("# hw: 1 variant\n")


def test_marking_one_asked_cell_says_cell(tmp_path) -> None:
    import subprocess
    import sys

    import yaml

    (tmp_path / "hw.yaml").write_text(yaml.safe_dump({**FLAT, "ask": ["loss"]}), encoding="utf-8")
    run = lambda *args: subprocess.run([sys.executable, "-m", "derive", *args], capture_output=True,  # noqa: E731
                                       text=True, cwd=tmp_path, timeout=600)
    assert run("variants", "hw.yaml", "--count", "1", "--seed", "3", "-o", "out").returncode == 0
    (tmp_path / "r.csv").write_text("student,variant,loss\nAnn,1,0.5\n", encoding="utf-8")
    done = run("mark", "out", "r.csv", "-o", "marked")
    assert done.returncode == 0, done.stderr
    assert "of the 1 asked cell (" in (tmp_path / "marked" / "feedback" / "Ann.md").read_text(encoding="utf-8")
    assert "of the 1 asked cell " in (tmp_path / "marked" / "summary.md").read_text(encoding="utf-8")


def test_one_marked_student_is_singular(tmp_path) -> None:
    import subprocess
    import sys

    spec = tmp_path / "hw.yaml"
    spec.write_text("input: [[1, 2, 0], [0, 1, 3], [2, 1, 1]]\nkernel: [[1, 0], [0, 1]]\n"
                    "target: [[1, 0], [0, 1]]\nlearning_rate: 0.1\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "derive", *a], capture_output=True, text=True)  # noqa: E731
    assert run("variants", str(spec), "--count", "1", "--seed", "1", "-o", str(tmp_path / "hw")).returncode == 0
    (tmp_path / "r.csv").write_text("student,variant,loss\nAda,1,0.5\n")
    marked = run("mark", str(tmp_path / "hw"), str(tmp_path / "r.csv"), "-o", str(tmp_path / "out"))
    assert "marked 1 student into" in marked.stderr, marked.stderr
