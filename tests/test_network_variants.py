"""`derive variants` on `layers:` specs: reproducible, checked, correct network variants with LMS exports."""
from __future__ import annotations

import csv
import json
import os
import re
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
from derive.errors import SpecError
from derive.network import variants as nv
from derive.network.model import train
from derive.network.spec import build_network
from derive.spec import read_spec
from network_oracle import Net, arr

ROOT = Path(__file__).resolve().parent.parent
QTI = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
COUNT = {"two-two-two": 5, "tiny-lenet": 4}


def run(*args: object, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)


@pytest.fixture(scope="module", params=["two-two-two", "tiny-lenet"])
def homework(request, tmp_path_factory) -> tuple[Path, Path]:
    spec = ROOT / "examples" / f"{request.param}.yaml"
    out = tmp_path_factory.mktemp(request.param) / "out"
    result = run("variants", spec, "--count", COUNT[request.param], "--seed", 7, "-o", out)
    assert result.returncode == 0, result.stderr
    return spec, out


def folders(out: Path) -> list[Path]:
    """The variant folders (beside them: prairielearn/, the PrairieLearn question)."""
    return sorted(p for p in out.iterdir() if p.is_dir() and p.name.startswith("variant-"))


def blank_values(key: dict, ask: list[str]) -> list[float]:
    """The asked cells of an answer key's first iteration, in ask order (layers[J].field read from its layer)."""
    it = key["iterations"][0]
    out: list[float] = []
    for name in ask:
        if name.startswith("layers["):
            head, field = name.split(".", 1)
            out += list(np.ravel(it["layers"][int(head[7:-1])][field]))
        else:
            out += list(np.ravel(it[name]))
    return out


def test_every_file_is_there_and_numbers_vary(homework):
    spec, out = homework
    assert [p.name for p in folders(out)] == [f"variant-{i:03d}" for i in range(1, COUNT[spec.stem] + 1)]
    for folder in folders(out):
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            ["problem.yaml", "problem.md", "problem.tex", "solution.md", "solution.tex", "answers.json"])
    assert {p.name for p in out.iterdir() if p.is_file()} == {"answers.csv", "index.md", "moodle.xml", "qti.zip"}
    assert sorted(p.name for p in (out / "prairielearn" / spec.stem).iterdir()) == [
        "info.json", "question.html", "server.py", "variants.json"]  # a PrairieLearn question for networks too
    problems = [json.loads((f / "answers.json").read_text())["problem"] for f in folders(out)]
    assert len({json.dumps([p["input"], p["layers"], p["target"]]) for p in problems}) == len(problems)


def test_every_answer_key_matches_the_oracle(homework):
    _, out = homework
    for folder in folders(out):
        key = json.loads((folder / "answers.json").read_text())
        theirs = Net(read_spec(folder / "problem.yaml")).train()[0]
        ours = key["iterations"][0]
        for field in ("prediction", "loss", "grad_input", "loss_next"):
            np.testing.assert_allclose(ours[field], theirs[field], rtol=1e-9, atol=1e-12, err_msg=field)
        for a, b in zip(ours["layers"], theirs["layers"], strict=True):
            for field in set(a) - {"type"}:
                np.testing.assert_allclose(a[field], b[field], rtol=1e-9, atol=1e-12, err_msg=field)


def test_problem_yaml_reproduces_the_solution_and_records_its_origin(homework):
    _, out = homework
    folder = folders(out)[1]
    recorded = yaml.safe_load((folder / "problem.yaml").read_text())
    assert recorded["variant"]["index"] == 2 and recorded["variant"]["derive"] == derive.__version__
    assert recorded["ask"][:2] == ["prediction", "loss"]
    assert run("solve", folder / "problem.yaml", "--format", "json").stdout == (folder / "answers.json").read_text()
    assert run("solve", folder / "problem.yaml").stdout == (folder / "solution.md").read_text()


def test_default_ask_is_prediction_loss_and_each_parameters_gradient_and_update():
    the_plan = nv.plan(read_spec(ROOT / "examples" / "two-two-two.yaml"))
    assert the_plan.ask == ("prediction", "loss", "layers[0].grad_weights", "layers[0].weights_next",
                            "layers[0].grad_bias", "layers[2].grad_weights", "layers[2].weights_next",
                            "layers[2].grad_bias")  # the fixed biases: gradient only


def test_problem_sheet_asks_and_does_not_answer(homework):
    _, out = homework
    folder = folders(out)[0]
    sheet = (folder / "problem.md").read_text()
    assert "## Tasks" in sheet and "Backward Pass" not in sheet and "## Given Data" in sheet
    assert re.search(r"\\frac\{\\partial L\}\{\\partial [WK]\^\{\(1\)\}\}", sheet)
    loss = json.loads((folder / "answers.json").read_text())["iterations"][0]["loss"]
    assert str(loss)[:6] not in sheet


