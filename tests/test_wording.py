"""The wording and content of the worked document: what it says, shows and warns about."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import derive
import oracle
from test_document import check_document
from test_oracle import SEED

ROOT = Path(__file__).resolve().parent.parent
INPUT_GRADIENT = "Gradient with respect to the input"


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def write(tmp_path: Path, spec: dict, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(spec))  # JSON is YAML
    return path


# ∂L/∂I is shown only when asked for ------------------------------------------------------------

def test_input_gradient_hidden_by_default_but_kept_in_the_answer_key():
    d = derive.solve(SEED)
    assert INPUT_GRADIENT not in d.to_markdown() and INPUT_GRADIENT not in d.to_latex()
    assert r"\partial I_{" not in d.to_markdown()
    np.testing.assert_allclose(d.answers()["iterations"][0]["grad_input"], oracle.solve(SEED)[0]["grad_input"], atol=1e-12)


def test_show_grad_input_shows_it_and_its_numbers_check():
    spec = dict(SEED, show=["grad_input"])
    markdown = derive.solve(spec).to_markdown()
    assert INPUT_GRADIENT in markdown and r"\frac{\partial L}{\partial I_{11}}" in markdown
    assert derive.solve(spec).answers() == derive.solve(SEED).answers() | {
        "problem": derive.solve(SEED).answers()["problem"] | {"show": ["grad_input"]}}
    assert check_document(spec) > 40


def test_asking_students_for_grad_input_shows_it():
    assert INPUT_GRADIENT in derive.solve(dict(SEED, ask=["loss", "grad_input"])).to_markdown()
    assert INPUT_GRADIENT not in derive.solve(dict(SEED, ask=["loss", "grad_kernel"])).to_markdown()


def test_normalized_spec_keeps_show_so_it_solves_to_the_same_document():
    d = derive.solve(dict(SEED, show=["grad_input"]))
    again = derive.solve(d.answers()["problem"])
    assert again.to_markdown() == d.to_markdown()


@pytest.mark.parametrize("show, problem", [
    (["grad_inptu"], "unknown part 'grad_inptu' (did you mean 'grad_input'?) (valid: a list of: grad_input)"),
    (["oops"], "unknown part 'oops' (valid: a list of: grad_input)"),
    ("grad_input", "must be a list, such as [grad_input], got 'grad_input'"),
])
def test_bad_show_is_one_line_naming_the_field(tmp_path, show, problem):
    path = write(tmp_path, dict(SEED, show=show))
    result = run("solve", path, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr == f"error: {path}: show: {problem}\n"
    assert not (tmp_path / "out").exists()


# A stride that leaves rows or columns unvisited says so ------------------------------------------

@pytest.mark.parametrize("rows, cols, stride, padding, sentence", [
    (5, 5, 2, 0, "With stride 2, the last row and the last column of the input are never visited by the kernel "
                 "and do not affect the output."),
    (7, 4, [3, 1], 0, "With stride (3, 1), the last 2 rows of the input are never visited by the kernel "
                      "and do not affect the output."),
    # 2 unvisited columns of the padded input, 1 of them padding: only the input's column is said
    (4, 5, [1, 3], 1, "With stride (1, 3), the last column of the input is never visited by the kernel "
                      "and does not affect the output."),
])
def test_unvisited_rows_and_columns_are_said(rows, cols, stride, padding, sentence):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    oh, ow = (rows + 2 * padding - 2) // sh + 1, (cols + 2 * padding - 2) // sw + 1
    spec = {"input": [[(r + c) % 3 for c in range(cols)] for r in range(rows)], "kernel": [[1, 0], [0, 1]],
            "target": [[0] * ow for _ in range(oh)], "learning_rate": 0.1, "stride": stride, "padding": padding}
    d = derive.solve(spec)
    assert sentence in d.to_markdown()
    assert sentence in d.problem_sheet("markdown")


@pytest.mark.parametrize("rows, stride", [(5, 1), (6, 2), (7, 5)])
def test_no_unvisited_sentence_when_the_stride_fits(rows, stride):
    out = (rows - 2) // stride + 1
    spec = {"input": [[1] * rows] * rows, "kernel": [[1, 0], [0, 1]], "target": [[0] * out] * out,
            "learning_rate": 0.1, "stride": stride}
    assert "never visited" not in derive.solve(spec).to_markdown()


def test_no_unvisited_sentence_when_only_padding_zeros_are_skipped():
    """4×3 padded by 1 is 6×5: stride 2 leaves the last column of the padded input, a padding
    column, unvisited; nothing of the input is skipped, so nothing is announced."""
    spec = {"input": [[(r + c) % 3 for c in range(3)] for r in range(4)], "kernel": [[1, 0], [0, 1]],
            "target": [[0, 0]] * 5, "learning_rate": 0.1, "stride": [1, 2], "padding": 1}
    d = derive.solve(spec)
    assert "never visited" not in d.to_markdown() and "never visited" not in d.problem_sheet("markdown")


def test_one_output_cell_is_singular():
    spec = {"input": [[1, 2], [3, 4]], "kernel": [[1, 0], [0, 1]], "target": [[1]], "learning_rate": 0.1}
    text = derive.solve(spec).to_markdown()
    assert "over the $n = 1$ output cell:" in text and " output cells" not in text
    assert "over the $n = 4$ output cells:" in derive.solve(SEED).to_markdown()


def test_one_name_for_the_loss_after_the_update():
    """The update step calls it L′; the final results must not rename it L_new."""
    latex = derive.solve(SEED).to_latex()
    assert r"L_{\text{new}}" not in latex
    final = latex.split("Final Results", 1)[1]
    assert "L' = " in final or "L' \\approx" in final, final[:400]


def test_local_derivative_wording_uses_the_formulas_indices_with_several_channels():
    text = derive.solve(TWO_FILTERS).to_markdown()
    assert (r"where $\partial \hat{Y}^{(f)}_{ij} / \partial W^{(f,c)}_{uv}$ is the input value that weight "
            r"$W^{(f,c)}_{uv}$ multiplied in window $(i, j)$") in text
    plain = derive.solve(SEED).to_markdown()
    assert r"where $\partial \hat{Y}_{ij} / \partial W_{uv}$ is the input value" in plain


# Several filters: the loss carries the filter index; 2/n is shown before it simplifies -------------

TWO_FILTERS = {  # 1 channel 4×4, 2 filters 2×2: 2 maps of 3×3, n = 18
    "input": [[[1, 0, 2, 1], [0, 1, 1, 0], [2, 1, 0, 1], [1, 0, 1, 2]]],
    "kernel": [[[[0.5, 0], [0, 0.5]]], [[[0, 0.5], [0.5, 0]]]],
    "target": [[[1, 0, 1], [0, 1, 0], [1, 0, 1]], [[0, 1, 0], [1, 0, 1], [0, 1, 0]]],
    "learning_rate": 0.1,
}


def test_several_filters_index_the_loss_and_describe_the_target():
    markdown = derive.solve(TWO_FILTERS).to_markdown()
    assert r"L = \frac{1}{n} \sum_{f} \sum_{i,j} \left(Y^{(f)}_{ij} - \hat{Y}^{(f)}_{ij}\right)^{2}" in markdown
    assert r"\frac{\partial L}{\partial \hat{Y}^{(f)}_{ij}} = \frac{2}{n} \left(\hat{Y}^{(f)}_{ij} - Y^{(f)}_{ij}\right)" in markdown
    assert r"**target output (2 ground-truth maps of $3 \times 3$, one per filter)**" in markdown
    assert r"over the $n = 18$ output cells (2 maps of $3 \times 3$):" in markdown
    assert r"3. Target output (2 maps of $3 \times 3$)" in markdown


def test_one_filter_keeps_the_plain_wording():
    markdown = derive.solve(SEED).to_markdown()
    assert r"L = \frac{1}{n} \sum_{i,j} \left(Y_{ij} - \hat{Y}_{ij}\right)^{2}" in markdown
    assert "**target output (ground truth feature map)**" in markdown and "maps of" not in markdown


def test_mse_gradient_shows_two_over_n_before_simplifying():
    markdown = derive.solve(TWO_FILTERS).to_markdown()
    assert (r"= \frac{2}{18} \left(\hat{Y}^{(f)}_{ij} - Y^{(f)}_{ij}\right)"
            r" = \frac{1}{9} \left(\hat{Y}^{(f)}_{ij} - Y^{(f)}_{ij}\right)") in markdown
    assert r"\frac{\partial L}{\partial \hat{Y}^{(0)}_{00}} &= \frac{1}{9} \left(" in markdown  # each cell uses 1/9 (a table row)


def test_two_over_n_that_does_not_simplify_is_said_once():
    spec = {"input": [[1, 2, 3, 4]], "kernel": [[1, 1]], "target": [[0, 0, 0]], "learning_rate": 0.1}
    line = next(text for text in derive.solve(spec).to_markdown().splitlines() if text.startswith(r"\frac{\partial L}{\partial \hat{Y}_{ij}}"))
    assert line.endswith(r"= \frac{2}{n} \left(\hat{Y}_{ij} - Y_{ij}\right) = \frac{2}{3} \left(\hat{Y}_{ij} - Y_{ij}\right)")


def test_sum_of_squares_has_no_n():
    assert r"\frac{2}{" not in derive.solve(dict(SEED, loss="sse")).to_markdown()


# Windows of a padded input are called so ---------------------------------------------------------

def test_window_of_the_padded_input_where_there_is_padding():
    padded = derive.solve(dict(SEED, padding=1, target=[[0] * 4] * 4)).to_markdown()
    assert r"Window of the padded input: $\begin{bmatrix} 0 & 0 \\ 0 & 1 \end{bmatrix}$" in padded
    assert "Window of the input:" not in padded
    assert "Window of the input: " in derive.solve(SEED).to_markdown()


def test_windows_of_the_padded_input_channels():
    two_channels = {"input": [[[1, 2], [3, 4]], [[0, 1], [1, 0]]], "kernel": [[[[1, 0], [0, 1]], [[1, 1], [0, 0]]]],
                    "target": [[[0] * 3] * 3], "learning_rate": 0.1, "padding": 1}
    assert "Windows of the padded input channels $0, \\dots, 1$" in derive.solve(two_channels).to_markdown()


def test_one_channel_with_several_filters_is_not_called_channels():
    markdown = derive.solve(dict(TWO_FILTERS, padding=1, target=[[[0] * 5] * 5] * 2)).to_markdown()
    assert "Window of the padded input: $" in markdown and "channels $0, \\dots, 0$" not in markdown
    assert "A **$4 \\times 4$ input image**" in markdown and "1-channel" not in markdown
    assert "1. Input image ($4 \\times 4$)" in markdown and "2. Initial filters (2 filters, 1 channel each)" in markdown


def test_one_filter_over_several_channels_is_singular():
    """A 4-D kernel with F = 1: "a filter", "a feature map", never "1 filters" or "1 maps"."""
    spec = {"input": [[[1, 2, 0], [0, 1, 2], [3, 0, 1]], [[0, 1, 1], [2, 0, 1], [1, 2, 0]]],
            "kernel": [[[[0.5, -0.25], [0.1, 0.3]], [[-0.2, 0.4], [0.3, -0.1]]]],
            "target": [[[1, 0], [0, 1]]], "learning_rate": 0.05}
    d = derive.solve(spec)
    for text in (d.to_markdown(), d.problem_sheet("markdown")):
        assert "1 filters" not in text and "1 maps" not in text and "1 feature maps" not in text
        assert "with a **$2 \\times 2$ filter (kernel)** to produce a **$2 \\times 2$ output feature map**" in text
        assert "2. Initial filter (2 channels) ($2 \\times 2$)" in text
    assert "summing over the channels" in d.to_markdown()


# One line on stderr for a pooling tie or a rising loss ---------------------------------------------

TIE = {"input": [[1, 1], [0, 0]], "kernel": [[1]], "target": [[0.5]], "learning_rate": 0.1,
       "pooling": {"type": "max", "size": 2}}
RISE = {"input": [[1, 2], [3, 4]], "kernel": [[1]], "target": [[0, 0], [0, 0]], "learning_rate": 5}
TIE_LINE = "max-pooling window (0, 0) ties (two values 1); the gradient goes to the first in row-major order"
RISE_LINE = "the loss rises after the update (7.5 → 41070): the learning rate may be too large"


@pytest.mark.parametrize("spec, line", [(TIE, TIE_LINE), (RISE, RISE_LINE)])
def test_solve_warns_in_one_line(tmp_path, spec, line):
    path = write(tmp_path, spec)
    result = run("solve", path)
    assert result.returncode == 0 and result.stdout.startswith("# CNN Filter Learning")
    assert result.stderr == f"warning: {path}: {line}\n"


def test_solve_to_a_folder_warns_and_writes(tmp_path):
    path = write(tmp_path, RISE)
    result = run("solve", path, "-o", tmp_path / "out")
    assert result.returncode == 0 and (tmp_path / "out" / "solution.md").is_file()
    assert result.stderr.splitlines()[0] == f"warning: {path}: {RISE_LINE}"


def test_no_warning_for_a_clean_problem(tmp_path):
    result = run("solve", write(tmp_path, SEED))
    assert result.returncode == 0 and result.stderr == ""


def test_tie_of_a_later_map(tmp_path):
    spec = {"input": [[[1, 2], [3, 4]], [[1, 1], [0, 0]]], "kernel": [[[[1]], [[0]]], [[[0]], [[1]]]],
            "target": [[[4]], [[1]]], "learning_rate": 0.01, "pooling": {"type": "max", "size": 2}}
    result = run("solve", write(tmp_path, spec))
    assert result.stderr == (f"warning: {tmp_path / 'spec.yaml'}: max-pooling window (0, 0) of map 1 ties (two values 1); "
                             "the gradient goes to the first in row-major order\n")


def test_tie_in_a_later_iteration(tmp_path):
    # Iteration 1 moves the ReLU inputs below 0: in iteration 2 all four are 0, and the loss stays.
    spec = {"input": [[1, 0], [0, 0]], "kernel": [[1]], "bias": 0, "activation": "relu", "target": [[-5]],
            "learning_rate": 0.1, "pooling": {"type": "max", "size": 2}, "iterations": 2}
    result = run("solve", write(tmp_path, spec))
    assert result.stderr == (f"warning: {tmp_path / 'spec.yaml'}: max-pooling window (0, 0) ties in iteration 2 "
                             "(four values 0); the gradient goes to the first in row-major order\n")


def test_several_ties_and_rises_are_counted_in_the_one_line(tmp_path):
    spec = {"input": [[1, 1, 1], [1, 1, 1]], "kernel": [[1]], "target": [[0, 0]], "learning_rate": 2,
            "pooling": {"type": "max", "size": 2, "stride": 1}, "iterations": 2}
    lines = run("solve", write(tmp_path, spec)).stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("(four values 1); the gradient goes to the first in row-major order (4 tied windows in all)")
    assert "(2 of 2 iterations): the learning rate may be too large" in lines[1]


def test_build_warns_per_problem_with_its_name(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    write(specs, TIE, "tie.yaml"), write(specs, RISE, "rise.yaml"), write(specs, SEED, "seed.yaml")
    result = run("build", specs, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[:2] == [f"warning: rise.yaml: {RISE_LINE}", f"warning: tie.yaml: {TIE_LINE}"]
    assert "seed.yaml" not in result.stderr


# One line when an answer prints with a single significant figure (0.000439 as 0.0004) ----------------

SMALL = {"input": [[0.02, 0, 0]], "kernel": [[1]], "target": [[0, 0, 0]], "learning_rate": 0.1}  # loss 1/7500


def test_a_flat_answer_printed_with_one_significant_figure_warns_with_the_precision_to_use(tmp_path):
    path = write(tmp_path, SMALL)
    result = run("solve", path)
    assert result.returncode == 0 and result.stdout.startswith("# CNN Filter Learning")
    assert result.stderr == (f"warning: {path}: loss prints with 1 significant figure at --precision 4 "
                             "(0.000133 as 0.0001; 3 fields in all): use --precision 5\n")
    assert run("solve", path, "--precision", "5").stderr == ""
    assert run("solve", path, "--fractions").stderr == ""  # every value exact


def test_a_network_answer_printed_with_one_significant_figure_warns(tmp_path):
    """The 2-2-2 classic's layer-1 weight gradients, 0.000439 and 0.000996, print as 0.0004 and 0.0010."""
    from test_networks import CLASSIC

    path = write(tmp_path, CLASSIC)
    result = run("solve", path, "--format", "json")
    assert result.returncode == 0
    assert result.stderr == (f"warning: {path}: layers[0].grad_weights prints with 1 significant figure at --precision 4 "
                             "(0.000439 as 0.0004): use --precision 5\n")
    assert run("solve", path, "--precision", "5", "--format", "json").stderr == ""


