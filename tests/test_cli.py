"""The command line as a user runs it (a subprocess), including every kind of bad input."""
from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed.yaml"
SEED_TEXT = SEED.read_text()


def derive(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "derive", *map(str, args)], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120
    )


def test_solve_prints_the_seed_solution_as_markdown():
    result = derive("solve", SEED)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "output" / "seed" / "solution.md").read_text()


@pytest.mark.parametrize("fmt, name", [("markdown", "solution.md"), ("latex", "solution.tex"), ("json", "answers.json")])
def test_format_option(fmt, name):
    result = derive("solve", SEED, "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "output" / "seed" / name).read_text()


def test_json_is_the_answer_key():
    key = json.loads(derive("solve", SEED, "--format", "json").stdout)
    assert set(key) == {"problem", "iterations"}
    assert key["iterations"][0]["grad_kernel"] == [[1.3, 1], [0.05, 0.95]]
    assert key["problem"]["learning_rate"] == 0.1


def test_output_dir_gets_three_files(tmp_path):
    out = tmp_path / "new" / "seed"
    result = derive("solve", SEED, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["answers.json", "solution.md", "solution.tex"]
    for name in ("answers.json", "solution.md", "solution.tex"):
        assert (out / name).read_text() == (ROOT / "output" / "seed" / name).read_text()


def test_help_explains_options_and_spec():
    top = derive("--help").stdout
    assert "solve" in top and "learning_rate" in top and "derive spec" in top
    sub = derive("solve", "--help").stdout
    for option in ("--format", "--output", "--precision", "--detail", "iterations", "1/3", "derive spec"):
        assert option in sub


def test_solve_help_names_every_spec_key():
    from derive.problem import OPTIONAL, REQUIRED

    text = derive("solve", "--help").stdout
    for key in REQUIRED + OPTIONAL:
        if key != "variant":  # written by derive variants, not by a teacher
            assert f"{key}:" in text or f"{key}," in text, key
    for shape in ("C×H×W", "F×C×kh×kw", "F×oh×ow"):
        assert shape in text


def test_top_help_shows_each_command_summary_whole():
    """click cuts a summary at 45 characters with "..."; each command's one line is shown whole."""
    from derive.cli import cli

    result = derive("--help")
    commands = " ".join(result.stdout.split("Commands:")[1].split())
    assert "..." not in commands
    for name, command in cli.commands.items():
        assert f"{name} {' '.join(command.short_help.split())}" in commands, name


def test_spec_prints_a_valid_reference_spec_with_every_key(tmp_path):
    """derive spec > s.yaml && derive solve s.yaml: the reference is a spec that uses every key."""
    from derive.problem import OPTIONAL, REQUIRED

    result = derive("spec")
    assert result.returncode == 0 and result.stderr == ""
    spec = tmp_path / "s.yaml"
    spec.write_text(result.stdout)
    data = yaml.safe_load(result.stdout)
    assert set(data) == set(REQUIRED + OPTIONAL) - {"variant"}  # each one set, so each one is checked
    assert "# variant:" in result.stdout
    for shape in ("C×H×W", "F×C×kh×kw", "F×oh×ow"):
        assert shape in result.stdout
    solved = derive("solve", spec, "--format", "json")
    assert solved.returncode == 0, solved.stderr
    key = json.loads(solved.stdout)
    assert len(key["iterations"]) == 2 and all(it["loss_next"] < it["loss"] for it in key["iterations"])
    assert [len(key["iterations"][0]["grad_kernel"]), len(key["iterations"][0]["grad_kernel"][0])] == [2, 2]  # F×C
    homework = derive("variants", spec, "--count", "2", "--seed", "1", "-o", tmp_path / "hw")
    assert homework.returncode == 0, homework.stderr


def test_spec_layers_prints_a_network_spec_that_solves_and_names_every_module(tmp_path):
    """derive spec --layers > x.yaml && derive solve x.yaml; every registered layer kind, loss and optimizer
    type (with each of its keys and torch's default) is named, so a new module shows up by itself."""
    from derive.network.layers import kinds
    from derive.network.losses import losses
    from derive.network.optimizers.options import KEYS
    from derive.network.spec import KEYS as NETWORK_KEYS

    result = derive("spec", "--layers")
    assert result.returncode == 0 and result.stderr == ""
    text = result.stdout
    spec = tmp_path / "x.yaml"
    spec.write_text(text)
    solved = derive("solve", spec, "--format", "json")
    assert solved.returncode == 0 and solved.stderr == "", solved.stderr
    key = json.loads(solved.stdout)
    assert len(key["iterations"]) == 1 and [layer["type"] for layer in key["iterations"][0]["layers"]] == [
        "conv", "relu", "maxpool", "flatten", "dense", "softmax"]
    data = yaml.safe_load(text)
    assert set(NETWORK_KEYS) | {"ask", "variants"} == set(data)  # every key set, so every key is checked
    for kind, layer in kinds().items():
        assert f"#   {kind} " in text and all(option in text for option in layer.options_allowed), kind
    for name in losses():
        assert f"#   {name} " in text, name
    for kind, keys in KEYS.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"#   {kind}: "))
        assert all(f"{k}: " in line for k in keys), line
    assert "alpha: 0.99" in text and "eps: 1e-10" in text and "weight_decay: 0.01" in text and "nesterov: false" in text
    assert "class index" in text and "layers[0].kernel: {decimals: 1" in text and "fixed: [bias]" in text
    assert "- leaky_relu: {negative_slope: 0.1}" in text
    homework = derive("variants", spec, "--count", "1", "--seed", "1", "-o", tmp_path / "hw")
    assert homework.returncode == 0, homework.stderr


