"""Write tests/data/torch_optim.json: torch.optim's own parameters after each of 3 steps on a dozen seeded
random small problems (dense and conv layers, MSE), one per optimizer setting, for test_torch_fixture.py.

Run by hand where torch imports (a CPU build is enough): `python tests/make_torch_fixture.py`. The fixture is
committed, so the tests need no torch; every float is written as Python's repr, which reads back exactly.
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent / "data" / "torch_optim.json"
STEPS = 3
# (derive's optimizer spec, torch.optim's class and keywords): every rule and option derive computes
SETTINGS = [
    ({"type": "adam"}, "Adam", {}),
    ({"type": "adam", "betas": [0.5, 0.75], "eps": 0.001, "weight_decay": 0.1}, "Adam",
     {"betas": (0.5, 0.75), "eps": 0.001, "weight_decay": 0.1}),
    ({"type": "adamw"}, "AdamW", {}),
    ({"type": "adamw", "betas": [0.8, 0.9], "eps": 0.01, "weight_decay": 0.5}, "AdamW",
     {"betas": (0.8, 0.9), "eps": 0.01, "weight_decay": 0.5}),
    ({"type": "rmsprop"}, "RMSprop", {}),
    ({"type": "rmsprop", "alpha": 0.9, "eps": 0.001, "momentum": 0.9, "weight_decay": 0.1}, "RMSprop",
     {"alpha": 0.9, "eps": 0.001, "momentum": 0.9, "weight_decay": 0.1}),
    ({"type": "rmsprop", "alpha": 0.5, "eps": 0.01, "centered": True, "momentum": 0.5}, "RMSprop",
     {"alpha": 0.5, "eps": 0.01, "centered": True, "momentum": 0.5}),
    ({"type": "adagrad"}, "Adagrad", {}),
    ({"type": "adagrad", "eps": 0.001, "lr_decay": 0.5, "initial_accumulator_value": 0.1, "weight_decay": 0.1},
     "Adagrad", {"eps": 0.001, "lr_decay": 0.5, "initial_accumulator_value": 0.1, "weight_decay": 0.1}),
    ({"type": "sgd", "momentum": 0.9, "nesterov": True}, "SGD", {"momentum": 0.9, "nesterov": True}),
    ({"type": "sgd", "momentum": 0.5, "dampening": 0.25, "weight_decay": 0.1}, "SGD",
     {"momentum": 0.5, "dampening": 0.25, "weight_decay": 0.1}),
    ({"type": "sgd", "weight_decay": 0.5}, "SGD", {"weight_decay": 0.5}),
]
ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def decimal(rng: random.Random) -> float:
    """A number with two decimals in [-1, 1] (derive reads it as the exact decimal)."""
    return rng.randint(-100, 100) / 100


def matrix(rng: random.Random, rows: int, cols: int) -> list[list[float]]:
    return [[decimal(rng) for _ in range(cols)] for _ in range(rows)]


def dense_problem(rng: random.Random) -> tuple[dict, list[torch.Tensor], Callable[[], torch.Tensor]]:
    """A dense layer, an activation, a second dense layer: the spec and torch's forward pass."""
    n_in, hidden, n_out = rng.randint(2, 3), rng.randint(2, 3), rng.randint(1, 2)
    act = rng.choice(list(ACTIVATIONS))
    w1, b1, w2, b2 = matrix(rng, hidden, n_in), matrix(rng, 1, hidden)[0], matrix(rng, n_out, hidden), matrix(rng, 1, n_out)[0]
    x, y = matrix(rng, 1, n_in)[0], matrix(rng, 1, n_out)[0]
    spec = {"input": x, "layers": [{"dense": {"weights": w1, "bias": b1}}, act, {"dense": {"weights": w2, "bias": b2}}],
            "target": y, "loss": "mse"}
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w1, b1, w2, b2)]
    xt, f = torch.tensor(x, dtype=torch.float64), ACTIVATIONS[act]

    def forward() -> torch.Tensor:
        return params[2] @ f(params[0] @ xt + params[1]) + params[3]
    return spec, params, forward


def conv_problem(rng: random.Random) -> tuple[dict, list[torch.Tensor], Callable[[], torch.Tensor]]:
    """A 2×2 cross-correlation with a bias on a 3×3 image, then an activation: the spec and torch's forward pass."""
    act = rng.choice(list(ACTIVATIONS))
    image, kernel, bias, target = matrix(rng, 3, 3), matrix(rng, 2, 2), decimal(rng), matrix(rng, 2, 2)
    spec = {"input": image, "layers": [{"conv": {"kernel": kernel, "bias": bias}}, act], "target": target, "loss": "mse"}
    params = [torch.tensor(kernel, dtype=torch.float64, requires_grad=True), torch.tensor(bias, dtype=torch.float64, requires_grad=True)]
    xt, f = torch.tensor(image, dtype=torch.float64).reshape(1, 1, 3, 3), ACTIVATIONS[act]

    def forward() -> torch.Tensor:
        out = torch.nn.functional.conv2d(xt, params[0].reshape(1, 1, 2, 2), params[1].reshape(1))
        return f(out).reshape(2, 2)
    return spec, params, forward


def run(index: int, setting: tuple) -> dict:
    """One problem: the derive spec and torch's parameters after each step, by derive's names."""
    rng = random.Random(2026 + index)
    ours, name, options = setting
    spec, params, forward = (conv_problem if index % 3 == 2 else dense_problem)(rng)
    lr = rng.choice([0.01, 0.1, 0.5])
    spec.update(learning_rate=lr, iterations=STEPS, optimizer=ours)
    target = torch.tensor(spec["target"], dtype=torch.float64)
    optimizer = getattr(torch.optim, name)(params, lr=lr, **options)
    names = (["layers[0].weights", "layers[0].bias", "layers[2].weights", "layers[2].bias"] if len(params) == 4
             else ["layers[0].kernel", "layers[0].bias"])
    steps = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        torch.mean((forward() - target) ** 2).backward()
        optimizer.step()
        steps.append({n: p.detach().tolist() for n, p in zip(names, params)})
    return {"spec": spec, "torch": f"torch.optim.{name}({', '.join(f'{k}={v!r}' for k, v in options.items())})", "steps": steps}


def main() -> None:
    """Write the fixture."""
    torch.set_default_dtype(torch.float64)
    cases = [run(i, setting) for i, setting in enumerate(SETTINGS)]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({"torch_version": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {OUT} ({len(cases)} problems, torch {torch.__version__})")


if __name__ == "__main__":
    main()
