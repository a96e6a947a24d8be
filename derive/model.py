"""The network's numbers: forward pass, loss and backward pass by the chain rule.

Like micrograd's engine, each operation keeps its forward rule and its local derivative side
by side (the LOSSES table, the activation's layer module, pooling's routing); steps.py writes the same
operations out as equations. Values are exact rationals until a sigmoid or tanh (exact.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from . import activation
from .exact import ONE, ZERO, Num, mpq, precise
from .problem import Matrix, Pair, Problem, Tensor3, Tensor4

Index = tuple[int, int]
Cell = tuple[int, int, int]  # (filter, row, column)
Weight = tuple[int, int, int, int]  # (filter, channel, row, column)


@dataclass(frozen=True)
class Loss:
    """A loss convention: L = scale(n)·Σ(Y − Ŷ)², so ∂L/∂Ŷ = grad_scale(n)·(Ŷ − Y), for n cells."""

    name: str
    scale: Callable[[int], mpq]
    grad_scale: Callable[[int], mpq]


LOSSES = {
    "mse": Loss("mean squared error", lambda n: mpq(1, n), lambda n: mpq(2, n)),
    "sse": Loss("sum of squared errors", lambda n: ONE, lambda n: mpq(2)),
    "half_sse": Loss("half the sum of squared errors", lambda n: mpq(1, 2), lambda n: ONE),
}


@dataclass(frozen=True)
class Iteration:
    """Every number of one training step (forward, loss, backward, update)."""

    kernel: Tensor4
    bias: tuple[Num, ...] | None
    velocity: Tensor4 | None  # momentum buffers before this step
    velocity_bias: tuple[Num, ...] | None
    padded_input: Tensor3
    feature_map: Tensor3  # Z: convolution plus bias
    activation: Tensor3 | None  # A = f(Z)
    activation_grad: Tensor3 | None  # f'(Z)
    prediction: Tensor3  # Ŷ: what the loss sees (after pooling)
    winners: dict[Cell, Index] | None  # max pooling: which cell of each window won
    loss: Num
    grad_prediction: Tensor3  # ∂L/∂Ŷ
    grad_activation: Tensor3 | None  # ∂L/∂A (routed back through pooling)
    grad_feature_map: Tensor3  # ∂L/∂Z
    grad_kernel: Tensor4
    grad_bias: tuple[Num, ...] | None
    grad_input: Tensor3
    velocity_next: Tensor4 | None
    velocity_bias_next: tuple[Num, ...] | None
    kernel_next: Tensor4
    bias_next: tuple[Num, ...] | None
    loss_next: Num  # the loss recomputed with the updated kernel and bias


def grid(shape: Pair) -> list[Index]:
    """All (row, column) indices of a grid, in row-major order."""
    return [(i, j) for i in range(shape[0]) for j in range(shape[1])]


def weights(problem: Problem) -> list[Weight]:
    """Every kernel weight (f, c, u, v), in order."""
    return [(f, c, u, v) for f in range(problem.filters) for c in range(problem.channels) for u, v in grid(problem.kernel_size)]


def tap(problem: Problem, cell: Index, weight: Index) -> Index:
    """The padded-input cell that weight (u, v) multiplies for output cell (i, j)."""
    (i, j), (u, v), (sh, sw), (dh, dw) = cell, weight, problem.stride, problem.dilation
    if problem.operation == "convolution":  # the kernel is flipped: W_uv meets the mirrored tap
        kh, kw = problem.kernel_size
        u, v = kh - 1 - u, kw - 1 - v
    return i * sh + u * dh, j * sw + v * dw


def padded(problem: Problem) -> Tensor3:
    """Each input channel surrounded by `padding` rows and columns of zeros."""
    (ph, pw), width = problem.padding, problem.padded_shape[1]

    def pad(channel: Matrix) -> Matrix:
        zero_row = (ZERO,) * width
        return (zero_row,) * ph + tuple((ZERO,) * pw + row + (ZERO,) * pw for row in channel) + (zero_row,) * ph

    return tuple(pad(ch) for ch in problem.input)


def _zeros(shape: Pair) -> list[list[Num]]:
    return [[ZERO] * shape[1] for _ in range(shape[0])]


def _freeze(rows: list[list[Num]]) -> Matrix:
    return tuple(tuple(row) for row in rows)


def convolve(problem: Problem, x: Tensor3, kernel: Tensor4, bias: tuple[Num, ...] | None) -> Tensor3:
    """Z_f,ij = Σ_c Σ_uv X_c[tap(ij, uv)] · W_f,c,uv (+ b_f)."""
    (oh, ow), sw = problem.conv_shape, problem.stride[1]
    maps = []
    for f in range(problem.filters):
        start = bias[f] if bias is not None else ZERO
        z = [[start] * ow for _ in range(oh)]
        for c in range(problem.channels):
            for u, v in grid(problem.kernel_size):
                w = kernel[f][c][u][v]
                if w == 0:
                    continue
                for i in range(oh):
                    r, q = tap(problem, (i, 0), (u, v))
                    row, out = x[c][r], z[i]
                    for j in range(ow):
                        out[j] += w * row[q + j * sw]
        maps.append(_freeze(z))
    return tuple(maps)


def pool_windows(problem: Problem, cell: Index) -> list[Index]:
    """The feature-map cells pooled into output cell (i, j), in row-major order."""
    pool = problem.pooling
    assert pool is not None, "only a problem with pooling has windows"
    (i, j), (kh, kw), (sh, sw) = cell, pool.size, pool.stride
    return [(i * sh + a, j * sw + b) for a in range(kh) for b in range(kw)]


def pool(problem: Problem, maps: Tensor3) -> tuple[Tensor3, dict[Cell, Index] | None]:
    """Max pooling (first maximum in row-major order wins ties) or average pooling."""
    assert problem.pooling is not None, "pool() is called only for a problem with pooling"
    winners: dict[Cell, Index] = {}
    out = []
    for f, m in enumerate(maps):
        rows = _zeros(problem.output_shape)
        for i, j in grid(problem.output_shape):
            window = pool_windows(problem, (i, j))
            if problem.pooling.type == "max":
                best = window[0]
                for r, c in window[1:]:
                    if m[r][c] > m[best[0]][best[1]]:  # strictly greater: the first maximum stays
                        best = (r, c)
                winners[(f, i, j)] = best
                rows[i][j] = m[best[0]][best[1]]
            else:
                rows[i][j] = sum((m[r][c] for r, c in window), ZERO) / len(window)
        out.append(_freeze(rows))
    return tuple(out), (winners if problem.pooling.type == "max" else None)


def tied_windows(problem: Problem, it: Iteration) -> tuple[Cell, ...]:
    """The max-pooling cells whose window maximum is shared (the first in row-major order won)."""
    if it.winners is None:
        return ()
    source = it.activation if it.activation is not None else it.feature_map
    return tuple(
        (f, i, j) for (f, i, j), (r, c) in it.winners.items()
        if sum(1 for rr, cc in pool_windows(problem, (i, j)) if source[f][rr][cc] == source[f][r][c]) > 1
    )


def values(tensor: Any) -> list:
    """Every number of a (nested) tensor, in order; none for an absent one."""
    if tensor is None:
        return []
    if isinstance(tensor, (tuple, list)):
        return [x for t in tensor for x in values(t)]
    return [tensor]


def unpool(problem: Problem, grad: Tensor3, winners: dict[Cell, Index] | None) -> Tensor3:
    """∂L/∂A: max pooling routes each gradient to its window's winner, average splits it evenly."""
    out = []
    for f, g in enumerate(grad):
        rows = _zeros(problem.conv_shape)
        for i, j in grid(problem.output_shape):
            if winners is not None:
                r, c = winners[(f, i, j)]
                rows[r][c] += g[i][j]
            else:
                window = pool_windows(problem, (i, j))
                for r, c in window:
                    rows[r][c] += g[i][j] / len(window)
        out.append(_freeze(rows))
    return tuple(out)


