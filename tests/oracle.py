"""An independent numpy implementation of the forward and backward pass (float64).

It shares no code with derive: numpy slicing and np.pad instead of derive's tap table,
np.flip for the textbook convolution. test_oracle.py checks it against finite differences.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

LOSS_SCALE = {"mse": lambda n: 1.0 / n, "sse": lambda n: 1.0, "half_sse": lambda n: 0.5}


def as_array(rows) -> np.ndarray:
    return np.array([[float(Fraction(str(x)) if isinstance(x, str) else x) for x in row] for row in rows])


def pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, list) else (value, value)


class Net:
    def __init__(self, spec: dict):
        self.x = as_array(spec["input"])
        self.target = as_array(spec["target"])
        self.sh, self.sw = pair(spec.get("stride", 1))
        self.ph, self.pw = pair(spec.get("padding", 0))
        self.flip = spec.get("operation", "cross-correlation") == "convolution"
        self.loss_kind = spec.get("loss", "mse")
        self.eta = float(Fraction(str(spec["learning_rate"])))

    def effective(self, kernel: np.ndarray) -> np.ndarray:
        return np.flip(kernel) if self.flip else kernel

    def forward(self, kernel: np.ndarray, bias: float) -> np.ndarray:
        xp = np.pad(self.x, ((self.ph, self.ph), (self.pw, self.pw)))
        k = self.effective(kernel)
        kh, kw = k.shape
        oh = (xp.shape[0] - kh) // self.sh + 1
        ow = (xp.shape[1] - kw) // self.sw + 1
        out = np.empty((oh, ow))
        for i in range(oh):
            for j in range(ow):
                window = xp[i * self.sh : i * self.sh + kh, j * self.sw : j * self.sw + kw]
                out[i, j] = np.sum(window * k) + bias
        return out

    def loss(self, kernel: np.ndarray, bias: float) -> float:
        r = self.target - self.forward(kernel, bias)
        return LOSS_SCALE[self.loss_kind](r.size) * float(np.sum(r * r))

    def backward(self, kernel: np.ndarray, bias: float):
        """dL/dY, dL/dW, dL/db, dL/dI by the adjoint of the sliding window."""
        y = self.forward(kernel, bias)
        delta = 2 * LOSS_SCALE[self.loss_kind](y.size) * (y - self.target)
        xp = np.pad(self.x, ((self.ph, self.ph), (self.pw, self.pw)))
        k = self.effective(kernel)
        kh, kw = k.shape
        g_eff = np.zeros_like(k)
        g_xp = np.zeros_like(xp)
        for i in range(y.shape[0]):
            for j in range(y.shape[1]):
                rows = slice(i * self.sh, i * self.sh + kh)
                cols = slice(j * self.sw, j * self.sw + kw)
                g_eff += delta[i, j] * xp[rows, cols]
                g_xp[rows, cols] += delta[i, j] * k
        g_kernel = np.flip(g_eff) if self.flip else g_eff
        g_input = g_xp[self.ph : self.ph + self.x.shape[0], self.pw : self.pw + self.x.shape[1]]
        return delta, g_kernel, float(np.sum(delta)), g_input


def solve(spec: dict) -> list[dict]:
    """The answer key's iterations, computed in floating point."""
    net = Net(spec)
    kernel = as_array(spec["kernel"])
    has_bias = spec.get("bias") is not None
    bias = float(Fraction(str(spec["bias"]))) if has_bias else 0.0
    rows = []
    for _ in range(spec.get("iterations", 1)):
        y = net.forward(kernel, bias)
        delta, g_kernel, g_bias, g_input = net.backward(kernel, bias)
        row = {
            "feature_map": y,
            "prediction": y,
            "loss": net.loss(kernel, bias),
            "grad_output": delta,
            "grad_kernel": g_kernel,
            "grad_input": g_input,
            "kernel_next": kernel - net.eta * g_kernel,
        }
        if has_bias:
            row["grad_bias"] = g_bias
            row["bias_next"] = bias - net.eta * g_bias
        kernel = row["kernel_next"]
        bias = row.get("bias_next", bias)
        row["loss_next"] = net.loss(kernel, bias)
        rows.append(row)
    return rows
