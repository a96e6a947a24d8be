"""An independent numpy implementation of the forward and backward pass (float64).

It shares no code with derive: numpy slicing and np.pad instead of derive's tap table,
np.flip for the textbook convolution, np.argmax for max pooling. test_oracle.py checks its
gradients against finite differences.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

LOSS_SCALE = {"mse": lambda n: 1.0 / n, "sse": lambda n: 1.0, "half_sse": lambda n: 0.5}


def num(x) -> float:
    return float(Fraction(x)) if isinstance(x, str) else float(x)


def as_array(values) -> np.ndarray:
    return np.vectorize(num, otypes=[float])(np.array(values, dtype=object))


def pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, list) else (value, value)


class Net:
    def __init__(self, spec: dict):
        x = as_array(spec["input"])
        self.rank2 = x.ndim == 2
        self.x = x[None] if self.rank2 else x
        self.target = as_array(spec["target"])
        if self.rank2:
            self.target = self.target[None]
        self.sh, self.sw = pair(spec.get("stride", 1))
        self.ph, self.pw = pair(spec.get("padding", 0))
        self.dh, self.dw = pair(spec.get("dilation", 1))
        self.flip = spec.get("operation", "cross-correlation") == "convolution"
        self.loss_kind = spec.get("loss", "mse")
        self.eta = num(spec["learning_rate"])
        act = spec.get("activation", "none")
        self.slope = num(spec.get("negative_slope", "1/100"))
        if isinstance(act, dict):
            self.slope = num(act.get("negative_slope", "1/100"))
            act = act["type"]
        self.act = act
        pool = spec.get("pooling", "none")
        self.pool = None if pool == "none" else (pool["type"], pair(pool["size"]), pair(pool.get("stride", pool["size"])))
        opt = spec.get("optimizer", "sgd")
        self.momentum = num(opt["momentum"]) if isinstance(opt, dict) and "momentum" in opt else None

    def kernel(self, spec: dict) -> np.ndarray:
        k = as_array(spec["kernel"])
        return k[None, None] if self.rank2 else k

    def conv(self, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
        xp = np.pad(x, ((0, 0), (self.ph, self.ph), (self.pw, self.pw)))
        k = np.flip(kernel, axis=(2, 3)) if self.flip else kernel
        F, C, kh, kw = k.shape
        eh, ew = (kh - 1) * self.dh + 1, (kw - 1) * self.dw + 1
        oh, ow = (xp.shape[1] - eh) // self.sh + 1, (xp.shape[2] - ew) // self.sw + 1
        z = np.empty((F, oh, ow))
        for f in range(F):
            for i in range(oh):
                for j in range(ow):
                    window = xp[:, i * self.sh : i * self.sh + eh : self.dh, j * self.sw : j * self.sw + ew : self.dw]
                    z[f, i, j] = np.sum(window * k[f]) + bias[f]
        return z

    def activate(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.act == "relu":
            return np.maximum(z, 0), (z > 0).astype(float)
        if self.act == "leaky_relu":
            return np.where(z > 0, z, self.slope * z), np.where(z > 0, 1.0, self.slope)
        if self.act == "sigmoid":
            a = 1 / (1 + np.exp(-z))
            return a, a * (1 - a)
        if self.act == "tanh":
            a = np.tanh(z)
            return a, 1 - a * a
        if self.act == "softplus":  # torch.nn.Softplus: linear above its threshold 20
            return np.where(z > 20, z, np.logaddexp(0, z)), np.where(z > 20, 1.0, 1 / (1 + np.exp(-z)))
        return z, np.ones_like(z)

    def pooled(self, a: np.ndarray):
        if self.pool is None:
            return a, None
        kind, (kh, kw), (sh, sw) = self.pool
        F, h, w = a.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        y = np.empty((F, oh, ow))
        back = np.zeros((F, oh, ow, h, w))  # ∂y[f,i,j]/∂a[f,r,c]
        for f in range(F):
            for i in range(oh):
                for j in range(ow):
                    window = a[f, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    if kind == "max":
                        r, c = np.unravel_index(np.argmax(window), window.shape)  # first maximum
                        y[f, i, j] = window[r, c]
                        back[f, i, j, i * sh + r, j * sw + c] = 1
                    else:
                        y[f, i, j] = window.mean()
                        back[f, i, j, i * sh : i * sh + kh, j * sw : j * sw + kw] = 1 / (kh * kw)
        return y, back

    def forward(self, kernel, bias, x=None):
        z = self.conv(self.x if x is None else x, kernel, bias)
        a, fprime = self.activate(z)
        y, back = self.pooled(a)
        return z, a, fprime, y, back

    def loss(self, kernel, bias, x=None) -> float:
        r = self.target - self.forward(kernel, bias, x)[3]
        return LOSS_SCALE[self.loss_kind](r.size) * float(np.sum(r * r))

    def backward(self, kernel, bias):
        z, a, fprime, y, back = self.forward(kernel, bias)
        dy = 2 * LOSS_SCALE[self.loss_kind](y.size) * (y - self.target)
        da = dy if back is None else np.einsum("fij,fijrc->frc", dy, back)
        dz = da * fprime
        xp = np.pad(self.x, ((0, 0), (self.ph, self.ph), (self.pw, self.pw)))
        k = np.flip(kernel, axis=(2, 3)) if self.flip else kernel
        F, C, kh, kw = k.shape
        eh, ew = (kh - 1) * self.dh + 1, (kw - 1) * self.dw + 1
        g_eff, g_xp = np.zeros_like(k), np.zeros_like(xp)
        for f in range(F):
            for i in range(dz.shape[1]):
                for j in range(dz.shape[2]):
                    rows = slice(i * self.sh, i * self.sh + eh, self.dh)
                    cols = slice(j * self.sw, j * self.sw + ew, self.dw)
                    g_eff[f] += dz[f, i, j] * xp[:, rows, cols]
                    g_xp[:, rows, cols] += dz[f, i, j] * k[f]
        g_kernel = np.flip(g_eff, axis=(2, 3)) if self.flip else g_eff
        g_input = g_xp[:, self.ph : self.ph + self.x.shape[1], self.pw : self.pw + self.x.shape[2]]
        return {"z": z, "a": a, "fprime": fprime, "y": y, "dy": dy, "da": da, "dz": dz, "grad_kernel": g_kernel,
                "grad_bias": dz.sum(axis=(1, 2)), "grad_input": g_input}


def solve(spec: dict) -> list[dict]:
    """The answer key's iterations, computed in floating point, shaped like derive's answers."""
    net = Net(spec)
    kernel = net.kernel(spec)
    has_bias = spec.get("bias") is not None
    bias = np.zeros(kernel.shape[0])
    if has_bias:
        bias = np.atleast_1d(as_array(spec["bias"]))
    velocity, velocity_bias = np.zeros_like(kernel), np.zeros_like(bias)
    squeeze = (lambda t: t[0]) if net.rank2 else (lambda t: t)
    squeeze_k = (lambda t: t[0, 0]) if net.rank2 else (lambda t: t)
    squeeze_b = (lambda t: float(t[0])) if net.rank2 else (lambda t: t)
    rows = []
    for _ in range(spec.get("iterations", 1)):
        g = net.backward(kernel, bias)
        row = {
            "feature_map": squeeze(g["z"]),
            "prediction": squeeze(g["y"]),
            "loss": net.loss(kernel, bias),
            "grad_output": squeeze(g["dy"]),
            "grad_feature_map": squeeze(g["dz"]),
            "grad_activation": squeeze(g["da"]),
            "activation_grad": squeeze(g["fprime"]),
            "grad_kernel": squeeze_k(g["grad_kernel"]),
            "grad_input": squeeze(g["grad_input"]),
        }
        if net.act != "none":
            row["activation"] = squeeze(g["a"])
        step, step_bias = g["grad_kernel"], g["grad_bias"]
        if net.momentum is not None:
            velocity = net.momentum * velocity + g["grad_kernel"]
            velocity_bias = net.momentum * velocity_bias + g["grad_bias"]
            step, step_bias = velocity, velocity_bias
            row["velocity"] = squeeze_k(velocity)
        kernel = kernel - net.eta * step
        row["kernel_next"] = squeeze_k(kernel)
        if has_bias:
            row["grad_bias"] = squeeze_b(g["grad_bias"])
            bias = bias - net.eta * step_bias
            row["bias_next"] = squeeze_b(bias)
            if net.momentum is not None:
                row["velocity_bias"] = squeeze_b(velocity_bias)
        row["loss_next"] = net.loss(kernel, bias)
        rows.append(row)
    return rows


def near_max_tie(spec: dict) -> bool:
    """True when a max-pooling window's two largest values are closer than float64 can tell
    (tanh and sigmoid saturate): there the oracle cannot know which cell derive's exact
    arithmetic correctly picks, so such specs are skipped, not compared."""
    net = Net(spec)
    if not net.pool or net.pool[0] != "max":
        return False
    kernel = net.kernel(spec)
    bias = np.atleast_1d(as_array(spec["bias"])) if spec.get("bias") is not None else np.zeros(kernel.shape[0])
    _, a, _, _, _ = net.forward(kernel, bias)
    _, (kh, kw), (sh, sw) = net.pool
    for f in range(a.shape[0]):
        for i in range((a.shape[1] - kh) // sh + 1):
            for j in range((a.shape[2] - kw) // sw + 1):
                top = np.sort(a[f, i * sh : i * sh + kh, j * sw : j * sw + kw].ravel())[::-1]
                if top.size > 1 and 0 < top[0] - top[1] < 1e-9 or (top.size > 1 and top[0] == top[1] and net.act in ("sigmoid", "tanh")):
                    return True
    return False
