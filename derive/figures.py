"""Figures from the same numbers, with matplotlib: annotated heatmaps, the sliding window, the loss.

Each figure is made as PNG and SVG with fixed metadata, so the same problem gives the same bytes.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from . import fields

if TYPE_CHECKING:
    from .derivation import Derivation

FORMATS = ("png", "svg")
MAX_PANELS = 8  # channels or filters drawn side by side; more are summarised by the first ones
DPI = 110


@dataclass(frozen=True)
class Panel:
    """One heatmap of a figure: its title, its cell labels row by row, and its colour scale."""

    title: str
    labels: tuple[tuple[str, ...], ...]
    limits: tuple[float, float]


@dataclass(frozen=True)
class Figure:
    """One figure: where it goes in the document, its caption, its files (by extension) and its heatmaps."""

    name: str
    place: str  # given | window | feature_map | grad_kernel | kernel_next | loss
    caption: str
    files: dict[str, bytes]
    panels: tuple[Panel, ...] = ()


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
    label = _labeller(d.style.precision, d.style.fractions)
    with plt.rc_context({"svg.hashsalt": "derive", "font.size": 9, "figure.dpi": DPI}):
        figures = [
            _figure("input", "given", "The input image", _maps(p.input, "I"), plt, label),
            _figure("kernel", "given", "The initial filter" + ("s" if p.filters > 1 else ""), _kernels(p.kernel, "W"), plt, label),
            _window(d, plt, label),
            _figure("feature_map", "feature_map", "The feature map" + ("s" if p.filters > 1 else ""),
                    _maps(first.feature_map, fields.symbol(p, "feature_map")), plt, label),
            _figure("grad_kernel", "grad_kernel", "The gradient of the loss with respect to the filter" + ("s" if p.filters > 1 else ""),
                    _kernels(first.grad_kernel, fields.symbol(p, "grad_kernel")), plt, label, diverging=True),
            _figure("kernel_next", "kernel_next", "The updated filter" + ("s" if p.filters > 1 else ""),
                    _kernels(d.iterations[-1].kernel_next, fields.symbol(p, "kernel_next")), plt, label),
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


def _labeller(precision: int, fractions: bool) -> Callable[[Any], str]:
    """A cell label printed as the document prints the number (same rounding, decimals or fractions),
    in plain text: a Unicode minus, a/b for a fraction, ×10⁻⁵ for a power of ten."""
    from .printing import number  # the document's one rule for printing a number

    def label(value: Any) -> str:
        text = number(value, precision, fractions).text
        if text.startswith(r"\frac") or text.startswith(r"-\frac"):
            sign, _, rest = text.partition(r"\frac")
            numerator, _, denominator = rest.strip("{}").partition("}{")
            text = f"{sign}{numerator}/{denominator}"
        mantissa, times, exponent = text.partition(r" \times 10^")
        if times:
            text = mantissa + "×10" + exponent.strip("{}").translate(SUPERSCRIPTS)
        return text.replace("-", "\N{MINUS SIGN}")

    return label


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _values(matrix: Any) -> Any:
    import numpy as np

    return np.array([[float(v) for v in row] for row in matrix])


def _heatmap(ax, matrix: Any, title: str, label: Callable[[Any], str], limits: tuple[float, float] | None = None,
             diverging: bool = False, box: tuple[int, int, int, int] | None = None) -> tuple[Any, Panel]:
    """Draw one panel; `limits` is the colour scale shared by the figure's panels (own scale if None)."""
    import numpy as np
    from matplotlib.patches import Rectangle

    values = _values(matrix)
    low, high = limits if limits is not None else (float(values.min()), float(values.max()))
    image = ax.imshow(values, cmap="RdBu_r" if diverging else "viridis", vmin=low, vmax=high)
    labels = tuple(tuple(label(v) for v in row) for row in matrix)
    if values.size <= 100:  # beyond that the numbers would not be readable
        for (i, j), v in np.ndenumerate(values):
            shade = (v - low) / ((high - low) or 1)
            dark = abs(v) > 0.6 * high if diverging else shade < 0.5
            ax.text(j, i, labels[i][j], ha="center", va="center", fontsize=8, color="white" if dark else "black")
    if box is not None:
        r, c, h, w = box
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor="#e4572e", linewidth=2.5))
    ax.set_title(title)
    ax.set_xticks(range(values.shape[1]) if values.shape[1] <= 12 else [])
    ax.set_yticks(range(values.shape[0]) if values.shape[0] <= 12 else [])
    ax.tick_params(length=0, labelsize=7)
    return image, Panel(title, labels, (low, high))