def test_no_figures_warning_for_zeros_or_values_printed_exactly(tmp_path):
    # ŷ = 0.005, L = 0.000025 and ∂L/∂W = 0.0005 terminate: printed exactly, whatever the precision; the rest is 0.
    spec = {"input": [[0.05, 0], [0, 0]], "kernel": [[0.1]], "target": [[0, 0], [0, 0]], "loss": "sse", "learning_rate": 0.1}
    result = run("solve", write(tmp_path, spec))
    assert result.returncode == 0 and result.stderr == ""


def test_figures_of_printed_values():
    from fractions import Fraction

    from derive.significance import enough_precision, figures, printed

    assert figures(Fraction(1, 3), 4) == 4 and figures(Fraction(1, 3000), 4) == 1 and figures(0, 4) is None
    assert figures(Fraction(5, 10000), 4) is None and figures(Fraction(1, 2**12), 4) == 1  # 12 places: rounded
    assert printed(Fraction(1, 3000), 4) == "0.0003" and printed(Fraction(1, 300000), 4) == "3.333e-6"
    assert enough_precision([Fraction(1, 3000), Fraction(1, 30)], 4) == 5
    assert enough_precision([Fraction(1, 3 * 10**29)], 29) == 30  # 0.000…0003 at 30 too: the cap


