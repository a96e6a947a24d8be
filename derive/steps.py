"""Write each step out as equations: symbolic form, numbers substituted, exact value.

The values come from model.py; here they are only arranged. Data values are wrapped in
`UnevaluatedExpr` so SymPy keeps the products and sums exactly as a person writes them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from sympy import Add, Derivative, Expr, IndexedBase, Integer, Mul, Pow, Rational, Symbol, UnevaluatedExpr

from . import model
from .model import Index, Iteration, cells, tap
from .printing import Equation
from .problem import Matrix, Problem, shape

I, X, W, W_NEXT = IndexedBase("I"), IndexedBase("X"), IndexedBase("W"), IndexedBase("Wnext")
Y, Y_HAT = IndexedBase("Y"), IndexedBase("Yhat")
L, ETA, B, B_NEXT = Symbol("L"), Symbol("eta"), Symbol("b"), Symbol("bnext")

FULL_DETAIL_LIMIT = 400  # output cells × kernel weights; above it the default is "summary"


@dataclass(frozen=True)
class CellWork:
    """One output cell worked out: the input window it sees and its equation."""

    index: Index
    window: Matrix
    equation: Equation


@dataclass(frozen=True)
class IterationWork:
    """The worked equations of one iteration, next to all its values."""

    number: int
    values: Iteration
    cells: tuple[CellWork, ...]
    loss: Equation
    grad_output: tuple[Equation, ...]
    grad_kernel: tuple[Equation, ...]
    grad_bias: Equation | None
    grad_input: tuple[Equation, ...]
    updates: tuple[Equation, ...]
    bias_update: Equation | None


def default_detail(problem: Problem) -> str:
    """"full" for problems small enough to write every term, else "summary"."""
    size = len(cells(problem.output_shape)) * len(cells(shape(problem.kernel)))
    return "full" if size <= FULL_DETAIL_LIMIT else "summary"


def work_iteration(problem: Problem, number: int, it: Iteration, detail: str) -> IterationWork:
    """All equations of one iteration; in "summary" only representative cells and weights."""
    out, weights = cells(problem.output_shape), cells(shape(problem.kernel))
    inputs = cells(shape(problem.input))
    if detail == "summary":
        # The first cell and weight, and the ones with the largest gradient: the instructive ones.
        out = _first_and_largest(out, it.grad_output)
        weights = _first_and_largest(weights, it.grad_kernel)
        inputs = [_busiest_input(problem)]
    return IterationWork(
        number=number,
        values=it,
        cells=tuple(_cell(problem, it, c) for c in out),
        loss=_loss(problem, it, detail),
        grad_output=tuple(_grad_output(problem, it, c) for c in out),
        grad_kernel=tuple(_grad_weight(problem, it, w) for w in weights),
        grad_bias=_grad_bias(problem, it) if it.bias is not None else None,
        grad_input=tuple(_grad_input(problem, it, p) for p in inputs),
        updates=tuple(_update(problem, it, w) for w in weights),
        bias_update=_bias_update(problem, it) if it.bias is not None else None,
    )


def v(value: Rational) -> UnevaluatedExpr:
    """A data value that SymPy must not fold into its neighbours."""
    return UnevaluatedExpr(value)


def _sum(terms: Sequence[Expr]) -> Expr:
    return Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def _times(*factors: Expr) -> Expr:
    kept = [f for f in factors if f != 1]
    return Mul(*kept, evaluate=False) if len(kept) > 1 else kept[0]


def _minus(a: Expr, b: Expr) -> Expr:
    return Add(a, Mul(Integer(-1), b, evaluate=False), evaluate=False)


def _square(e: Expr) -> Expr:
    return Pow(e, 2, evaluate=False)


def _input_symbol(problem: Problem) -> IndexedBase:
    return X if any(problem.padding) else I


def _first_and_largest(indices: list[Index], values: Matrix) -> list[Index]:
    largest = max(indices, key=lambda ij: abs(values[ij[0]][ij[1]]))
    return indices[:1] + ([largest] if largest != indices[0] else [])


def _cell(problem: Problem, it: Iteration, cell: Index) -> CellWork:
    """Ŷ_ij = Σ X·W (+ b) = (x·w) + … = products summed = value."""
    x, k = it.padded_input, it.kernel
    # Reading order of the window, so the convolution's flipped kernel is visible.
    weights = sorted(cells(shape(k)), key=lambda uv: tap(problem, cell, uv))
    taps = [tap(problem, cell, uv) for uv in weights]
    sym = [_times(_input_symbol(problem)[r, c], W[u, w]) for (r, c), (u, w) in zip(taps, weights)]
    subst = [_times(v(x[r][c]), v(k[u][w])) for (r, c), (u, w) in zip(taps, weights)]
    prods = [v(x[r][c] * k[u][w]) for (r, c), (u, w) in zip(taps, weights)]
    if it.bias is not None:
        sym, subst, prods = sym + [B], subst + [v(it.bias)], prods + [v(it.bias)]
    i, j = cell
    (kh, kw), (sh, sw) = shape(k), problem.stride
    window = tuple(row[j * sw : j * sw + kw] for row in x[i * sh : i * sh + kh])
    value = v(it.feature_map[i][j])
    return CellWork(cell, window, Equation(Y_HAT[i, j], (_sum(sym), _sum(subst), _sum(prods), value)))


def _loss(problem: Problem, it: Iteration, detail: str) -> Equation:
    """L = c·[(Y − Ŷ)² + …] = c·[(y − ŷ)² + …] = c·[r² + …] = c·[s + …] = c·S = value."""
    out = cells(problem.output_shape)
    c = model.LOSSES[problem.loss].scale(len(out))
    y, yh = problem.target, it.feature_map
    residuals = [y[i][j] - yh[i][j] for i, j in out]
    total = v(sum((r**2 for r in residuals), Integer(0)))
    value = v(it.loss)
    if detail == "summary":
        return Equation(L, (_times(c, total), value) if c != 1 else (value,))
    sides = [
        _times(c, _sum([_square(_minus(Y[i, j], Y_HAT[i, j])) for i, j in out])),
        _times(c, _sum([_square(_minus(v(y[i][j]), v(yh[i][j]))) for i, j in out])),
        _times(c, _sum([_square(v(r)) for r in residuals])),
        _times(c, _sum([v(r**2) for r in residuals])),
    ]
    if len(out) > 1:
        sides.append(_times(c, total))
    return Equation(L, tuple(sides) + ((value,) if c != 1 or len(out) > 1 else ()))


def _grad_output(problem: Problem, it: Iteration, cell: Index) -> Equation:
    """∂L/∂Ŷ_ij = c·(Ŷ_ij − Y_ij) = c·(ŷ − y) = c·d = value."""
    i, j = cell
    c = model.LOSSES[problem.loss].grad_scale(len(cells(problem.output_shape)))
    yh, y = it.feature_map[i][j], problem.target[i][j]
    sides = [
        _times(c, _minus(Y_HAT[i, j], Y[i, j])),
        _times(c, _minus(v(yh), v(y))),
    ]
    if c != 1:
        sides.append(_times(c, v(yh - y)))
    return Equation(Derivative(L, Y_HAT[i, j]), tuple(sides) + (v(it.grad_output[i][j]),))


def _grad_weight(problem: Problem, it: Iteration, weight: Index) -> Equation:
    """∂L/∂W_uv = Σ_ij ∂L/∂Ŷ_ij · X[tap] over every output cell, substituted, summed."""
    u, w = weight
    out = cells(problem.output_shape)
    taps = [tap(problem, cell, weight) for cell in out]
    d, x = it.grad_output, it.padded_input
    sides = (
        _sum([_times(Derivative(L, Y_HAT[i, j]), _input_symbol(problem)[r, c]) for (i, j), (r, c) in zip(out, taps)]),
        _sum([_times(v(d[i][j]), v(x[r][c])) for (i, j), (r, c) in zip(out, taps)]),
        _sum([v(d[i][j] * x[r][c]) for (i, j), (r, c) in zip(out, taps)]),
        v(it.grad_kernel[u][w]),
    )
    return Equation(Derivative(L, W[u, w]), sides)


def _grad_bias(problem: Problem, it: Iteration) -> Equation:
    """∂L/∂b = Σ_ij ∂L/∂Ŷ_ij, since ∂Ŷ_ij/∂b = 1."""
    out = cells(problem.output_shape)
    sides = (
        _sum([Derivative(L, Y_HAT[i, j]) for i, j in out]),
        _sum([v(it.grad_output[i][j]) for i, j in out]),
        v(it.grad_bias),
    )
    return Equation(Derivative(L, B), sides if len(out) > 1 else sides[:1] + sides[2:])


def _grad_input(problem: Problem, it: Iteration, position: Index) -> Equation:
    """∂L/∂I_pq = Σ ∂L/∂Ŷ_ij · W_uv over the (cell, weight) pairs that touch input (p, q)."""
    pairs = _pairs_touching(problem, position)
    p, q = position
    lhs = Derivative(L, I[p, q])
    value = v(it.grad_input[p][q])
    if not pairs:
        return Equation(lhs, (value,))
    d, k = it.grad_output, it.kernel
    sides = (
        _sum([_times(Derivative(L, Y_HAT[i, j]), W[u, w]) for (i, j), (u, w) in pairs]),
        _sum([_times(v(d[i][j]), v(k[u][w])) for (i, j), (u, w) in pairs]),
    )
    if len(pairs) > 1:
        sides += (_sum([v(d[i][j] * k[u][w]) for (i, j), (u, w) in pairs]),)
    return Equation(lhs, sides + (value,))


def _pairs_touching(problem: Problem, position: Index) -> list[tuple[Index, Index]]:
    (p, q), (ph, pw) = position, problem.padding
    return [
        (cell, weight)
        for cell in cells(problem.output_shape)
        for weight in cells(shape(problem.kernel))
        if tap(problem, cell, weight) == (p + ph, q + pw)
    ]


def _busiest_input(problem: Problem) -> Index:
    """The input cell that the most products touch: the most instructive one to work out."""
    counts = {p: 0 for p in cells(shape(problem.input))}
    (ph, pw), (h, w) = problem.padding, shape(problem.input)
    for cell in cells(problem.output_shape):
        for weight in cells(shape(problem.kernel)):
            r, c = tap(problem, cell, weight)
            if 0 <= r - ph < h and 0 <= c - pw < w:
                counts[(r - ph, c - pw)] += 1
    return max(counts, key=lambda p: (counts[p], -p[0], -p[1]))


def _update(problem: Problem, it: Iteration, weight: Index) -> Equation:
    """W'_uv = W_uv − η·∂L/∂W_uv = w − η·g = w − ηg = value."""
    u, w = weight
    wt, g, eta = it.kernel[u][w], it.grad_kernel[u][w], problem.learning_rate
    sides = (
        _minus(W[u, w], _times(ETA, Derivative(L, W[u, w]))),
        _minus(v(wt), _times(v(eta), v(g))),
        _minus(v(wt), v(eta * g)),
        v(it.kernel_next[u][w]),
    )
    return Equation(W_NEXT[u, w], sides)


def _bias_update(problem: Problem, it: Iteration) -> Equation:
    """b' = b − η·∂L/∂b."""
    eta = problem.learning_rate
    sides = (
        _minus(B, _times(ETA, Derivative(L, B))),
        _minus(v(it.bias), _times(v(eta), v(it.grad_bias))),
        _minus(v(it.bias), v(eta * it.grad_bias)),
        v(it.bias_next),
    )
    return Equation(B_NEXT, sides)
