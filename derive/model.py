"""The network's numbers, exactly: forward pass, loss and backward pass by the chain rule.

Like micrograd's engine, each operation keeps its forward rule and its local derivative side
by side; steps.py writes the same operations out as equations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sympy import Integer, Rational

from .problem import Matrix, Problem, shape

Index = tuple[int, int]


@dataclass(frozen=True)
class Loss:
    """A loss convention: L(Ŷ, Y) and its local derivative ∂L/∂Ŷ_ij, for n output cells."""

    name: str
    scale: Callable[[int], Rational]  # L = scale(n) · Σ (Y - Ŷ)²
    grad_scale: Callable[[int], Rational]  # ∂L/∂Ŷ_ij = grad_scale(n) · (Ŷ_ij - Y_ij)


LOSSES = {
    "mse": Loss("mean squared error", lambda n: Rational(1, n), lambda n: Rational(2, n)),
    "sse": Loss("sum of squared errors", lambda n: Integer(1), lambda n: Integer(2)),
    "half_sse": Loss("half the sum of squared errors", lambda n: Rational(1, 2), lambda n: Integer(1)),
}


@dataclass(frozen=True)
class Iteration:
    """Every number of one training step (forward, loss, backward, update)."""

    kernel: Matrix
    bias: Rational | None
    padded_input: Matrix
    feature_map: Matrix
    loss: Rational
    grad_output: Matrix
    grad_kernel: Matrix
    grad_bias: Rational | None
    grad_input: Matrix
    kernel_next: Matrix
    bias_next: Rational | None
    loss_next: Rational  # the loss recomputed with the updated kernel and bias


def padded(problem: Problem) -> Matrix:
    """The input surrounded by `padding` rows and columns of zeros."""
    (h, w), (ph, pw) = shape(problem.input), problem.padding
    zero_row = (Integer(0),) * (w + 2 * pw)
    middle = tuple((Integer(0),) * pw + row + (Integer(0),) * pw for row in problem.input)
    return (zero_row,) * ph + middle + (zero_row,) * ph


def tap(problem: Problem, cell: Index, weight: Index) -> Index:
    """The padded-input cell that weight (u, v) multiplies for output cell (i, j)."""
    (i, j), (u, v), (sh, sw) = cell, weight, problem.stride
    if problem.operation == "convolution":  # the kernel is flipped: W_uv meets the mirrored tap
        kh, kw = shape(problem.kernel)
        u, v = kh - 1 - u, kw - 1 - v
    return i * sh + u, j * sw + v


def cells(rows_cols: tuple[int, int]) -> list[Index]:
    """All (row, column) indices of a grid, in row-major order."""
    return [(i, j) for i in range(rows_cols[0]) for j in range(rows_cols[1])]


def _matrix(rows_cols: tuple[int, int], entry: Callable[[int, int], Rational]) -> Matrix:
    return tuple(tuple(entry(i, j) for j in range(rows_cols[1])) for i in range(rows_cols[0]))


def forward(problem: Problem, x: Matrix, kernel: Matrix, bias: Rational | None) -> Matrix:
    """Ŷ_ij = Σ_uv X[tap(ij, uv)] · W_uv (+ b)."""
    weights = cells(shape(kernel))
    start = bias if bias is not None else Integer(0)

    def cell(i: int, j: int) -> Rational:
        total = start
        for u, v in weights:
            r, c = tap(problem, (i, j), (u, v))
            total += x[r][c] * kernel[u][v]
        return total

    return _matrix(problem.output_shape, cell)


def loss(problem: Problem, prediction: Matrix) -> Rational:
    """L = scale(n) · Σ_ij (Y_ij - Ŷ_ij)²."""
    out = cells(problem.output_shape)
    total = sum(((problem.target[i][j] - prediction[i][j]) ** 2 for i, j in out), Integer(0))
    return LOSSES[problem.loss].scale(len(out)) * total


def grad_output(problem: Problem, prediction: Matrix) -> Matrix:
    """∂L/∂Ŷ_ij = grad_scale(n) · (Ŷ_ij - Y_ij)."""
    n = len(cells(problem.output_shape))
    factor = LOSSES[problem.loss].grad_scale(n)
    return _matrix(problem.output_shape, lambda i, j: factor * (prediction[i][j] - problem.target[i][j]))


def grad_kernel(problem: Problem, x: Matrix, delta: Matrix) -> Matrix:
    """∂L/∂W_uv = Σ_ij ∂L/∂Ŷ_ij · ∂Ŷ_ij/∂W_uv, and ∂Ŷ_ij/∂W_uv is the input under W_uv."""
    out = cells(problem.output_shape)

    def weight(u: int, v: int) -> Rational:
        total = Integer(0)
        for i, j in out:
            r, c = tap(problem, (i, j), (u, v))
            total += delta[i][j] * x[r][c]
        return total

    return _matrix(shape(problem.kernel), weight)


def grad_input(problem: Problem, kernel: Matrix, delta: Matrix) -> Matrix:
    """∂L/∂I_pq = Σ over (ij, uv) whose tap is (p, q) of ∂L/∂Ŷ_ij · W_uv (padding dropped)."""
    (ph, pw), hp_wp = problem.padding, problem.padded_shape
    grad = [[Integer(0)] * hp_wp[1] for _ in range(hp_wp[0])]
    for i, j in cells(problem.output_shape):
        for u, v in cells(shape(kernel)):
            r, c = tap(problem, (i, j), (u, v))
            grad[r][c] += delta[i][j] * kernel[u][v]
    return _matrix(shape(problem.input), lambda p, q: grad[p + ph][q + pw])


def step(problem: Problem, kernel: Matrix, bias: Rational | None) -> Iteration:
    """One iteration: forward pass, loss, gradients, and the gradient-descent update."""
    x = padded(problem)
    prediction = forward(problem, x, kernel, bias)
    delta = grad_output(problem, prediction)
    g_kernel = grad_kernel(problem, x, delta)
    g_bias = sum((d for row in delta for d in row), Integer(0)) if bias is not None else None
    eta = problem.learning_rate
    kernel_next = _matrix(shape(kernel), lambda u, v: kernel[u][v] - eta * g_kernel[u][v])
    bias_next = bias - eta * g_bias if bias is not None else None
    return Iteration(
        kernel=kernel,
        bias=bias,
        padded_input=x,
        feature_map=prediction,
        loss=loss(problem, prediction),
        grad_output=delta,
        grad_kernel=g_kernel,
        grad_bias=g_bias,
        grad_input=grad_input(problem, kernel, delta),
        kernel_next=kernel_next,
        bias_next=bias_next,
        loss_next=loss(problem, forward(problem, x, kernel_next, bias_next)),
    )


def train(problem: Problem) -> tuple[Iteration, ...]:
    """All iterations, each starting from the previous one's updated kernel and bias."""
    kernel, bias, done = problem.kernel, problem.bias, []
    for _ in range(problem.iterations):
        done.append(step(problem, kernel, bias))
        kernel, bias = done[-1].kernel_next, done[-1].bias_next
    return tuple(done)
