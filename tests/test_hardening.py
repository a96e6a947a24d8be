"""No input crashes derive, nothing is lost or half-written, and every run is reproducible.

Random documents go through the loader and the solver (in process, many) and through every
command (as a user runs them, fewer): each ends in a correct result or in exit status 2 with
one line on stderr, never a traceback.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import derive
from derive.errors import SpecError
from derive.spec import decode, parse_text
from strategies import layer_specs

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "examples" / "seed.yaml").read_text()
KEYS = ["input", "kernel", "target", "learning_rate", "title", "stride", "padding", "dilation", "operation", "bias",
        "loss", "iterations", "activation", "negative_slope", "pooling", "optimizer", "notation", "ask", "variants"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["1/3", "1/0", "1e308", "1e-320", "-0.0", ".nan", "0.1", "abc", "∞", "\\frac"]),
)
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=6)),
    max_leaves=40)


def solve_or_refuse(spec) -> None:
    """The only acceptable outcomes: a derivation whose outputs render, or a SpecError."""
    try:
        d = derive.solve(spec)
    except SpecError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    d.to_json()
    d.to_markdown()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_random_documents_never_crash_the_solver(document):
    solve_or_refuse(document)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer_specs(max_size=4, max_iterations=2), st.sampled_from(KEYS), scalars)
def test_valid_specs_with_one_key_broken(spec, key, value):
    solve_or_refuse(dict(spec, **{key: value}))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_the_loader(data):
    try:
        text = decode(data)
    except SpecError as exc:
        assert "\n" not in str(exc) and "save the file as UTF-8" in str(exc)
        return
    for suffix in (".yaml", ".json"):
        try:
            parse_text(text, suffix)
        except SpecError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789_:.,+-eExXoObBaf", min_size=1, max_size=12))
def test_any_number_like_token_is_read_or_refused_naming_its_field(token):
    """Whatever YAML 1.1 makes of a token (octal, hexadecimal, base 60, exponents), derive reads it
    as a decimal or refuses it with one line naming the field."""
    try:
        spec = parse_text(SEED.replace("learning_rate: 0.1", f"learning_rate: {token}"), ".yaml")
    except SpecError:
        return  # not YAML (a stray comma or colon): refused before any field
    try:
        derive.solve(spec)
    except SpecError as exc:
        # A token read as a huge number (1E200) is a valid learning rate whose answers overflow a double:
        # refused as such, by the answer key's range check.
        assert str(exc).startswith(("learning_rate: ", "numbers: ")) and "\n" not in str(exc), str(exc)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60))
def test_any_title_renders_in_every_text_format(title):
    d = derive.solve(dict(yaml.safe_load(SEED), title=title))
    assert d.to_markdown() and d.to_latex() and d.to_html()


def run(*args, cwd: Path = ROOT, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, args)], capture_output=True, cwd=cwd,
                          env=env, timeout=timeout)


def one_clean_line(result: subprocess.CompletedProcess) -> str:
    err = result.stderr.decode("utf-8", errors="replace")
    assert result.returncode == 2, (result.returncode, err)
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


NASTY = {
    "empty.yaml": b"",
    "latin1.yaml": "title: Pr\xe4ctices\n".encode("latin-1"),
    "nul.yaml": b"input: [[1\x00]]\n",
    "bomb.yaml": b"a: &a [1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b]\n",
    "deep.json": b"[" * 50000 + b"]" * 50000,
    "deep.yaml": b"input: " + b"[" * 5000 + b"]" * 5000,
    "huge-number.yaml": SEED.replace("[1, 2, 1]", "[1e308, 2, 1]").encode(),
    "tiny-number.yaml": SEED.replace("learning_rate: 0.1", "learning_rate: 1e-320").encode(),
    "long-decimal.yaml": SEED.replace("[1, 2, 1]", "[0." + "3" * 500 + ", 2, 1]").encode(),
    "long-integer.yaml": SEED.replace("[1, 2, 1]", "[" + "9" * 5000 + ", 2, 1]").encode(),
    "long-integer.json": b'{"input": [[' + b"9" * 5000 + b']], "kernel": [[1]], "target": [[1]], "learning_rate": 1}',
    "utf16.yaml": SEED.encode("utf-16-le"),  # no byte-order mark: refused with a hint
    "utf16-bom.yaml": SEED.encode("utf-16"),  # with one: read right
    "utf8-bom.json": b"\xef\xbb\xbf" + json.dumps({"input": [[1, 2], [3, 4]], "kernel": [[1]], "target": [[0, 0], [0, 0]],
                                                  "learning_rate": 0.1}).encode(),
    "hex.yaml": SEED.replace("[1, 2, 1]", "[0x1, 2, 1]").encode(),
    "base60.yaml": SEED.replace("learning_rate: 0.1", "learning_rate: 1:30").encode(),
    "tabs.yaml": b"input:\n\t- [1]\n",
    "list.json": b"[1, 2, 3]",
    "string.yaml": b"just a sentence",
    "too-big-work.yaml": yaml.safe_dump({"input": [[1] * 300] * 300, "kernel": [[1] * 30] * 30,
                                         "target": [[0] * 271] * 271, "learning_rate": 0.1}).encode(),
}


@pytest.mark.parametrize("name", sorted(NASTY))
@pytest.mark.parametrize("command", ["solve", "variants", "check-spec", "check-submission"])
def test_nasty_files_through_every_command(tmp_path, name, command):
    path = tmp_path / name
    path.write_bytes(NASTY[name])
    out = tmp_path / "out"
    seed = ROOT / "examples" / "seed.yaml"
    args = {
        "solve": ["solve", path, "-o", out],
        "variants": ["variants", path, "--count", "2", "--seed", "1", "-o", out],
        "check-spec": ["check", path, seed],
        "check-submission": ["check", seed, path],
    }[command]
    result = run(*args)
    if result.returncode == 0:  # extreme but representable numbers are still valid problems
        assert name in ("huge-number.yaml", "tiny-number.yaml", "utf16-bom.yaml", "utf8-bom.json"), result.stderr
        return
    assert f"error: {path}" in one_clean_line(result) or "error: " in result.stderr.decode()
    assert not out.exists() or not any(p for p in out.rglob("*") if p.is_file())


def test_a_directory_instead_of_a_file(tmp_path):
    assert "is a directory" in one_clean_line(run("solve", tmp_path))
    assert "is a directory" in one_clean_line(run("check", ROOT / "examples" / "seed.yaml", tmp_path))


def test_a_file_too_large_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    assert "is too large (11.0 MB; a spec may be at most 10 MB)" in one_clean_line(run("solve", path))


def test_max_cells_refuses_before_any_work():
    err = one_clean_line(run("solve", "examples/mnist-28x28.yaml", "--max-cells", "1000"))
    assert "size: the problem needs about 57,600 multiply-adds (limit 1,000)" in err


def test_an_existing_output_folder_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert "use --force" in one_clean_line(run("solve", "examples/seed.yaml", "-o", out))
    assert "use --force" in one_clean_line(run("variants", "examples/seed.yaml", "--count", 2, "--seed", 1, "-o", out))
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert run("solve", "examples/seed.yaml", "-o", out, "--force").returncode == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "solution.md").exists()


def test_force_replaces_derives_earlier_outputs_and_nothing_else(tmp_path):
    """--force removes the solution files and figures/ of an earlier run that this run does not
    write, so no stale solution.html sits beside a new PDF; a user's own files stay."""
    out = tmp_path / "out"
    assert run("solve", "examples/seed.yaml", "-o", out, "--format", "html", "--figures").returncode == 0
    (out / "notes.txt").write_text("mine")
    (out / "solution.html.bak").write_text("mine too")
    assert run("solve", "examples/seed.yaml", "-o", out, "--force").returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["answers.json", "notes.txt", "solution.html.bak",
                                                      "solution.md", "solution.tex"]