def _map(tensor: Tensor3, fn: Callable[..., Num], *others: Tensor3) -> Tensor3:
    return tuple(
        tuple(tuple(fn(x, *(o[f][i][j] for o in others)) for j, x in enumerate(row)) for i, row in enumerate(m))
        for f, m in enumerate(tensor)
    )


def _cells(tensor: Tensor3) -> Iterator[Num]:
    return (x for m in tensor for row in m for x in row)


def forward(problem: Problem, x: Tensor3, kernel: Tensor4, bias) -> tuple[Tensor3, Tensor3 | None, Tensor3, dict | None]:
    """Z (convolution + bias), A = f(Z), Ŷ = pool(A), and the max-pooling winners."""
    z = convolve(problem, x, kernel, bias)
    act = activation.layer(problem)
    a = _map(z, act.f) if act is not None else None
    y, winners = pool(problem, a if a is not None else z) if problem.pooling else (a if a is not None else z, None)
    return z, a, y, winners


def loss(problem: Problem, prediction: Tensor3) -> Num:
    """L = scale(n) · Σ (Y − Ŷ)² over every cell of every map."""
    residuals = [y - yh for y, yh in zip(_cells(problem.target), _cells(prediction))]
    return LOSSES[problem.loss].scale(len(residuals)) * sum((r * r for r in residuals), ZERO)


def grad_kernel(problem: Problem, x: Tensor3, dz: Tensor3) -> Tensor4:
    """∂L/∂W_f,c,uv = Σ_ij ∂L/∂Z_f,ij · X_c[tap(ij, uv)] (the input under the weight)."""
    (oh, ow), sw = problem.conv_shape, problem.stride[1]
    out = []
    for f in range(problem.filters):
        per_channel = []
        for c in range(problem.channels):
            g = _zeros(problem.kernel_size)
            for u, v in grid(problem.kernel_size):
                total = ZERO
                for i in range(oh):
                    r, q = tap(problem, (i, 0), (u, v))
                    row, d = x[c][r], dz[f][i]
                    for j in range(ow):
                        total += d[j] * row[q + j * sw]
                g[u][v] = total
            per_channel.append(_freeze(g))
        out.append(tuple(per_channel))
    return tuple(out)