def test_variants_pass_every_check(homework):
    spec, out = homework
    the_plan = nv.plan(read_spec(spec))
    for folder in folders(out):
        net = build_network(nv.network_spec(read_spec(folder / "problem.yaml")))
        iterations = train(net)
        for name, check in nv.CHECKS:
            assert check(net, iterations, the_plan), (folder.name, name)


CLASSIC = read_spec(ROOT / "examples" / "two-two-two.yaml")
RELU_POOL = {"input": [[1, 2, 0], [0, 1, 3], [2, 0, 1]], "layers": [{"conv": {"kernel": [[1, 0], [0, 1]]}}, "relu",
                                                                  {"maxpool": {"size": 2}}],
             "target": [[1]], "learning_rate": 0.1}


@pytest.mark.parametrize("check", [name for name, _ in nv.CHECKS])
def test_each_check_can_fail(check):
    """A check that never rejects anything would be a test that cannot fail."""
    bad = {
        "no gradient entry exactly zero": dict(CLASSIC, input=[0, 0.1]),
        "no ReLU input exactly 0": dict(RELU_POOL, input=[[1, 1, 0], [0, 1, 3], [2, 0, 1]],
                                        layers=[{"conv": {"kernel": [[1, -1], [0, 0]]}}, "relu", {"maxpool": {"size": 2}}]),
        "no max-pooling tie": dict(RELU_POOL, input=[[1, 1, 0], [1, 1, 0], [0, 0, 0]], layers=[
            {"conv": {"kernel": [[1, 0], [0, 0]]}}, {"maxpool": {"size": 2}}]),
        "the loss falls after the update": {"input": [1, 2], "layers": [{"dense": {"weights": [[0.5, 0.5]]}}],
                                            "target": [1], "learning_rate": 5},
        nv.NICE_CHECK: dict(RELU_POOL, learning_rate="1/3", variants={"nice": 2}),
    }[check]
    net = build_network(nv.network_spec(bad))
    assert not dict(nv.CHECKS)[check](net, train(net), nv.plan(bad))


def test_answers_csv_names_layer_cells(homework):
    _, out = homework
    rows = list(csv.DictReader((out / "answers.csv").open()))
    assert len(rows) == len(folders(out))
    assert {"variant", "seed", "loss", "prediction[0]"} <= set(rows[0])
    second = json.loads((out / "variant-002" / "answers.json").read_text())["iterations"][0]
    if "layers[0].grad_weights[0][1]" in rows[0]:
        assert float(rows[1]["layers[0].grad_weights[0][1]"]) == second["layers"][0]["grad_weights"][0][1]
    else:
        assert float(rows[1]["layers[0].grad_kernel[0][1]"]) == second["layers"][0]["grad_kernel"][0][1]


def moodle_blanks(out: Path) -> list[list[tuple[float, Decimal]]]:
    quiz = ET.parse(out / "moodle.xml").getroot()
    return [[(float(v), Decimal(t)) for v, t in re.findall(r"\{1:NUMERICAL:=([^:}]+):([^}]+)\}", q.find("questiontext/text").text)]
            for q in quiz.findall("question[@type='cloze']")]


def test_moodle_and_qti_blanks_are_the_asked_answers_with_one_tolerance(homework):
    _, out = homework
    moodle = moodle_blanks(out)
    assert len(moodle) == len(folders(out))
    with zipfile.ZipFile(out / "qti.zip") as archive:
        for k, (folder, blanks) in enumerate(zip(folders(out), moodle), start=1):
            key = json.loads((folder / "answers.json").read_text())
            ask = yaml.safe_load((folder / "problem.yaml").read_text())["ask"]
            assert [v for v, _ in blanks] == blank_values(key, ask)
            assert all(t >= Decimal("0.00005") for _, t in blanks)
            root = ET.fromstring(archive.read(f"variant-{k:04d}.xml"))
            numeric = [i for i in root.findall(".//q:item", QTI) if "numerical_question" in ET.tostring(i, encoding="unicode")]
            assert len(numeric) == len(blanks)
            for item, (value, tol) in zip(numeric, blanks):
                assert float(item.find(".//q:varequal", QTI).text) == value
                assert Decimal(item.find(".//q:varlte", QTI).text) - Decimal(item.find(".//q:vargte", QTI).text) == 2 * tol


