"""Arrange the flat document's worked steps: which cells and weights are shown, in what order,
under the flat problem's symbol names.

The values come from model.py and every equation from its rule's module, the same builder the
`layers:` documents call (the convolution's network/layers/conv.py, pooling's, the activation's
elementwise.py, the squared loss's network/losses/squared.py, SGD and momentum's
network/optimizers/): here only the symbols are named. A 2-D problem is written with 2-D indices
(W_00), a multi-channel one with filter and channel superscripts (W^(f,c)_uv).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from sympy import Derivative, Expr, Indexed, IndexedBase, Symbol

from . import activation
from .exact import ONE, Num, mpq
from .model import Cell, Index, Iteration, Weight, grid, network, pool_windows, tap, tied_windows, weights
from .network.algebra import L
from .network.layers import conv
from .network.losses import squared
from .network.optimizers import sgd
from .derivation import FULL_DETAIL_LIMIT, default_detail  # noqa: F401 - moved there; SymPy-free
from .printing import Equation
from .problem import Matrix, Problem

if TYPE_CHECKING:
    from .network.layers.elementwise import Elementwise

@dataclass(frozen=True)
class CellWork:
    """One convolution output cell: the input windows it sees (one per channel) and its equation."""

    cell: Cell
    windows: tuple[Matrix, ...]
    equation: Equation


@dataclass(frozen=True)
class IterationWork:
    """The worked equations of one iteration, next to all its values."""

    number: int
    values: Iteration
    cells: tuple[CellWork, ...]
    activation: tuple[tuple[Equation, Equation], ...]  # (A = f(Z), ∂A/∂Z) per shown cell
    activation_noted: bool  # some input is where the activation's backward_note applies (ReLU's 0)
    pooling: tuple[Equation, ...]
    pool_ties: tuple[Cell, ...]  # max-pooling windows whose maximum is shared
    loss: Equation
    grad_prediction: tuple[Equation, ...]
    routes: tuple[Equation, ...]  # ∂L/∂A through the pooling layer
    grad_feature_map: tuple[Equation, ...]  # ∂L/∂Z = ∂L/∂A · ∂A/∂Z
    grad_kernel: tuple[Equation, ...]
    grad_bias: tuple[Equation, ...]
    grad_input: tuple[Equation, ...]
    velocities: tuple[Equation, ...]
    updates: tuple[Equation, ...]
    bias_velocities: tuple[Equation, ...]
    bias_updates: tuple[Equation, ...]


class Names:
    """The symbols of one problem: which stage is called Ŷ, and 2-D or multi-channel indices."""

    def __init__(self, problem: Problem):
        self.rank2 = problem.rank2
        self.x = IndexedBase("X" if any(problem.padding) else "I")
        act, pooled = problem.activation != "none", problem.pooling is not None
        self.z = IndexedBase("Z" if act or pooled else "Yhat")
        self.a = IndexedBase("A" if pooled else "Yhat")  # the activation's output, if any
        self.pooled = self.a if act else self.z  # what the pooling layer reads

    def _at(self, base: IndexedBase, lead: tuple[int, ...], rest: tuple[int, ...]) -> Indexed:
        return _indexed(base, rest if self.rank2 else lead + rest)

    def input(self, c: int, r: int, q: int, padded: bool = True) -> Indexed:
        return self._at(self.x if padded else IndexedBase("I"), (c,), (r, q))

    def weight(self, w: Weight, base: str = "W") -> Indexed:
        return self._at(IndexedBase(base), w[:2], w[2:])

    def out(self, base: IndexedBase | str, cell: Cell) -> Indexed:
        return self._at(IndexedBase(base) if isinstance(base, str) else base, cell[:1], cell[1:])

    def bias(self, f: int, base: str = "b") -> Expr:
        return Symbol(base) if self.rank2 else IndexedBase(base)[f]


@lru_cache(maxsize=65536)
def _indexed(base: IndexedBase, index: tuple[int, ...]) -> Indexed:
    """W_{01} and friends, made once: the same symbols recur in every step."""
    return base[index]


@lru_cache(maxsize=65536)
def _partial(of: Expr, wrt: Expr) -> Derivative:
    """∂of/∂wrt, made once: ∂L/∂Z_ij recurs in every weight's sum, and SymPy builds a Derivative slowly."""
    return Derivative(of, wrt)


