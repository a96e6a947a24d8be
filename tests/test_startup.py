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
