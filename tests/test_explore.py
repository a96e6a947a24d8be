"""The HTML page's "where did this number come from?": refs on every value, and clicks in a real browser.

The expected sets are written here from the definition of a cross-correlation (output cell (i, j)
of filter f reads input[c][i·s + u][j·s + v] through weight [f][c][u][v]), not from derive/refs.py.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import derive
from derive.lms import columns
from derive.network.homework import flat_answers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTHS = {"desktop": 1280, "phone": 375}
REF = re.compile(r'data-ref="([^"]+)"')
STRIDED = """\
title: Stride two
input:
  - [1, 2, 0, 1, 3]
  - [0, 1, 2, 3, 1]
  - [2, 1, 0, 1, 0]
  - [1, 0, 1, 2, 2]
  - [3, 1, 2, 0, 1]
kernel:
  - [0.5, -0.25, 0]
  - [0.25, 1, 0.5]
  - [0, 0.5, -0.5]
target:
  - [1, 2]
  - [0, 1]
learning_rate: 0.1
stride: 2
"""


def run(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False,
                          timeout=300)


def refs_of(html: str) -> set[str]:
    return set(REF.findall(html))


def window(stride: int, out: tuple[int, int], u: int, v: int, channel: int | None = None) -> set[str]:
    """The input cells weight (u, v) multiplies over every output cell of an `out`-shaped map."""
    lead = "" if channel is None else f"[{channel}]"
    return {f"input{lead}[{i * stride + u}][{j * stride + v}]" for i in range(out[0]) for j in range(out[1])}


def cells(field: str, shape: tuple[int, ...], lead: str = "") -> set[str]:
    if len(shape) == 1:
        return {f"{field}{lead}[{k}]" for k in range(shape[0])}
    return {ref for k in range(shape[0]) for ref in cells(field, shape[1:], f"{lead}[{k}]")}


# --- the refs, without a browser ----------------------------------------------------------------

def test_seed_page_names_every_value_as_answers_csv_does():
    d = derive.solve(EXAMPLES / "seed.yaml")
    refs = refs_of(d.to_html())
    answered = {name for name, _ in columns(d.answers())}
    expected = (cells("input", (3, 3)) | cells("kernel", (2, 2)) | cells("target", (2, 2)) | cells("prediction", (2, 2))
                | cells("grad_kernel", (2, 2)) | cells("kernel_next", (2, 2)) | cells("grad_prediction", (2, 2))
                | {"learning_rate", "loss", "loss_next"})
    assert refs == expected
    # Every ref of an answer field is one of answers.csv's columns, character for character.
    assert {r for r in refs if r.split("[")[0] in d.answers()["iterations"][0]} <= answered


def test_multi_channel_and_later_iterations_carry_the_full_index():
    rgb = refs_of(derive.solve(EXAMPLES / "rgb-relu-maxpool.yaml").to_html())
    assert {"input[2][3][1]", "kernel[1][2][0][1]", "feature_map[0][2][2]", "activation[1][0][0]", "prediction[1][1][0]",
            "grad_kernel[0][1][1][0]", "kernel_next[1][0][0][0]", "bias[1]", "grad_bias[0]", "bias_next[1]"} <= rgb
    d = derive.solve(EXAMPLES / "iterations.yaml")
    refs, answered = refs_of(d.to_html()), {name for name, _ in columns(d.answers())}
    later = {r for r in refs if r.startswith("iteration_")}
    assert later and later <= answered | {r for r in later if "grad_prediction" in r or "grad_feature_map" in r}
    assert any(r.startswith("iteration_2.kernel_next") for r in refs)


def test_markdown_and_latex_carry_no_marker_and_the_lms_export_stays_static():
    d = derive.solve(EXAMPLES / "seed.yaml")
    assert "\\class" not in d.to_markdown() + d.to_latex()
    assert "data-ref" not in d.to_lms() and "<script" not in d.to_lms()


def test_relations_blob_is_json_that_cannot_close_its_script():
    html = derive.solve(EXAMPLES / "seed.yaml").to_html()
    blob = re.search(r'<script type="application/json" id="derive-refs">(.*?)</script>', html, re.DOTALL).group(1)
    data = json.loads(blob)
    names = data["names"]
    related = [names[k] for k in data["related"][names.index("kernel_next[0][0]")]]
    assert related == ["grad_kernel[0][0]", "kernel[0][0]", "learning_rate"]
    assert data["stops"][0] == ["Step 1: output cell (0, 0)", names.index("prediction[0][0]")]
    assert set(names) <= refs_of(html)  # nothing about values the page does not show


def test_static_option_writes_the_page_without_script_or_refs(tmp_path):
    result = run("solve", EXAMPLES / "seed.yaml", "--format", "html", "--static")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "<script" not in result.stdout and "data-ref" not in result.stdout
    assert result.stdout == derive.solve(EXAMPLES / "seed.yaml").to_html(interactive=False)
    explore = run("solve", EXAMPLES / "seed.yaml", "--format", "html")
    assert "<script" in explore.stdout and 'data-ref="kernel[0][0]"' in explore.stdout


def test_static_with_another_format_is_one_line_and_exit_2(tmp_path):
    out = tmp_path / "out"
    result = run("solve", EXAMPLES / "seed.yaml", "--static", "-o", out)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--static" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


# --- networks: refs named as answers.csv names them, relations from the layers' definitions ------

def network_blob(html: str) -> dict[str, list[str]]:
    """The page's relations as {ref: related refs}."""
    data = json.loads(re.search(r'id="derive-refs">(.*?)</script>', html, re.DOTALL).group(1))
    return {name: {data["names"][k] for k in related} for name, related in zip(data["names"], data["related"])}


