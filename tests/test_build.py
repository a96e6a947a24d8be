"""`derive build`: a spec folder into a published tree, incremental, with a snapshot check."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "examples" / "seed.yaml").read_text()


def run(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.fixture
def bank(tmp_path) -> Path:
    """A course's problem bank: two problems in nested folders and one with a submission."""
    specs = tmp_path / "specs"
    (specs / "week1").mkdir(parents=True)
    (specs / "week2").mkdir()
    (specs / "week1" / "seed.yaml").write_text(SEED)
    (specs / "week1" / "seed.submission.yaml").write_text((ROOT / "examples" / "seed.submission.yaml").read_text())
    (specs / "week2" / "bias.json").write_text(
        '{"title": "With a bias", "input": [[1, 2], [3, 4]], "kernel": [[1]], "target": [[0, 1], [1, 0]], '
        '"bias": 0.5, "learning_rate": 0.1, "loss": "sse"}')
    return specs


def snapshot(out: Path) -> dict[str, float]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_build_writes_every_problem_and_an_index(bank, tmp_path):
    out = tmp_path / "out"
    result = run("build", bank, "-o", out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "week1" / "seed").iterdir()) == [
        "answers.json", "check.json", "check.md", "solution.html", "solution.md", "solution.tex"]
    assert sorted(p.name for p in (out / "week2" / "bias").iterdir()) == [
        "answers.json", "solution.html", "solution.md", "solution.tex"]
    index = (out / "index.md").read_text()
    assert "| [week1/seed](week1/seed/solution.md) | CNN Filter Learning and Practices | 3×3 input, 1×2×2 kernel, 2×2 output | mse |" in index
    assert "| [week2/bias](week2/bias/solution.md) | With a bias | 2×2 input, 1×1×1 kernel, 2×2 output | sse |" in index
    assert 'href="week2/bias/solution.html"' in (out / "index.html").read_text()
    assert (out / "week1" / "seed" / "solution.md").read_text() == (ROOT / "output" / "seed" / "solution.md").read_text()
    assert "partial-sum" in (out / "week1" / "seed" / "check.md").read_text()


def test_only_the_changed_problem_is_rebuilt(bank, tmp_path):
    out = tmp_path / "out"
    assert run("build", bank, "-o", out).returncode == 0
    before = snapshot(out)
    again = run("build", bank, "-o", out)
    assert again.returncode == 0 and "built 0, kept 2, removed 0" in again.stderr
    assert {k: v for k, v in snapshot(out).items() if not k.startswith(("index", "."))} == {
        k: v for k, v in before.items() if not k.startswith(("index", "."))}
    (bank / "week2" / "bias.json").write_text((bank / "week2" / "bias.json").read_text().replace("0.5", "0.25"))
    third = run("build", bank, "-o", out)
    assert "built 1, kept 1, removed 0" in third.stderr
    after = snapshot(out)
    changed = {k for k in after if after[k] != before.get(k)}
    assert {k for k in changed if not k.startswith(("index", "."))} == {
        f"week2/bias/{name}" for name in ("answers.json", "solution.html", "solution.md", "solution.tex")}


def test_a_template_change_rebuilds_everything(bank, tmp_path, monkeypatch):
    from derive import build as build_module

    out = tmp_path / "out"
    build_module.build(str(bank), str(out))
    monkeypatch.setattr(build_module, "_sources_hash", lambda: "other templates")
    assert sorted(build_module.build(str(bank), str(out)).written) == ["week1/seed", "week2/bias"]


def test_a_change_to_derive_s_code_rebuilds_everything(bank, tmp_path, monkeypatch):
    """A fix in derive (mathml.py, say) must reach the published tree without a version bump."""
    from derive import build as build_module

    names = [name for name, _ in build_module.hashed_sources()]
    assert {"code/mathml.py", "code/build.py", "templates/page.j2", "templates/document.j2"} <= set(names)
    out = tmp_path / "out"
    build_module.build(str(bank), str(out))
    patched = tmp_path / "mathml.py"
    patched.write_text("# a fix\n")
    monkeypatch.setattr(build_module, "hashed_sources", lambda: [("code/mathml.py", patched)])
    assert sorted(build_module.build(str(bank), str(out)).written) == ["week1/seed", "week2/bias"]


def test_check_mode(bank, tmp_path):
    out = tmp_path / "out"
    assert run("build", bank, "-o", out).returncode == 0
    same = run("build", bank, "-o", out, "--check")
    assert same.returncode == 0 and same.stdout == "" and "is up to date" in same.stderr

    (bank / "week2" / "bias.json").write_text((bank / "week2" / "bias.json").read_text().replace("0.5", "0.75"))
    changed = run("build", bank, "-o", out, "--check")
    assert changed.returncode == 1
    assert "--- a/week2/bias/answers.json" in changed.stdout and "+++ b/week2/bias/answers.json" in changed.stdout
    assert "is stale" in changed.stderr
    assert "+++ b/week2/bias/solution.html" in changed.stdout and "<mrow" not in changed.stdout  # readable
    assert (out / "week2" / "bias" / "answers.json").read_text() != ""  # --check writes nothing

    (bank / "week3").mkdir()
    (bank / "week3" / "new.yaml").write_text(SEED)
    shutil.rmtree(bank / "week1")
    listed = run("build", bank, "-o", out, "--check")
    assert listed.returncode == 1
    assert "added problem: week3/new" in listed.stdout and "removed problem: week1/seed" in listed.stdout


