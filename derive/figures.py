"""Figures from the same numbers, with matplotlib: annotated heatmaps, the sliding window, the loss.

Each figure is made as PNG and SVG with fixed metadata, so the same problem gives the same bytes.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from .derivation import Derivation

FORMATS = ("png", "svg")
MAX_PANELS = 8  # channels or filters drawn side by side; more are summarised by the first ones
DPI = 110


@dataclass(frozen=True)
class Figure:
    """One figure: where it goes in the document, its caption, and its files (by extension)."""

    name: str
    place: str  # given | window | feature_map | grad_kernel | kernel_next | loss
    caption: str
    files: dict[str, bytes]


def places(figures: Sequence[Figure]) -> dict[str, list[dict[str, str]]]:
    """The figures as the templates receive them, by place: path, PNG data URI and caption."""
    import base64

    out: dict[str, list[dict[str, str]]] = {}
    for f in figures:
        uri = "data:image/png;base64," + base64.b64encode(f.files["png"]).decode("ascii")
        out.setdefault(f.place, []).append({"path": f"figures/{f.name}.png", "uri": uri, "caption": f.caption})
    return out


def make_figures(d: "Derivation") -> list[Figure]:
    """Every figure of the derivation (figures need matplotlib, imported only here)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    p, first = d.problem, d.iterations[0]
    with plt.rc_context({"svg.hashsalt": "derive", "font.size": 9, "figure.dpi": DPI}):
        figures = [
            _figure("input", "given", "The input image", _maps(p.input, "I"), plt),
            _figure("kernel", "given", "The initial filter" + ("s" if not p.rank2 else ""), _kernels(p.kernel, "W"), plt),
            _window(d, plt),
            _figure("feature_map", "feature_map", "The feature map" + ("s" if not p.rank2 else ""),
                    _maps(first.feature_map, "Z" if (p.activation != "none" or p.pooling) else "Ŷ"), plt),
            _figure("grad_kernel", "grad_kernel", "The gradient of the loss with respect to the filter",
                    _kernels(first.grad_kernel, "∂L/∂W"), plt, diverging=True),
            _figure("kernel_next", "kernel_next", "The updated filter" + ("s" if not p.rank2 else ""),
                    _kernels(d.iterations[-1].kernel_next, "W'"), plt),
        ]
        if len(d.iterations) > 1:
            figures.append(_loss_curve(d, plt))
    return figures


def _maps(tensor: Sequence, name: str) -> list[tuple[str, Any]]:
    panels = [(f"{name}" if len(tensor) == 1 else f"{name} ({k})", m) for k, m in enumerate(tensor)]
    return panels[:MAX_PANELS]


def _kernels(tensor: Sequence, name: str) -> list[tuple[str, Any]]:
    if len(tensor) == 1 and len(tensor[0]) == 1:
        return [(name, tensor[0][0])]
    return [(f"{name} ({f},{c})", m) for f, per in enumerate(tensor) for c, m in enumerate(per)][:MAX_PANELS]


def _label(value: Any) -> str:
    number = float(value)
    return f"{number:.4g}" if number != int(number) or abs(number) >= 1e5 else str(int(number))


def _heatmap(ax, matrix: Any, title: str, diverging: bool = False, box: tuple[int, int, int, int] | None = None) -> None:
    import numpy as np
    from matplotlib.patches import Rectangle

    values = np.array([[float(v) for v in row] for row in matrix])
    limit = float(np.max(np.abs(values))) or 1.0
    if diverging:
        image = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        image = ax.imshow(values, cmap="viridis")
    annotate = values.size <= 100  # beyond that the numbers would not be readable
    if annotate:
        low, high = image.get_clim()
        for (i, j), v in np.ndenumerate(values):
            shade = (v - low) / ((high - low) or 1)
            dark = shade < 0.5 if not diverging else abs(v) > 0.6 * limit
            ax.text(j, i, _label(matrix[i][j]), ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
    if box is not None:
        r, c, h, w = box
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor="#e4572e", linewidth=2.5))
    ax.set_title(title)
    ax.set_xticks(range(values.shape[1]) if values.shape[1] <= 12 else [])
    ax.set_yticks(range(values.shape[0]) if values.shape[0] <= 12 else [])
    ax.tick_params(length=0, labelsize=7)


def _figure(name: str, place: str, caption: str, panels: list[tuple[str, Any]], plt, diverging: bool = False) -> Figure:
    width = sum(max(1.6, 0.45 * len(m[0]) + 0.6) for _, m in panels)
    height = max(max(1.6, 0.45 * len(m) + 0.8) for _, m in panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(min(width, 12), min(height, 8)), squeeze=False)
    for ax, (title, matrix) in zip(axes[0], panels):
        _heatmap(ax, matrix, title, diverging)
    return _finish(fig, name, place, caption, plt)


def _window(d: "Derivation", plt) -> Figure:
    """The (padded) input with the window of output cell (0, 0) outlined."""
    p, it = d.problem, d.iterations[0]
    h, w = p.span
    panels = [("window of cell (0, 0)" + ("" if p.rank2 else f", channel {c}"), m)
              for c, m in enumerate(it.padded_input)][:MAX_PANELS]
    fig, axes = plt.subplots(1, len(panels), figsize=(min(12, 2.2 * len(panels) + 1), 2.6), squeeze=False)
    for ax, (title, matrix) in zip(axes[0], panels):
        _heatmap(ax, matrix, title, box=(0, 0, h, w))
    caption = "The window of the first output cell" + (" on the zero-padded input" if any(p.padding) else "")
    return _finish(fig, "window", "window", caption, plt)


def _loss_curve(d: "Derivation", plt) -> Figure:
    losses = [float(it.loss) for it in d.iterations] + [float(d.iterations[-1].loss_next)]
    fig, ax = plt.subplots(figsize=(4.5, 2.8))
    ax.plot(range(len(losses)), losses, marker="o", color="#2b6cb0")
    ax.set_xlabel("update")
    ax.set_ylabel("loss")
    ax.set_xticks(range(len(losses)))
    ax.grid(alpha=0.3)
    return _finish(fig, "loss", "loss", "The loss before each update and after the last", plt)


def _finish(fig, name: str, place: str, caption: str, plt) -> Figure:
    fig.tight_layout()
    files = {}
    for fmt in FORMATS:
        buffer = io.BytesIO()
        # No dates, no version strings: the same numbers give the same bytes.
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata)
        files[fmt] = buffer.getvalue()
    plt.close(fig)
    return Figure(name, place, caption, files)
