"""Benchmarks: `python bench/run.py` prints four tables (no assertions: machines are noisy);
`python bench/run.py ratios` prints only the first.

0. Start-up ratios: whole processes (the seed's answer key and check, the 2-2-2 network's answer key,
   the tiny LeNet's check, the seed, a 28×28 problem and issue 14's tiny LeNet as documents) against
   the imports they cannot avoid, measured side by side (interleaved, best of several runs) in CPU
   time, so other processes on the machine barely move them;
   the documents also against a "lean" `import sympy` run without the cycle collector, as derive runs.

1. Whole `derive` processes, start-up included: wall time and peak memory, against the targets.
2. Scaling: time per (output cell × kernel weight) over grid sizes; it should stay flat.
3. The naive approach (the whole loss as one SymPy expression, `diff` per weight, `subs`),
   timed on small sizes beside derive's chain rule.
"""
from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURE = (  # runs a command and prints its wall time and the peak RSS of it and its children
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def grid(rng: random.Random, *shape: int, low: int = 0, high: int = 9, scale: int = 1) -> list:
    if len(shape) == 1:
        return [rng.randint(low, high) / scale if scale != 1 else rng.randint(low, high) for _ in range(shape[0])]
    return [grid(rng, *shape[1:], low=low, high=high, scale=scale) for _ in range(shape[0])]


def square_spec(size: int, kernel: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    out = size - kernel + 1
    return {"input": grid(rng, size, size), "kernel": grid(rng, kernel, kernel, low=-9, high=9, scale=10),
            "target": grid(rng, out, out, high=3), "learning_rate": "0.001"}


def layers_spec(seed: int = 0) -> dict:
    rng = random.Random(seed)
    return {"input": grid(rng, 3, 32, 32), "kernel": grid(rng, 8, 3, 3, 3, low=-5, high=5, scale=10),
            "target": grid(rng, 8, 15, 15, high=3), "bias": [0] * 8, "learning_rate": "0.001",
            "activation": "relu", "pooling": {"type": "max", "size": 2}}


# The tiny LeNet, written as a teacher writes it (YAML): a 6×6 input, a 3×3 convolution with
# bias, ReLU, 2×2 max pooling, flatten, dense 4→3, softmax and cross-entropy (examples/tiny-lenet.yaml's numbers).
LENET = """\
input:
  - [0, 1, 1, 0, 0, 1]
  - [1, 2, 0, 1, 0, 0]
  - [0, 1, 2, 1, 1, 0]
  - [1, 0, 1, 2, 0, 1]
  - [0, 1, 0, 1, 2, 1]
  - [1, 0, 0, 0, 1, 2]
layers:
  - conv: {kernel: [[0.1, 0.2, -0.1], [0, 0.3, 0.1], [-0.2, 0.1, 0.2]], bias: -0.2}
  - relu
  - maxpool: {size: 2}
  - flatten
  - dense:
      weights: [[0.2, -0.1, 0.3, 0.1], [-0.3, 0.2, 0.1, 0.4], [0.1, 0.1, -0.2, 0.2]]
      bias: [0.1, 0, -0.1]
  - softmax
target: 1
loss: cross_entropy
learning_rate: 0.5
"""
# A student's answers to it, the dense layer's gradient with its sign reversed (y − p for p − y), for check's JSON.
LENET_SUBMISSION = """\
prediction: [0.4229, 0.3102, 0.2670]
loss: 1.1707
layers[4].grad_weights: [[-0.4652, -0.1692, -0.296, -0.5075], [0.7588, 0.2759, 0.4829, 0.8278], [-0.2937, -0.1068, -0.1869, -0.3203]]
"""


def compiled() -> None:
    """Compile derive's modules to bytecode first, as installing a wheel does: a checkout run with
    PYTHONDONTWRITEBYTECODE (or edited since) would otherwise compile every module in every run."""
    import compileall

    compileall.compile_dir(str(ROOT / "derive"), quiet=1)


def measure(args: list[str], repeats: int = 3) -> tuple[float, float]:
    """Best wall seconds and its peak MB over `repeats` whole-process runs."""
    best = None
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "derive", *args],
                             capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
        wall, peak = float(out[0]), float(out[1]) / 1024
        best = min(best, (wall, peak)) if best else (wall, peak)
    return best


def cpu(command: list[str]) -> float:
    """CPU seconds (user + system) of one whole process: unlike wall time, barely moved by other
    processes sharing the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ratios(tmp: Path, repeats: int = 9) -> None:
    """Each command's best CPU time as a multiple of its baseline's, the two run alternately."""
    (tmp / "28x28.json").write_text(json.dumps(square_spec(28, 5)))
    (tmp / "lenet.yaml").write_text(LENET)
    (tmp / "lenet.submission.yaml").write_text(LENET_SUBMISSION)
    py = [sys.executable]
    floor = py + ["-c", "import gmpy2, yaml, click"]  # what the answer key cannot do without
    sympy = py + ["-c", "import sympy"]  # what every document pays
    # The same import as derive's solve and check run it: without the cycle collector, and frozen at the
    # end (no walk to free it all at exit). Against it, a ratio shows derive's own cost only.
    lean = py + ["-c", "import gc; gc.disable(); import sympy; gc.freeze()"]
    derive = py + ["-m", "derive"]
    cases = [
        ("seed, JSON answer key", derive + ["solve", "examples/seed.yaml", "--format", "json"], "floor", 2.0),
        ("seed, check JSON", derive + ["check", "examples/seed.yaml", "examples/seed.submission.yaml",
                                       "--format", "json"], "floor", 2.0),
        ("2-2-2 network, JSON answer key", derive + ["solve", "examples/two-two-two.yaml", "--format", "json"], "floor", 2.0),
        ("tiny LeNet, check JSON", derive + ["check", str(tmp / "lenet.yaml"), str(tmp / "lenet.submission.yaml"),
                                             "--format", "json"], "floor", 2.0),
        ("seed, Markdown", derive + ["solve", "examples/seed.yaml"], "sympy", 1.25),
        ("28×28 / 5×5, Markdown", derive + ["solve", str(tmp / "28x28.json")], "sympy", 1.5),
        ("tiny LeNet (issue 14), Markdown", derive + ["solve", str(tmp / "lenet.yaml")], "sympy", 1.5),
    ]
    best: dict[str, float] = {}
    for _ in range(repeats):
        for name, command in [("floor", floor), ("sympy", sympy), ("lean", lean)] + [(c[0], c[1]) for c in cases]:
            best[name] = min(best.get(name, float("inf")), cpu(command))
    print(f"{'start-up, CPU s (best of ' + str(repeats) + ')':<36} {'cpu s':>6} {'baseline':>14} {'ratio':>6} {'target':>7}"
          f" {'vs lean':>8}")
    print(f"{'floor: import gmpy2, yaml, click':<36} {best['floor']:>6.3f}")
    print(f"{'sympy: import sympy':<36} {best['sympy']:>6.3f}")
    print(f"{'lean: the same, no cycle collector':<36} {best['lean']:>6.3f}")
    for name, _, base, target in cases:
        ratio = best[name] / best[base]
        lean_ratio = f"{best[name] / best['lean']:>7.2f}×" if base == "sympy" else ""
        print(f"{name:<36} {best[name]:>6.3f} {base + ' ' + format(best[base], '.3f'):>14} {ratio:>5.2f}× "
              f"{target:>5.2f}×{' ✓' if ratio <= target else ' ✗'} {lean_ratio}")
    # derive's own work, imports left out: what a change to derive can move (a profile's start).
    own = min(float(subprocess.run(py + ["-c", IN_PROCESS, str(tmp / "28x28.json")], capture_output=True, text=True,
                                   cwd=ROOT, check=True).stdout) for _ in range(repeats))
    print(f"{'28×28 / 5×5, Markdown, after imports':<36} {own:>6.3f}")
    print()


IN_PROCESS = (  # the CPU seconds of one solve and Markdown document, in a process that has imported everything
    "import json, sys, time, derive, derive.pipeline, derive.render; spec = json.load(open(sys.argv[1])); "
    "t = time.process_time(); derive.solve(spec).to_markdown(); print(time.process_time() - t)"
)


def processes(tmp: Path) -> None:
    specs = {"10x10": square_spec(10, 3), "28x28": square_spec(28, 5), "layers": layers_spec()}
    for name, spec in specs.items():
        (tmp / f"{name}.json").write_text(json.dumps(spec))
    cases = [
        ("derive --help", ["--help"], None),
        ("seed example, markdown", ["solve", "examples/seed.yaml"], 0.5),
        ("tiny LeNet (a layers: network), markdown", ["solve", "examples/tiny-lenet.yaml"], None),
        ("10×10 / 3×3, markdown + json (-o)", ["solve", str(tmp / "10x10.json"), "-o", str(tmp / "o1"), "--force"], None),
        ("28×28 / 5×5, markdown + json (-o)", ["solve", str(tmp / "28x28.json"), "-o", str(tmp / "o2"), "--force"], 1.0),
        ("3×32×32, 8 filters, ReLU, max pool: json", ["solve", str(tmp / "layers.json"), "--format", "json"], None),
        ("3×32×32, ... : json + summary markdown (-o)", ["solve", str(tmp / "layers.json"), "-o", str(tmp / "o3"), "--force"], 5.0),
        ("1,000 seed-sized variants, --jobs 2", ["variants", "examples/seed.yaml", "--count", "1000", "--seed", "1",
                                                 "--jobs", "2", "-o", str(tmp / "v"), "--force"], 10.0),
    ]
    print(f"{'whole process':<46} {'wall s':>7} {'peak MB':>8} {'target s':>9}")
    for name, args, target in cases:
        wall, peak = measure(args, repeats=1 if args[0] == "variants" else 3)
        mark = "" if target is None else f"{target:>8.1f}{' ✓' if wall <= target else ' ✗'}"
        print(f"{name:<46} {wall:>7.2f} {peak:>8.0f} {mark}")
    responses = class_responses(tmp / "v", tmp / "responses.csv")
    wall, peak = measure(["mark", str(tmp / "v"), str(responses), "-o", str(tmp / "marks"), "--force"], repeats=1)
    print(f"{'derive mark: 1,000 students, 1,000 variants':<46} {wall:>7.2f} {peak:>8.0f} {10.0:>8.1f}"
          f"{' ✓' if wall <= 10 else ' ✗'}")


def class_responses(homework: Path, path: Path) -> Path:
    """A class of 1,000 on a variants folder: each student's answers right, or with a classic mistake."""
    import csv

    with open(homework / "answers.csv", newline="") as handle:
        key = list(csv.DictReader(handle))
    columns = [c for c in key[0] if c.split("[")[0] in ("prediction", "loss", "grad_kernel", "kernel_next")]
    rng = random.Random(0)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "variant", *columns])
        for k in range(1000):
            row, mistake = key[k % len(key)], rng.choice(["none", "sign", "sum", "blank"])
            cells = [-float(row[c]) if mistake == "sign" and c.startswith("grad") else
                     4 * float(row[c]) if mistake == "sum" and c == "loss" else
                     "" if mistake == "blank" and c.startswith("kernel_next") else row[c] for c in columns]
            writer.writerow([f"student {k:04d}", row["variant"], *cells])
    return path