def work_iteration(problem: Problem, number: int, it: Iteration, detail: str, precision: int = 4) -> IterationWork:
    """All equations of one iteration; in "summary" only representative cells and weights. `precision`
    (decimals printed) lets the activation pick a form that does not read as 0 (tanh's sech² in its tail)."""
    n = Names(problem)
    conv_cells = _all_cells(problem.filters, problem.conv_shape)
    out_cells = _all_cells(problem.filters, problem.output_shape)
    kernel_weights = weights(problem)
    inputs = [(c, p, q) for c in range(problem.channels) for p, q in grid((len(problem.input[0]), len(problem.input[0][0])))]
    if detail == "summary":
        # The first cell and weight, and the ones with the largest gradient: the instructive ones.
        conv_cells = _first_and_largest(conv_cells, lambda c: it.grad_feature_map[c[0]][c[1]][c[2]])
        out_cells = _first_and_largest(out_cells, lambda c: it.grad_prediction[c[0]][c[1]][c[2]])
        kernel_weights = _first_and_largest(kernel_weights, lambda w: it.grad_kernel[w[0]][w[1]][w[2]][w[3]])
        inputs = [_busiest_input(problem)]
    filters = range(problem.filters) if it.bias is not None else range(0)
    with_velocity = problem.momentum is not None
    act = activation.layer(problem)
    return IterationWork(
        number=number,
        values=it,
        cells=tuple(_cell(problem, n, it, c) for c in conv_cells),
        activation=tuple(_activation(act, n, it, c, precision) for c in conv_cells) if act is not None else (),
        activation_noted=act is not None and any(act.noted(z) for m in it.feature_map for r in m for z in r),
        pooling=tuple(_pool(problem, n, it, c) for c in out_cells) if problem.pooling else (),
        pool_ties=tied_windows(problem, it),
        loss=_loss(problem, n, it, detail),
        grad_prediction=tuple(_grad_prediction(problem, n, it, c) for c in out_cells),
        routes=_routes(problem, n, it, out_cells) if problem.pooling else (),
        grad_feature_map=tuple(_grad_z(n, it, c) for c in conv_cells) if it.activation is not None else (),
        grad_kernel=tuple(_grad_weight(problem, n, it, w) for w in kernel_weights),
        grad_bias=tuple(_grad_bias(problem, n, it, f) for f in filters),
        grad_input=tuple(_grad_input(problem, n, it, p) for p in inputs),
        velocities=tuple(_velocity(problem, n, it, w) for w in kernel_weights) if with_velocity else (),
        updates=tuple(_update(problem, n, it, w) for w in kernel_weights),
        bias_velocities=tuple(_bias_velocity(problem, n, it, f) for f in filters) if with_velocity else (),
        bias_updates=tuple(_bias_update(problem, n, it, f) for f in filters),
    )


def _all_cells(filters: int, shape: tuple[int, int]) -> list[Cell]:
    return [(f, i, j) for f in range(filters) for i, j in grid(shape)]


def _first_and_largest(items: list, value) -> list:
    largest = max(items, key=lambda item: abs(value(item)))
    return items[:1] + ([largest] if largest != items[0] else [])


def _at(tensor, index: tuple[int, ...]) -> Num:
    for k in index:
        tensor = tensor[k]
    return tensor


