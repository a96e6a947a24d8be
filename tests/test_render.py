"""Every output format: HTML with MathML, PDF, figures, notebooks, custom templates, notation."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.dom import minidom

import pytest

import derive
from derive.errors import SpecError
from test_oracle import SEED

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MATH = re.compile(r"<math\b.*?</math>", re.S)


def run(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize("example", ["seed", "rgb-relu-maxpool", "sigmoid-avgpool", "mnist-28x28"])
def test_html_math_is_well_formed_mathml_and_the_page_needs_nothing_else(example):
    html = derive.solve(ROOT / "examples" / f"{example}.yaml").to_html()
    assert html.startswith("<!DOCTYPE html>") and '<meta name="viewport"' in html
    maths = MATH.findall(html)
    assert len(maths) > 10
    for math in maths:
        minidom.parseString(math)  # raises on anything that is not well-formed XML
    # The explorer's script is inline and fetches nothing (tests/test_explore.py runs it).
    assert not re.search(r"<script[^>]*\ssrc=", html) and "fetch(" not in html and "XMLHttpRequest" not in html
    assert "http://" not in html.replace("http://www.w3.org/1998/Math/MathML", "")
    assert "https://" not in html and "$$" not in html and "\\frac" not in html


def test_html_aligned_equations_become_tables_the_page_aligns():
    html = derive.solve(SEED).to_html()
    assert '<mtable class="aligned" columnalign="right left"' in html
    # Chromium ignores columnalign: the page's CSS aligns the cells (measured in test_browser.py).
    assert "mtable.aligned > mtr > mtd:nth-child(odd) { text-align: right; }" in html


SIGN, SUBTRACT = '<mo form="prefix">&#x02212;</mo>', "<mo>&#x02212;</mo>"


@pytest.mark.parametrize("latex, minuses", [
    (r"(-0.25 \cdot 0)", [SIGN]),
    (r"-1 \cdot (-0.3)", [SIGN, SIGN]),
    (r"x = -0.3", [SIGN]),
    (r"\frac{1}{2} \cdot (-0.5) = -0.25", [SIGN, SIGN]),
    (r"0.6 + 0.45 - 0.25", [SUBTRACT]),
    (r"\left(1.6 - 1\right) - (2) - x_{1} - 0.5", [SUBTRACT] * 4),
    (r"\left(-1\right) - 2", [SIGN, SUBTRACT]),
    (r"\begin{bmatrix} 0.5 & -1 \\ -2 & 3 \end{bmatrix}", [SIGN, SIGN]),
    (r"3.3 \times 10^{-8}", [SIGN]),
    (r"\begin{aligned}x &= -1 - y \\ &\qquad - 2\end{aligned}", [SIGN, SUBTRACT, SUBTRACT]),
])
def test_a_minus_sign_is_marked_prefix_and_a_subtraction_is_not(latex, minuses):
    """A browser spaces a plain <mo>−</mo> in mid-row as subtraction: `(− 0.3)`; a sign must say so."""
    from derive.mathml import to_mathml

    assert re.findall(r"<mo[^>]*>&#x02212;</mo>", to_mathml(latex)) == minuses


def test_slash_and_partial_sign_carry_no_operator_space():
    from derive.mathml import to_mathml

    assert to_mathml(r"\partial \hat{Y}_{ij} / \partial W_{uv}").count('lspace="0" rspace="0"') == 3
    assert '<mo lspace="0" rspace="0">max</mo>' in to_mathml(r"A = \max\left(0, Z\right)")


@pytest.mark.parametrize("latex, stretchy", [
    (r"\frac{1}{2} \left(1.6 - 1\right)", ["false", "false"]),
    (r"\left(\hat{Y}_{00} - Y_{00}\right)^{2}", ["false", "false"]),
    (r"\left(\frac{1}{2}\right) - \left(a \left(b\right)\right)", ["true", "true"] + ["false"] * 4),
    (r"\left\{\begin{array}{ll} 1 & x \\ 0 & y\end{array}\right.", ["true", "true"]),
])
def test_fences_stretch_only_around_something_tall(latex, stretchy):
    """Chromium draws a stretchy ( around `1.6 − 1` twice as wide as a plain one: `( 1.6 − 1 )`."""
    from derive.mathml import to_mathml

    assert re.findall(r'<mo stretchy="(\w+)" fence="true" form="', to_mathml(latex, display=True)) == stretchy


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_seed_page_in_a_phone_sized_browser(tmp_path):
    """Look at the page as a reader would: headless Chromium at phone width, then check the picture."""
    from PIL import Image  # matplotlib depends on pillow

    page = tmp_path / "seed.html"
    page.write_text(derive.solve(SEED).to_html())
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=412,1600",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    image = Image.open(shot).convert("L")
    assert image.size == (412, 1600)
    pixels = image.getdata()
    dark = sum(1 for v in pixels if v < 128) / len(pixels)
    assert 0.01 < dark < 0.5  # text and math drawn, not a blank or black page
    # The math is laid out: the feature-map equations are taller than one line of text.
    rows = [y for y in range(image.size[1]) if min(image.getpixel((x, y)) for x in range(0, 412, 4)) < 128]
    assert len(rows) > 200


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_pdf_format_is_a_reproducible_pdf(tmp_path):
    first = run("solve", "examples/seed.yaml", "--format", "pdf")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(b"%PDF") and len(first.stdout) > 10_000
    assert run("solve", "examples/seed.yaml", "--format", "pdf").stdout == first.stdout
    out = tmp_path / "out"
    assert run("solve", "examples/seed.yaml", "--format", "pdf", "--figures", "-o", out).returncode == 0
    assert (out / "solution.pdf").read_bytes().startswith(b"%PDF")


def test_pdf_without_pdflatex_names_the_package(tmp_path):
    empty = tmp_path / "bin"  # a PATH with no pdflatex on it
    empty.mkdir()
    result = subprocess.run([sys.executable, "-m", "derive", "solve", "examples/seed.yaml", "--format", "pdf"],
                            capture_output=True, text=True, cwd=ROOT, env={"PATH": str(empty)}, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: --format pdf: pdflatex was not found: install a TeX distribution "
                                     "(on Debian: apt-get install texlive-latex-base)")


def test_figures_are_pngs_and_svgs_of_the_expected_size():
    from PIL import Image

    d = derive.solve(ROOT / "examples" / "iterations.yaml")
    files = d.figures()
    names = {Path(k).stem for k in files}
    assert names == {"input", "kernel", "window", "feature_map", "grad_kernel", "kernel_next", "loss"}
    for path, data in files.items():
        if path.endswith(".png"):
            width, height = Image.open(io.BytesIO(data)).size
            assert 100 <= width <= 1400 and 100 <= height <= 1000, (path, width, height)
        else:
            minidom.parseString(data)
    assert derive.solve(ROOT / "examples" / "iterations.yaml").figures() == files  # reproducible bytes


def test_gradient_panels_share_one_symmetric_scale_and_one_colour_bar():
    d = derive.solve(ROOT / "examples" / "rgb-relu-maxpool.yaml")  # 2 filters × 3 channels: 6 panels
    grad = next(f for f in d._figures if f.name == "grad_kernel")
    assert len(grad.panels) == 6
    limits = {panel.limits for panel in grad.panels}
    assert len(limits) == 1, limits  # one scale: equal colours mean equal values in every panel
    (low, high), = limits
    assert low == -high == -max(abs(float(v)) for per in d.iterations[0].grad_kernel for m in per for r in m for v in r)
    svg = grad.files["svg"].decode()
    assert svg.count('<g id="axes_') == 6 + 1  # the panels and a single colour bar


@pytest.mark.parametrize("example, fractions", [("tanh-dilation", False), ("rgb-relu-maxpool", False),
                                                ("convolution-fractions", True)])
def test_figure_labels_are_the_documents_numbers_with_a_true_minus(example, fractions):
    from derive.printing import number

    d = derive.solve(ROOT / "examples" / f"{example}.yaml", fractions=fractions)
    grad = next(f for f in d._figures if f.name == "grad_kernel")
    cells = [m for per in d.iterations[0].grad_kernel for m in per]
    for panel, matrix in zip(grad.panels, cells):
        printed = [[number(v, d.precision, fractions).text for v in row] for row in matrix]
        assert all(text in d.to_latex() or "frac" in text for row in printed for text in row)
        expected = tuple(tuple(t.replace("\\frac{", "").replace("}{", "/").replace("}", "").replace("-", "\N{MINUS SIGN}")
                               for t in row) for row in printed)
        assert panel.labels == expected
        assert not any("-" in label for row in panel.labels for label in row)  # a hyphen is not a minus


def test_tanh_gradient_labels_keep_the_documents_four_decimals():
    d = derive.solve(ROOT / "examples" / "tanh-dilation.yaml")
    grad = next(f for f in d._figures if f.name == "grad_kernel")
    assert grad.panels[0].labels == (("−0.9591", "−1.8587"), ("−1.4578", "−0.9591"))
    assert r"\approx -1.8587" in d.to_latex() or "-1.8587" in d.to_latex()


def test_figure_captions_count_filters_not_channels():
    one_filter = dict(RGB_ONE_FILTER)
    captions = {f.name: f.caption for f in derive.solve(one_filter)._figures}
    assert captions["kernel"] == "The initial filter" and captions["feature_map"] == "The feature map"
    captions = {f.name: f.caption for f in derive.solve(ROOT / "examples" / "rgb-relu-maxpool.yaml")._figures}
    assert captions["grad_kernel"] == "The gradient of the loss with respect to the filters"
    assert captions["kernel_next"] == "The updated filters"


RGB_ONE_FILTER = {"input": [[[1, 2, 0], [0, 1, 2], [3, 0, 1]], [[0, 1, 1], [2, 0, 1], [1, 2, 0]]],
                  "kernel": [[[[0.5, -0.25], [0.1, 0.3]], [[-0.2, 0.4], [0.3, -0.1]]]],
                  "target": [[[1, 0], [0, 1]]], "learning_rate": 0.05}


def test_figures_are_embedded_in_every_format(tmp_path):
    out = tmp_path / "out"
    result = run("solve", "examples/seed.yaml", "--figures", "-o", out, "--format", "html")
    assert result.returncode == 0, result.stderr
    assert "![The input image](figures/input.png)" in (out / "solution.md").read_text()
    assert r"\includegraphics" in (out / "solution.tex").read_text() and (out / "figures" / "window.svg").exists()
    assert 'src="data:image/png;base64,' in (out / "solution.html").read_text()
    alone = run("solve", "examples/seed.yaml", "--figures")
    assert alone.returncode == 2 and b"needs -o DIR" in alone.stderr


def test_custom_templates_override_by_name_and_can_reuse_the_originals(tmp_path):
    (tmp_path / "markdown.j2").write_text(
        '{% import "derive/markdown.j2" as base %}'
        "{% macro begin(title) %}> Course banner\n\n{{ base.begin(title) }}{% endmacro %}"
        + "".join(f"{{% macro {m}(x) %}}{{{{ base.{m}(x) }}}}{{% endmacro %}}"
                  for m in ("h2", "h3", "h4", "b", "i", "display", "para", "items", "figure"))
        + "{% macro end() %}{% endmacro %}"
    )
    result = run("solve", "examples/seed.yaml", "--templates", tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert text.startswith("> Course banner\n\n# CNN Filter Learning")
    assert text.split("\n", 3)[3] == (ROOT / "output" / "seed" / "solution.md").read_text().split("\n", 1)[1]


@pytest.mark.parametrize(
    "template, message",
    [
        ("{{ ''.__class__.__mro__ }}", "SecurityError: access to attribute '__class__' of 'str' object is unsafe"),
        ("{{ title.__init__.__globals__ }}", "SecurityError"),
        ("{% if %}", "line 1: Expected an expression"),
        ("{{ no_such_variable }}", "UndefinedError: 'no_such_variable' is undefined"),
    ],
)
def test_user_templates_run_sandboxed_and_fail_in_one_line(tmp_path, template, message):
    (tmp_path / "document.j2").write_text(template)
    result = run("solve", "examples/seed.yaml", "--templates", tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode().count("\n") == 1 and message in result.stderr.decode()


def test_notation_renames_symbols_everywhere():
    spec = dict(SEED, notation={"kernel": "K", "learning_rate": r"\alpha", "prediction": "O", "target": "T"})
    markdown = derive.solve(spec).to_markdown()
    assert r"K = \begin{bmatrix}" in markdown and r"K'_{00} = K_{00} - \alpha \cdot \frac{\partial L}{\partial K_{00}}" in markdown
    assert r"L = \frac{1}{n} \sum_{i,j} \left(T_{ij} - O_{ij}\right)^{2}" in markdown
    assert "W_" not in markdown and r"\eta" not in markdown and r"\hat{Y}" not in markdown


@pytest.mark.parametrize("notation, message", [
    ({"weights": "K"}, "notation: unknown symbol 'weights'"),
    ({"kernel": "$K$"}, "notation.kernel: must be a non-empty LaTeX symbol"),
    ("K", "notation: must be a mapping"),
])
def test_bad_notation(notation, message):
    with pytest.raises(SpecError, match=re.escape(message)):
        derive.solve(dict(SEED, notation=notation))


def test_fractions_option_prints_exact_fractions():
    result = run("solve", "examples/convolution-fractions.yaml", "--fractions")
    text = result.stdout.decode()
    assert r"W = \begin{bmatrix} \frac{1}{3} & 0 \\ \frac{1}{2} & -1 \end{bmatrix}" in text
    assert r"\approx" not in text  # every value is a rational: nothing is rounded


def test_repr_html_for_jupyter():
    d = derive.solve(SEED)
    assert d._repr_html_() == d.to_html(interactive=False)  # no navigator bar fixed over the notebook


def test_example_notebook_runs():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(ROOT / "examples" / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    shown = notebook.cells[1].outputs[0]["data"]
    assert {"text/html", "text/markdown"} <= set(shown)
    assert "[[1.3, 1], [0.05, 0.95]]" in notebook.cells[3].outputs[0]["data"]["text/plain"]