def dense_weight(j: int, row: int, col: int) -> set[str]:
    """What dense layers[j]'s weight [row][col] meets: input unit col (the previous layer's output) and unit row."""
    return {f"layers[{j - 1}].output[{col}]", f"layers[{j}].output[{row}]"}


def test_network_page_names_every_value_as_answers_csv_does():
    import yaml

    spec = yaml.safe_load((EXAMPLES / "two-two-two.yaml").read_text())
    d = derive.solve({**spec, "show": ["grad_input"]})  # ∂L/∂x of the network's input is on the page only when shown
    refs = refs_of(d.to_html())
    answered = {name for name, _ in columns(flat_answers(d.answers()))}
    # Every answer column is on the page, and every other ref is given data.
    assert answered <= refs
    assert refs - refs_of(derive.solve(spec).to_html()) == cells("grad_input", (2,))
    assert refs - answered == cells("input", (2,)) | cells("target", (2,)) | {"learning_rate"}
    assert {"layers[0].weights[1][0]", "layers[2].output[1]", "layers[0].grad_weights[0][1]",
            "layers[0].weights_next[0][1]", "prediction[1]", "loss"} <= refs


def test_network_relations_follow_each_layer_definition():
    related = network_blob(derive.solve(EXAMPLES / "two-two-two.yaml").to_html())
    assert related["layers[2].weights[1][0]"] == dense_weight(2, 1, 0)
    # An output unit: its weighted sum's inputs, weights and bias, and the activation it feeds.
    assert related["layers[2].output[1]"] == (cells("layers[1].output", (2,)) | {"layers[2].weights[1][0]",
                                              "layers[2].weights[1][1]", "layers[2].bias[1]", "layers[3].output[1]"})
    assert related["layers[1].output[0]"] >= {"layers[0].output[0]"}  # a sigmoid reads its input unit
    assert related["layers[2].grad_weights[0][1]"] == {"layers[1].output[1]", "layers[2].grad_output[0]"}
    assert related["layers[0].weights_next[0][1]"] == {"layers[0].weights[0][1]", "layers[0].grad_weights[0][1]",
                                                       "learning_rate"}
    lenet = network_blob(derive.solve(EXAMPLES / "tiny-lenet.yaml").to_html())
    # A 3×3 cross-correlation on 6×6: weight (u, v) meets input[i + u][j + v] for every output cell (i, j) of 4×4.
    assert lenet["layers[0].kernel[1][2]"] == window(1, (4, 4), 1, 2) | cells("layers[0].output", (4, 4))
    assert lenet["layers[2].output[1][0]"] >= {f"layers[1].output[{a}][{b}]" for a in (2, 3) for b in (0, 1)}
    assert lenet["layers[4].weights[2][3]"] == dense_weight(4, 2, 3)


def test_network_max_pooling_passes_each_gradient_to_its_window_winner_only():
    d = derive.solve(EXAMPLES / "tiny-lenet.yaml")  # ReLU's 4×4 output, 2×2 windows: the first maximum wins
    related, relu = network_blob(d.to_html()), d.answers()["iterations"][0]["layers"][1]["output"]
    for i, j in ((i, j) for i in range(2) for j in range(2)):
        window = [(2 * i + a, 2 * j + b) for a in range(2) for b in range(2)]
        winner = max(window, key=lambda c: (relu[c[0]][c[1]], -window.index(c)))
        for r, c in window:
            got = related.get(f"layers[1].grad_output[{r}][{c}]", set())
            assert (f"layers[2].grad_output[{i}][{j}]" in got) == ((r, c) == winner)


