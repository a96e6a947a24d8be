"""Start-up stays light: `derive --help` imports none of the heavy libraries, and solving never
imports what the chosen output does not use."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


HEAVY = {"sympy", "jinja2", "matplotlib", "numpy", "latex2mathml"}


def test_json_answer_key_imports_no_document_library():
    # An autograder runs this once per submission: its start-up is the cost.
    loaded = modules_loaded("solve", "examples/seed.yaml", "--format", "json")
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


def test_compiled_templates_are_those_of_templates_dir():
    # After editing a template: python -m derive.compiled (else documents compile it on every run).
    import json

    import jinja2

    from derive.compiled import COMPILED, compiled_loader, template_hashes
    from derive.render import template_dir

    manifest = json.loads((COMPILED / "manifest.json").read_text())
    assert manifest["templates"] == template_hashes(template_dir())
    if manifest["jinja2"] == jinja2.__version__:
        assert isinstance(compiled_loader(template_dir()), jinja2.ModuleLoader)


def test_an_edited_template_is_compiled_from_source_not_taken_stale(tmp_path):
    import shutil

    from derive.compiled import compiled_loader
    from derive.render import template_dir

    folder = tmp_path / "templates"
    shutil.copytree(template_dir(), folder)
    (folder / "markdown.j2").write_text((folder / "markdown.j2").read_text() + "\n{# edited #}\n")
    assert compiled_loader(folder) is None
