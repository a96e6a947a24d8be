"""The published tree: output/ is `derive build examples -o output`, and must never be stale.

Regenerate it after an intended change with `derive build examples -o output` (or
`python -m pytest tests/test_golden.py --update-golden`), then review the diff in git.
"""
from __future__ import annotations

from pathlib import Path


from derive.build import build, check_tree

ROOT = Path(__file__).resolve().parent.parent


def test_output_is_the_build_of_examples(request):
    examples, output = str(ROOT / "examples"), str(ROOT / "output")
    if request.config.getoption("--update-golden"):
        report = build(examples, output, force=True)
        assert not report.errors, report.errors
        return
    same, diff, errors = check_tree(examples, output)
    assert not errors, errors
    assert same, f"output/ is stale (run: derive build examples -o output):\n{diff[:8000]}"


def test_every_example_is_published():
    problems = {p.stem for p in (ROOT / "examples").glob("*.yaml") if not p.stem.endswith(".submission")}
    assert problems == {p.name for p in (ROOT / "output").iterdir() if p.is_dir()}
    assert (ROOT / "output" / "seed" / "check.md").is_file()  # the seed's own numbers, diagnosed
