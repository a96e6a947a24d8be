"""The LaTeX documents: user text escaped, and (where pdflatex exists) every one compiles."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import derive
from test_oracle import SEED

ROOT = Path(__file__).resolve().parent.parent
TRICKY_TITLE = r"Week 3: 50% & $x$_1 #2 {a} ~ ^ \relax"
needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")


def test_title_is_escaped():
    latex = derive.solve(dict(SEED, title=TRICKY_TITLE)).to_latex()
    assert r"\title{Week 3: 50\% \& \$x\$\_1 \#2 \{a\} \textasciitilde{} \textasciicircum{} \textbackslash{}relax}" in latex
    markdown = derive.solve(dict(SEED, title=TRICKY_TITLE)).to_markdown()
    assert markdown.startswith(r"# Week 3: 50% & \$x\$\_1 \#2 \{a\} ~ ^ \\relax")


def compile_latex(text: str, tmp_path: Path) -> str:
    (tmp_path / "doc.tex").write_text(text)
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000
    return result.stdout


@needs_pdflatex
@pytest.mark.parametrize("example", sorted((ROOT / "output").glob("*/solution.tex")), ids=lambda p: p.parent.name)
def test_output_compiles(example, tmp_path):
    log = compile_latex(example.read_text(), tmp_path)
    assert "Undefined control sequence" not in log
    assert "Overfull" not in (tmp_path / "doc.log").read_text(errors="replace")  # nothing runs off the page


@needs_pdflatex
def test_tricky_title_compiles(tmp_path):
    compile_latex(derive.solve(dict(SEED, title=TRICKY_TITLE)).to_latex(), tmp_path)
