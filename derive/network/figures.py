"""A network's figures, with matplotlib (through derive/figures.py's heatmaps and fixed metadata):
each parameter layer's weights, gradient and updated weights as heatmaps, a diagram of a small
dense network with its numbers, and the loss curve over several iterations."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..figures import MAX_PANELS, Figure, _figure, _finish, _loss_curve
from .symbols import PARAM_SYMBOLS, layer_symbols
from .tensor import Tensor

if TYPE_CHECKING:
    from .derivation import NetworkDerivation

DIAGRAM_MAX_UNITS = 8  # wider layers would make the edge labels unreadable


def make_figures(d: NetworkDerivation) -> list[Figure]:
    """Every figure of a solved network (matplotlib is imported only here)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from ..figures import DPI, _labeller

    label = _labeller(d.style.precision, d.style.fractions)  # cell labels print as the document's numbers
    with plt.rc_context({"svg.hashsalt": "derive", "font.size": 9, "figure.dpi": DPI}):
        figures = []
        if _is_small_dense(d):
            figures.append(_diagram(d, plt))
        figures += [_layer_figure(d, j, plt, label) for j, layer in enumerate(d.network.layers) if layer.init]
        if len(d.iterations) > 1:
            figures.append(_loss_curve(d, plt))  # type: ignore[arg-type]  # it reads only .iterations' losses
    return figures


def _matrices(t: Tensor, title: str) -> list[tuple[str, Any]]:
    """A tensor as 2-D heatmap panels: a vector or a scalar as one row, C×H×W and F×C×kh×kw per slice."""
    rows = t.nested()
    if not t.shape:
        return [(title, [[rows]])]
    if len(t.shape) == 1:
        return [(title, [list(rows)])]
    if len(t.shape) == 2:
        return [(title, rows)]
    if len(t.shape) == 3:
        return [(f"{title} ({c})", m) for c, m in enumerate(rows)]
    return [(f"{title} ({f},{c})", m) for f, per in enumerate(rows) for c, m in enumerate(per)]


def _layer_figure(d: NetworkDerivation, j: int, plt: Any, label: Callable[[Any], str]) -> Figure:
    """Layer j's parameters before the step, their gradients and after the step, side by side."""
    first, last = d.iterations[0].layers[j], d.iterations[-1].layers[j]
    panels: list[tuple[str, Any]] = []
    diverging: list[bool] = []
    tag = layer_symbols(d.network)[j].tag  # as the document names it: W^(2) is the second dense layer's
    for name, _ in d.network.layers[j].init:
        p = PARAM_SYMBOLS[name]
        for title, tensor, signed in ((f"${p}^{{({tag})}}$", first.params[name], False),
                                      (f"$\\partial L/\\partial {p}^{{({tag})}}$", first.backward.grads[name], True),
                                      (f"${p}'^{{({tag})}}$", last.params_next[name], False)):
            parts = _matrices(tensor, title)
            panels += parts
            diverging += [signed] * len(parts)
    layer = d.network.layers[j]
    caption = (f"Layer {j + 1} ({layer.title}): each parameter, its gradient (red positive, blue negative) "
               f"and its value after {'the update' if len(d.iterations) == 1 else 'the last update'}")
    return _figure_mixed(f"layer{j + 1}", "final", caption, panels[:3 * MAX_PANELS], diverging, plt, label)


def _figure_mixed(name: str, place: str, caption: str, panels: list[tuple[str, Any]], diverging: list[bool],
                  plt: Any, label: Callable[[Any], str]) -> Figure:
    """As figures._figure, with a colour scale per panel: signed (centred on 0) for gradients."""
    from ..figures import _heatmap, _symmetric_limits

    if not any(diverging):
        return _figure(name, place, caption, panels, plt, label)
    width = sum(max(1.6, 0.45 * len(m[0]) + 0.6) for _, m in panels)
    height = max(max(1.6, 0.45 * len(m) + 0.8) for _, m in panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(min(width, 14), min(height, 8)), squeeze=False)
    drawn = [_heatmap(ax, matrix, title, label, _symmetric_limits([(title, matrix)]) if signed else None, signed)
             for ax, (title, matrix), signed in zip(axes[0], panels, diverging)]
    return _finish(fig, name, place, caption, plt, tuple(panel for _, panel in drawn))