def scaling() -> None:
    import derive

    derive.solve(square_spec(8, 3)).to_json()  # warm
    print(f"\n{'scaling (in process, json)':<28} {'products':>9} {'ms':>8} {'µs per product':>15}")
    for size in (8, 12, 16, 24, 32, 48, 64):
        spec = square_spec(size, 3)
        products = (size - 2) ** 2 * 9
        start = time.perf_counter()
        derive.solve(spec).to_json()
        ms = (time.perf_counter() - start) * 1000
        print(f"{f'{size}×{size} / 3×3':<28} {products:>9} {ms:>8.1f} {1000 * ms / products:>15.2f}")


def naive(spec: dict) -> None:
    """The approach derive avoids: the whole loss as one SymPy expression in every symbol
    (inputs, weights, targets), `diff` per weight, then `subs` of every value."""
    import sympy

    image, target, kernel = spec["input"], spec["target"], spec["kernel"]
    k, n = len(kernel), len(image)
    out = n - k + 1
    I = sympy.Matrix(n, n, lambda i, j: sympy.Symbol(f"I_{i}_{j}"))  # noqa: E741 - the seed's own name
    W = sympy.Matrix(k, k, lambda u, v: sympy.Symbol(f"W_{u}_{v}"))
    Y = sympy.Matrix(out, out, lambda i, j: sympy.Symbol(f"Y_{i}_{j}"))
    loss = sum((Y[i, j] - sum(I[i + u, j + v] * W[u, v] for u in range(k) for v in range(k))) ** 2
               for i in range(out) for j in range(out)) / (out * out)
    values = {I[i, j]: sympy.Rational(str(image[i][j])) for i in range(n) for j in range(n)}
    values.update({W[u, v]: sympy.Rational(str(kernel[u][v])) for u in range(k) for v in range(k)})
    values.update({Y[i, j]: sympy.Rational(str(target[i][j])) for i in range(out) for j in range(out)})
    for symbol in W:
        sympy.diff(sympy.expand(loss), symbol).subs(values)


def versus_naive() -> None:
    import derive

    derive.solve(square_spec(4, 2)).to_markdown()  # warm: imports and template compilation are not the method
    print(f"\n{'naive vs chain rule':<28} {'naive s':>8} {'derive s':>9} {'ratio':>7}")
    for size, kernel in ((4, 2), (6, 3), (8, 3)):
        spec = square_spec(size, kernel)
        start = time.perf_counter()
        naive(spec)
        slow = time.perf_counter() - start
        start = time.perf_counter()
        d = derive.solve(spec)
        d.to_json(), d.to_markdown()
        fast = time.perf_counter() - start
        print(f"{f'{size}×{size} / {kernel}×{kernel}':<28} {slow:>8.2f} {fast:>9.3f} {slow / fast:>6.0f}×")


def main() -> None:
    compiled()
    with tempfile.TemporaryDirectory() as tmp:
        ratios(Path(tmp))
        if sys.argv[1:] == ["ratios"]:
            return
        processes(Path(tmp))
    scaling()
    versus_naive()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    main()