def test_tanh_with_several_filters_squares_an_indexed_symbol_that_latex_accepts():
    # Four output cells in all: a run short enough to show each cell's symbolic form (5 or more make a table).
    small = {"input": [[[1, 0, 2], [0, 1, 1]]], "kernel": [[[[0.5, 0.1], [0.2, 0.3]]], [[[0.1, 0.2], [0.3, 0.4]]]],
             "target": [[[1, 0]], [[0, 1]]], "learning_rate": 0.1, "activation": "tanh"}
    d = derive.solve(small)
    assert r"= 1 - \left(\hat{Y}^{(0)}_{00}\right)^{2}" in d.to_markdown()
    assert "}_{00}^{2}" not in d.to_latex()  # x^{(0)}_{00}^{2}: pdflatex stops at a double superscript
    if shutil.which("pdflatex"):
        assert d.to_pdf().startswith(b"%PDF")


def test_no_figures_warning_for_a_value_near_zero_beside_large_ones(tmp_path):
    """A weight that ends at 0.0002 beside others of 0.5 reads fine at 4 decimals (the 28×28 example's
    kernel_next); only values within a tenth of their field's largest count."""
    spec = {"input": [[1, 0], [0, 1]], "kernel": [[0.5, 0.0004]], "target": [[0.6], [0]], "loss": "sse",
            "learning_rate": "1/3"}  # W′₀₁ = 0.0004 − (2/3)·0.0004 ≈ 0.0001, rounded: 1 significant figure
    result = run("solve", write(tmp_path, spec), "--format", "json")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    kernel_next = json.loads(result.stdout)["iterations"][0]["kernel_next"][0]
    assert abs(kernel_next[1]) < 0.001 and abs(kernel_next[0]) > 0.4  # the case: one tiny beside one large


