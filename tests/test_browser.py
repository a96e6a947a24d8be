"""The HTML pages in a real browser (headless Chromium driven by Playwright), measured, not eyeballed.

Chromium's MathML ignores `columnalign`, so a derivation can look fine in one renderer and ragged
in another; a screenshot did not catch it. These tests measure where each row's `=` is drawn and
how far a minus sign sits from its number, at desktop and phone widths.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

ROOT = Path(__file__).resolve().parent.parent
# The seed, a multi-channel page (continuation rows, `(1 · (−0.3))`), and one with `(−1 · (−0.3))`.
PAGES = ["seed", "rgb-relu-maxpool", "leaky-momentum", "tiny-lenet"]  # tiny-lenet: a network document's runs of equations
WIDTHS = {"desktop": 1280, "phone": 375}
RELATIONS = ("=", "\u2248")

# For each aligned table and each of its right-hand columns (the 2nd, 4th, … cell of a row: a table
# of several `&` pairs per row aligns each pair), per row the first operator of that cell and its
# left edge.
ROWS = """() => [...document.querySelectorAll('math mtable')]
  .filter(t => t.getAttribute('columnalign') && t.getAttribute('columnalign').startsWith('right left'))
  .flatMap(t => {
    const width = Math.max(...[...t.children].map(row => row.children.length));
    const columns = [];
    for (let c = 1; c < width; c += 2) {
      columns.push([...t.children].map(row => {
        const mo = row.children[c] && row.children[c].querySelector('mo');
        return mo ? [mo.textContent, mo.getBoundingClientRect().left] : null;
      }).filter(Boolean));
    }
    return columns;
  })"""

# Every minus with a number after it, as a sign or a subtraction by its place in the row (decided
# here from the DOM, independently of derive's markup), with the gap to the number after it.
MINUSES = """() => {
  const closers = new Set([')', ']', '}', '|']);
  return [...document.querySelectorAll('mo')].filter(mo => mo.textContent === '\\u2212'
      && mo.nextElementSibling && mo.nextElementSibling.localName === 'mn').map(mo => {
    const prev = mo.previousElementSibling;
    const sign = !prev || (prev.localName === 'mo' && !closers.has(prev.textContent));
    const box = mo.getBoundingClientRect(), next = mo.nextElementSibling.getBoundingClientRect();
    return {sign, after: next.left - box.right, before: prev ? box.left - prev.getBoundingClientRect().right : null,
            context: (prev ? prev.textContent : '') + mo.textContent + mo.nextElementSibling.textContent};
  });
}"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=[(page, width) for page in PAGES for width in WIDTHS],
                ids=[f"{page}-{width}" for page in PAGES for width in WIDTHS])
def loaded(request, browser):
    """One output page at one viewport width, with the console errors it logged while loading."""
    name, width = request.param
    page = browser.new_page(viewport={"width": WIDTHS[width], "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((ROOT / "output" / name / "solution.html").as_uri())
    yield page, errors
    page.close()


def test_every_derivation_lines_up_on_its_equals_sign(loaded):
    page, _ = loaded
    tables = page.evaluate(ROWS)
    assert len(tables) >= 8
    multi_row = 0
    for rows in tables:
        relations = [x for op, x in rows if op in RELATIONS]
        multi_row += len(relations) > 1
        assert max(relations) - min(relations) <= 1, rows
        # A continuation row (`+ …` of a long sum) starts right of the `=`, not left of it.
        assert all(x > relations[0] for op, x in rows if op not in RELATIONS), rows
    assert multi_row >= 8


def test_a_minus_sign_sits_against_its_number_and_a_subtraction_is_spaced(loaded):
    page, _ = loaded
    minuses = page.evaluate(MINUSES)
    signs = [m for m in minuses if m["sign"]]
    subtractions = [m for m in minuses if not m["sign"]]
    assert len(signs) >= 5 and len(subtractions) >= 5
    for m in signs:
        assert m["after"] < 1, m
    for m in subtractions:
        assert m["after"] > 2 and m["before"] > 2, m


def test_a_negative_number_in_parentheses_reads_as_a_number(loaded):
    page, _ = loaded
    after_paren = [m for m in page.evaluate(MINUSES) if m["context"].startswith("(")]
    assert after_paren and all(m["sign"] and m["after"] < 1 and m["before"] < 1 for m in after_paren)


def test_only_wide_math_scrolls_sideways_and_nothing_is_logged(loaded):
    page, errors = loaded
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page itself never scrolls sideways
    if width < 500:
        assert page.evaluate("[...document.querySelectorAll('div.math')].some(d => d.scrollWidth > d.clientWidth)")
    assert errors == []


# Each parenthesis of a \left( … \right) pair: its width in em, and whether a fraction, table,
# root or sum with limits is inside (then it may stretch, and widen).
FENCES = """() => [...document.querySelectorAll('mo[fence="true"]')].filter(mo => mo.textContent === '(').map(mo => {
  const tall = mo.parentElement.querySelector('mfrac, mtable, msqrt, mroot, munder, munderover') !== null;
  return {tall, em: mo.getBoundingClientRect().width / parseFloat(getComputedStyle(mo).fontSize),
          context: mo.parentElement.textContent.slice(0, 20)};
})"""


def test_parentheses_around_one_line_keep_their_natural_width(loaded):
    page, _ = loaded
    flat = [f for f in page.evaluate(FENCES) if not f["tall"]]
    assert flat and all(f["em"] < 0.6 for f in flat), [f for f in flat if f["em"] >= 0.6][:3]


def test_a_slash_a_partial_sign_and_a_function_name_are_unspaced_as_in_tex(loaded):
    """`∂Ŷ/∂W`, `max(0, z)`: TeX puts no space after these (a browser gave 4, 7 and 5 px)."""
    page, _ = loaded
    gaps = page.evaluate("""() => [...document.querySelectorAll('mo')]
      .filter(mo => /^([/\\u2202]|[a-z]{2,})$/.test(mo.textContent) && mo.nextElementSibling)
      .map(mo => [mo.textContent,
                  mo.nextElementSibling.getBoundingClientRect().left - mo.getBoundingClientRect().right])""")
    assert gaps and max(gap for _, gap in gaps) < 1, [g for g in gaps if g[1] >= 1][:3]
    if "rgb" in page.url:
        assert any(name == "max" for name, _ in gaps)


@pytest.mark.parametrize("name", sorted(p.parent.name for p in (ROOT / "output").glob("*/solution.html")))
def test_no_page_scrolls_sideways_on_a_phone(browser, name):
    # Only wide math and wide tables scroll, inside their own box (a network's layer table was 399 px wide at 375).
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto((ROOT / "output" / name / "solution.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.close()