def test_flat_spec_and_solve_help_point_to_the_network_spec():
    flat = derive("spec").stdout
    assert "derive spec --layers" in flat
    assert "rmsprop: {type: rmsprop, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weight_decay: 0}" in flat
    text = " ".join(derive("solve", "--help").stdout.split())
    assert "derive spec --layers" in text
    for words in ("dense {weights: out×in", "fixed: [bias]", "class index"):
        assert words in text, words


def test_the_reference_spec_2d_forms_are_valid(tmp_path):
    """The 2-D input and kernel shown in the reference's comments solve with its 2-D target."""
    from derive.reference import REFERENCE_SPEC

    forms = [ln.strip().lstrip("#").strip() for ln in REFERENCE_SPEC.splitlines()
             if ln.lstrip("# ").startswith(("input: [[", "kernel: [["))]
    assert len(forms) == 2
    spec = tmp_path / "two-d.yaml"
    spec.write_text("\n".join(forms) + "\ntarget: [[1, 2], [2, 1]]\nlearning_rate: 0.1\n")
    assert derive("solve", spec, "--format", "json").returncode == 0


def test_names_in_any_case_through_the_command_line(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SEED_TEXT + "loss: Half SSE\nactivation: Leaky-ReLU\noperation: Convolution\noptimizer: SGD\n")
    canonical = tmp_path / "canonical.yaml"
    canonical.write_text(SEED_TEXT + "loss: half_sse\nactivation: leaky_relu\noperation: convolution\noptimizer: sgd\n")
    result = derive("solve", spec, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == derive("solve", canonical, "--format", "json").stdout
    assert json.loads(result.stdout)["problem"]["activation"] == "leaky_relu"


def test_yaml_numbers_through_the_command_line(tmp_path):
    """010 is ten (YAML 1.1: eight), 1e-1 and .5 are exact numbers: the same answers as 10, 0.1 and 0.5."""
    written, plain = tmp_path / "written.yaml", tmp_path / "plain.yaml"
    written.write_text(replace("learning_rate: 0.1", "learning_rate: 1e-1").replace("[0.5, 0.2]", "[.5, 0.2]")
                       .replace("[0, 1, 2]", "[0, 010, 2]"))
    plain.write_text(replace("[0, 1, 2]", "[0, 10, 2]"))
    result = derive("solve", written, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == derive("solve", plain, "--format", "json").stdout
    assert json.loads(result.stdout)["problem"]["input"][1] == [0, 10, 2]


@pytest.mark.parametrize("detail", ["full", "summary"])
def test_detail_option(detail):
    result = derive("solve", ROOT / "examples" / "padding-stride-bias.yaml", "--detail", detail)
    assert result.returncode == 0
    assert ("We work out in full" in result.stdout) == (detail == "summary")


def test_precision_option(tmp_path):
    spec = tmp_path / "third.yaml"
    spec.write_text(SEED_TEXT.replace("learning_rate: 0.1", 'learning_rate: "1/3"'))
    two = derive("solve", spec, "--precision", "2").stdout
    six = derive("solve", spec, "--precision", "6").stdout
    assert r"\eta \approx 0.33" in two and r"\eta \approx 0.333333" in six


def test_runs_from_another_directory(tmp_path):
    result = derive("solve", SEED, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("# CNN Filter Learning")


LAYERS = """input: [[[1, 2, 0], [0, 1, 2], [2, 0, 1]], [[0, 1, 0], [1, 0, 1], [0, 1, 0]]]
kernel: [[[[1, 0], [0, 1]], [[0, 1], [1, 0]]], [[[1, 1], [0, 0]], [[0, 0], [1, 1]]]]
target: [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]
learning_rate: 0.1
"""


def replace(old: str, new: str) -> str:
    assert old in SEED_TEXT
    return SEED_TEXT.replace(old, new)


BAD_SPECS = [
    # (file name, contents, the one line expected on stderr)
    ("syntax.yaml", "input: [[1, 2]\n", "spec.yaml: invalid YAML"),
    ("syntax.json", '{"input": [[1]],', "spec.json: invalid JSON"),
    ("missing.yaml", replace("target:\n  - [1, 2]\n  - [2, 1]\n", ""), "target: missing required key"),
    ("unknown.yaml", replace("kernel:", "kernal:"), "kernal: unknown key (did you mean 'kernel'?)"),
    ("text.yaml", replace("[1, 2, 1]", "[1, abc, 1]"), "input[0][1]: 'abc' is not a number"),
    ("nan.yaml", replace("[0.5, 0.2]", "[.nan, 0.2]"), "kernel[0][0]: '.nan' is not a finite number"),
    ("inf.yaml", replace("[0.5, 0.2]", "[0.5, -.inf]"), "kernel[0][1]: '-.inf' is not a finite number"),
    ("nan.json", '{"input": [[NaN]], "kernel": [[1]], "target": [[1]], "learning_rate": 1}', "NaN is not a finite number"),
    ("bool.yaml", replace("[1, 2, 1]", "[1, true, 1]"), "input[0][1]: true is not a number"),
    # YAML 1.1's surprises: never silently another number
    ("yes.yaml", replace("[1, 2, 1]", "[1, yes, 1]"), "input[0][1]: 'yes' is not a number"),
    ("off.yaml", replace("learning_rate: 0.1", "learning_rate: off"), "learning_rate: 'off' is not a number"),
    ("hex.yaml", replace("[1, 2, 1]", "[1, 0x10, 1]"),
     "input[0][1]: 0x10 is not a decimal number (YAML would read it as hexadecimal 16): write numbers in decimal"),
    ("binary.yaml", SEED_TEXT + "stride: 0b10\n", "stride: 0b10 is not a decimal number (YAML would read it as binary 2)"),
    ("octal.yaml", SEED_TEXT + "iterations: 0o10\n", "iterations: 0o10 is not a decimal number (YAML would read it as octal 8)"),
    ("base60.yaml", replace("[0.5, 0.2]", "[0.5, 1:30]"),
     'kernel[0][1]: 1:30 is not a number (YAML 1.1 would read it as 90, in base 60): write the decimal you mean (1.5, or 1.30)'),
    ("empty-value.yaml", replace("learning_rate: 0.1", "learning_rate:"), "learning_rate: is empty: a number is needed"),
    # a decimal comma
    ("comma-kernel.yaml", replace("kernel:\n  - [0.5, 0.2]\n  - [0.3, 0.7]", "kernel: [[0,5, 0,2], [0,3, 0,7]]"),
     "kernel: 2×4 is larger than the input 3×3 (a decimal comma in kernel? write 0.5, not 0,5, which YAML reads as two numbers)"),
    ("comma-target.yaml", replace("target:\n  - [1, 2]\n  - [2, 1]", "target:\n  - [1,5, 2]\n  - [2, 1]"),
     "target: ragged rows: row 1 has 2 entries, row 0 has 3 (a decimal comma in target? write 0.5, not 0,5"),
    ("comma-scalar.yaml", replace("learning_rate: 0.1", "learning_rate: 0,1"),
     "learning_rate: '0,1' is not a number (a decimal comma? write 0.1)"),
    ("zero.yaml", replace("[1, 2, 1]", '[1, "1/0", 1]'), "input[0][1]: '1/0' divides by zero"),
    ("ragged.yaml", replace("[0, 1, 2]", "[0, 1]"), "input: ragged rows: row 1 has 2 entries, row 0 has 3"),
    ("empty-matrix.yaml", replace("kernel:\n  - [0.5, 0.2]\n  - [0.3, 0.7]", "kernel: []"), "kernel: must be a non-empty 2-D list"),
    ("empty-row.yaml", replace("kernel:\n  - [0.5, 0.2]\n  - [0.3, 0.7]", "kernel: [[]]"), "kernel: rows must not be empty"),
    ("flat.yaml", replace("kernel:\n  - [0.5, 0.2]\n  - [0.3, 0.7]", "kernel: [0.5, 0.2]"), "kernel: must be a non-empty 2-D list"),
    ("big-kernel.yaml", replace("kernel:\n  - [0.5, 0.2]\n  - [0.3, 0.7]", "kernel: [[1,1,1,1],[1,1,1,1]]"),
     "kernel: 2×4 is larger than the input 3×3"),
    ("shape.yaml", replace("target:\n  - [1, 2]\n  - [2, 1]", "target: [[1, 2], [2, 1], [0, 0]]"),
     "target: shape 3×2 does not match the output shape 2×2"),
    ("stride.yaml", SEED_TEXT + "stride: 0\n", "stride: must be at least 1, got 0"),
    ("stride-pair.yaml", SEED_TEXT + "stride: [1, 2, 3]\n", "stride: must be a whole number or a pair"),
    ("padding.yaml", SEED_TEXT + "padding: -1\n", "padding: must be at least 0, got -1"),
    ("padding-float.yaml", SEED_TEXT + "padding: 0.5\n", "padding: must be a whole number"),
    ("lr-zero.yaml", replace("learning_rate: 0.1", "learning_rate: 0"), "learning_rate: must be a positive number, got 0"),
    ("lr-negative.yaml", replace("learning_rate: 0.1", "learning_rate: -0.1"), "learning_rate: must be a positive number, got -0.1"),
    ("lr-fraction.yaml", replace("learning_rate: 0.1", 'learning_rate: "-1/3"'), "learning_rate: must be a positive number, got -1/3"),
    ("lr-text.yaml", replace("learning_rate: 0.1", "learning_rate: fast"), "learning_rate: 'fast' is not a number"),
    ("iterations-0.yaml", SEED_TEXT + "iterations: 0\n", "iterations: must be between 1 and 100, got 0"),
    ("iterations-101.yaml", SEED_TEXT + "iterations: 101\n", "iterations: must be between 1 and 100, got 101"),
    ("loss.yaml", SEED_TEXT + "loss: mae\n", "loss: unknown value 'mae' (valid: mse, sse, half_sse)"),
    ("operation.yaml", SEED_TEXT + "operation: conv\n", "operation: unknown value 'conv' (valid: cross-correlation, convolution)"),
    ("title.yaml", SEED_TEXT.replace("title: CNN Filter Learning and Practices", "title: [1]"), "title: must be a string"),
    ("list.yaml", "- 1\n- 2\n", "the spec must be a mapping of keys to values, not a list"),
    ("empty.yaml", "", "the spec must be a mapping of keys to values, not an empty document"),
    ("huge.yaml", replace("[1, 2, 1]", "[1, 1e999999, 1]"), "input[0][1]: '1e999999' is out of range"),
    # layers (3-D input: 2 channels of 3×3, 2 filters of 2×2)
    ("channels.yaml", LAYERS.replace("kernel: [[[[1, 0], [0, 1]], [[0, 1], [1, 0]]], [[[1, 1], [0, 0]], [[0, 0], [1, 1]]]]",
                                      "kernel: [[[[1, 0], [0, 1]]], [[[1, 1], [0, 0]]]]"),
     "kernel: shape 2×1×2×2 does not match the input's 2 channels: expected 2×2×2×2"),
    ("kernel-rank.yaml", LAYERS.replace("kernel: [[[[1, 0], [0, 1]], [[0, 1], [1, 0]]], [[[1, 1], [0, 0]], [[0, 0], [1, 1]]]]",
                                        "kernel: [[1, 0], [0, 1]]"),
     "kernel: must be a non-empty 4-D list (filters × channels × rows × columns) for a 3-D input"),
    ("filters-target.yaml", LAYERS.replace("target: [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]", "target: [[[1, 0], [0, 1]]]"),
     "target: shape 1×2×2 does not match the output shape 2×2×2"),
    ("bias-count.yaml", LAYERS + "bias: [0.1]\n", "bias: 1 values for 2 filters: expected a list of 2 numbers"),
    ("bias-scalar.yaml", LAYERS + "bias: 0.1\n", "bias: must be a list with one number per filter for a 3-D problem"),
    ("channel-ragged.yaml", LAYERS.replace("[[0, 1, 0], [1, 0, 1], [0, 1, 0]]", "[[0, 1], [1, 0]]"),
     "input: ragged: input[1] is 2×2, input[0] is 3×3"),
    ("activation.yaml", SEED_TEXT + "activation: relu6\n",
     "activation: unknown value 'relu6' (valid: none, leaky_relu, relu, sigmoid, softplus, tanh)"),
    ("slope.yaml", SEED_TEXT + "activation: relu\nnegative_slope: 0.1\n", "negative_slope: only applies to activation leaky_relu"),
    ("pool-type.yaml", SEED_TEXT.replace("target:\n  - [1, 2]\n  - [2, 1]", "target: [[1]]") + "pooling: {type: min, size: 2}\n",
     "pooling.type: unknown value 'min' (valid: max, avg)"),
    ("pool-size.yaml", SEED_TEXT + "pooling: {type: max, size: 3}\n", "pooling.size: window 3×3 is larger than the feature map 2×2"),
    ("pool-key.yaml", SEED_TEXT + "pooling: {type: max, size: 2, pad: 1}\n", "pooling: unknown key 'pad' (valid: type, size, stride)"),
    ("pool-typo.yaml", SEED_TEXT + "pooling: {type: max, sise: 2}\n",
     "pooling: unknown key 'sise' (did you mean 'size'?) (valid: type, size, stride)"),
    ("sgd-typo.yaml", SEED_TEXT + "optimizer: {type: sgd, momentun: 0.9}\n",
     "optimizer: unknown key 'momentun' (did you mean 'momentum'?) (valid: type, momentum, nesterov, dampening, weight_decay)"),
    ("pool-string.yaml", SEED_TEXT + "pooling: max\n", "pooling: must be none or a mapping"),
    ("momentum.yaml", SEED_TEXT + "optimizer: {type: sgd, momentum: -0.9}\n", "optimizer.momentum: must not be negative, got -0.9"),
    ("optimizer.yaml", SEED_TEXT + "optimizer: adamm\n", "optimizer.type: unknown value 'adamm' (did you mean 'adam'?)"),
    ("dilation.yaml", SEED_TEXT + "dilation: 3\n", "kernel: 2×2 (dilated to 4×4) is larger than the input 3×3"),
]


@pytest.mark.parametrize("name, text, message", BAD_SPECS, ids=[b[0] for b in BAD_SPECS])
def test_bad_spec_gets_one_line_and_writes_nothing(tmp_path, name, text, message):
    spec = tmp_path / ("spec" + Path(name).suffix)
    spec.write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    (out / "solution.md").write_text("previous solution")
    result = derive("solve", spec, "-o", out)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {spec}: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["solution.md"]
    assert (out / "solution.md").read_text() == "previous solution"


@pytest.mark.parametrize(
    "args, message",
    [
        (["solve", "missing.yaml"], "error: missing.yaml: file not found"),
        (["solve", "examples"], "error: examples: is a directory, not a spec file"),
        (["solve", SEED, "--precision", "40"], "error: Invalid value for '--precision'"),
        (["solve", SEED, "--format", "docx"], "error: Invalid value for '--format'"),
        (["solve", SEED, "--detail", "some"], "error: Invalid value for '--detail'"),
        (["solve"], "error: Missing argument 'SPEC'"),
        (["solv", SEED], "error: No such command 'solv'"),
        (["solve", SEED, "-o", SEED], f"error: {SEED}: exists and is not a directory"),
    ],
)
def test_bad_usage_gets_one_line(args, message):
    result = derive(*args)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(message), result.stderr


def test_non_utf8_spec(tmp_path):
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes("input: [[1]]\nkernel: [[1]]\ntitle: Pr\xe4ctices\n".encode("latin-1"))
    result = derive("solve", spec)
    assert result.returncode == 2 and result.stderr == (
        f"error: {spec}: not UTF-8 (byte 0xe4 on line 3): save the file as UTF-8 (it looks like Latin-1 or Windows-1252)\n")


def test_utf16_without_a_byte_order_mark_gets_a_hint(tmp_path):
    spec = tmp_path / "utf16.yaml"
    spec.write_bytes(SEED_TEXT.encode("utf-16-le"))
    result = derive("solve", spec, "-o", tmp_path / "out")
    assert result.returncode == 2 and result.stderr == (
        f"error: {spec}: not UTF-8: save the file as UTF-8 (it looks like UTF-16 without a byte-order mark)\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_file_with_a_byte_order_mark_is_read_right(tmp_path, encoding, suffix):
    """Windows editors save UTF-8 with a BOM, or 'Unicode' (UTF-16 with a BOM): the same problem."""
    text = SEED_TEXT.replace("CNN Filter Learning and Practices", "Prüfung") if suffix == ".yaml" else json.dumps(
        {"title": "Prüfung", "input": [[1, 2, 1], [0, 1, 2], [2, 1, 0]], "kernel": [[0.5, 0.2], [0.3, 0.7]],
         "target": [[1, 2], [2, 1]], "learning_rate": 0.1})
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    spec = tmp_path / ("spec" + suffix)
    spec.write_bytes(data)
    result = derive("solve", spec, "--format", "json")
    assert result.returncode == 0, result.stderr
    key = json.loads(result.stdout)
    assert key["problem"]["title"] == "Prüfung"
    assert key["iterations"][0]["grad_kernel"] == [[1.3, 1], [0.05, 0.95]]
