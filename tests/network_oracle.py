"""An independent numpy (float64) implementation of a `layers:` network's training step, for the
tests: its own forward rules and hand-written backward rules, which test_networks.py checks
against central finite differences before trusting them against derive's exact answers."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

EPS = 1e-12  # float rounding of an exact 0 (0.1 − 0.3 + 0.2) stays far below this


def num(value: Any) -> float:
    """A spec number (int, decimal, "p/q") as a float."""
    return float(Fraction(str(value))) if isinstance(value, str) else float(value)


def arr(value: Any) -> np.ndarray:
    return np.vectorize(num, otypes=[float])(np.array(value, dtype=object)) if isinstance(value, list) else np.array(num(value))


def _pair(v: Any, default: int) -> tuple[int, int]:
    v = default if v is None else v
    return (int(v[0]), int(v[1])) if isinstance(v, list) else (int(v), int(v))


class Layer:
    """kind, options, params (float arrays) and forward/backward in numpy."""

    def __init__(self, entry: Any):
        self.kind, opts = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        self.opts = opts or {}
        self.params = {k: arr(self.opts[k]) for k in ("weights", "kernel", "bias") if self.opts.get(k) is not None}
        self.fixed = set(self.opts.get("fixed", []))

    # --- convolution as explicit index arithmetic, from the textbook definition ---
    def _conv_setup(self, x: np.ndarray):
        k = self.params["kernel"]
        two_d = k.ndim == 2
        k4 = k[None, None] if two_d else k
        x3 = x[None] if x.ndim == 2 else x
        sh, sw = _pair(self.opts.get("stride"), 1)
        ph, pw = _pair(self.opts.get("padding"), 0)
        dh, dw = _pair(self.opts.get("dilation"), 1)
        if self.opts.get("operation", "cross-correlation") == "convolution":
            k4 = k4[:, :, ::-1, ::-1]  # textbook convolution = cross-correlation with the flipped kernel
        xp = np.pad(x3, ((0, 0), (ph, ph), (pw, pw)))
        f, c, kh, kw = k4.shape
        oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
        ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
        return two_d, k4, xp, (sh, sw, ph, pw, dh, dw), (f, c, kh, kw, oh, ow)

    def forward(self, x: np.ndarray, p: dict) -> np.ndarray:
        self.params = p
        kind = self.kind
        if kind == "dense":
            return p["weights"] @ x + (p["bias"] if "bias" in p else 0)
        if kind == "conv":
            two_d, k4, xp, (sh, sw, _, _, dh, dw), (f, c, kh, kw, oh, ow) = self._conv_setup(x)
            z = np.zeros((f, oh, ow))
            for fi in range(f):
                for i in range(oh):
                    for j in range(ow):
                        win = xp[:, i * sh : i * sh + (kh - 1) * dh + 1 : dh, j * sw : j * sw + (kw - 1) * dw + 1 : dw]
                        z[fi, i, j] = np.sum(win * k4[fi])
            if "bias" in p:
                z += np.reshape(p["bias"], (-1, 1, 1))
            return z[0] if two_d else z
        if kind in ("maxpool", "avgpool"):
            kh, kw = _pair(self.opts["size"], 2)
            sh, sw = _pair(self.opts.get("stride"), kh) if "stride" in self.opts else (kh, kw)
            x3 = x[None] if x.ndim == 2 else x
            oh, ow = (x3.shape[1] - kh) // sh + 1, (x3.shape[2] - kw) // sw + 1
            out = np.zeros((x3.shape[0], oh, ow))
            self.route = np.zeros(x3.shape + (x3.shape[0], oh, ow))  # d out / d x, built cell by cell
            for c in range(x3.shape[0]):
                for i in range(oh):
                    for j in range(ow):
                        win = x3[c, i * sh : i * sh + kh, j * sw : j * sw + kw]
                        if kind == "maxpool":
                            # The first maximum in row-major order; values within EPS of it count as ties (the
                            # exact values derive compares may tie where float rounding does not).
                            a = int(np.argmax(win.reshape(-1) >= win.max() - EPS))
                            r, q = divmod(a, kw)
                            out[c, i, j] = win[r, q]
                            self.route[c, i * sh + r, j * sw + q, c, i, j] = 1
                        else:
                            out[c, i, j] = win.mean()
                            self.route[c, i * sh : i * sh + kh, j * sw : j * sw + kw, c, i, j] = 1 / (kh * kw)
            return out[0] if x.ndim == 2 else out
        if kind == "flatten":
            return x.reshape(-1)
        if kind == "relu":
            return np.maximum(x, 0)
        if kind == "leaky_relu":
            return np.where(x > 0, x, num(self.opts.get("negative_slope", "0.01")) * x)
        if kind == "sigmoid":
            return 1 / (1 + np.exp(-x))
        if kind == "tanh":
            return np.tanh(x)
        if kind == "softplus":  # torch.nn.Softplus(beta=1, threshold=20): linear above 20
            return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))
        if kind == "softmax":
            e = np.exp(x - x.max())
            return e / e.sum()
        raise ValueError(kind)

    def backward(self, x: np.ndarray, y: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, dict]:
        kind, p = self.kind, self.params
        if kind == "dense":
            grads = {"weights": np.outer(g, x)}
            if "bias" in p:
                grads["bias"] = g.copy()
            return p["weights"].T @ g, grads
        if kind == "conv":
            two_d, k4, xp, (sh, sw, ph, pw, dh, dw), (f, _, kh, kw, oh, ow) = self._conv_setup(x)
            g3 = g[None] if two_d else g
            gk, gxp = np.zeros_like(k4), np.zeros_like(xp)
            for fi in range(f):
                for i in range(oh):
                    for j in range(ow):
                        rs = slice(i * sh, i * sh + (kh - 1) * dh + 1, dh)
                        cs = slice(j * sw, j * sw + (kw - 1) * dw + 1, dw)
                        gk[fi] += g3[fi, i, j] * xp[:, rs, cs]
                        gxp[:, rs, cs] += g3[fi, i, j] * k4[fi]
            if self.opts.get("operation", "cross-correlation") == "convolution":
                gk = gk[:, :, ::-1, ::-1]
            gx = gxp[:, ph : gxp.shape[1] - ph, pw : gxp.shape[2] - pw]
            grads = {"kernel": gk[0, 0] if two_d else gk}
            if "bias" in p:
                grads["bias"] = np.array(g3.sum()) if two_d else g3.sum(axis=(1, 2))
            return (gx[0] if x.ndim == 2 else gx), grads
        if kind in ("maxpool", "avgpool"):
            g3 = g[None] if x.ndim == 2 else g
            gx = np.tensordot(self.route, g3, axes=3)
            return (gx[0] if x.ndim == 2 else gx), {}
        if kind == "flatten":
            return g.reshape(x.shape), {}
        if kind == "relu":  # an input within EPS of 0 is taken as 0, where the derivative is 0 (as PyTorch)
            return g * (x > EPS), {}
        if kind == "leaky_relu":
            return g * np.where(x > EPS, 1, num(self.opts.get("negative_slope", "0.01"))), {}
        if kind == "sigmoid":
            return g * y * (1 - y), {}
        if kind == "tanh":
            return g * (1 - y * y), {}
        if kind == "softplus":  # d/dx log(1 + e^x) = e^x / (1 + e^x), from the input (not the output)
            return g * np.where(x > 20, 1.0, np.exp(np.minimum(x, 20)) / (1 + np.exp(np.minimum(x, 20)))), {}
        if kind == "softmax":
            return y * (g - np.dot(g, y)), {}
        raise ValueError(kind)


def loss_value(kind: str, p: np.ndarray, y: np.ndarray) -> float:
    if kind == "mse":
        return float(np.mean((y - p) ** 2))
    if kind == "sse":
        return float(np.sum((y - p) ** 2))
    if kind == "half_sse":
        return float(np.sum((y - p) ** 2) / 2)
    if kind == "cross_entropy":
        return float(-np.sum(y[y != 0] * np.log(p[y != 0])))
    if kind == "binary_cross_entropy":
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    raise ValueError(kind)


def loss_gradient(kind: str, p: np.ndarray, y: np.ndarray) -> np.ndarray:
    n = p.size
    return {"mse": lambda: 2 * (p - y) / n, "sse": lambda: 2 * (p - y), "half_sse": lambda: p - y,
            "cross_entropy": lambda: -y / p, "binary_cross_entropy": lambda: (p - y) / (n * p * (1 - p))}[kind]()


class Net:
    """The spec's network in float64."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.x = arr(spec["input"])
        self.layers = [Layer(e) for e in spec["layers"]]
        self.loss = spec.get("loss", "mse")
        out = self.predict([layer.params for layer in self.layers])
        t = spec["target"]
        self.y = np.eye(out.size)[int(t)] if not isinstance(t, list) else arr(t)
        self.eta = num(spec["learning_rate"])
        opt = spec.get("optimizer", "sgd")
        self.mu = num(opt["momentum"]) if isinstance(opt, dict) and "momentum" in opt else None

    def predict(self, params: list[dict]) -> np.ndarray:
        x = self.x
        for layer, p in zip(self.layers, params):
            x = layer.forward(x, p)
        return x

    def loss_of(self, params: list[dict]) -> float:
        return loss_value(self.loss, self.predict(params), self.y)

    def step(self, params: list[dict]) -> tuple[dict, list[dict]]:
        xs = [self.x]
        for layer, p in zip(self.layers, params):
            xs.append(layer.forward(xs[-1], p))
        pred = xs[-1]
        g = loss_gradient(self.loss, pred, self.y)
        records: list[dict] = [{} for _ in self.layers]
        for k in reversed(range(len(self.layers))):
            layer = self.layers[k]
            layer.forward(xs[k], params[k])  # restore the layer's caches for this input
            records[k] = {"type": layer.kind, "output": xs[k + 1], "grad_output": g}
            gx, grads = layer.backward(xs[k], xs[k + 1], g)
            records[k]["grads"] = grads
            g = gx
        return {"prediction": pred, "loss": loss_value(self.loss, pred, self.y), "grad_input": g}, records

    def train(self) -> list[dict]:
        """answers.json's iterations, as floats."""
        params = [dict(layer.params) for layer in self.layers]
        velocity = [{k: np.zeros_like(v) for k, v in p.items()} for p in params]
        out = []
        for _ in range(int(self.spec.get("iterations", 1))):
            row, records = self.step(params)
            new_params = []
            for k, (layer, rec) in enumerate(zip(self.layers, records)):
                new = {}
                for name, value in params[k].items():
                    grad = rec["grads"][name]
                    rec[name], rec["grad_" + name] = value, grad
                    if name in layer.fixed:
                        new[name] = value
                    elif self.mu is not None:
                        velocity[k][name] = self.mu * velocity[k][name] + grad
                        rec["velocity_" + name] = velocity[k][name]
                        new[name] = value - self.eta * velocity[k][name]
                    else:
                        new[name] = value - self.eta * grad
                    rec[name + "_next"] = new[name]
                del rec["grads"]
                new_params.append(new)
            params = new_params
            row["loss_next"] = self.loss_of(params)
            row["layers"] = records
            out.append(row)
        return out