def _cell(problem: Problem, n: Names, it: Iteration, cell: Cell) -> CellWork:
    """Z_ij = Σ_c Σ_uv X·W (+ b), as the convolution layer writes it, beside the windows it reads."""
    f, i, j = cell
    products = []
    for c in range(problem.channels):
        # Reading order of the window, so the convolution's flipped kernel is visible.
        for u, w in sorted(grid(problem.kernel_size), key=lambda uv: tap(problem, (i, j), uv)):
            r, q = tap(problem, (i, j), (u, w))
            products.append((n.input(c, r, q), n.weight((f, c, u, w)), it.padded_input[c][r][q], it.kernel[f][c][u][w]))
    windows = tuple(_window(problem, it.padded_input[c], (i, j)) for c in range(problem.channels))
    bias = (n.bias(f), it.bias[f]) if it.bias is not None else None
    return CellWork(cell, windows, conv.cell_equation(n.out(n.z, cell), products, bias, it.feature_map[f][i][j]))


def _window(problem: Problem, x: Matrix, cell: Index) -> Matrix:
    (i, j), (sh, sw), (dh, dw), (eh, ew) = cell, problem.stride, problem.dilation, problem.span
    rows = x[i * sh : i * sh + eh : dh]
    return tuple(row[j * sw : j * sw + ew : dw] for row in rows)


def _activation(layer: Elementwise, n: Names, it: Iteration, cell: Cell, precision: int) -> tuple[Equation, Equation]:
    """A = f(Z) with the number substituted, and the local derivative ∂A/∂Z, as the activation's layer writes them."""
    z, a, d = (_at(t, cell) for t in (it.feature_map, it.activation, it.activation_grad))
    zs, as_ = n.out(n.z, cell), n.out(n.a, cell)
    return (Equation(as_, layer.value_sides(zs, z, a)),
            Equation(_partial(as_, zs), layer.slope_sides(zs, as_, z, a, d, precision)))


def _pool(problem: Problem, n: Names, it: Iteration, cell: Cell) -> Equation:
    """Ŷ_ij = max(A over the window) or the window's average, as the pooling layer writes it."""
    f, i, j = cell
    source = it.activation if it.activation is not None else it.feature_map
    window = [(n.out(n.pooled, (f, r, c)), source[f][r][c]) for r, c in pool_windows(problem, (i, j))]
    return network(problem).layers[-1].equation(n.out("Yhat", cell), window, it.prediction[f][i][j])


def _loss(problem: Problem, n: Names, it: Iteration, detail: str) -> Equation:
    """L = c·Σ (Y − Ŷ)² … = value, as the squared loss writes it."""
    out = _all_cells(problem.filters, problem.output_shape)
    y, yh = [_at(problem.target, cell) for cell in out], [_at(it.prediction, cell) for cell in out]
    sides = squared.loss_sides(network(problem).loss.scale(len(out)), y, yh, it.loss, detail,
                               lambda k: (n.out("Y", out[k]), n.out("Yhat", out[k])))
    return Equation(L, sides)


def _grad_prediction(problem: Problem, n: Names, it: Iteration, cell: Cell) -> Equation:
    """∂L/∂Ŷ_ij = c·(Ŷ_ij − Y_ij) … = value, as the squared loss writes it."""
    count = problem.filters * problem.output_shape[0] * problem.output_shape[1]
    sides = squared.gradient_sides(network(problem).loss.grad_scale(count), (n.out("Yhat", cell), n.out("Y", cell)),
                                   _at(it.prediction, cell), _at(problem.target, cell), _at(it.grad_prediction, cell))
    return Equation(_partial(L, n.out("Yhat", cell)), sides)