def test_check_diffs_html_as_a_line_of_text_per_equation(bank, tmp_path):
    """A changed page shows as its changed equations, not as thousands of characters of MathML."""
    out = tmp_path / "out"
    assert run("build", bank, "-o", out).returncode == 0
    page = out / "week1" / "seed" / "solution.html"
    page.write_text(page.read_text().replace("<mn>0.37</mn>", "<mn>0.38</mn>"))
    other = out / "week2" / "bias" / "solution.html"
    other.write_text(other.read_text().replace("<mrow>", '<mrow class="x">'))  # markup only, same text
    result = run("build", bank, "-o", out, "--check")
    assert result.returncode == 1
    diff = result.stdout.splitlines()
    assert "--- a/week1/seed/solution.html" in diff
    assert "-<div class=\"math\">$$W′_00 = W_00 − η · ∂L/∂W_00 = 0.5 − 0.1 · 1.3 = 0.5 − 0.13 = 0.38$$</div>" in diff
    assert "+<div class=\"math\">$$W′_00 = W_00 − η · ∂L/∂W_00 = 0.5 − 0.1 · 1.3 = 0.5 − 0.13 = 0.37$$</div>" in diff
    assert "+<div class=\"math\">$$W′ = [0.37 0.1; 0.295 0.605]$$</div>" in diff
    assert "changed file: week2/bias/solution.html (MathML markup only: the text of every equation is the same)" in diff
    assert len(diff) < 40 and max(map(len, diff)) < 300 and "<mrow" not in result.stdout


def test_page_text_writes_each_equation_row_as_a_line():
    from derive.mathml import to_mathml
    from derive.pagetext import page_text

    aligned = to_mathml(r"\begin{aligned}\frac{\partial L}{\partial W_{00}} &= (0.3 \cdot 1) + (-0.25 \cdot 0) "
                        r"\\ &\qquad + \hat{Y}_{i+u, j} \\ &\approx -1.3\end{aligned}", display=True)
    assert page_text(f"<p>{aligned}</p>").splitlines() == [
        "<p>$$", "∂L/∂W_00 = (0.3 · 1) + (−0.25 · 0)", "    + Ŷ_{i + u, j}", "    ≈ −1.3", "$$</p>"]
    inline = to_mathml(r"\frac{1}{n} \sum_{i,j} \left(Y_{ij} - x^{2}\right) = \begin{bmatrix} 1 & -2 \end{bmatrix}")
    assert page_text(inline) == "$1/n ∑_{i, j} (Y_ij − x^2) = [1 −2]$"
    figure = '<img src="data:image/png;base64,' + "A" * 500 + '">'
    assert page_text(figure) == f'<img src="data:image/png;sha256,{hashlib.sha256(b"A" * 500).hexdigest()[:16]}">'


def test_a_bad_spec_among_good_ones(bank, tmp_path):
    (bank / "week2" / "broken.yaml").write_text(SEED.replace("learning_rate: 0.1", "learning_rate: -1"))
    out = tmp_path / "out"
    result = run("build", bank, "-o", out)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == ["error: week2/broken.yaml: learning_rate: must be a positive number, got -1"]
    assert (out / "week1" / "seed" / "solution.md").exists() and (out / "week2" / "bias" / "solution.md").exists()
    assert not (out / "week2" / "broken").exists() and not list(out.rglob("*.partial"))
    assert "broken" not in (out / "index.md").read_text()
    checked = run("build", bank, "-o", out, "--check")
    assert checked.returncode == 2 and "error: week2/broken.yaml" in checked.stderr


def test_a_removed_spec_is_removed_from_the_tree(bank, tmp_path):
    out = tmp_path / "out"
    assert run("build", bank, "-o", out).returncode == 0
    (bank / "week2" / "bias.json").unlink()
    result = run("build", bank, "-o", out)
    assert "removed 1" in result.stderr
    assert not (out / "week2").exists() and "bias" not in (out / "index.md").read_text()


def test_refuses_a_foreign_non_empty_folder(bank, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    result = run("build", bank, "-o", out)
    assert result.returncode == 2 and "was not made by derive build: use --force" in result.stderr
    assert (out / "thesis.tex").read_text() == "precious"


def test_same_output_folder_from_two_specs(bank, tmp_path):
    (bank / "week2" / "bias.yaml").write_text(SEED)
    result = run("build", bank, "-o", tmp_path / "out")
    assert result.returncode == 2 and "gives the same output folder (week2/bias)" in result.stderr


def test_this_repository_output_is_not_stale():
    """The snapshot test this project runs on itself (as a course would in its CI)."""
    result = run("build", "examples", "-o", "output", "--check")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
