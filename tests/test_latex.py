"""The LaTeX documents: user text escaped, and (where pdflatex exists) every one compiles."""
from __future__ import annotations

import re
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


# A 3-channel 4×4 input, 2 filters of 2×2: 18 output cells and 24 weights, written in full.
RGB = {
    "input": [[[1, 0, 2, 1], [0, 1, 1, 0], [2, 1, 0, 1], [1, 0, 1, 2]],
              [[0, 1, 0, 1], [1, 2, 1, 0], [0, 1, 2, 1], [1, 0, 0, 1]],
              [[2, 0, 1, 0], [0, 1, 0, 2], [1, 0, 1, 0], [0, 2, 0, 1]]],
    "kernel": [[[[0.2, -0.1], [0.1, 0.3]], [[-0.2, 0.1], [0.0, 0.2]], [[0.1, 0.0], [-0.1, 0.1]]],
               [[[-0.3, 0.2], [0.1, -0.1]], [[0.1, -0.2], [0.2, 0.0]], [[0.0, 0.1], [-0.2, 0.1]]]],
    "target": [[[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]], [[0, 0.5, 1], [0.5, 0, 0.5], [1, 0.5, 0]]],
    "learning_rate": 0.1,
}


def pages(log: str) -> int:
    return int(re.search(r"Output written on doc\.pdf \((\d+) pages?", log).group(1))


@needs_pdflatex
def test_three_channels_two_filters_in_full_fit_twelve_pages(tmp_path):
    """36 pages before the compact layout: runs of one-line equations set one per display, each
    broken over four lines, and a blank line before every display."""
    latex = derive.solve(RGB, detail="full").to_latex()
    # ∂L/∂I, 48 sums here, is optional where the spec's `show:` exists (not by default): not counted.
    latex = re.sub(r"\\subsection\*\{Gradient with respect to the input\}.*?(?=\\section\*)", "", latex, flags=re.S)
    log = compile_latex(latex, tmp_path)
    assert pages(log) <= 12
    assert "Overfull" not in (tmp_path / "doc.log").read_text(errors="replace")


def test_no_blank_line_before_a_display():
    """A blank line before \\[ starts an empty paragraph: a wasted line above every display that
    follows a paragraph or another display (after a heading, TeX starts one either way)."""
    latex = derive.solve(RGB, detail="full").to_latex()
    assert latex.count(r"\[") + latex.count(r"\begin{align*}") > 30
    assert not re.search(r"(\\\]|\\end\{align\*\}|[:.])\n\s*\n(\\\[|\\begin\{align\*\})", latex)


@needs_pdflatex
def test_short_rounded_equation_is_one_line_in_the_pdf(tmp_path):
    """∂L/∂Ŷ = 1/9 (Ŷ − Y) = 1/9 (0.1 − 0.5) = 1/9 · (−0.4) ≈ −0.0444 was broken over four lines,
    its LaTeX source being longer than 160 characters; it is a third of the page's width."""
    from derive.printing import Style, equation

    d = derive.solve(RGB, detail="full")
    text = equation(d.steps[0].grad_prediction[1], Style())
    assert r"\approx -0.0444" in text and not text.startswith(r"\begin{aligned}")
    body = r"\[" + text + r"\]"
    log = compile_latex(r"\documentclass[11pt]{article}\usepackage{amsmath}\usepackage[margin=2cm]{geometry}"
                        r"\begin{document}" + body + r"\end{document}", tmp_path)
    assert pages(log) == 1 and "Overfull" not in (tmp_path / "doc.log").read_text(errors="replace")


def _first_page_words(latex: str, tmp_path: Path) -> list[tuple[str, float, float]]:
    """(word, x, y) of page 1 as pdflatex set it, read back with pdftotext -bbox."""
    compile_latex(latex, tmp_path)
    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", "doc.pdf", "-"], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    return [(w, float(x), float(y)) for x, y, w in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)<', out)]


@needs_pdflatex
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("spec", [SEED, RGB], ids=["seed", "rgb"])
def test_paragraphs_and_given_items_start_flush_left_under_a_compact_title(spec, tmp_path):
    """No paragraph indent (it indented given items 2-4 but not 1, and all but the first statement
    paragraph), and the title takes a line or two, not a fifth of the page."""
    words = _first_page_words(derive.solve(spec).to_latex(), tmp_path)
    margin = next(x for w, x, _ in words if w == "Problem")
    starts = [(w, x) for w, x, _ in words if w in ("1.", "2.", "3.", "4.", "We")]
    assert len(starts) >= 5
    assert all(abs(x - margin) < 0.5 for _, x in starts), starts
    heading_y = next(y for w, _, y in words if w == "Problem")
    assert heading_y < 120, heading_y  # 2 cm margin (57 pt) + title; \maketitle put it at 178 pt


@needs_pdflatex
@pytest.mark.parametrize("spec", [
    {"input": [0.5, -1.0], "layers": [{"dense": {"weights": [[0.2, -0.4], [0.3, 0.1]]}}, {"leaky_relu": {"negative_slope": 0.1}},
                                      {"dense": {"weights": [[0.5, -0.5]]}}], "target": [1], "learning_rate": 0.1},
    {"input": [[1, 2, 0], [0, 1, -1], [2, 1, 1]], "kernel": [[0.5, -0.3], [0.2, 0.4]], "target": [[1, 0], [0.5, 1]],
     "learning_rate": 0.1, "optimizer": {"type": "adamw", "weight_decay": 0.01}, "activation": "leaky_relu"},
], ids=["leaky-network", "adamw-flat"])
def test_words_with_greek_symbols_compile(spec):
    """A layer's words ("slope α = 0.1", "taken as the slope α") and an optimizer's hold symbols that
    pdflatex's utf8 does not know: the preamble declares them (the teacher trial's PDF failed on α)."""
    import derive

    assert derive.solve(spec).to_pdf().startswith(b"%PDF")
