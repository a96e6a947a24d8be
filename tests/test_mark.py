"""`derive mark`: a class's CSV of answers marked against a variants folder, run as a teacher runs it."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import derive

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed.yaml"
PREDICTION = ["prediction[0][0]", "prediction[0][1]", "prediction[1][0]", "prediction[1][1]"]
ASKED = [*PREDICTION, "loss", "grad_kernel[0][0]", "grad_kernel[0][1]", "grad_kernel[1][0]", "grad_kernel[1][1]",
         "kernel_next[0][0]", "kernel_next[0][1]", "kernel_next[1][0]", "kernel_next[1][1]"]
GRADS = ASKED[5:9]  # the seed asks for 13 cells: the prediction, the loss, ∂L/∂W and W'
ASKED_CELLS = 13


def run(*args: object, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env=env)


@pytest.fixture(scope="module")
def homework(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hw") / "hw"
    result = run("variants", SEED, "--count", 3, "--seed", 11, "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def key(homework: Path, variant: int) -> dict[str, str]:
    """The right answers of a variant, by column, as answers.csv writes them."""
    with open(homework / "answers.csv", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["variant"] == str(variant))


def partial_sum(homework: Path, variant: int, cells: list[tuple[int, int]]) -> list[str]:
    """∂L/∂W summed over only some output cells (the seed document's mistake), per weight."""
    d = derive.solve(str(homework / f"variant-{variant:03d}" / "problem.yaml"))
    it = d.iterations[0]
    dz, x = it.grad_feature_map[0], it.padded_input[0]
    return [repr(float(sum(dz[i][j] * x[i + u][j + v] for i, j in cells))) for u in (0, 1) for v in (0, 1)]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    path.write_text(text.getvalue(), encoding="utf-8")
    return path


def row(student: str, variant: int, answers: dict[str, str]) -> list[object]:
    return [student, variant, *(answers.get(c, "") for c in ASKED)]


@pytest.fixture(scope="module")
def klass(homework: Path, tmp_path_factory) -> Path:
    """Six students with one known mistake each (or none)."""
    k1, k2, k3 = key(homework, 1), key(homework, 2), key(homework, 3)
    negated = {c: repr(-float(k2[c])) for c in GRADS}
    partial = dict(zip(GRADS, partial_sum(homework, 3, [(0, 0), (1, 0)])))
    rows = [
        row("Ada Lovelace", 1, k1),                                                  # all correct
        row("Blaise", 2, {**k2, **negated}),                                         # sign of ∂L/∂W
        row("Carl", 3, {**k3, "loss": repr(4 * float(k3["loss"]))}),                 # sum for mean
        row("Dora", 3, {**k3, **partial}),                                           # partial sum
        row("Émile/Ng", 1, {"loss": k1["loss"]}),                                    # only the loss
        row("Fay", 2, {"loss": k2["loss"], "grad_kernel[0][0]": k2["grad_kernel[0][0]"]}),  # one cell of ∂L/∂W
    ]
    return write_csv(tmp_path_factory.mktemp("class") / "responses.csv", ["student", "variant", *ASKED], rows)


@pytest.fixture(scope="module")
def marked(homework: Path, klass: Path) -> Path:
    out = klass.parent / "marks"
    result = run("mark", homework, klass, "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def grades(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {r["student"]: r for r in csv.DictReader(handle)}


def test_grades_give_each_student_the_verdict_of_each_asked_field(marked):
    g = grades(marked)
    assert list(next(iter(g.values()))) == ["student", "variant", "score", "prediction", "loss", "grad_kernel", "kernel_next"]
    assert [g["Ada Lovelace"][f] for f in ("score", "loss", "grad_kernel", "kernel_next")] == ["1", "correct", "correct", "correct"]
    assert g["Blaise"]["grad_kernel"] == "sign" and g["Blaise"]["loss"] == "correct"
    assert g["Carl"]["loss"] == "scale" and g["Carl"]["score"] == str(round(12 / 13, 4))
    assert g["Dora"]["grad_kernel"] == "partial-sum"
    # Unanswered cells earn nothing: the score counts every asked cell.
    assert g["Émile/Ng"]["score"] == str(round(1 / 13, 4))
    assert (g["Émile/Ng"]["grad_kernel"], g["Émile/Ng"]["kernel_next"]) == ("unanswered", "unanswered")
    assert g["Fay"]["grad_kernel"] == "correct" and g["Fay"]["score"] == str(round(2 / 13, 4))


def test_feedback_is_checks_report_per_student_with_safe_file_names(marked):
    names = sorted(p.name for p in (marked / "feedback").iterdir())
    assert names == ["Ada_Lovelace.md", "Blaise.md", "Carl.md", "Dora.md", "Fay.md", "Émile_Ng.md"]
    dora = (marked / "feedback" / "Dora.md").read_text(encoding="utf-8")
    assert "# Check of Dora" in dora and "variant-003/problem.yaml" in dora
    assert "a partial sum over only output cells (0, 0), (1, 0) of the 4" in dora
    assert "The correct steps:" in dora and r"\frac{\partial L}{\partial W_{11}}" in dora
    fay = (marked / "feedback" / "Fay.md").read_text(encoding="utf-8")
    assert "| `grad_kernel` | correct |" in fay


def test_summary_counts_verdicts_and_names_the_common_mistakes(marked):
    summary = json.loads((marked / "summary.json").read_text(encoding="utf-8"))
    assert summary["students"] == 6
    gk = summary["fields"]["grad_kernel"]
    assert gk["answered"] == 5
    assert gk["verdicts"] == {"correct": 3, "sign": 1, "partial-sum": 1, "unanswered": 1}
    assert {(d["verdict"], d["students"]) for d in gk["diagnoses"]} == {("sign", 1), ("partial-sum", 1)}
    assert summary["fields"]["loss"]["diagnoses"][0]["note"].startswith("every value is 4 times the right one")
    assert sum(summary["scores"].values()) == 6 and summary["scores"]["100%"] == 1
    text = (marked / "summary.md").read_text(encoding="utf-8")
    assert "- 1 of 5: partial-sum, entries (0, 1), (1, 0), (1, 1): a partial sum over only output cells (0, 0), (1, 0) of the 4" in text
    assert "of the 13 asked cells (unanswered cells earn nothing;" in text and summary["asked_cells"] == 13
    assert "| field | correct | sign | scale | partial-sum | unanswered |" in text  # the verdicts anyone got
    assert "| `grad_kernel` | 3 | 1 | 0 | 1 | 1 |" in text


def test_bad_rows_are_reported_by_row_and_the_rest_are_marked(homework, tmp_path):
    k1 = key(homework, 1)
    header = ["student", "variant", "loss", "gradient_kernel[0][0]"]
    rows = [["Ann", 1, k1["loss"], "1"], ["Ben", 7, "0.5", ""], ["Cleo", 2, "zero point five", ""],
            ["Ann", 3, "0.1", ""], ["ann", 3, "0.1", ""], ["", 1, "0.1", ""], ["Dan", "two", "0.1", ""]]
    responses = write_csv(tmp_path / "r.csv", header, rows)
    result = run("mark", homework, responses, "-o", tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[:-1] == [
        f"error: {responses}: row 1, column 'gradient_kernel[0][0]': unknown answer column (did you mean "
        "'grad_kernel[0][0]'?); its cells were not marked",
        f"error: {responses}: row 3, variant: unknown variant '7' (the homework has variants 1 to 3)",
        f"error: {responses}: row 4, loss: 'zero point five' is not a number",  # reported, and Cleo still marked
        f"error: {responses}: row 5, student: 'Ann' has the same feedback file as row 2: give every student a distinct name",
        f"error: {responses}: row 6, student: 'ann' has the same feedback file as row 2: give every student a distinct name",
        f"error: {responses}: row 7, student: no student name",
        f"error: {responses}: row 8, variant: unknown variant 'two' (the homework has variants 1 to 3)",
    ]
    assert "Traceback" not in result.stderr
    marked = grades(tmp_path / "out")
    assert list(marked) == ["Ann", "Cleo"] and (marked["Ann"]["loss"], marked["Cleo"]["loss"]) == ("correct", "wrong")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "r.csv"]  # nothing half-written beside it


@pytest.mark.parametrize("problem, expected", [
    ("not-a-folder", "is not a directory"),
    ("no-variants", "holds no variant-NNN/answers.json"),
    ("no-student-column", "the first row must have one `student` column"),
    ("out-exists", "exists and is not empty: use --force to replace it"),
])
def test_bad_input_is_one_line_and_writes_nothing(homework, tmp_path, problem, expected):
    responses = write_csv(tmp_path / "r.csv", ["student", "variant", "loss"], [["Ann", 1, "0.5"]])
    hw, out = homework, tmp_path / "out"
    if problem == "not-a-folder":
        hw = responses
    elif problem == "no-variants":
        hw = tmp_path / "empty"
        hw.mkdir()
    elif problem == "no-student-column":
        write_csv(responses, ["name", "variant", "loss"], [["Ann", 1, "0.5"]])
    else:
        out.mkdir()
        (out / "grades.csv").write_text("kept")
    result = run("mark", hw, responses, "-o", out)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and expected in result.stderr and "Traceback" not in result.stderr
    if problem == "out-exists":
        assert (out / "grades.csv").read_text() == "kept"
    else:
        assert not out.exists()


def test_byte_identical_across_runs_jobs_and_hash_seeds(homework, klass, marked, tmp_path):
    env = dict(os.environ, PYTHONHASHSEED="123")
    result = run("mark", homework, klass, "-o", tmp_path / "again", "--jobs", "2", env=env)
    assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(marked) for p in marked.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*") if p.is_file())
    for name in files:
        assert (marked / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_figures_draw_the_summary(homework, klass, tmp_path):
    result = run("mark", homework, klass, "-o", tmp_path / "out", "--figures")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "figures" / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "figures/summary.png" in (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")


def test_the_answer_key_built_once_is_handed_out_as_a_fresh_copy():
    d = derive.solve(str(SEED))
    d.answers()["iterations"][0]["loss"] = 99  # a caller's change must not reach the next caller
    assert d.answers()["iterations"][0]["loss"] == 0.365


def test_a_semicolon_separated_export_is_read_like_a_comma_separated_one(homework, tmp_path):
    k1 = key(homework, 1)
    responses = tmp_path / "r.csv"
    responses.write_text(f"\ufeffstudent;variant;loss\nAnn;1;{k1['loss']}\nBo;1;1\n", encoding="utf-8")
    result = run("mark", homework, responses, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert [(r["student"], r["loss"]) for r in grades(tmp_path / "out").values()] == [("Ann", "correct"), ("Bo", "wrong")]


def test_the_score_is_over_every_asked_cell_whether_its_column_is_absent_or_empty(homework, tmp_path):
    """The trial's Rita answered only ∂L/∂W: 4 of the 13 asked cells, not 4 of 4 (nor 3 of 24)."""
    k1 = key(homework, 1)
    only = write_csv(tmp_path / "only.csv", ["student", "variant", *GRADS], [["Rita", 1, *(k1[c] for c in GRADS)]])
    empty = write_csv(tmp_path / "empty.csv", ["student", "variant", *ASKED], [row("Rita", 1, {c: k1[c] for c in GRADS})])
    for responses in (only, empty):
        out = tmp_path / f"out-{responses.stem}"
        result = run("mark", homework, responses, "-o", out)
        assert result.returncode == 0, result.stderr
        rita = grades(out)["Rita"]
        assert rita["score"] == str(round(4 / ASKED_CELLS, 4))
        assert [rita[f] for f in ("prediction", "loss", "grad_kernel", "kernel_next")] == [
            "unanswered", "unanswered", "correct", "unanswered"]
        assert "Score: **30.8%** of the 13 asked cells (an unanswered one earns nothing" in (out / "feedback" / "Rita.md").read_text(encoding="utf-8")
        assert "Mean score 30.8%, median 30.8% of the 13 asked cells" in (out / "summary.md").read_text(encoding="utf-8")


def test_an_unreadable_cell_is_reported_and_the_student_still_marked_wrong_there(homework, tmp_path):
    """The trial's Gus wrote the loss in words: he lost no grade but that cell's."""
    k1 = key(homework, 1)
    responses = write_csv(tmp_path / "r.csv", ["student", "variant", "loss", *GRADS],
                          [["Ann", 1, k1["loss"], *(k1[c] for c in GRADS)],
                           ["Gus", 1, "zero point five", *(k1[c] for c in GRADS)]])
    result = run("mark", homework, responses, "-o", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[:-1] == [f"error: {responses}: row 3, loss: 'zero point five' is not a number"]
    assert result.stderr.splitlines()[-1].startswith("marked 2 students into")
    gus = grades(tmp_path / "out")["Gus"]
    assert (gus["loss"], gus["grad_kernel"], gus["score"]) == ("wrong", "correct", str(round(4 / ASKED_CELLS, 4)))
    feedback = (tmp_path / "out" / "feedback" / "Gus.md").read_text(encoding="utf-8")
    assert "| `loss` | wrong | not a number: 'zero point five' |" in feedback
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["fields"]["loss"]["verdicts"] == {"correct": 1, "wrong": 1}


def test_an_unreadable_cell_of_a_matrix_is_named_as_an_entry(homework, tmp_path):
    k1 = key(homework, 1)
    cells = [k1[c] for c in GRADS]
    cells[1] = "1,3"  # a decimal comma in a comma-separated file, quoted by the spreadsheet
    responses = write_csv(tmp_path / "r.csv", ["student", "variant", *GRADS], [["Gus", 1, *cells]])
    result = run("mark", homework, responses, "-o", tmp_path / "out")
    assert result.returncode == 2 and "row 2, grad_kernel[0][1]:" in result.stderr
    assert grades(tmp_path / "out")["Gus"]["grad_kernel"] == "wrong"
    feedback = (tmp_path / "out" / "feedback" / "Gus.md").read_text(encoding="utf-8")
    assert "entry (0, 1): not a number: '1,3'" in feedback


# Network homework: the 2-2-2 network's variants, answered by a class with known mistakes.
NET_SPEC = ROOT / "examples" / "two-two-two.yaml"


@pytest.fixture(scope="module")
def net_homework(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nethw") / "hw"
    result = run("variants", NET_SPEC, "--count", 2, "--seed", 7, "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def net_asked(homework: Path) -> list[str]:
    """The asked answer columns of the network homework, in answers.csv's order."""
    import yaml

    ask = yaml.safe_load((homework / "variant-001" / "problem.yaml").read_text())["ask"]
    header = next(csv.reader(open(homework / "answers.csv", newline="")))
    return [c for c in header if any(c == a or c.startswith(a + "[") for a in ask)]


@pytest.fixture(scope="module")
def net_class(net_homework, tmp_path_factory) -> tuple[Path, Path]:
    """Ada all right; Ben's layers[2].grad_weights negated and his loss unreadable; Cy only the prediction."""
    columns = net_asked(net_homework)
    one, two = key(net_homework, 1), key(net_homework, 2)
    ben = {c: (repr(-float(two[c])) if c.startswith("layers[2].grad_weights[") else two[c]) for c in columns}
    ben["loss"] = "abc"
    rows = [["Ada", 1, *(one[c] for c in columns)], ["Ben", 2, *(ben[c] for c in columns)],
            ["Cy", 1, *(one[c] if c.startswith("prediction") else "" for c in columns)]]
    folder = tmp_path_factory.mktemp("netclass")
    klass = write_csv(folder / "class.csv", ["student", "variant", *columns], rows)
    result = run("mark", net_homework, klass, "-o", folder / "marks")
    assert result.returncode == 2, result.stderr  # Ben's unreadable loss is reported
    assert result.stderr.splitlines()[0] == f"error: {klass}: row 3, loss: 'abc' is not a number"
    return klass, folder / "marks"


def test_network_grades_have_a_verdict_per_asked_layer_field(net_class):
    with open(net_class[1] / "grades.csv", newline="") as handle:
        grades = {r["student"]: r for r in csv.DictReader(handle)}
    fields = ["prediction", "loss", "layers[0].grad_weights", "layers[0].weights_next", "layers[0].grad_bias",
              "layers[2].grad_weights", "layers[2].weights_next", "layers[2].grad_bias"]
    assert list(grades["Ada"])[3:] == fields
    assert grades["Ada"]["score"] == "1" and set(grades["Ada"][f] for f in fields) == {"correct"}
    assert grades["Ben"]["layers[2].grad_weights"] == "sign" and grades["Ben"]["loss"] == "wrong"
    assert grades["Ben"]["layers[0].grad_weights"] == "correct"
    # 23 asked cells: Ben missed the loss and ∂L/∂W of layer 2 (5 cells); Cy gave only the 2 prediction cells.
    assert grades["Ben"]["score"] == f"{round(18 / 23, 4):.4g}" and grades["Cy"]["score"] == f"{round(2 / 23, 4):.4g}"
    assert grades["Cy"]["loss"] == "unanswered"


def test_network_feedback_and_summary_name_the_mistakes(net_class):
    feedback = (net_class[1] / "feedback" / "Ben.md").read_text(encoding="utf-8")
    assert "of the 23 asked cells" in feedback and "| `layers[2].grad_weights` | sign |" in feedback
    summary = json.loads((net_class[1] / "summary.json").read_text(encoding="utf-8"))
    assert summary["asked_cells"] == 23 and summary["students"] == 3
    diagnoses = summary["fields"]["layers[2].grad_weights"]["diagnoses"]
    assert [(d["verdict"], d["students"]) for d in diagnoses] == [("sign", 1)]
    assert "### `layers[2].grad_weights`" in (net_class[1] / "summary.md").read_text(encoding="utf-8")


def test_network_marking_is_byte_identical_across_jobs(net_homework, net_class, tmp_path):
    klass, marked = net_class
    result = run("mark", net_homework, klass, "-o", tmp_path / "again", "--jobs", "2",
                 env=dict(os.environ, PYTHONHASHSEED="5"))
    assert result.returncode == 2, result.stderr
    files = sorted(p.relative_to(marked) for p in marked.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*") if p.is_file())
    for name in files:
        assert (marked / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_network_column_of_a_layer_without_the_field_is_reported(net_homework, tmp_path):
    klass = write_csv(tmp_path / "c.csv", ["student", "variant", "layers[1].grad_weights[0][0]"], [["Ada", 1, "0.1"]])
    result = run("mark", net_homework, klass, "-o", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "column 'layers[1].grad_weights[0][0]': unknown answer column" in result.stderr


def test_an_empty_cell_is_shown_blank_not_as_the_right_value(homework, tmp_path):
    """A student who answers only prediction[0][0], wrongly: the feedback's Submitted matrix shows □ in the
    other cells, never the right values check was given to mark them."""
    right = key(homework, 1)
    responses = write_csv(tmp_path / "r.csv", ["student", "variant", "prediction[0][0]"], [["Bob", 1, "97.5"]])
    result = run("mark", homework, responses, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    feedback = (tmp_path / "out" / "feedback" / "Bob.md").read_text()
    shown = feedback.split("Submitted:")[1].split("$$")[1]
    assert "97.5" in shown and shown.count(r"\square") == 3 and right["prediction[1][1]"] not in shown, shown


def test_a_right_zero_weighs_nothing_in_a_students_score(tmp_path):
    """check's score rule: on a sparse problem (padding, max pooling) a guess of 0 earns nothing for the many right
    zeros of ∂L/∂X (Zed leaves the loss empty); the feedback says how many asked cells count."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_check import SPARSE

    spec = {**SPARSE, "iterations": 1, "ask": ["loss", "grad_input"]}
    (tmp_path / "sparse.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = run("variants", tmp_path / "sparse.yaml", "--count", 1, "--seed", 3, "-o", tmp_path / "hw")
    assert result.returncode == 0, result.stderr
    answers = key(tmp_path / "hw", 1)
    columns = ["loss", *(c for c in answers if c.startswith("grad_input["))]
    zeros = [c for c in columns if float(answers[c]) == 0]
    assert 0 < len(zeros) < len(columns) - 1
    responses = write_csv(tmp_path / "responses.csv", ["student", "variant", *columns],
                          [["Zed", 1, "", *("0" for _ in columns[1:])], ["Ada", 1, *(answers[c] for c in columns)]])
    result = run("mark", tmp_path / "hw", responses, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    scores = {student: float(r["score"]) for student, r in grades(tmp_path / "out").items()}
    assert scores == {"Zed": 0.0, "Ada": 1.0}  # the old rule: Zed earned his right zeros
    feedback = (tmp_path / "out" / "feedback" / "Zed.md").read_text(encoding="utf-8")
    counted = len(columns) - len(zeros)
    assert f"of the {counted} asked cells that count (of {len(columns)} asked)" in feedback