def _is_small_dense(d: NetworkDerivation) -> bool:
    net = d.network
    return (len(net.input.shape) == 1 and all(layer.kind == "dense" or layer.mark for layer in net.layers)
            and any(layer.kind == "dense" for layer in net.layers)
            and all(layer.out_shape[0] <= DIAGRAM_MAX_UNITS for layer in net.layers)
            and net.input.shape[0] <= DIAGRAM_MAX_UNITS)


def _diagram(d: NetworkDerivation, plt: Any) -> Figure:
    """The dense network as units and weighted edges, with the input, each weight and bias and each
    layer's output after its activation (the forward pass of the first iteration)."""
    from ..figures import _labeller

    _label = _labeller(d.style.precision, d.style.fractions)  # the document's numbers, as the flat figures
    net, it = d.network, d.iterations[0]
    _label = _labeller(d.style.precision, d.style.fractions)
    columns: list[tuple[str, list[str]]] = [("x", [_label(v) for v in net.input.data])]
    edges: list[tuple[int, Tensor, Tensor | None]] = []  # (column it starts from, weights, bias)
    for j, (layer, record) in enumerate(zip(net.layers, it.layers)):
        if layer.kind == "dense":
            edges.append((len(columns) - 1, record.params["weights"], record.params.get("bias")))
            columns.append((f"$z^{{({len(edges)})}}$", [_label(v) for v in record.forward.output.data]))
        else:
            mark = layer.mark
            name = columns[-1][0]
            columns[-1] = (f"{mark}({name})", [_label(v) for v in record.forward.output.data])
    tallest = max(len(values) for _, values in columns)
    fig, ax = plt.subplots(figsize=(min(2.6 * len(columns) + 0.6, 12), min(1.0 * tallest + 1.2, 8)))

    def place(c: int, i: int) -> tuple[float, float]:
        n = len(columns[c][1])
        return 2.6 * c, (n - 1) / 2 - i

    for c, weights, bias in edges:
        rows, cols = weights.shape
        for r in range(rows):
            for k in range(cols):
                (x0, y0), (x1, y1) = place(c, k), place(c + 1, r)
                ax.plot([x0, x1], [y0, y1], color="#9aa5b1", linewidth=0.8, zorder=1)
                # A third of the way from the source unit: the labels of one unit's edges fan apart there.
                lx, ly = x0 + 0.32 * (x1 - x0), y0 + 0.32 * (y1 - y0)
                ax.text(lx, ly, _label(weights[(r, k)]), fontsize=7, ha="center", va="center", zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        if bias is not None:
            for r in range(rows):
                x1, y1 = place(c + 1, r)
                ax.text(x1, y1 - 0.36, f"b={_label(bias[(r,)])}", fontsize=7, ha="center", va="top", color="#555", zorder=3)
    for c, (name, values) in enumerate(columns):
        for i, value in enumerate(values):
            x, y = place(c, i)
            ax.scatter([x], [y], s=900, color="#e8f0fe", edgecolors="#2b6cb0", zorder=2)
            ax.text(x, y, value, fontsize=7.5, ha="center", va="center", zorder=4)
        ax.text(2.6 * c, (tallest - 1) / 2 + 0.75, name, ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.8, 2.6 * (len(columns) - 1) + 0.8)
    ax.set_ylim(-(tallest - 1) / 2 - 0.9, (tallest - 1) / 2 + 1.2)
    ax.axis("off")
    caption = "The network with its numbers: each edge's weight, each unit's bias and value in the forward pass"
    return _finish(fig, "network", "given", caption, plt)