def _symmetric_limits(panels: list[tuple[str, Any]]) -> tuple[float, float]:
    """One scale, symmetric about 0, for every panel: a gradient's panels are compared by colour."""
    limit = max(float(abs(_values(m)).max()) for _, m in panels) or 1.0
    return -limit, limit


def _cell_inches(labels: int) -> float:
    """A cell wide enough for its longest label (8 pt digits are about 0.07 in wide)."""
    return max(0.45, 0.07 * labels + 0.12)


def _figure(name: str, place: str, caption: str, panels: list[tuple[str, Any]], plt, label: Callable[[Any], str],
            diverging: bool = False) -> Figure:
    longest = max(len(label(v)) for _, m in panels for row in m for v in row)
    cell = _cell_inches(longest)
    width = sum(max(1.6, cell * len(m[0]) + 0.6) for _, m in panels) + (0.9 if diverging else 0)
    height = max(max(1.6, cell * len(m) + 0.8) for _, m in panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(min(width, 12), min(height, 8)), squeeze=False,
                             layout="constrained" if diverging else None)
    limits = _symmetric_limits(panels) if diverging else None
    drawn = [_heatmap(ax, matrix, title, label, limits, diverging) for ax, (title, matrix) in zip(axes[0], panels)]
    if diverging:  # one scale for all panels, so one colour bar says what a colour means
        fig.colorbar(drawn[0][0], ax=list(axes[0]), shrink=0.85, aspect=15, format=_minus_formatter())
    return _finish(fig, name, place, caption, plt, tuple(panel for _, panel in drawn))


def _minus_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _: f"{x:g}".replace("-", "\N{MINUS SIGN}"))


def _window(d: "Derivation", plt, label: Callable[[Any], str]) -> Figure:
    """The (padded) input with the window of output cell (0, 0) outlined."""
    p, it = d.problem, d.iterations[0]
    h, w = p.span
    panels = [("window of cell (0, 0)" + ("" if p.rank2 else f", channel {c}"), m)
              for c, m in enumerate(it.padded_input)][:MAX_PANELS]
    fig, axes = plt.subplots(1, len(panels), figsize=(min(12, 2.2 * len(panels) + 1), 2.6), squeeze=False)
    drawn = [_heatmap(ax, matrix, title, label, box=(0, 0, h, w)) for ax, (title, matrix) in zip(axes[0], panels)]
    caption = "The window of the first output cell" + (" on the zero-padded input" if any(p.padding) else "")
    return _finish(fig, "window", "window", caption, plt, tuple(panel for _, panel in drawn))


def _loss_curve(d: "Derivation", plt) -> Figure:
    losses = [float(it.loss) for it in d.iterations] + [float(d.iterations[-1].loss_next)]
    fig, ax = plt.subplots(figsize=(4.5, 2.8))
    ax.plot(range(len(losses)), losses, marker="o", color="#2b6cb0")
    ax.set_xlabel("update")
    ax.set_ylabel("loss")
    ax.set_xticks(range(len(losses)))
    ax.grid(alpha=0.3)
    return _finish(fig, "loss", "loss", "The loss before each update and after the last", plt)


def _finish(fig, name: str, place: str, caption: str, plt, panels: tuple[Panel, ...] = ()) -> Figure:
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    files = {}
    for fmt in FORMATS:
        buffer = io.BytesIO()
        # No dates, no version strings: the same numbers give the same bytes.
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata)
        files[fmt] = buffer.getvalue()
    plt.close(fig)
    return Figure(name, place, caption, files, panels)
