"""Golden documents: every example in examples/ against its committed solution in output/.

Regenerate after an intended change with `python -m pytest tests/test_golden.py --update-golden`
and review the diff in git: output/ is what readers see.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import pytest

import derive

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
RENDERINGS = {
    "solution.md": lambda d: d.to_markdown(),
    "solution.tex": lambda d: d.to_latex(),
    "answers.json": lambda d: d.to_json(),
}


SUBMISSIONS = sorted((ROOT / "examples" / "submissions").glob("*.yaml"))


@pytest.mark.parametrize("fmt, name", [("markdown", "check.md"), ("json", "check.json")])
@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda p: p.stem)
def test_golden_check_reports(submission: Path, fmt: str, name: str, request):
    """`derive check` on each example submission, run as a user runs it (paths relative to the checkout)."""
    import subprocess
    import sys

    spec = Path("examples") / f"{submission.stem}.yaml"
    result = subprocess.run([sys.executable, "-m", "derive", "check", str(spec), str(submission.relative_to(ROOT)),
                             "--format", fmt], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    compare(ROOT / "output" / submission.stem / name, result.stdout, request)


def compare(golden: Path, actual: str, request) -> None:
    """Assert `actual` equals the golden file, or rewrite it with --update-golden."""
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    assert golden.exists(), f"{golden} is missing: run pytest --update-golden"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), str(golden), "generated", n=2
            )
        )
        pytest.fail(f"{golden.relative_to(ROOT)} is stale (run pytest --update-golden):\n{diff[:6000]}")


def test_every_example_has_output():
    assert EXAMPLES, "examples/ is empty"
    assert {p.stem for p in EXAMPLES} == {p.name for p in (ROOT / "output").iterdir() if p.is_dir()}


HTML_EXAMPLES = ("seed", "convolution-fractions", "sigmoid-avgpool")  # HTML is large: a plain, an ≈ and a layered one


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.stem in HTML_EXAMPLES], ids=lambda p: p.stem)
def test_golden_html(example: Path, request):
    compare(ROOT / "output" / example.stem / "solution.html", derive.solve(example).to_html(), request)


@pytest.mark.parametrize("name", sorted(RENDERINGS))
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden(example: Path, name: str, request):
    compare(ROOT / "output" / example.stem / name, RENDERINGS[name](derive.solve(example)), request)