# Teacher trial 3: one letter per meaning, articles, final losses, an honest Conclusion -----------------

LEAKY = {"input": [[1, -2, 0], [3, 1, -1], [0, 2, 1]], "kernel": [[0.5, -0.5], [0.25, 1]], "bias": -0.5,
         "target": [[1, 0], [-1, 2]], "learning_rate": 0.03, "activation": "leaky_relu", "negative_slope": 0.2,
         "iterations": 2}
# 1×1 with momentum: the loss falls 1 → 0.25 → 0.04, then the velocity carries the weight past the target (0.5329).
OVERSHOOT = {"input": [[1]], "kernel": [[0]], "target": [[1]], "learning_rate": 0.25,
             "optimizer": {"type": "sgd", "momentum": 0.9}, "iterations": 3}


def test_rmsprop_smoothing_constant_is_rho_beside_a_leaky_relu_slope_alpha():
    # Trial: "slope α = 0.2" and "α = 0.99" in one document.
    markdown = derive.solve({**LEAKY, "optimizer": {"type": "rmsprop"}}).to_markdown()
    assert r"\rho\ (\text{torch's alpha}) = 0.99" in markdown
    assert r"s' &= \rho s + (1 - \rho) \tilde{g}^{2}" in markdown
    assert r"\rho \cdot s^{(1)}_{K,00} + \left(1 - \rho\right)" in markdown
    assert r"\alpha s" not in markdown and r"\alpha \cdot s" not in markdown
    assert "slope α = 0.2" in markdown  # α stays leaky ReLU's


