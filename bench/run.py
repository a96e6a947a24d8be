"""Benchmarks: wall time and peak memory of whole `derive` processes. Run: python bench/run.py

Prints one row per case; no assertions (machines are noisy): compare with the targets in README.
"""
from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def grid_spec(size: int, kernel: int, seed: int = 0) -> str:
    """A random size×size problem with a kernel×kernel filter, as YAML."""
    rng = random.Random(seed)
    out = size - kernel + 1
    rows = lambda n, m, f: "\n".join("  - [" + ", ".join(f() for _ in range(m)) + "]" for _ in range(n))  # noqa: E731
    return (
        f"input:\n{rows(size, size, lambda: str(rng.randint(0, 9)))}\n"
        f"kernel:\n{rows(kernel, kernel, lambda: f'{rng.randint(-9, 9) / 10:.1f}')}\n"
        f"target:\n{rows(out, out, lambda: str(rng.randint(0, 3)))}\n"
        "learning_rate: 0.001\n"
    )


def layers_spec(seed: int = 0) -> str:
    """3×32×32 input, 8 filters of 3×3, ReLU, 2×2 max pooling, as JSON."""
    import json

    rng = random.Random(seed)
    grid = lambda *shape: [grid(*shape[1:]) for _ in range(shape[0])] if len(shape) > 1 else [rng.randint(0, 9) for _ in range(shape[0])]  # noqa: E731
    kernel = [[[[rng.randint(-5, 5) / 10 for _ in range(3)] for _ in range(3)] for _ in range(3)] for _ in range(8)]
    return json.dumps({"input": grid(3, 32, 32), "kernel": kernel, "target": grid(8, 15, 15), "bias": [0] * 8,
                       "learning_rate": "0.001", "activation": "relu", "pooling": {"type": "max", "size": 2}})


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "derive", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return wall, peak / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("seed example, markdown (whole process)", ["solve", "examples/seed.yaml"])]
        for size, kernel in ((10, 3), (28, 5)):
            spec = Path(tmp) / f"grid{size}.yaml"
            spec.write_text(grid_spec(size, kernel))
            cases.append((f"{size}×{size} / {kernel}×{kernel}, markdown + json (-o)", ["solve", str(spec), "-o", os.path.join(tmp, f"out{size}")]))
        layers = Path(tmp) / "layers.json"
        layers.write_text(layers_spec())
        cases.append(("3×32×32, 8 filters, ReLU, max pool: json", ["solve", str(layers), "--format", "json"]))
        cases.append(("3×32×32, 8 filters, ReLU, max pool: markdown", ["solve", str(layers)]))
        cases.append(("1,000 seed-sized variants, --jobs 2 (all files)",
                      ["variants", "examples/seed.yaml", "--count", "1000", "--seed", "1", "--jobs", "2",
                       "-o", os.path.join(tmp, "variants")]))
        print(f"{'case':<48} {'wall s':>8} {'peak MB':>8}")
        for name, args in cases:
            repeats = 1 if args[0] == "variants" else 3
            wall, peak = min(run(args) for _ in range(repeats))
            print(f"{name:<48} {wall:>8.2f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