def test_force_keeps_the_old_files_when_the_run_fails(tmp_path):
    out = tmp_path / "out"
    assert run("solve", "examples/seed.yaml", "-o", out, "--format", "html", "--figures").returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    empty = tmp_path / "bin"  # no pdflatex: the PDF cannot be made
    empty.mkdir()
    assert "pdflatex" in one_clean_line(run("solve", "examples/seed.yaml", "-o", out, "--format", "pdf", "--force",
                                            env={"PATH": str(empty)}))
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_force_replaces_the_figures_folder_whole(tmp_path):
    out = tmp_path / "out"
    assert run("solve", "examples/iterations.yaml", "-o", out, "--figures").returncode == 0
    assert (out / "figures" / "loss.png").exists()  # several iterations: a loss curve
    assert run("solve", "examples/seed.yaml", "-o", out, "--figures", "--force").returncode == 0
    assert not (out / "figures" / "loss.png").exists() and (out / "figures" / "grad_kernel.png").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_sigterm_leaves_only_whole_variants_and_resume_finishes_identically(tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "derive", "variants", "examples/seed.yaml", "--count", "150",
                                "--seed", "9", "-o", str(out)], cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and not (out.is_dir() and len(list(out.glob("variant-*"))) >= 3):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.decode().startswith("error: interrupted: ") and "--resume" in err.decode()
    folders = list(out.glob("variant-*"))
    assert 0 < len(folders) < 150
    assert not list(out.glob(".*partial*")) and not list(out.rglob("*.tmp"))
    for folder in folders:
        assert len(list(folder.iterdir())) == 6, folder
    resumed = run("variants", "examples/seed.yaml", "--count", 150, "--seed", 9, "-o", out, "--resume", timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    fresh = tmp_path / "fresh"
    assert run("variants", "examples/seed.yaml", "--count", 150, "--seed", 9, "-o", fresh, timeout=300).returncode == 0
    for path in sorted(p for p in fresh.rglob("*") if p.is_file()):
        assert (out / path.relative_to(fresh)).read_bytes() == path.read_bytes(), path


def test_same_bytes_across_runs_hash_seeds_and_directories(tmp_path):
    outputs = []
    for k, cwd in enumerate((ROOT, tmp_path)):
        env = dict(os.environ, PYTHONHASHSEED=str(k * 977))
        out = tmp_path / f"out{k}"
        result = run("solve", ROOT / "examples" / "rgb-relu-maxpool.yaml", "-o", out, "--format", "html", cwd=cwd, env=env)
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outputs[0] == outputs[1]


def test_answers_json_is_valid_json_for_extreme_but_representable_numbers():
    result = run("solve", "examples/seed.yaml", "--format", "json")
    assert json.loads(result.stdout)