@pytest.mark.parametrize("optimizer, line", [
    ({"type": "rmsprop"}, r"a^{(1)}_{01} &= \alpha \cdot z^{(1)}_{01} = 0.2 \cdot (-2.25) = -0.45"),  # network path
    ("sgd", r"\hat{Y}_{01} = \alpha \cdot Z_{01} = 0.2 \cdot (-2.25) = -0.45"),  # flat path
])
def test_leaky_relu_step_names_its_slope_then_its_number(optimizer, line):
    # Trial: a_01 = \frac{1}{5}·z_01 = 0.2·(−2.25).
    markdown = derive.solve({**LEAKY, "optimizer": optimizer}).to_markdown()
    assert line in markdown and r"\frac{1}{5} \cdot" not in markdown


@pytest.mark.parametrize("words, article", [
    ("average pooling", "an"), ("max pooling", "a"), ("ELU", "an"), ("ReLU", "a"), ("leaky ReLU", "a"),
    (r"8 \times 8", "an"), (r"11 \times 11", "an"), (r"18 \times 18", "an"), (r"4 \times 4", "a"), ("sigmoid", "a"),
])
def test_article_by_sound(words, article):
    from derive.render import _article

    assert _article(words) == article


def test_statement_articles_read_an_before_a_vowel_sound():
    # Trial: "A **avg pooling** layer".
    spec = {"input": [[float(i + j) for j in range(9)] for i in range(8)], "kernel": [[1.0] * 8] * 8,
            "target": [[1.0]], "learning_rate": 0.01, "pooling": {"type": "avg", "size": 1}}
    spec["input"] = [row[:8] for row in spec["input"]]
    markdown = derive.solve(spec).to_markdown()
    assert r"An **$8 \times 8$ input image**" in markdown
    assert r"with an **$8 \times 8$ filter (kernel)**" in markdown
    assert "An **average pooling** layer" in markdown and "avg pooling" not in markdown