def _student(spec: dict, places: int = 4) -> list[float]:
    """The asked answers of a student who rounds every layer's output, each gradient handed down and each
    gradient before the update (numpy, the oracle's layers; the test's own replay)."""
    r = lambda a: np.round(np.asarray(a, dtype=float), places)  # noqa: E731
    net = Net(spec)
    params = [dict(layer.params) for layer in net.layers]
    xs = [net.x]
    for layer, p in zip(net.layers, params):
        xs.append(r(layer.forward(xs[-1], p)))
    g = r(xs[-1] - net.y) if net.loss == "cross_entropy" else r(_loss_gradient(net, xs[-1]))
    start = len(net.layers) - (2 if net.loss == "cross_entropy" else 1)  # p − y skips the softmax
    found: dict[str, np.ndarray] = {"prediction": xs[-1], "loss": np.array(0.0)}
    for k in range(start, -1, -1):
        layer = net.layers[k]
        layer.forward(xs[k], params[k])
        gx, grads = layer.backward(xs[k], xs[k + 1], g)
        for name, grad in grads.items():
            found[f"layers[{k}].grad_{name}"] = r(grad)
            found[f"layers[{k}].{name}_next"] = r(params[k][name] - net.eta * r(grad))
        g = r(gx)
    return found


def _loss_gradient(net: Net, p: np.ndarray) -> np.ndarray:
    from network_oracle import loss_gradient

    return loss_gradient(net.loss, p, net.y)


def test_a_student_rounding_every_layer_is_inside_every_tolerance(homework):
    _, out = homework
    for folder, blanks in zip(folders(out), moodle_blanks(out)):
        spec = read_spec(folder / "problem.yaml")
        ask = [a for a in spec["ask"] if a not in ("loss", "prediction")]
        student = _student(spec)
        key = json.loads((folder / "answers.json").read_text())
        offset = len(blank_values(key, ["prediction", "loss"]))
        answers = [v for name in ask for v in np.ravel(student[name])]
        for (exact, tol), given in zip(blanks[offset:], answers, strict=True):
            assert abs(Decimal(repr(float(given))) - Decimal(repr(exact))) <= tol, (folder.name, exact, given, tol)


def test_wrong_answers_are_outside_the_tolerance(homework):
    _, out = homework
    for blanks in moodle_blanks(out):
        for exact, tol in blanks:
            if abs(exact) > 0.001:
                assert abs(Decimal(repr(-exact)) - Decimal(repr(exact))) > tol  # a sign error
                assert abs(Decimal(repr(2 * exact)) - Decimal(repr(exact))) > tol  # a factor 2


