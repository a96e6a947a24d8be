"""`derive variants`: reproducible, checked, correct variants with LMS exports."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
import yaml

import derive
import oracle
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
    return sorted(p for p in out.iterdir() if p.is_dir())


def test_every_file_is_there(homework):
    _, out = homework
    assert [p.name for p in folders(out)] == [f"variant-{i:03d}" for i in range(1, COUNT + 1)]
    for folder in folders(out):
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            ["problem.yaml", "problem.md", "problem.tex", "solution.md", "solution.tex", "answers.json"])
    assert {p.name for p in out.iterdir() if p.is_file()} == {"answers.csv", "index.md", "moodle.xml", "qti.zip"}


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
        import re

        blanks = re.findall(r"\{1:NUMERICAL:=([^:}]+):([^}]+)\}", text)
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
         "variants: cannot draw variant 1: no candidate passed the checks in 2000 attempts (most often failed: the loss"),
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