def test_final_losses_name_each_value_so_a_rounded_one_reads_approx():
    # Trial: "3.87875 → ≈ 2.5419".
    for optimizer in ("sgd", {"type": "rmsprop"}):
        markdown = derive.solve({**LEAKY, "optimizer": optimizer}).to_markdown()
        assert r"- $1$: $L = 3.87875, \quad L' \approx " in markdown, optimizer
        assert r"\to \approx" not in markdown


def test_momentum_overshoot_warns_of_both_and_the_conclusion_says_it_rose(tmp_path):
    # Trial: a momentum run whose loss rose again was said to have "lowered the loss".
    result = run("solve", write(tmp_path, OVERSHOOT), "-o", tmp_path / "out")
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == (f"warning: {tmp_path / 'spec.yaml'}: the loss rises after the update in "
                                             "iteration 3 (0.04 → 0.5329): the learning rate or the momentum may be too large")
    markdown = (tmp_path / "out" / "solution.md").read_text()
    conclusion = markdown[markdown.index("## Conclusion"):]
    assert "lowered the loss" not in conclusion
    assert "it fell from $1$ to $0.5329$ over 3 iterations but rose in iteration 3" in conclusion
    assert r"the learning rate $\eta = 0.25$ or the momentum $\mu = 0.9$ may be too large" in conclusion