def test_byte_identical_across_jobs_and_hash_seeds(homework, tmp_path):
    spec, out = homework
    other = tmp_path / "again"
    result = run("variants", spec, "--count", COUNT[spec.stem], "--seed", 7, "-o", other, "--jobs", 2,
                 env=dict(os.environ, PYTHONHASHSEED="123"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        assert (other / path.relative_to(out)).read_bytes() == path.read_bytes(), path


def test_only_regenerates_one_variant_identically(tmp_path):
    spec = ROOT / "examples" / "two-two-two.yaml"
    full, alone = tmp_path / "full", tmp_path / "alone"
    assert run("variants", spec, "--count", 3, "--seed", 7, "-o", full).returncode == 0
    assert run("variants", spec, "--count", 3, "--seed", 7, "-o", alone, "--only", 3).returncode == 0
    assert [p.name for p in alone.iterdir()] == ["variant-003"]
    for path in (full / "variant-003").iterdir():
        assert (alone / "variant-003" / path.name).read_bytes() == path.read_bytes()


def test_rules_per_parameter_are_followed(tmp_path):
    spec = dict(CLASSIC, variants={"layers[0].weights": {"decimals": 1, "range": [-1, 1]}, "input": "fixed",
                                   "layers[2].weights": {"integers": [1, 3]}})
    before = repr(CLASSIC)
    the_plan = nv.plan(spec)
    drawn = nv.first_good(the_plan, 1, 5)[0]
    weights = np.ravel(arr(drawn["layers"][0]["dense"]["weights"]))
    assert all(-1 <= w <= 1 and round(w, 1) == w for w in weights)
    assert set(np.ravel(arr(drawn["layers"][2]["dense"]["weights"]))) <= {1, 2, 3}
    assert drawn["input"] == CLASSIC["input"] and drawn["layers"][0]["dense"]["bias"] == CLASSIC["layers"][0]["dense"]["bias"]
    assert repr(CLASSIC) == before  # the base is not drawn over
    assert nv.distinct_problems(the_plan) == 21**4 * 3**4 * 99**2  # the target varies like the base: 0.01…0.99


@pytest.mark.parametrize("extra, message", [
    ({"variants": {"layers[1].weights": {"integers": [0, 1]}}}, "variants: unknown key 'layers[1].weights'"),
    ({"variants": {"layers[0].weights": {"integers": [2, 1]}}}, "variants.layers[0].weights: the range [2, 1] is empty"),
    ({"ask": ["layers[0].grad_kernel"]}, "ask: unknown answer field 'layers[0].grad_kernel'"),
    ({"variants": {"nice": 3}}, "variants.nice: cannot be met: sigmoid values never terminate"),
])
def test_bad_network_homework_specs_get_one_line(tmp_path, extra, message):
    spec = tmp_path / "hw.yaml"
    plain = yaml.safe_load((ROOT / "examples" / "two-two-two.yaml").read_text())
    spec.write_text(yaml.safe_dump(dict(plain, **extra)))
    result = run("variants", spec, "--count", 2, "--seed", 1, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {spec}: {message}") and result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "out").exists()


def test_plan_errors_name_the_field():
    with pytest.raises(SpecError, match="variants: must be a mapping"):
        nv.plan(dict(CLASSIC, variants=[1]))


# --- figures ------------------------------------------------------------------------------------

def test_figures_of_a_dense_network_are_a_diagram_and_heatmaps_embedded_everywhere(tmp_path):
    out = tmp_path / "out"
    result = run("solve", ROOT / "examples" / "two-two-two.yaml", "--figures", "-o", out, "--format", "html")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (out / "figures").iterdir())
    assert names == ["layer1.png", "layer1.svg", "layer3.png", "layer3.svg", "network.png", "network.svg"]
    svg = (out / "figures" / "network.svg").read_text()
    for number in ("0.15", "0.55", "0.05", "0.7514", "b=0.35"):  # weights, an input, an output unit's value, a bias
        assert f"<!-- {number} -->" in svg  # matplotlib writes each text as a comment beside its glyphs
    heatmap = (out / "figures" / "layer3.svg").read_text()
    assert "<!-- 0.0822 -->" in heatmap and "<!-- 0.3589 -->" in heatmap  # ∂L/∂W⁽²⁾₀₀, W′⁽²⁾₀₀ as the document prints them
    for document in ("solution.md", "solution.tex"):
        text = (out / document).read_text()
        assert "figures/network.png" in text and "figures/layer3.png" in text
    assert (out / "solution.html").read_text().count("data:image/png;base64,") == 3


def test_figures_of_a_conv_network_are_heatmaps_per_parameter_layer_and_the_loss(tmp_path):
    d = derive.solve(ROOT / "examples" / "conv-tanh-avgpool.yaml")
    files = d.figures()
    assert sorted(files) == [f"figures/{n}.{e}" for n in ("layer1", "layer5", "loss") for e in ("png", "svg")]
    assert files["figures/layer1.png"].startswith(b"\x89PNG")
    assert "figures/loss.png" in d.to_markdown(figures=True) and "figures/" not in d.to_markdown()


def test_figures_are_byte_identical_across_processes(tmp_path):
    for k in (1, 2):
        result = run("solve", ROOT / "examples" / "tiny-lenet.yaml", "--figures", "-o", tmp_path / str(k),
                     env=dict(os.environ, PYTHONHASHSEED=str(k)))
        assert result.returncode == 0, result.stderr
    for path in sorted((tmp_path / "1" / "figures").iterdir()):
        assert (tmp_path / "2" / "figures" / path.name).read_bytes() == path.read_bytes(), path.name


def test_more_variants_than_the_rules_can_draw_is_an_error(tmp_path):
    plain = yaml.safe_load((ROOT / "examples" / "two-two-two.yaml").read_text())
    rules = {"input": "fixed", "target": "fixed", "layers[0].weights": "fixed", "layers[2].weights": {"integers": [0, 1]}}
    spec = tmp_path / "hw.yaml"
    spec.write_text(yaml.safe_dump(dict(plain, variants=rules)))
    result = run("variants", spec, "--count", 17, "--seed", 1, "-o", tmp_path / "out")
    assert result.returncode == 2 and "--count 17 is more than the 16 distinct problems" in result.stderr, result.stderr


def test_unmeetable_nice_is_refused_before_the_run(tmp_path):
    spec = tmp_path / "hw.yaml"
    spec.write_text("input: [1, 2]\nlayers:\n  - dense: {weights: [[0.5, -0.2], [0.1, 0.3], [0.2, 0.2]]}\n"
                    "target: [1, 0, 1]\nlearning_rate: 0.1\nvariants: {nice: 1}\n")  # mse over 3 outputs: 2/3 factors
    result = run("variants", spec, "--count", 2, "--seed", 1, "-o", tmp_path / "out")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "variants.nice: 1 decimals cannot be met: none of 200 drawn candidates" in result.stderr
    assert "(most often not: loss)" in result.stderr and not (tmp_path / "out").exists()
    nv.check_nice(nv.plan(dict(yaml.safe_load(spec.read_text()), variants={"nice": 6})), 1)  # a meetable one passes