def _routes(problem: Problem, n: Names, it: Iteration, shown: list[Cell]) -> tuple[Equation, ...]:
    """∂L/∂A_rc = Σ (share) · ∂L/∂Ŷ_ij over the pooled cells that cell (r, c) fed."""
    from .network.layers import pooling  # loaded by a pooled problem only, as its model does

    assert problem.pooling is not None, "routes exist only with pooling"
    share = ONE if it.winners is not None else mpq(1, problem.pooling.size[0] * problem.pooling.size[1])
    feeds: dict[Cell, list[Cell]] = {}
    for f, i, j in _all_cells(problem.filters, problem.output_shape):
        sources = [it.winners[(f, i, j)]] if it.winners is not None else pool_windows(problem, (i, j))
        for r, c in sources:
            feeds.setdefault((f, r, c), []).append((f, i, j))
    targets = sorted({src for src, outs in feeds.items() if any(o in shown for o in outs)})
    return tuple(pooling.route_equation(_partial(L, n.out(n.pooled, src)),
                                        [(share, _partial(L, n.out("Yhat", o)), _at(it.grad_prediction, o)) for o in feeds[src]],
                                        _at(it.grad_activation, src))
                 for src in targets)


def _grad_z(n: Names, it: Iteration, cell: Cell) -> Equation:
    """∂L/∂Z_ij = ∂L/∂A_ij · ∂A_ij/∂Z_ij."""
    upstream = it.grad_activation if it.grad_activation is not None else it.grad_prediction
    from .network.layers import elementwise  # loaded by a problem with an activation only

    zs, as_ = n.out(n.z, cell), n.out(n.a, cell)
    return elementwise.chain_equation(_partial(L, zs), (_partial(L, as_), _partial(as_, zs)), _at(upstream, cell),
                                      _at(it.activation_grad, cell), _at(it.grad_feature_map, cell))


def _grad_weight(problem: Problem, n: Names, it: Iteration, w: Weight) -> Equation:
    """∂L/∂W_uv over every output cell, as the convolution layer writes it."""
    f, c, u, wv = w
    d, x = it.grad_feature_map[f], it.padded_input[c]
    products = [(_partial(L, n.out(n.z, (f, i, j))), n.input(c, r, q), d[i][j], x[r][q])
                for _, i, j in _all_cells(1, problem.conv_shape) for r, q in (tap(problem, (i, j), (u, wv)),)]
    return conv.kernel_gradient_equation(_partial(L, n.weight(w)), products, _at(it.grad_kernel, w))


def _grad_bias(problem: Problem, n: Names, it: Iteration, f: int) -> Equation:
    """∂L/∂b = Σ_ij ∂L/∂Z_ij, as the convolution layer writes it."""
    assert it.grad_bias is not None, "asked only for a problem with a bias"
    d = it.grad_feature_map[f]
    cells = [(_partial(L, n.out(n.z, (f, i, j))), d[i][j]) for _, i, j in _all_cells(1, problem.conv_shape)]
    return conv.bias_gradient_equation(_partial(L, n.bias(f)), cells, it.grad_bias[f])


def _grad_input(problem: Problem, n: Names, it: Iteration, position: tuple[int, int, int]) -> Equation:
    """∂L/∂I_pq over the (filter, cell, weight) triples that touch input (p, q), as the convolution layer writes it."""
    c, p, q = position
    pairs = _pairs_touching(problem, (p, q))
    d, k = it.grad_feature_map, it.kernel
    products = [(_partial(L, n.out(n.z, (f,) + cell)), n.weight((f, c) + uv), d[f][cell[0]][cell[1]], k[f][c][uv[0]][uv[1]])
                for f in range(problem.filters) for cell, uv in pairs]
    return conv.input_gradient_equation(_partial(L, n.input(c, p, q, padded=False)), products, it.grad_input[c][p][q])