def test_network_static_page_and_documents_carry_no_refs():
    d = derive.solve(EXAMPLES / "tiny-lenet.yaml")
    static = d.to_html(interactive=False)
    assert "data-ref" not in static and "<script" not in static
    assert d._repr_html_() == static  # a notebook's display, as a flat problem's
    assert "\\class" not in d.to_markdown() + d.to_latex()
    assert "data-ref" not in d.to_lms() and "<script" not in d.to_lms()
    result = run("solve", EXAMPLES / "tiny-lenet.yaml", "--format", "html", "--static")
    assert result.returncode == 0, result.stderr
    assert result.stdout == static


# --- in a real browser ------------------------------------------------------------------------

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
browser_only = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
RELATED = "els => els.map(e => e.getAttribute('data-ref'))"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    (folder / "strided.yaml").write_text(STRIDED)
    out = {}
    for name, spec in {"seed": EXAMPLES / "seed.yaml", "rgb": EXAMPLES / "rgb-relu-maxpool.yaml",
                       "strided": folder / "strided.yaml", "padded": EXAMPLES / "padding-stride-bias.yaml",
                       "two": EXAMPLES / "two-two-two.yaml", "lenet": EXAMPLES / "tiny-lenet.yaml"}.items():
        d = derive.solve(spec)
        for kind, html in (("explore", d.to_html()), ("static", d.to_html(interactive=False))):
            path = folder / f"{name}-{kind}.html"
            path.write_text(html)
            out[name, kind] = path.as_uri()
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(params=list(WIDTHS))
def open_page(request, browser, pages):
    """open_page(name) → a page at the width, and the console errors it logged."""
    opened = []

    def opener(name: str, kind: str = "explore", **context):
        ctx = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900}, **context)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(pages[name, kind])
        opened.append(ctx)
        return page, errors

    yield opener
    for ctx in opened:
        ctx.close()


def marked(page, cls: str = "related") -> set[str]:
    return set(page.eval_on_selector_all(f".{cls}", RELATED))


def click(page, ref: str) -> None:
    page.locator(f'[data-ref="{ref}"]').first.click()


@browser_only
def test_seed_kernel_weight_marks_every_input_it_multiplied_and_every_cell_it_fed(open_page):
    page, errors = open_page("seed")
    click(page, "kernel[0][0]")
    assert marked(page) == window(1, (2, 2), 0, 0) | cells("prediction", (2, 2))
    assert marked(page, "selected") == {"kernel[0][0]"}
    assert "kernel[0][0]" in page.locator("[role=status]").text_content()
    click(page, "prediction[1][0]")  # an output cell: its window and the kernel
    assert marked(page) == {"input[1][0]", "input[1][1]", "input[2][0]", "input[2][1]"} | cells("kernel", (2, 2))
    click(page, "grad_kernel[0][1]")  # a gradient: the terms of its sum
    assert marked(page) == window(1, (2, 2), 0, 1) | cells("grad_prediction", (2, 2))
    click(page, "kernel_next[1][1]")  # an update: the weight, its gradient, the learning rate
    assert marked(page) == {"kernel[1][1]", "grad_kernel[1][1]", "learning_rate"}
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert errors == []


@browser_only
def test_enter_on_a_focused_value_marks_it_and_escape_clears(open_page):
    page, errors = open_page("seed")
    page.locator('[data-ref="kernel[1][1]"]').first.focus()
    page.keyboard.press("Enter")
    assert marked(page) == window(1, (2, 2), 1, 1) | cells("prediction", (2, 2))
    page.keyboard.press("Escape")
    assert marked(page) == set() and marked(page, "selected") == set()
    assert page.locator("[role=status]").text_content() == "Nothing marked."
    assert errors == []


@browser_only
def test_strided_weight_meets_every_other_cell(open_page):
    page, errors = open_page("strided")
    click(page, "kernel[2][1]")
    assert marked(page) == window(2, (2, 2), 2, 1) | cells("prediction", (2, 2))
    click(page, "prediction[1][1]")
    assert marked(page) == {f"input[{2 + u}][{2 + v}]" for u in range(3) for v in range(3)} | cells("kernel", (3, 3))
    assert errors == []


@browser_only
def test_padding_and_a_scalar_bias(open_page):
    page, errors = open_page("padded")  # 4×4 input padded by 1, 3×3 kernel, stride 2: a 2×2 output
    click(page, "kernel[0][0]")  # padded taps (0|2, 0|2): only (2, 2) is inside, as input[1][1]
    padded = {f"padded_input[{a}][{b}]" for a in (0, 2) for b in (0, 2)}
    assert marked(page) == {"input[1][1]"} | padded | cells("prediction", (2, 2))
    click(page, "bias_next")  # ∂L/∂b and b are unindexed symbols of a 2-D problem
    assert marked(page) == {"bias", "grad_bias", "learning_rate"}
    click(page, "learning_rate")  # the rate feeds every update
    assert marked(page) == cells("kernel_next", (3, 3)) | {"bias_next"}
    assert errors == []