def test_network_conclusion_says_the_loss_rose_in_its_last_iteration():
    net = {"input": [1], "layers": [{"dense": {"weights": [[0]]}}], "target": [1], "learning_rate": 0.25,
           "optimizer": {"type": "sgd", "momentum": 0.9}, "iterations": 3}
    d = derive.solve(net)
    losses = [(it["loss"], it["loss_next"]) for it in d.answers()["iterations"]]
    assert losses[-1][1] > losses[-1][0] and losses[-1][1] < losses[0][0]  # fell overall, rose at the end
    conclusion = d.to_markdown().split("## Conclusion")[1]
    assert "lowered the loss" not in conclusion and "but rose in iteration 3" in conclusion
    assert "or the momentum may be too large" in conclusion
    assert d.warnings()[0].endswith("the learning rate or the momentum may be too large")


def test_a_falling_run_without_momentum_still_names_only_the_learning_rate(tmp_path):
    result = run("solve", write(tmp_path, RISE))
    assert result.stderr.endswith("the learning rate may be too large\n") and "momentum" not in result.stderr


def test_a_conclusion_that_the_loss_fell_still_names_a_rise_on_the_way(tmp_path):
    spec = {"input": [[1, 0, 2, 1], [0, 1, 1, 0], [2, 1, 0, 1], [1, 0, 1, 2]], "kernel": [[1, 0], [0, -1]], "bias": 0,
            "target": [[0.5, 0.2], [0.1, 0.4]], "learning_rate": 0.5, "activation": "leaky_relu", "negative_slope": 0.2,
            "pooling": {"type": "avg", "size": 2, "stride": 1}, "optimizer": {"type": "sgd", "momentum": 0.9},
            "iterations": 4}
    conclusion = derive.solve(spec).to_markdown().split("## Conclusion")[1]
    assert "the steps against them lowered the loss from $0.19875$ to $\\approx 0.1169$ over 4 iterations" in conclusion
    assert "(it rose in iteration 2 on the way)" in conclusion