def _pairs_touching(problem: Problem, position: Index) -> list[tuple[Index, Index]]:
    """The (output cell, weight) pairs whose tap is input `position`, in (cell, weight) order."""
    # Solved per weight for its one possible cell, not searched over every cell × weight pair
    # (that search was most of the worked steps' time on a 28×28 input).
    (p, q), (ph, pw), (oh, ow) = position, problem.padding, problem.conv_shape
    sh, sw = problem.stride
    pairs = []
    for uv in grid(problem.kernel_size):
        r0, c0 = tap(problem, (0, 0), uv)  # the tap of cell (0, 0); cell (i, j) adds (i·sh, j·sw)
        di, dj = p + ph - r0, q + pw - c0
        if di % sh == 0 and dj % sw == 0 and 0 <= di // sh < oh and 0 <= dj // sw < ow:
            pairs.append(((di // sh, dj // sw), uv))
    return sorted(pairs)


def _busiest_input(problem: Problem) -> tuple[int, int, int]:
    """The input cell that the most products touch: the most instructive one to work out."""
    (ph, pw), (h, w) = problem.padding, (len(problem.input[0]), len(problem.input[0][0]))
    # Rows and columns are independent: the products touching (p, q) are the (row pairs reaching p)
    # × (column pairs reaching q), counted per axis instead of over every cell × weight.
    rows, cols = [0] * h, [0] * w
    (oh, ow), (kh, kw) = problem.conv_shape, problem.kernel_size
    for i in range(oh):
        for u in range(kh):
            r = tap(problem, (i, 0), (u, 0))[0] - ph
            if 0 <= r < h:
                rows[r] += 1
    for j in range(ow):
        for v in range(kw):
            c = tap(problem, (0, j), (0, v))[1] - pw
            if 0 <= c < w:
                cols[c] += 1
    p, q = max(grid((h, w)), key=lambda pq: (rows[pq[0]] * cols[pq[1]], -pq[0], -pq[1]))
    return 0, p, q


def _velocity(problem: Problem, n: Names, it: Iteration, w: Weight) -> Equation:
    """V′ = μ·V + ∂L/∂W, as the momentum optimizer writes it."""
    from .network.optimizers import momentum  # loaded under momentum only

    # Asked only under momentum: then the model keeps the velocities.
    assert problem.momentum is not None and it.velocity is not None and it.velocity_next is not None
    return momentum.velocity_equation(n.weight(w, "Vnext"), n.weight(w, "V"), _partial(L, n.weight(w)), problem.momentum,
                                      _at(it.velocity, w), _at(it.grad_kernel, w), _at(it.velocity_next, w))


def _update(problem: Problem, n: Names, it: Iteration, w: Weight) -> Equation:
    """W′ = W − η·∂L/∂W (or − η·V′ with momentum), as the optimizer writes it."""
    direction = _at(it.velocity_next if it.velocity_next is not None else it.grad_kernel, w)
    symbol = n.weight(w, "Vnext") if it.velocity_next is not None else _partial(L, n.weight(w))
    return sgd.update_equation(n.weight(w, "Wnext"), n.weight(w), symbol, problem.learning_rate, _at(it.kernel, w),
                               direction, _at(it.kernel_next, w))


def _bias_velocity(problem: Problem, n: Names, it: Iteration, f: int) -> Equation:
    """V′_b = μ·V_b + ∂L/∂b, as the momentum optimizer writes it."""
    from .network.optimizers import momentum

    # Asked only for a bias under momentum: then the model keeps its velocities and gradient.
    assert problem.momentum is not None and it.velocity_bias is not None and it.velocity_bias_next is not None
    assert it.grad_bias is not None
    return momentum.velocity_equation(n.bias(f, "Vbnext"), n.bias(f, "Vb"), _partial(L, n.bias(f)), problem.momentum,
                                      it.velocity_bias[f], it.grad_bias[f], it.velocity_bias_next[f])


def _bias_update(problem: Problem, n: Names, it: Iteration, f: int) -> Equation:
    """b′ = b − η·∂L/∂b (or − η·V′_b), as the optimizer writes it."""
    # Asked only for a problem with a bias: it has a gradient and an updated value.
    assert it.bias is not None and it.bias_next is not None and it.grad_bias is not None
    direction = it.velocity_bias_next[f] if it.velocity_bias_next is not None else it.grad_bias[f]
    symbol = n.bias(f, "Vbnext") if it.velocity_bias_next is not None else _partial(L, n.bias(f))
    return sgd.update_equation(n.bias(f, "bnext"), n.bias(f), symbol, problem.learning_rate, it.bias[f], direction,
                               it.bias_next[f])