@browser_only
def test_multi_channel_weight_and_output_cell(open_page):
    page, errors = open_page("rgb")  # 3 channels of 4×4, 2 filters of 2×2, conv output 3×3, bias
    click(page, "kernel[1][2][0][1]")
    fed = {f"feature_map[1][{i}][{j}]" for i in range(3) for j in range(3)}
    assert marked(page) == window(1, (3, 3), 0, 1, channel=2) | fed
    click(page, "feature_map[0][1][2]")
    windows = {f"input[{c}][{1 + u}][{2 + v}]" for c in range(3) for u in range(2) for v in range(2)}
    assert marked(page) == windows | cells("kernel", (1, 3, 2, 2)) | {"bias[0]"}
    click(page, "grad_feature_map[1][0][1]")  # ∂L/∂Z = ∂L/∂A · ReLU′(Z)
    assert marked(page) == {"grad_activation[1][0][1]", "feature_map[1][0][1]"}
    # Max pooling (2×2, stride 1) routes each ∂L/∂Ŷ to its window's largest activation, the first on ties.
    a = derive.solve(EXAMPLES / "rgb-relu-maxpool.yaml").answers()["iterations"][0]["activation"][0]
    pooled = [(r, c) for r in (0, 1) for c in (1, 2)]  # the window of pooled cell (0, 1) of map 0
    r, c = max(pooled, key=lambda rc: (a[rc[0]][rc[1]], -pooled.index(rc)))
    click(page, f"grad_activation[0][{r}][{c}]")
    assert "grad_prediction[0][0][1]" in marked(page)
    assert errors == []


@browser_only
def test_step_navigator_slides_the_window_over_the_input(open_page):
    page, errors = open_page("seed")
    nav = page.locator(".derive-nav")
    nav.get_by_role("button", name="Next").click()
    assert marked(page, "used") == {"input[0][0]", "input[0][1]", "input[1][0]", "input[1][1]", "prediction[0][0]"} \
        | cells("kernel", (2, 2))
    nav.get_by_role("button", name="Next").click()
    assert marked(page, "used") >= {"input[0][1]", "input[0][2]", "input[1][1]", "input[1][2]", "prediction[0][1]"}
    assert "input[0][0]" not in marked(page, "used")
    assert "(0, 1)" in nav.locator("output").text_content()
    nav.get_by_role("button", name="Back").click()
    assert "input[0][0]" in marked(page, "used")
    assert errors == []


@browser_only
def test_without_javascript_the_page_reads_as_the_static_one(open_page):
    page, _ = open_page("seed", java_script_enabled=False)
    static, _ = open_page("seed", "static")
    assert page.inner_text("body") == static.inner_text("body")
    assert page.locator(".derive-nav").count() == 0


@browser_only
def test_print_hides_the_navigator_and_the_marks(open_page):
    page, _ = open_page("seed")
    click(page, "kernel[0][0]")
    page.emulate_media(media="print")
    assert page.locator(".derive-nav").is_hidden()
    style = page.locator(".related").first.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).backgroundColor]")
    assert style == ["none", "rgba(0, 0, 0, 0)"]


@browser_only
def test_network_dense_weight_marks_its_input_and_output_units_and_escape_clears(open_page):
    page, errors = open_page("two")
    click(page, "layers[2].weights[1][0]")
    assert marked(page) == dense_weight(2, 1, 0)
    assert marked(page, "selected") == {"layers[2].weights[1][0]"}
    click(page, "layers[0].weights_next[0][1]")  # an update: the weight, its gradient, η
    assert marked(page) == {"layers[0].weights[0][1]", "layers[0].grad_weights[0][1]", "learning_rate"}
    page.keyboard.press("Escape")
    assert marked(page) == set() and marked(page, "selected") == set()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert errors == []


@browser_only
def test_network_conv_and_dense_weights_of_a_lenet(open_page):
    page, errors = open_page("lenet")
    click(page, "layers[0].kernel[0][0]")
    assert marked(page) == window(1, (4, 4), 0, 0) | cells("layers[0].output", (4, 4))
    click(page, "layers[4].weights[0][1]")
    assert marked(page) == dense_weight(4, 0, 1)
    page.keyboard.press("Escape")
    assert marked(page) == set()
    assert errors == []


def test_the_live_text_names_network_fields_whole(browser):
    # "layers ×2" named nothing: a field is its ref without the trailing cell indices.
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((ROOT / "output" / "two-two-two" / "solution.html").as_uri())
    page.locator('[data-ref="layers[0].weights[0][0]"]').first.click()
    said = page.evaluate("[...document.querySelectorAll('[aria-live]')].map(e => e.textContent).join(' ')")
    assert "made of or feeds input, layers[0].output." in said
    page.close()
