"""`derive variants`: reproducible, checked, correct variants with LMS exports."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from fractions import Fraction
from html import unescape
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
import yaml

import derive
import oracle
from cloze import numerical_blanks
from derive.errors import SpecError
from derive.spec import read_spec
from derive.variants import CHECKS, distinct_problems, plan

ROOT = Path(__file__).resolve().parent.parent
HOMEWORK = """\
title: Homework 3
input: [[1, 2, 1], [0, 1, 2], [2, 1, 0]]
kernel: [[0.5, 0.2], [0.3, 0.7]]
target: [[1, 2], [2, 1]]
bias: 0
learning_rate: 0.1
activation: relu
ask: [prediction, loss, grad_kernel, grad_bias, kernel_next]
variants:
  input: {integers: [-2, 3]}
  kernel: {decimals: 1, range: [-1, 1]}
  bias: {decimals: 1, range: [-0.5, 0.5]}
  nice: 4
"""
COUNT = 12


def run(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def homework(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("homework")
    spec = root / "homework.yaml"
    spec.write_text(HOMEWORK)
    out = root / "out"
    result = run("variants", spec, "--count", COUNT, "--seed", 42, "-o", out)
    assert result.returncode == 0, result.stderr
    return spec, out


def folders(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir() and p.name.startswith("variant-"))


def test_every_file_is_there(homework):
    _, out = homework
    assert [p.name for p in folders(out)] == [f"variant-{i:03d}" for i in range(1, COUNT + 1)]
    for folder in folders(out):
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            ["problem.yaml", "problem.md", "problem.tex", "solution.md", "solution.tex", "answers.json"])
    assert {p.name for p in out.iterdir() if p.is_file()} == {"answers.csv", "index.md", "moodle.xml", "qti.zip"}
    assert sorted(p.name for p in (out / "prairielearn").iterdir()) == ["homework"]  # named after the spec file


def test_every_answer_key_matches_the_oracle(homework):
    from test_oracle import assert_matches

    _, out = homework
    for folder in folders(out):
        spec = read_spec(folder / "problem.yaml")
        assert_matches(json.loads((folder / "answers.json").read_text()), oracle.solve(spec))


def test_problem_yaml_reproduces_the_solution_and_records_its_origin(homework):
    _, out = homework
    folder = folders(out)[4]
    recorded = yaml.safe_load((folder / "problem.yaml").read_text())
    assert recorded["variant"]["index"] == 5 and recorded["variant"]["derive"] == derive.__version__
    assert recorded["ask"] == ["prediction", "loss", "grad_kernel", "grad_bias", "kernel_next"]
    assert run("solve", folder / "problem.yaml", "--format", "json").stdout == (folder / "answers.json").read_text()
    assert run("solve", folder / "problem.yaml").stdout == (folder / "solution.md").read_text()


def test_problem_sheet_has_no_answers(homework):
    _, out = homework
    folder = folders(out)[0]
    sheet = (folder / "problem.md").read_text()
    assert "## Tasks" in sheet and "Step 1" not in sheet
    loss = json.loads((folder / "answers.json").read_text())["iterations"][0]["loss"]
    assert f"L = {loss}" not in sheet


def test_variants_are_good_exercises(homework):
    spec, out = homework
    the_plan = plan(read_spec(spec))
    seen = set()
    for folder in folders(out):
        d = derive.solve(folder / "problem.yaml")
        for name, check in CHECKS:
            assert check(d.problem, d.iterations, the_plan), (folder.name, name)
        numbers = (d.problem.input, d.problem.kernel, d.problem.target, d.problem.bias)
        assert numbers not in seen
        seen.add(numbers)
        it = d.answers()["iterations"][0]
        assert all(Decimal(str(v)).as_tuple().exponent >= -4 for v in np.ravel(it["grad_kernel"]))  # nice: 4
        assert min(np.ravel(d.answers()["problem"]["kernel"])) >= -1  # the rule's range


@pytest.mark.parametrize("check", [name for name, _ in CHECKS])
def test_each_check_can_fail(check):
    """A check that never rejects anything would be a test that cannot fail."""
    from derive.model import train
    from derive.problem import build_problem

    bad = {
        "no gradient entry exactly zero": dict(BASE, input=[[1, 0, 1], [0, 0, 0], [1, 0, 1]], kernel=[[1, 0], [0, 1]]),
        "no ReLU input exactly 0": dict(BASE, activation="relu", kernel=[[1, -1], [0, 0]], input=[[1, 1, 2], [0, 3, 1], [2, 1, 0]]),
        "no max-pooling tie": dict(BASE, pooling={"type": "max", "size": 2}, target=[[0]], kernel=[[1, 0], [0, 0]],
                                   input=[[1, 1, 0], [1, 1, 0], [0, 0, 0]]),
        "the loss falls after the update": dict(BASE, learning_rate=5),
        "answers with at most `nice` decimals": dict(BASE, kernel=[["1/3", 0.2], [0.3, 0.7]], variants={"nice": 2}),
    }[check]
    the_plan = plan(bad)
    problem = build_problem(bad)
    fn = dict(CHECKS)[check]
    assert not fn(problem, train(problem), the_plan)


BASE = {"input": [[1, 2, 1], [0, 1, 2], [2, 1, 0]], "kernel": [[0.5, 0.2], [0.3, 0.7]], "target": [[1, 2], [2, 1]],
        "learning_rate": 0.1}


def test_answers_csv_has_a_row_per_variant_with_readable_columns(homework):
    _, out = homework
    rows = list(csv.DictReader((out / "answers.csv").open()))
    assert len(rows) == COUNT
    assert {"variant", "seed", "loss", "grad_kernel[0][1]", "kernel_next[1][1]", "grad_bias"} <= set(rows[0])
    third = json.loads((out / "variant-003" / "answers.json").read_text())["iterations"][0]
    assert float(rows[2]["grad_kernel[0][1]"]) == third["grad_kernel"][0][1]


def test_moodle_xml_has_one_cloze_question_per_variant_with_answers_and_tolerance(homework):
    _, out = homework
    quiz = ET.parse(out / "moodle.xml").getroot()
    questions = quiz.findall("question[@type='cloze']")
    assert len(questions) == COUNT
    for k, question in enumerate(questions, start=1):
        text = question.find("questiontext/text").text
        key = json.loads((out / f"variant-{k:03d}" / "answers.json").read_text())["iterations"][0]
        blanks = [(str(b[0].value), str(b[0].tolerance)) for b in numerical_blanks(text)]
        expected = np.concatenate([np.ravel(key[f]) for f in ("prediction", "loss", "grad_kernel", "grad_bias", "kernel_next")])
        assert len(blanks) == len(expected)
        np.testing.assert_allclose([float(v) for v, _ in blanks], expected, rtol=0, atol=0)
        assert {t for _, t in blanks} == {"0.00005"}  # half a unit in the 4th decimal


def test_qti_zip_has_a_quiz_per_variant_with_numeric_answers_and_bounds(homework):
    _, out = homework
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    with zipfile.ZipFile(out / "qti.zip") as archive:
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
        resources = [r for r in manifest.iter() if r.tag.endswith("resource")]
        assert len(resources) == COUNT
        for k, resource in enumerate(resources, start=1):
            root = ET.fromstring(archive.read(resource.find("{*}file").get("href")))
            items = root.findall(".//q:item", ns)
            numeric = [i for i in items if "numerical_question" in ET.tostring(i, encoding="unicode")]
            key = json.loads((out / f"variant-{k:03d}" / "answers.json").read_text())["iterations"][0]
            expected = np.concatenate([np.ravel(key[f]) for f in ("prediction", "loss", "grad_kernel", "grad_bias", "kernel_next")])
            assert len(numeric) == len(expected)
            for item, value in zip(numeric, expected):
                assert float(item.find(".//q:varequal", ns).text) == value
                low, high = float(item.find(".//q:vargte", ns).text), float(item.find(".//q:varlte", ns).text)
                assert low == pytest.approx(value - 0.00005) and high == pytest.approx(value + 0.00005)


def test_byte_identical_across_jobs_and_hash_seeds(homework, tmp_path):
    spec, out = homework
    env = dict(os.environ, PYTHONHASHSEED="123")
    other = tmp_path / "again"
    result = run("variants", spec, "--count", COUNT, "--seed", 42, "-o", other, "--jobs", 2, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        assert (other / path.relative_to(out)).read_bytes() == path.read_bytes(), path


def test_only_regenerates_one_variant_identically(homework, tmp_path):
    spec, out = homework
    alone = tmp_path / "alone"
    result = run("variants", spec, "--count", COUNT, "--seed", 42, "-o", alone, "--only", 7)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in alone.iterdir()] == ["variant-007"]
    for path in (out / "variant-007").iterdir():
        assert (alone / "variant-007" / path.name).read_bytes() == path.read_bytes()


def test_a_different_seed_gives_different_variants(homework, tmp_path):
    spec, out = homework
    other = tmp_path / "other"
    assert run("variants", spec, "--count", 2, "--seed", 43, "-o", other).returncode == 0
    assert (other / "variant-001" / "problem.yaml").read_text() != (out / "variant-001" / "problem.yaml").read_text()


def test_default_drawing_keeps_the_base_kind_of_numbers():
    the_plan = plan(read_spec(ROOT / "examples" / "seed.yaml"))
    assert the_plan.rules["input"].places == 0 and (the_plan.rules["input"].low, the_plan.rules["input"].high) == (0, 2)
    assert the_plan.rules["kernel"].places == 1 and (the_plan.rules["kernel"].low, the_plan.rules["kernel"].high) == (
        Decimal("0.2"), Decimal("0.7"))
    assert distinct_problems(the_plan) == 3**9 * 6**4 * 2**4


def test_target_from_a_hidden_kernel_is_reachable():
    spec = dict(BASE, variants={"target": {"from_kernel": {"decimals": 1, "range": [-1, 1]}}})
    from derive.variants import Stream, candidate

    drawn = candidate(plan(spec), Stream(5))
    assert drawn["target"] != BASE["target"]
    assert np.ravel(drawn["target"]).size == 4


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"variants": {"input": {"integers": [0, 0]}, "kernel": "fixed", "target": "fixed"}}, "--count 12 is more than the 1 distinct"),
        ({"variants": {"kernel": {"decimals": 1, "range": [1, 0]}}}, "variants.kernel: the range [1, 0] is empty"),
        ({"variants": {"kernel": {"digits": 1}}}, "variants.kernel: must be {integers: [low, high]}"),
        ({"variants": {"weights": "fixed"}}, "variants: unknown key 'weights'"),
        ({"variants": {"nice": 0, "input": {"integers": [1, 1]}, "kernel": {"decimals": 1, "range": [0.1, 0.2]}}},
         "variants.nice: 0 decimals cannot be met: none of 200 drawn candidates"),
        ({"learning_rate": 5, "variants": {"input": {"integers": [1, 2]}}},
         "variants: no variant can be drawn: none of 200 drawn candidates passed every check (most often failed: "
         "the loss falls after the update, by 198); the update overshoots; lower learning_rate (or momentum)"),
        ({"ask": ["gradient"]}, "ask: unknown answer field 'gradient'"),
        ({"ask": ["grad_bias"]}, "ask: grad_bias is not part of this problem's answers"),
        ({"activation": "sigmoid", "variants": {"nice": 3}}, "variants.nice: cannot be met: sigmoid values never terminate"),
    ],
)
def test_bad_variant_specs_get_one_line(tmp_path, extra, message):
    spec = tmp_path / "hw.yaml"
    spec.write_text(yaml.safe_dump(dict(BASE, **extra)))
    out = tmp_path / "out"
    result = run("variants", spec, "--count", COUNT, "--seed", 1, "-o", out)
    assert result.returncode == 2, result.stdout
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert message in result.stderr
    assert not out.exists()


def test_solve_checks_homework_keys_too(tmp_path):
    with pytest.raises(SpecError, match="ask: unknown answer field"):
        derive.solve(dict(BASE, ask=["nope"]))


def test_problem_yaml_reads_back_as_the_same_spec():
    from derive.answers import dumps_yaml
    from derive.spec import parse_text

    spec = {"title": 'A "quoted": title # not a comment', "input": [[1, -2.5], [3, 4]],
            "kernel": [[[[0.5]], [["1/3"]]]], "learning_rate": 0.1, "pooling": {"type": "max", "size": [2, 2]},
            "ask": ["loss"], "variant": {"index": 3, "seed": 18446744073709551615, "derive": "0.1.0"}}
    def floats(value):  # exact decimals read back as Fractions; the spec wrote them as floats
        if isinstance(value, dict):
            return {k: floats(v) for k, v in value.items()}
        if isinstance(value, list):
            return [floats(v) for v in value]
        return float(value) if type(value).__name__ == "Written" else value

    assert floats(parse_text(dumps_yaml(spec), ".yaml")) == spec


# --- Tolerances: a student who rounds every intermediate value, as the sheet says, must pass ---

NINE_CELLS = """\
title: Nine cells
input: [[1, 2, 1, 0], [0, 1, 2, 1], [2, 1, 0, 1], [1, 0, 2, 2]]
kernel: [[0.5, 0.2], [0.3, 0.7]]
target: [[1, 2, 1], [2, 1, 0], [1, 1, 2]]
bias: 0.1
learning_rate: 0.1
"""
EIGHTEEN_CELLS = """\
title: Eighteen cells
input: [[1, 2, 1, 0, 2, 1, 0], [0, 1, 2, 1, 1, 0, 2], [2, 1, 0, 1, 2, 2, 1], [1, 0, 2, 2, 0, 1, 1]]
kernel: [[0.5, 0.2], [0.3, 0.7]]
target: [[1, 2, 1, 0, 2, 1], [2, 1, 0, 1, 2, 2], [1, 1, 2, 0, 1, 2]]
bias: 0.1
learning_rate: 0.1
"""
DEFAULT_FIELDS = ("prediction", "loss", "grad_kernel", "grad_bias", "kernel_next", "bias_next")


def school_round(x: Fraction, places: int = 4) -> Fraction:
    """Halves away from zero, through Decimal: independent of derive's rounding."""
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        d = (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return Fraction(d)


def rounding_student(spec: dict) -> dict[str, np.ndarray]:
    """The sheet's instructions followed literally (a plain cross-correlation with bias and MSE):
    every value written down is rounded to 4 decimals before it is used again."""
    R = np.vectorize(school_round, otypes=[object])
    exact = np.vectorize(lambda v: Fraction(str(v)), otypes=[object])
    x, w, t = exact(np.array(spec["input"])), exact(np.array(spec["kernel"])), exact(np.array(spec["target"]))
    b, eta = Fraction(str(spec["bias"])), Fraction(str(spec["learning_rate"]))
    kh, kw = w.shape
    oh, ow = t.shape
    n = oh * ow

    def conv(w, b):
        return np.array([[sum(x[i:i + kh, j:j + kw].ravel() * w.ravel()) + b for j in range(ow)] for i in range(oh)],
                        dtype=object)

    y = R(conv(w, b))
    dy = R(Fraction(2, n) * (y - t))
    gw = R(np.array([[sum((dy * x[u:u + oh, v:v + ow]).ravel()) for v in range(kw)] for u in range(kh)], dtype=object))
    gb = school_round(sum(dy.ravel()))
    w_next, b_next = R(w - eta * gw), school_round(b - eta * gb)
    return {"prediction": y, "loss": np.array(school_round(sum(((y - t) ** 2).ravel()) / n)), "grad_kernel": gw,
            "grad_bias": np.array(gb), "kernel_next": w_next, "bias_next": np.array(b_next), "dy": dy, "x": x}


def moodle_blanks(out: Path) -> list[list[tuple[Decimal, Decimal]]]:
    """(value, tolerance) of every NUMERICAL blank, per question."""
    quiz = ET.parse(out / "moodle.xml").getroot()
    return [[(b[0].value, b[0].tolerance) for b in numerical_blanks(q.find("questiontext/text").text)]
            for q in quiz.findall("question[@type='cloze']")]


@pytest.fixture(scope="module", params=[NINE_CELLS, EIGHTEEN_CELLS], ids=["9 cells", "18 cells"])
def mse_homework(request, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mse")
    (root / "hw.yaml").write_text(request.param)
    result = run("variants", root / "hw.yaml", "--count", 6, "--seed", 7, "-o", root / "out")
    assert result.returncode == 0, result.stderr
    return root / "out"


def test_a_student_rounding_every_step_is_inside_every_tolerance(mse_homework):
    off_by_more_than_half_a_unit = 0
    for k, blanks in enumerate(moodle_blanks(mse_homework), start=1):
        spec = yaml.safe_load((mse_homework / f"variant-{k:03d}" / "problem.yaml").read_text())
        student = rounding_student(spec)
        answers = np.concatenate([np.ravel(student[f]) for f in DEFAULT_FIELDS])
        assert len(answers) == len(blanks)
        for (value, tol), answer in zip(blanks, answers):
            distance = abs(Fraction(answer) - Fraction(value))
            assert distance <= tol, (k, value, tol, answer)
            off_by_more_than_half_a_unit += distance > Fraction(5, 10**5)
    # The point of the test: with 2/9 (2/18) and a sum over the cells, such a student is farther
    # off than half a unit somewhere; a tolerance of ±0.00005 everywhere would fail them.
    assert off_by_more_than_half_a_unit > 0


@pytest.mark.parametrize("base", [NINE_CELLS, EIGHTEEN_CELLS], ids=["9 cells", "18 cells"])
def test_typical_wrong_gradients_are_outside_the_tolerance(base, tmp_path):
    # The base problems themselves (every matrix fixed), whose wrong answers are known to differ.
    (tmp_path / "hw.yaml").write_text(base + "variants: {input: fixed, kernel: fixed, target: fixed, bias: fixed}\n")
    assert run("variants", tmp_path / "hw.yaml", "--count", 1, "--seed", 1, "-o", tmp_path / "out").returncode == 0
    for k, blanks in enumerate(moodle_blanks(tmp_path / "out"), start=1):
        spec = yaml.safe_load(base)
        student = rounding_student(spec)
        dy, x = student["dy"], student["x"]
        oh, ow = dy.shape
        first = len(np.ravel(student["prediction"])) + 1
        grads = blanks[first:first + 4]
        for (u, v), (value, tol) in zip([(0, 0), (0, 1), (1, 0), (1, 1)], grads):
            exact = Fraction(value)
            full = sum((dy * x[u:u + oh, v:v + ow]).ravel())
            partial = sum((dy * x[u:u + oh, v:v + ow])[0].ravel())  # only the first row of output cells
            for wrong in (-exact, exact / 2, partial):
                assert abs(wrong - exact) > tol, (k, (u, v), wrong, exact, tol)
            assert abs(full - exact) <= tol


def test_every_blank_has_at_least_half_a_unit_and_qti_uses_the_same_tolerances(mse_homework):
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    blanks = moodle_blanks(mse_homework)
    with zipfile.ZipFile(mse_homework / "qti.zip") as archive:
        for k, expected in enumerate(blanks, start=1):
            root = ET.fromstring(archive.read(f"variant-{k:04d}.xml"))
            numeric = [i for i in root.findall(".//q:item", ns) if i.find(".//q:varequal", ns) is not None]
            assert len(numeric) == len(expected)
            for item, (value, tol) in zip(numeric, expected):
                assert tol >= Decimal("0.00005")
                assert Decimal(item.find(".//q:vargte", ns).text) == value - tol
                assert Decimal(item.find(".//q:varlte", ns).text) == value + tol


def test_tolerance_is_half_a_unit_plus_the_rounding_carried_into_the_answer():
    """The README's worked example: ∂L/∂W₀₀ of the nine-cell problem."""
    from derive.tolerance import tolerances

    d = derive.solve(yaml.safe_load(NINE_CELLS))
    tol = tolerances(d.problem, d.iterations, 4)[0]
    student = rounding_student(yaml.safe_load(NINE_CELLS))
    exact = d.iterations[0].grad_kernel[0][0][0][0]
    unrounded = sum((student["dy"] * student["x"][0:3, 0:3]).ravel())  # before its own last rounding
    carried = abs(unrounded - Fraction(int(exact.numerator), int(exact.denominator)))
    assert carried > Fraction(5, 10**5)
    margin = -(-(Fraction(3, 2) * carried) // Fraction(1, 10**5)) * Fraction(1, 10**5)
    assert tol["grad_kernel"][0][0][0][0] == Fraction(5, 10**5) + margin == Fraction(27, 10**5)  # as the README says
    assert tol["prediction"][0][0][0] == Fraction(5, 10**5)  # no rounding before it: half a unit


# --- The worked solution as feedback ---

def test_moodle_questions_carry_the_worked_solution_as_general_feedback(homework):
    _, out = homework
    questions = ET.parse(out / "moodle.xml").getroot().findall("question[@type='cloze']")
    for k, question in enumerate(questions, start=1):
        feedback = question.find("generalfeedback")
        assert feedback.get("format") == "html"
        html = feedback.find("text").text
        solution = (out / f"variant-{k:03d}" / "solution.md").read_text()
        assert "<h3>Step 1: Compute the Cross-Correlation Output</h3>" in html and "\\[" in html
        assert "Step 1" in solution
        # the same worked solution: its last displayed equation (the updated kernel) is in both
        last_display = solution.rstrip().split("$$")[-2].strip()
        assert last_display in unescape(html)  # the HTML escapes & and the prime of W'


def test_qti_first_question_of_each_variant_carries_the_worked_solution(homework):
    _, out = homework
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    with zipfile.ZipFile(out / "qti.zip") as archive:
        root = ET.fromstring(archive.read("variant-0001.xml"))
    numeric = [i for i in root.findall(".//q:item", ns) if i.find(".//q:varequal", ns) is not None]
    first, rest = numeric[0], numeric[1:]
    shown = first.find("q:resprocessing/q:respcondition/q:displayfeedback", ns)
    assert shown.get("linkrefid") == "general_fb" and shown.get("feedbacktype") == "Response"
    assert first.find("q:resprocessing/q:respcondition", ns).get("continue") == "Yes"
    text = first.find("q:itemfeedback[@ident='general_fb']/q:flow_mat/q:material/q:mattext", ns)
    assert text.get("texttype") == "text/html" and "<h3>Step 1: Compute the Cross-Correlation Output</h3>" in text.text
    assert all(i.find("q:itemfeedback[@ident='general_fb']", ns) is None for i in rest)  # once per variant, not per blank


# --- What is asked by default ---

def test_a_trained_bias_is_asked_by_default():
    with_bias = plan(dict(BASE, bias=0.1))
    assert with_bias.ask == ("prediction", "loss", "grad_kernel", "grad_bias", "kernel_next", "bias_next")
    assert plan(BASE).ask == ("prediction", "loss", "grad_kernel", "kernel_next")
    assert plan(dict(BASE, bias=0.1, ask=["loss"])).ask == ("loss",)


# --- A nice that cannot be met is refused at once ---

def test_unmeetable_nice_is_refused_after_a_few_hundred_draws(monkeypatch):
    import derive.variants as variants

    drawn = []
    real = variants.candidate
    monkeypatch.setattr(variants, "candidate", lambda p, s: drawn.append(1) or real(p, s))
    the_plan = plan(dict(yaml.safe_load(NINE_CELLS), variants={"nice": 3}))
    with pytest.raises(SpecError) as caught:
        variants.check_nice(the_plan, seed=1)
    assert len(drawn) == variants.NICE_PROBE < variants.MAX_ATTEMPTS
    message = str(caught.value)
    assert message.startswith("variants.nice: 3 decimals cannot be met")
    assert "n = 9 output cells" in message and "2/9" in message and "loss: sse or half_sse" in message


def test_meetable_nice_is_not_refused(monkeypatch):
    import derive.variants as variants

    variants.check_nice(plan(dict(BASE, variants={"nice": 4})), seed=1)  # four cells: 2/4 terminates


def test_unmeetable_nice_from_the_command_line(tmp_path):
    spec = tmp_path / "hw.yaml"
    spec.write_text(NINE_CELLS + "variants: {nice: 3}\n")
    result = run("variants", spec, "--count", 20, "--seed", 1, "-o", tmp_path / "out")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"error: {spec}: variants.nice: 3 decimals cannot be met" in result.stderr
    assert "with n = 9 output cells the loss carries a factor 1/9 and the gradients 2/9" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_value_with_no_rounding_before_it_keeps_half_a_unit_after_a_sigmoid():
    """The replay runs at the model's 256 bits: float noise in sigmoid(Z) must not widen A's blanks."""
    from derive.model import values
    from derive.tolerance import tolerances

    d = derive.solve(ROOT / "examples" / "sigmoid-avgpool.yaml")
    tol = tolerances(d.problem, d.iterations, 4)[0]
    assert set(values(tol["activation"])) == {Fraction(5, 10**5)}
    assert max(values(tol["grad_kernel"])) > Fraction(5, 10**5)  # later values do carry rounding


def test_the_pool_forks_with_rendering_imported_and_frozen(tmp_path, monkeypatch):
    """Workers inherit SymPy, Jinja2 and derive's rendering already imported and frozen out of the cycle
    collector's walks (a tenth of a run's CPU time was the collector walking them)."""
    import gc

    from derive import homework

    seen = []
    real_pool = homework.pool

    def recording_pool(jobs):
        seen.append(gc.get_freeze_count())
        return real_pool(jobs)

    gc.unfreeze()
    monkeypatch.setattr(homework, "pool", recording_pool)
    spec = tmp_path / "homework.yaml"
    spec.write_text(HOMEWORK)
    homework.make_variants(str(spec), 2, 42, str(tmp_path / "out"))
    assert seen[0] > 10_000


def test_kept_results_are_frozen_as_they_arrive(tmp_path, monkeypatch):
    """The results kept for the aggregate files are frozen every SETTLE_EVERY variants, so full collections
    stop walking them (they hold no cycles; in a 1,000-variant run they cost a second of collections)."""
    import gc

    from derive import homework

    at_aggregates = []
    real_aggregates = homework._aggregates

    def recording(*args, **kwargs):
        at_aggregates.append(gc.get_freeze_count())
        return real_aggregates(*args, **kwargs)

    monkeypatch.setattr(homework, "_aggregates", recording)
    monkeypatch.setattr(homework, "_preload", lambda spec: None)  # only the settling freezes
    monkeypatch.setattr(homework, "SETTLE_EVERY", 2, raising=False)
    gc.unfreeze()
    spec = tmp_path / "homework.yaml"
    spec.write_text(HOMEWORK)
    homework.make_variants(str(spec), 3, 42, str(tmp_path / "out"))
    assert at_aggregates[0] > 0


def test_each_process_settles_every_so_many_renders(monkeypatch):
    """A worker collects and freezes its own heap (SymPy's caches, compiled templates) every SETTLE_EVERY
    variants it renders, so its full collections stop walking them."""
    from derive import homework

    settled = []
    monkeypatch.setattr(homework, "_render", lambda args: args)
    monkeypatch.setattr(homework, "_settle", lambda: settled.append(True))
    monkeypatch.setattr(homework, "SETTLE_EVERY", 3)
    monkeypatch.setattr(homework, "_renders", __import__("itertools").count(1), raising=False)
    render = getattr(homework, "_settling_render", homework._render)
    for k in range(7):
        render(k)
    assert len(settled) == 2
