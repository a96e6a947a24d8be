"""torch.optim's update rules in float64 numpy, written from PyTorch's documented algorithms
(`_single_tensor_adam`, `_single_tensor_adamw`, `_single_tensor_rmsprop`, `_single_tensor_adagrad`,
`sgd`'s momentum_buffer): independent of derive's optimizers, for the tests to compare with."""
from __future__ import annotations

from typing import Any

import numpy as np

from network_oracle import Net, num


def options(spec: dict) -> dict[str, Any]:
    """The spec's optimizer with torch.optim's defaults filled in."""
    opt = spec.get("optimizer", "sgd")
    opt = {"type": opt} if isinstance(opt, str) else dict(opt)
    kind = opt.pop("type", "sgd")
    kind = "sgd" if kind == "momentum" else kind
    defaults = {
        "sgd": {"momentum": 0, "dampening": 0, "nesterov": False, "weight_decay": 0},
        "adam": {"betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0},
        "adamw": {"betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 1e-2},
        "rmsprop": {"alpha": 0.99, "eps": 1e-8, "momentum": 0, "centered": False, "weight_decay": 0},
        "adagrad": {"eps": 1e-10, "lr_decay": 0, "initial_accumulator_value": 0, "weight_decay": 0},
    }[kind]
    out = {**defaults, **opt, "type": kind}
    return {k: (v if isinstance(v, bool) else [num(b) for b in v] if isinstance(v, list) else v if k == "type" else num(v))
            for k, v in out.items()}


def step(o: dict, lr: float, p: np.ndarray, g: np.ndarray, state: dict, t: int) -> np.ndarray:
    """One torch.optim step of parameter p (state updated in place); t counts from 1."""
    kind, wd = o["type"], o["weight_decay"]
    p, g = np.array(p, dtype=float), np.array(g, dtype=float)  # arrays, also for a scalar (state updated in place)
    if kind == "adamw":
        p = p * (1 - lr * wd)  # param.mul_(1 - lr * weight_decay)
    elif wd:
        g = g + wd * p  # grad.add(param, alpha=weight_decay)
    if kind in ("adam", "adamw"):
        b1, b2 = o["betas"]
        m = state.setdefault("exp_avg", np.zeros(np.shape(p)))
        v = state.setdefault("exp_avg_sq", np.zeros(np.shape(p)))
        m[...] = m + (g - m) * (1 - b1)  # exp_avg.lerp_(grad, 1 - beta1)
        v[...] = v * b2 + (1 - b2) * g * g
        step_size = lr / (1 - b1 ** t)
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + o["eps"]
        return p - step_size * m / denom
    if kind == "rmsprop":
        a = o["alpha"]
        s = state.setdefault("square_avg", np.zeros(np.shape(p)))
        s[...] = s * a + (1 - a) * g * g
        if o["centered"]:
            ga = state.setdefault("grad_avg", np.zeros(np.shape(p)))
            ga[...] = ga + (g - ga) * (1 - a)
            avg = np.sqrt(s - ga * ga) + o["eps"]
        else:
            avg = np.sqrt(s) + o["eps"]
        if o["momentum"] > 0:
            buf = state.setdefault("momentum_buffer", np.zeros(np.shape(p)))
            buf[...] = buf * o["momentum"] + g / avg
            return p - lr * buf
        return p - lr * g / avg
    if kind == "adagrad":
        s = state.setdefault("sum", np.full(np.shape(p), o["initial_accumulator_value"]))
        clr = lr / (1 + (t - 1) * o["lr_decay"])
        s[...] = s + g * g
        return p - clr * g / (np.sqrt(s) + o["eps"])
    if o["momentum"]:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = np.array(g, dtype=float)  # torch: buf = clone(grad), no dampening at the first step
        else:
            buf = state["momentum_buffer"]
            buf[...] = buf * o["momentum"] + (1 - o["dampening"]) * g
        buf = state["momentum_buffer"]
        g = g + o["momentum"] * buf if o["nesterov"] else buf
    return p - lr * g


def train(spec: dict) -> list[dict]:
    """Per iteration, per layer: {name_next, state: {name: {torch state}}} from the numpy network's own gradients."""
    net, o = Net(spec), options(spec)
    params = [dict(layer.params) for layer in net.layers]
    states: list[dict] = [{name: {} for name in p} for p in params]
    out = []
    for t in range(1, int(spec.get("iterations", 1)) + 1):
        _, records = net.step(params)
        rows, new_params = [], []
        for k, (layer, rec) in enumerate(zip(net.layers, records)):
            new, row = {}, {"state": {}}
            for name, value in params[k].items():
                if name in layer.fixed:
                    new[name] = value
                else:
                    new[name] = step(o, net.eta, value, rec["grads"][name], states[k][name], t)
                    row["state"][name] = {key: s.copy() for key, s in states[k][name].items()}
                row[name + "_next"] = new[name]
            rows.append(row)
            new_params.append(new)
        params = new_params
        out.append({"layers": rows, "loss_next": net.loss_of(params)})
    return out