def grad_input(problem: Problem, kernel: Tensor4, dz: Tensor3) -> Tensor3:
    """∂L/∂I_c,pq = Σ ∂L/∂Z_f,ij · W_f,c,uv over every (f, ij, uv) whose tap is (p, q)."""
    (oh, ow), sw, (ph, pw) = problem.conv_shape, problem.stride[1], problem.padding
    (h, w) = len(problem.input[0]), len(problem.input[0][0])
    out = []
    for c in range(problem.channels):
        g = _zeros(problem.padded_shape)
        for f in range(problem.filters):
            for u, v in grid(problem.kernel_size):
                wt = kernel[f][c][u][v]
                if wt == 0:
                    continue
                for i in range(oh):
                    r, q = tap(problem, (i, 0), (u, v))
                    row, d = g[r], dz[f][i]
                    for j in range(ow):
                        row[q + j * sw] += d[j] * wt
        out.append(tuple(tuple(g[p + ph][pw : pw + w]) for p in range(h)))
    return tuple(out)


def backward(problem: Problem, z: Tensor3, a: Tensor3 | None, y: Tensor3, winners: dict | None):
    """The chain back from the loss to the convolution's output: ∂L/∂Ŷ, ∂L/∂A (through the
    pooling), ∂A/∂Z, and ∂L/∂Z = ∂L/∂A · ∂A/∂Z."""
    scale = LOSSES[problem.loss].grad_scale(sum(1 for _ in _cells(y)))
    dy = _map(y, lambda yh, t: scale * (yh - t), problem.target)
    da = unpool(problem, dy, winners) if problem.pooling else dy
    if a is None:
        return dy, da, None, da
    act = activation.layer(problem)
    assert act is not None, "an activation's output exists only with an activation"
    fprime = _map(z, act.derivative, a)
    return dy, da, fprime, _map(da, lambda g, d: g * d, fprime)


def grad_bias(dz: Tensor3) -> tuple[Num, ...]:
    """∂L/∂b_f = Σ_ij ∂L/∂Z_f,ij, since ∂Z/∂b = 1."""
    return tuple(sum((d for row in m for d in row), ZERO) for m in dz)


def step(problem: Problem, kernel: Tensor4, bias, velocity, velocity_bias) -> Iteration:
    """One iteration: forward pass, loss, backward pass, and the (momentum) SGD update."""
    x = padded(problem)
    z, a, y, winners = forward(problem, x, kernel, bias)
    dy, da, fprime, dz = backward(problem, z, a, y, winners)
    g_kernel = grad_kernel(problem, x, dz)
    g_bias = grad_bias(dz) if bias is not None else None
    v_next = vb_next = None
    direction, direction_bias = g_kernel, g_bias
    if problem.momentum is not None:
        mu = problem.momentum
        v_next = _map4(lambda g, v: mu * v + g, g_kernel, velocity)
        direction = v_next
        if bias is not None:
            # A bias has its gradient, and under momentum its velocity (train starts it at zeros).
            assert g_bias is not None and velocity_bias is not None
            vb_next = tuple(mu * v + g for g, v in zip(g_bias, velocity_bias))
            direction_bias = vb_next
    eta = problem.learning_rate
    kernel_next = _map4(lambda w, d: w - eta * d, kernel, direction)
    bias_next = (tuple(b - eta * d for b, d in zip(bias, direction_bias))
                 if bias is not None and direction_bias is not None else None)
    return Iteration(
        kernel=kernel, bias=bias, velocity=velocity, velocity_bias=velocity_bias,
        padded_input=x, feature_map=z, activation=a, activation_grad=fprime, prediction=y, winners=winners,
        loss=loss(problem, y), grad_prediction=dy, grad_activation=da if problem.pooling else None,
        grad_feature_map=dz, grad_kernel=g_kernel, grad_bias=g_bias, grad_input=grad_input(problem, kernel, dz),
        velocity_next=v_next, velocity_bias_next=vb_next, kernel_next=kernel_next, bias_next=bias_next,
        loss_next=loss(problem, forward(problem, x, kernel_next, bias_next)[2]),
    )


def _map4(fn: Callable[[Num, Num], Num], a: Tensor4, b: Tensor4) -> Tensor4:
    return tuple(_map(fa, fn, fb) for fa, fb in zip(a, b))


def train(problem: Problem) -> tuple[Iteration, ...]:
    """All iterations, each starting from the previous one's updated kernel, bias and velocity."""
    kernel, bias, done = problem.kernel, problem.bias, []
    velocity = velocity_bias = None
    if problem.momentum is not None:  # PyTorch starts the momentum buffer at zero
        velocity = tuple(tuple(tuple((ZERO,) * len(r) for r in m) for m in f) for f in kernel)
        velocity_bias = tuple(ZERO for _ in bias) if bias is not None else None
    with precise():
        for _ in range(problem.iterations):
            it = step(problem, kernel, bias, velocity, velocity_bias)
            done.append(it)
            kernel, bias = it.kernel_next, it.bias_next
            velocity, velocity_bias = it.velocity_next, it.velocity_bias_next
    return tuple(done)
