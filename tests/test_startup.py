"""Start-up stays light: `derive --help` imports none of the heavy libraries, and solving never
imports what the chosen output does not use."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = ("import sys, runpy; sys.argv = ['derive'] + sys.argv[1:]\n"
         "try:\n    runpy.run_module('derive', run_name='__main__')\nexcept SystemExit:\n    pass\n"
         "print(' '.join(sorted(m for m in sys.modules if '.' not in m)), file=sys.stderr)")


def modules_loaded(*args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    return set(result.stderr.strip().splitlines()[-1].split())


def test_help_imports_no_heavy_library():
    loaded = modules_loaded("--help")
    assert not loaded & {"sympy", "matplotlib", "jinja2", "yaml", "gmpy2", "numpy", "latex2mathml", "tqdm"}


def test_markdown_does_not_import_figures_mathml_or_numpy():
    loaded = modules_loaded("solve", "examples/seed.yaml")
    assert "sympy" in loaded and "jinja2" in loaded
    assert not loaded & {"matplotlib", "latex2mathml", "numpy", "tqdm"}


def test_a_json_spec_does_not_import_yaml(tmp_path):
    # PyYAML's import compiles its resolver's regular expressions: only a YAML spec (or submission) pays for it.
    spec = tmp_path / "seed.json"
    spec.write_text('{"input": [[1, 2], [3, 4]], "kernel": [[0.5]], "target": [[1, 2], [3, 4]], "learning_rate": 0.1}')
    for args in (["solve", str(spec)], ["solve", str(spec), "--format", "json"]):
        loaded = modules_loaded(*args)
        assert "gmpy2" in loaded and "yaml" not in loaded, args
    assert "yaml" in modules_loaded("solve", "examples/seed.yaml", "--format", "json")


def test_a_network_document_without_figures_does_not_import_the_figures_module():
    script = ("import sys, derive\nderive.solve('examples/tiny-lenet.yaml').to_markdown()\n"
              "print(' '.join(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    loaded = set(result.stdout.split())
    assert "derive.network.view" in loaded and not loaded & {"derive.figures", "derive.network.figures", "matplotlib"}


def test_only_user_templates_import_the_sandbox(tmp_path):
    script = ("import sys, derive\nderive.solve('examples/seed.yaml', templates=sys.argv[1] or None).to_markdown()\n"
              "print('jinja2.sandbox' in sys.modules)")
    for folder, sandboxed in (("", "False"), (str(tmp_path), "True")):
        result = subprocess.run([sys.executable, "-c", script, folder], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert result.stdout.split() == [sandboxed], result.stderr


HEAVY = {"sympy", "jinja2", "matplotlib", "numpy", "latex2mathml"}


def test_json_answer_key_imports_no_document_library():
    # An autograder runs this once per submission: its start-up is the cost.
    loaded = modules_loaded("solve", "examples/seed.yaml", "--format", "json")
    assert "gmpy2" in loaded and not loaded & HEAVY


@pytest.mark.parametrize("activation", ["sigmoid", "{type: leaky_relu, negative_slope: 0.1}", "Soft-Plus"])
def test_json_answer_key_with_an_activation_imports_no_document_library(tmp_path, activation):
    # The activation's layer module is loaded alone, and its rule needs no SymPy.
    spec = tmp_path / "spec.yaml"
    spec.write_text((ROOT / "examples" / "seed.yaml").read_text() + f"\nactivation: {activation}\n")
    loaded = modules_loaded("solve", str(spec), "--format", "json")
    assert "gmpy2" in loaded and not loaded & HEAVY


def test_check_json_imports_no_document_library():
    loaded = modules_loaded("check", "examples/seed.yaml", "examples/seed.submission.yaml", "--format", "json")
    assert "gmpy2" in loaded and not loaded & HEAVY


def test_check_markdown_still_renders_with_its_libraries():
    loaded = modules_loaded("check", "examples/seed.yaml", "examples/seed.submission.yaml")
    assert {"sympy", "jinja2"} <= loaded


def test_variant_drawing_checks_and_answer_keys_import_no_document_library():
    script = ("import sys\n"
              "from derive.problem import build_problem\nfrom derive.spec import read_spec\n"
              "from derive.variants import first_good, plan\nfrom derive.pipeline import solve\n"
              "data = read_spec('examples/seed.yaml')\n"
              "spec, attempts, failure = first_good(plan(data, build_problem(data)), 3, 2026)\n"
              "assert failure is None and solve(spec).to_json()\n"
              "print(' '.join(sorted(m for m in sys.modules if '.' not in m)))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "gmpy2" in loaded and not loaded & HEAVY


# A network's answer key and marks need only its exact model: the layers, loss and optimizer modules
# the spec names run their rules without SymPy (their equations import it where they are built).
NETWORK_KEYS = [
    ["solve", "examples/two-two-two.yaml", "--format", "json"],
    ["solve", "examples/tiny-lenet.yaml", "--format", "json"],  # conv, maxpool, dense, softmax, cross-entropy
    ["solve", "examples/adam.yaml", "--format", "json"],  # a flat spec stepped by Adam, solved as its network
    ["check", "examples/two-two-two.yaml", "examples/two-two-two.submission.yaml", "--format", "json"],
]


@pytest.mark.parametrize("args", NETWORK_KEYS, ids=lambda args: " ".join(args[:2]))
def test_network_json_key_and_check_import_no_document_library(args):
    loaded = modules_loaded(*args)
    assert "gmpy2" in loaded and not loaded & HEAVY


def test_a_network_that_renames_its_symbols_still_answers_without_sympy(tmp_path):
    """`notation:` keys are checked against style.py's table, not printing.py's (which imports SymPy)."""
    spec = tmp_path / "net.yaml"
    spec.write_text((ROOT / "examples" / "two-two-two.yaml").read_text() + "notation: {weights: \\Theta}\n")
    loaded = modules_loaded("solve", str(spec), "--format", "json")
    assert "gmpy2" in loaded and not loaded & HEAVY


@pytest.mark.parametrize("optimizer", [
    "{type: rmsprop, momentum: 0.5, centered: true, weight_decay: 0.1}",
    "{type: adagrad, lr_decay: 0.1, weight_decay: 0.1}",
    "{type: adamw}",
    "{type: sgd, momentum: 0.9, nesterov: true, weight_decay: 0.1}",
])
def test_every_stateful_optimizer_steps_an_answer_key_and_a_check_without_sympy(tmp_path, optimizer):
    # check also replays each optimizer's classic slips: those run the rule, never its equations.
    spec = tmp_path / "spec.yaml"
    spec.write_text((ROOT / "examples" / "two-two-two.yaml").read_text() + f"iterations: 2\noptimizer: {optimizer}\n")
    submission = tmp_path / "submission.yaml"
    submission.write_text("loss: 0.3\nlayers[2].weights_next: [[0.35, 0.4], [0.5, 0.55]]\n")
    for args in (["solve", str(spec), "--format", "json"], ["check", str(spec), str(submission), "--format", "json"]):
        loaded = modules_loaded(*args)
        assert "gmpy2" in loaded and not loaded & HEAVY, args


def test_a_network_loads_only_the_layer_loss_and_optimizer_modules_it_names():
    # Through the Python API's answers(), which also imports no document library.
    script = ("import sys, derive\nderive.solve('examples/two-two-two.yaml').answers()\n"
              "print(' '.join(sorted(m for m in sys.modules if m.startswith('derive.network.') or '.' not in m)))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not set(result.stdout.split()) & HEAVY
    loaded = {m.rsplit(".", 1)[1] for m in result.stdout.split() if m.count(".") == 3}
    assert {"dense", "sigmoid", "half_sse", "sgd"} <= loaded
    assert not loaded & {"conv", "maxpool", "softmax", "tanh", "mse", "cross_entropy", "adam", "stateful", "worked"}


def test_network_variant_drawing_and_answer_keys_import_no_document_library():
    script = ("import sys\n"
              "from derive.network.variants import first_good, plan\n"
              "from derive.pipeline import solve\nfrom derive.spec import read_spec\n"
              "data = read_spec('examples/two-two-two.yaml')\n"
              "spec, attempts, failure = first_good(plan(data), 3, 2026)\n"
              "assert failure is None and solve(spec).to_json()\n"
              "print(' '.join(sorted(m for m in sys.modules if '.' not in m)))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "gmpy2" in loaded and not loaded & HEAVY


def test_marking_a_network_variant_imports_no_document_library(tmp_path):
    # derive mark: each variant's key and every student's check need only the exact model (the feedback
    # report, rendered afterwards, is what loads the templates).
    key = tmp_path / "answers.json"
    key.write_text(subprocess.run([sys.executable, "-m", "derive", "solve", "examples/two-two-two.yaml", "--format", "json"],
                                  capture_output=True, text=True, cwd=ROOT, check=True).stdout)
    script = ("import sys\nfrom derive.check import Settings\nfrom derive.mark import _derivation, answer_key\n"
              "rows = answer_key(sys.argv[1], 4)\nd = _derivation(sys.argv[1], 4)\n"
              "report = d.check(d.read_submission({'loss': 0.3, 'prediction': rows[0]['prediction']}), Settings())\n"
              "assert [f.verdict for f in report.fields] == ['correct', 'wrong'], report\n"
              "print(' '.join(sorted(m for m in sys.modules if '.' not in m)))")
    result = subprocess.run([sys.executable, "-c", script, str(key)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "gmpy2" in loaded and not loaded & HEAVY


def _render_in_a_process(cache: Path) -> str:
    code = "import derive; print(derive.solve('examples/seed.yaml').to_markdown(), end='')"
    env = {**os.environ, "DERIVE_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout


def test_compiled_templates_are_cached_and_give_the_same_document(tmp_path):
    # The first run compiles and stores each template; the next loads them instead of compiling.
    first = _render_in_a_process(tmp_path)
    stored = sorted(p.name for p in tmp_path.rglob("*.cache"))
    assert len(stored) >= 3  # document.j2, statement.j2, markdown.j2 at least
    assert _render_in_a_process(tmp_path) == first


def test_an_unwritable_cache_folder_still_renders(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")  # the cache folder cannot be made under a file
    assert _render_in_a_process(blocked / "cache").startswith("# ")


def test_an_edited_template_is_compiled_from_source_not_taken_stale(tmp_path):
    # Jinja2 keys its cache by the template's source checksum: a changed template is a new entry.
    import jinja2

    from derive.templating import OPTIONS, _QuietBytecodeCache

    folder = tmp_path / "templates"
    folder.mkdir()
    cache = _QuietBytecodeCache(str(tmp_path))
    for text in ("first {{ x }}", "second {{ x }}"):
        (folder / "t.j2").write_text(text)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache, **OPTIONS)
        assert env.get_template("t.j2").render(x=1) == text.replace("{{ x }}", "1")


# Counts the cycle collector's runs during `main` (the imports before it are not the command's), then
# says whether the collector is on again for the caller.
GC_PROBE = ("import gc, sys\nfrom derive.cli import main\nruns = []\n"
            "gc.callbacks.append(lambda phase, info: runs.append(info['generation']) if phase == 'start' else None)\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(len(runs), gc.isenabled(), file=sys.stderr)")


def _collections(*args: str, cwd: Path = ROOT) -> tuple[int, bool]:
    result = subprocess.run([sys.executable, "-c", GC_PROBE, *args], capture_output=True, text=True, cwd=cwd, timeout=300)
    runs, enabled = result.stderr.strip().splitlines()[-1].split()
    return int(runs), enabled == "True"


def test_a_one_problem_command_does_not_walk_its_imports_with_the_cycle_collector():
    # SymPy's and Jinja2's imports made the collector run some 170 times over objects that live as
    # long as the process; a solve or a check makes almost no cycles, so it runs without it.
    for args in (["solve", "examples/seed.yaml"], ["solve", "examples/tiny-lenet.yaml", "--format", "latex"],
                 ["check", "examples/seed.yaml", "examples/seed.submission.yaml"]):
        runs, enabled = _collections(*args)
        assert runs == 0, args
        assert enabled, args  # a caller in the same process gets its collector back


def test_a_command_over_many_problems_keeps_the_cycle_collector(tmp_path):
    # variants, mark and build loop over problems: their cycles must not pile up.
    runs, enabled = _collections("variants", str(ROOT / "examples" / "seed.yaml"), "--count", "2", "--seed", "1",
                                 "-o", str(tmp_path / "v"))
    assert runs > 0 and enabled


# A check report shows worked steps only for a flat field with a wrong cell: every other report (a
# network's, which shows values, or a flat one whose fields are all correct) prints its verdict tables
# and values with numerals.py and Jinja2 alone, without importing SymPy.
def test_a_network_check_report_imports_no_sympy():
    loaded = modules_loaded("check", "examples/two-two-two.yaml", "examples/two-two-two.submission.yaml")
    assert "jinja2" in loaded and "sympy" not in loaded


def test_marking_a_network_homework_with_feedback_imports_no_sympy(tmp_path):
    subprocess.run([sys.executable, "-m", "derive", "variants", "examples/two-two-two.yaml", "--count", "2", "--seed", "1",
                    "-o", str(tmp_path / "hw")], cwd=ROOT, capture_output=True, check=True, timeout=300)
    responses = tmp_path / "responses.csv"
    responses.write_text("student,variant,loss,prediction[0]\nann,1,0.2375,0.7569\nbob,2,0.5,0.1\n")
    loaded = modules_loaded("mark", str(tmp_path / "hw"), str(responses), "-o", str(tmp_path / "out"))
    feedback = (tmp_path / "out" / "feedback" / "bob.md").read_text()
    assert "| `loss` | wrong |" in feedback and r"\begin{bmatrix} 0.1 & " in feedback  # the values, as LaTeX
    assert "jinja2" in loaded and "sympy" not in loaded


def test_an_all_correct_flat_check_report_imports_no_sympy(tmp_path):
    submission = tmp_path / "right.yaml"
    submission.write_text("feature_map:\n  - [1.6, 2.9]\n  - [1.5, 1.2]\nloss: 0.365\n")
    result = subprocess.run([sys.executable, "-c", PROBE, "check", "examples/seed.yaml", str(submission)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "Score: **100.0%**" in result.stdout and "| `loss` | correct |" in result.stdout
    loaded = set(result.stderr.strip().splitlines()[-1].split())
    assert "jinja2" in loaded and "sympy" not in loaded


def test_a_flat_report_with_a_wrong_field_still_shows_its_worked_steps():
    # The seed submission's gradient sums two of the four output cells: its report works each weight out.
    result = subprocess.run([sys.executable, "-c", PROBE, "check", "examples/seed.yaml", "examples/seed.submission.yaml"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r"\frac{\partial L}{\partial W_{00}}" in result.stdout  # a worked step, printed by printing.py
    assert "sympy" in result.stderr.strip().splitlines()[-1].split()


def test_marking_right_but_partly_empty_flat_answers_imports_no_sympy(tmp_path):
    # A field with right cells and empty ones is correct: its report shows no section, so no worked step
    # is printed for its empty cells.
    subprocess.run([sys.executable, "-m", "derive", "variants", "examples/seed.yaml", "--count", "1", "--seed", "1",
                    "-o", str(tmp_path / "hw")], cwd=ROOT, capture_output=True, check=True, timeout=300)
    key = (tmp_path / "hw" / "answers.csv").read_text().splitlines()
    row = dict(zip(key[0].split(","), key[1].split(",")))
    responses = tmp_path / "responses.csv"
    responses.write_text(f"student,variant,loss,grad_kernel[0][0]\nann,1,{row['loss']},{row['grad_kernel[0][0]']}\n")
    loaded = modules_loaded("mark", str(tmp_path / "hw"), str(responses), "-o", str(tmp_path / "out"))
    grades = (tmp_path / "out" / "grades.csv").read_text()
    assert "ann,1," in grades and grades.count("correct") == 2  # loss and grad_kernel, the rest unanswered
    assert "jinja2" in loaded and "sympy" not in loaded
