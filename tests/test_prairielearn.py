"""The PrairieLearn question of `derive variants`: info.json against PrairieLearn's schema, and
server.py run as PrairieLearn runs it (generate, then grade) without derive or numpy."""
from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = """\
title: Seed homework
input: [[1, 2, 1], [0, 1, 2], [2, 1, 0]]
kernel: [[0.5, 0.2], [0.3, 0.7]]
target: [[1, 2], [2, 1]]
learning_rate: 0.1
variants:
  kernel: {decimals: 1, range: [-1, 1]}
  nice: 4
"""
# Run in a subprocess with -I -S: no site-packages, so no derive and no numpy, as on PrairieLearn.
RUNNER = """\
import importlib.util, json, sys
folder, seed, submitted = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
spec = importlib.util.spec_from_file_location("server", folder + "/server.py")
server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(server)
data = {"params": {}, "correct_answers": {}, "variant_seed": seed, "options": {}}
server.generate(data)
if submitted is not None:
    answers = data["correct_answers"]
    data["submitted_answers"] = {k: (answers[k] if v == "right" else v) for k, v in submitted.items()}
    data.update(partial_scores={}, score=0, feedback={}, format_errors={})
    server.grade(data)
print(json.dumps(data))
"""


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def question(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pl")
    (root / "hw.yaml").write_text(SPEC)
    result = run("variants", root / "hw.yaml", "--count", 3, "--seed", 5, "-o", root / "out")
    assert result.returncode == 0, result.stderr
    return root / "out" / "prairielearn" / "hw"


def pl(folder: Path, seed: int, submitted: dict | None = None) -> dict:
    """PrairieLearn's calls on server.py: generate(data), then grade(data) with `submitted`
    ("right" stands for the right answer)."""
    result = subprocess.run([sys.executable, "-I", "-S", "-c", RUNNER, str(folder), str(seed), json.dumps(submitted)],
                            capture_output=True, text=True, cwd=folder.parent, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def keys(data: dict, field: str) -> list[str]:
    return [k for k in data["correct_answers"] if k == field or k.startswith(field + "_")]


def test_the_folder_holds_a_v3_question_valid_against_prairielearns_schema(question):
    assert sorted(p.name for p in question.iterdir()) == ["info.json", "question.html", "server.py", "variants.json"]
    info = json.loads((question / "info.json").read_text())
    schema = json.loads((ROOT / "tests" / "prairielearn_infoQuestion.schema.json").read_text())
    jsonschema.validate(info, schema)
    assert info["type"] == "v3" and info["title"] == "Seed homework" and info["topic"] and info["tags"]


def test_the_uuid_is_derived_from_the_seed_so_reruns_give_the_same_bytes(question, tmp_path):
    (tmp_path / "hw.yaml").write_text(SPEC)
    for seed in (5, 6):
        assert run("variants", tmp_path / "hw.yaml", "--count", 3, "--seed", seed, "-o", tmp_path / str(seed)).returncode == 0
    same = tmp_path / "5" / "prairielearn" / "hw"
    for name in ("info.json", "question.html", "server.py", "variants.json"):
        assert (same / name).read_bytes() == (question / name).read_bytes()
    other = json.loads((tmp_path / "6" / "prairielearn" / "hw" / "info.json").read_text())
    assert other["uuid"] != json.loads((question / "info.json").read_text())["uuid"]


def test_server_py_is_derives_fixed_file_and_the_problem_is_data(question):
    assert (question / "server.py").read_bytes() == (ROOT / "derive" / "prairielearn_server.py").read_bytes()
    html = (question / "question.html").read_text()
    assert "{{{params.problem_html}}}" in html
    assert html.count("<pl-number-input") == len(json.loads((question / "variants.json").read_text())["variants"][0]["answers"])


def test_generate_picks_the_variant_by_seed_and_sets_every_answer(question):
    variants = json.loads((question / "variants.json").read_text())["variants"]
    for seed in range(4):
        data = pl(question, seed)
        chosen = variants[seed % 3]
        assert data["params"]["variant"] == chosen["variant"]
        assert data["params"]["problem_html"] == chosen["problem_html"]
        assert data["correct_answers"] == {a["key"]: a["value"] for a in chosen["answers"]}
    assert {"loss", "grad_kernel_0_0", "grad_kernel_1_1", "kernel_next_0_1"} <= set(pl(question, 0)["correct_answers"])


def test_right_answers_score_one(question):
    data = pl(question, 1)
    graded = pl(question, 1, {k: "right" for k in data["correct_answers"]})
    assert graded["score"] == 1
    assert all(p["score"] == 1 for p in graded["partial_scores"].values())


def test_a_matrix_earns_credit_cell_by_cell(question):
    data = pl(question, 0)
    submitted = {k: "right" for k in data["correct_answers"]}
    submitted["grad_kernel_0_1"] = data["correct_answers"]["grad_kernel_0_1"] + 0.37  # no known mistake
    submitted.pop("loss")  # unanswered
    graded = pl(question, 0, submitted)
    scores = {k: p["score"] for k, p in graded["partial_scores"].items()}
    assert scores["grad_kernel_0_1"] == 0 and scores["loss"] == 0
    assert graded["partial_scores"]["grad_kernel_0_1"]["feedback"] == "Not right."
    assert all(s == 1 for k, s in scores.items() if k not in ("grad_kernel_0_1", "loss"))
    assert graded["score"] == pytest.approx((len(scores) - 2) / len(scores))


def test_an_update_from_the_students_own_wrong_gradient_earns_carried_credit(question):
    data = pl(question, 2)
    answers = data["correct_answers"]
    variant = next(v for v in json.loads((question / "variants.json").read_text())["variants"]
                   if v["variant"] == data["params"]["variant"])
    kernel = {a["key"]: Fraction(a["carry"]["offset"]) for a in variant["answers"] if a["key"].startswith("kernel_next")}
    submitted = {k: "right" for k in answers}
    for g in keys(data, "grad_kernel"):
        submitted[g] = -answers[g]  # the residual taken as Y − Ŷ
        w = g.replace("grad_kernel", "kernel_next")
        submitted[w] = float(kernel[w] - Fraction(1, 10) * Fraction(repr(-answers[g])))  # w − η·(own g)
    graded = pl(question, 2, submitted)
    for g in keys(data, "grad_kernel"):
        assert graded["partial_scores"][g]["score"] == 0
        assert "the sign is reversed" in graded["partial_scores"][g]["feedback"]
        w = graded["partial_scores"][g.replace("grad_kernel", "kernel_next")]
        assert w["score"] == 0.5 and "follow-through" in w["feedback"], w
    assert 0 < graded["score"] < 1


def test_a_diagnosed_update_mistake_is_named(question):
    data = pl(question, 0)
    variant = next(v for v in json.loads((question / "variants.json").read_text())["variants"]
                   if v["variant"] == data["params"]["variant"])
    submitted = {k: "right" for k in data["correct_answers"]}
    for a in variant["answers"]:
        if a["key"].startswith("kernel_next"):
            w = Fraction(a["carry"]["offset"])  # the weight before the step (no momentum)
            submitted[a["key"]] = float(2 * w - Fraction(repr(a["value"])))  # w + η·g
    graded = pl(question, 0, submitted)
    for k in keys(data, "kernel_next"):
        assert graded["partial_scores"][k]["score"] == 0
        assert "added instead of subtracted" in graded["partial_scores"][k]["feedback"]
