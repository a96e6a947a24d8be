"""Turn a Derivation into the strings its documents show (via printing.py); templating.py renders them."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import printing as pr
from . import activation, fields
from .activation import SLOPE
from .model import network
from .problem import Problem, Tensor3, Tensor4
# The templates' environment and rendering, kept in templating.py (a check report needs them without
# printing.py's SymPy); re-exported for the documents' callers.
from .templating import environment, explorable, render, template_dir  # noqa: F401

if TYPE_CHECKING:
    from .derivation import Derivation
    from .steps import IterationWork

OPERATION_VERBS = {"cross-correlation": "cross-correlated", "convolution": "convolved"}
DEFAULT_TITLE = "CNN Filter Learning"
RUN_TABLE_FROM = 5  # a run of this many same-shape equations is set as a table (the seed's 4 stay one by one)


def tasks(p: Problem, ask: tuple[str, ...], style: pr.Style = pr.Style()) -> list[dict[str, str]]:
    """What a problem sheet asks for, in words and symbols (both from the answer-field table, fields.py)."""
    return [{"text": fields.wording(p, name).capitalize() + ":", "symbol": _symbol(p, name, style.names)}
            for name in ask]


def _symbol(p: Problem, name: str, names: Mapping[str, str]) -> str:
    """Answer field `name`'s symbol in the notation `names` (∂L/∂W for a gradient)."""
    symbol = names[fields.notation(p, name)]
    return pr.partial(symbol, names["L"]) if fields.field(name).role == "gradient" else symbol


def view(d: "Derivation") -> dict[str, Any]:
    """Everything the templates show, as strings and lists of strings."""
    p, style = d.problem, d.style
    m = Maps(p, style)
    return {
        "title": p.title or DEFAULT_TITLE,
        "detail": d.detail,
        "precision": style.precision,
        "statement": _statement(p, style),
        "steps": _step_numbers(p),
        "given": _given(p, m),
        "iterations": [_iteration(p, m, w) for w in d.steps],
        "final": _final(d, m),
    }


class Maps:
    """Named matrices for one problem: 2-D as they are, multi-channel one matrix per filter/channel."""

    def __init__(self, p: Problem, style: pr.Style):
        self.p, self.rank2, self.style, self.n = p, p.rank2, style, style.names

    def answer(self, name: str, it: Any) -> Any:
        """Answer field `name` of iteration `it` (a model.Iteration) named by its symbol, laid out by its
        shape (both from the answer-field table, fields.py): maps, kernels, a bias vector or a scalar."""
        f = fields.field(name)
        value, symbol, partial = f.read(it), self.n[fields.notation(self.p, name)], f.role == "gradient"
        if f.shape == "map":
            return self.maps(symbol, value, partial)
        if f.shape == "kernel":
            return self.kernels(symbol, value, partial)
        if f.shape == "filter":
            return self.vector(self.label(symbol, partial), value)
        return pr.scalar(symbol, value, self.style)

    def maps(self, name: str, tensor: Tensor3, partial: bool = False) -> list[str]:
        """One `name = matrix` per filter (or channel), side by side as the page's width allows;
        just one for a 2-D problem. With `partial`, the matrices are ∂L/∂name."""
        if self.rank2:
            return [pr.named_matrix(self.label(name, partial), tensor[0], self.style)]
        return pr.side_by_side([pr.named_matrix(self.label(f"{name}^{{({k})}}", partial), m, self.style)
                                for k, m in enumerate(tensor)])

    def kernels(self, name: str, tensor: Tensor4, partial: bool = False) -> list[str]:
        """One `name = matrix` per (filter, channel) pair, a filter's channels side by side."""
        if self.rank2:
            return [pr.named_matrix(self.label(name, partial), tensor[0][0], self.style)]
        return pr.side_by_side([pr.named_matrix(self.label(f"{name}^{{({f},{c})}}", partial), m, self.style)
                                for f, per in enumerate(tensor) for c, m in enumerate(per)], group=len(tensor[0]))

    def vector(self, name: str, values: tuple | None) -> str | None:
        """A bias: a scalar for a 2-D problem, a row of one value per filter otherwise."""
        if values is None:
            return None
        if self.rank2:
            return pr.scalar(name, values[0], self.style)
        return pr.named_matrix(name, (tuple(values),), self.style)  # a row: (b_0, b_1, …)

    def equations(self, equations) -> list[str]:
        """One display per equation."""
        return [pr.equation(e, self.style) for e in equations]

    def sums(self, equations, stack: bool = True) -> list[str]:
        """Long sums, one per cell or weight, each in full; in a long run only the first with its
        symbolic form, the others with their numbers (their pattern is the first one's), in one
        block when `stack` (not for output cells: each has its heading and windows)."""
        if len(equations) < RUN_TABLE_FROM:
            return [pr.equation(e, self.style) for e in equations]
        if not stack:
            return [pr.equation(e, self.style, symbolic=k == 0) for k, e in enumerate(equations)]
        return [pr.equation(equations[0], self.style), pr.stacked(equations[1:], self.style, symbolic=False)]

    def run(self, equations, per_row: int, symbolic: bool = False) -> list[str]:
        """A run of same-shape equations (one per cell or weight): a short one an equation per
        display, a long one as a table, `per_row` to a line when they fit (a row of the map),
        with each symbolic form only when `symbolic`."""
        groups = [group if isinstance(group, tuple) else (group,) for group in equations]
        if len(groups) < RUN_TABLE_FROM:
            return [pr.equation(e, self.style) for group in groups for e in group]
        return pr.table(groups, self.style, per_row, symbolic)

    def label(self, name: str, partial: bool) -> str:
        return pr.partial(name, self.n["L"]) if partial else name


def _step_numbers(p: Problem) -> dict[str, int]:
    names = ["convolution"] + (["activation"] if p.activation != "none" else []) + (["pooling"] if p.pooling else [])
    names += ["loss", "gradients", "update"]
    return {name: k + 1 for k, name in enumerate(names)}


POOLING_NAMES = {"max": "max pooling", "avg": "average pooling"}
# Letters whose names begin with a vowel sound, for an abbreviation read letter by letter (an ELU, an SVM).
_VOWEL_LETTERS = "AEFHILMNORSX"


def _article(words: str) -> str:
    """'a' or 'an' before `words`, by sound: an average, an 8 × 8, an 11 × 11, an ELU; a ReLU, a 4 × 4."""
    digits = words[: len(words) - len(words.lstrip("0123456789"))]
    if digits:  # eight, eighty…, eleven, eighteen: the sizes read with a vowel first
        return "an" if digits.startswith("8") or digits in ("11", "18") else "a"
    first = words[:2]
    if len(first) == 2 and first.isupper():  # an abbreviation: its first letter's name
        return "an" if first[0] in _VOWEL_LETTERS else "a"
    return "an" if words[:1].lower() in "aeiou" and words[:1] else "a"


def _statement(p: Problem, style: pr.Style) -> dict[str, Any]:
    formulas = pr.formulas(p, style)
    n = p.filters * p.output_shape[0] * p.output_shape[1]
    act = activation.layer(p)
    channels = "" if p.channels == 1 else f"{p.channels}-channel "
    return {
        "input": pr.size((len(p.input[0]), len(p.input[0][0]))),
        "channels": channels,
        "kernel": pr.size(p.kernel_size),
        "filters": None if p.filters == 1 else p.filters,  # one filter reads "a filter", whatever its channels
        "output": pr.size(p.output_shape),
        "conv_output": pr.size(p.conv_shape),
        "padded": pr.size(p.padded_shape),
        "verb": OPERATION_VERBS[p.operation],
        "operation": p.operation,
        "stride": _pair_text(p.stride),
        "unvisited": _unvisited(p),
        "padding": _pair_text(p.padding) if any(p.padding) else None,
        "dilation": _pair_text(p.dilation) if p.dilation != (1, 1) else None,
        "bias": p.bias is not None,
        "rank2": p.rank2,
        "loss": p.loss,
        "loss_name": network(p).loss.name,  # the loss module the problem runs
        "n": str(n),
        "n_one": n == 1,  # "the n = 1 output cell", not "cells"
        "learning_rate": pr.inline(p.learning_rate, style),
        "momentum": pr.inline(p.momentum, style) if p.momentum is not None else None,
        "activation": p.activation,
        "activation_name": act.title if act is not None else None,
        "negative_slope": pr.inline(p.negative_slope, style),
        # The activation layer's own words: its slope, if it takes one, and what is taken at its kink.
        "activation_slope": pr.inline(p.negative_slope, style) if act is not None and SLOPE in act.options_allowed else None,
        "activation_note": act.backward_note if act is not None else None,
        "pooling": p.pooling.type if p.pooling else None,
        "pooling_name": POOLING_NAMES[p.pooling.type] if p.pooling else None,
        # "An average pooling layer", "an 8 × 8 filter": each noun phrase's article, as it sounds.
        "articles": {"input": _article(pr.size((len(p.input[0]), len(p.input[0][0])))).capitalize(),
                     "kernel": _article(pr.size(p.kernel_size)), "conv_output": _article(pr.size(p.conv_shape)),
                     "activation": _article(act.title).capitalize() if act is not None else None,
                     "pooling": _article(POOLING_NAMES[p.pooling.type]).capitalize() if p.pooling else None},
        "pool_size": pr.size(p.pooling.size) if p.pooling else None,
        "pool_stride": _pair_text(p.pooling.stride) if p.pooling else None,
        "pool_k": str(p.pooling.size[0] * p.pooling.size[1]) if p.pooling else None,
        "iterations": p.iterations,
        "show": list(p.show),
        "f": formulas,
    }


def _unvisited(p: Problem) -> dict[str, Any] | None:
    """The last rows and columns of the input that no window reaches, when the stride does not fit
    evenly: (H + 2p − span) mod stride of the padded input's, less the p padding rows among them
    (skipped padding zeros lose nothing, so they are not announced)."""
    (hp, wp), (eh, ew), (sh, sw), (ph, pw) = p.padded_shape, p.span, p.stride, p.padding
    skipped = (((hp - eh) % sh - ph, "row"), ((wp - ew) % sw - pw, "column"))
    left = [(r, what) for r, what in skipped if r > 0]
    if not left:
        return None
    parts = [f"the last {what}" if r == 1 else f"the last {r} {what}s" for r, what in left]
    return {"cells": " and ".join(parts), "many": len(left) > 1 or left[0][0] > 1}


def _pair_text(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _given(p: Problem, m: Maps) -> list[dict[str, Any]]:
    n = m.n
    items: list[dict[str, Any]] = [
        {"label": "Input image" if p.channels == 1 else f"Input image ({p.channels} channels)",
         "size": pr.size((len(p.input[0]), len(p.input[0][0]))), "math": m.maps(n["I"], p.input)},
        {"label": _filters_label(p),
         "size": pr.size(p.kernel_size), "math": m.kernels(n["W"], p.kernel)},
        {"label": "Target output", "size": pr.size(p.output_shape), "math": m.maps(n["Y"], p.target),
         "maps": None if p.filters == 1 else str(p.filters)},  # F maps of oh×ow, one per filter
    ]
    if p.bias is not None:
        items.append({"label": "Initial bias", "size": None, "math": [m.vector(n["b"], p.bias)]})
    items.append({"label": "Learning rate", "size": None, "math": [pr.scalar(n["eta"], p.learning_rate, m.style)]})
    if p.momentum is not None:
        items.append({"label": "Momentum", "size": None, "math": [pr.scalar(n["mu"], p.momentum, m.style)]})
    act = activation.layer(p)
    if act is not None and SLOPE in act.options_allowed:
        items.append({"label": f"{act.title[:1].upper()}{act.title[1:]} slope", "size": None,
                      "math": [pr.scalar(r"\alpha", p.negative_slope, m.style)]})
    return items


def _filters_label(p: Problem) -> str:
    if p.filters == 1:
        return "Initial filter" + ("" if p.channels == 1 else f" ({p.channels} channels)")
    return f"Initial filters ({p.filters} filters, {p.channels} channel{'s' if p.channels > 1 else ''} each)"


def _cell_label(p: Problem, cell: tuple[int, ...]) -> str:
    f, i, j = cell
    return f"({i}, {j})" + ("" if p.rank2 else f" of filter {f}")


def _iteration(p: Problem, m: Maps, w: "IterationWork") -> dict[str, Any]:
    it, eqs, run, n = w.values, m.equations, m.run, m.n
    f = pr.formulas(p, m.style)
    conv_row, out_row, kernel_row = p.conv_shape[1], p.output_shape[1], p.kernel_size[1]
    conv_total = p.filters * p.conv_shape[0] * p.conv_shape[1]
    return {
        "number": w.number,
        "padded_input": m.maps(n["X"], it.padded_input) if any(p.padding) else None,
        "kernel": m.kernels(n["W"], it.kernel),
        "bias": m.vector(n["b"], it.bias),
        "flipped_kernel": m.kernels(f["flipped"], _rotated(it.kernel)) if p.operation == "convolution" else None,
        "cells": [
            {"ij": f"({c.cell[1]}, {c.cell[2]})", "filter": None if p.rank2 else c.cell[0],
             "windows": [pr.matrix(win, m.style)[0] for win in c.windows], "equation": equation}
            for c, equation in zip(w.cells, m.sums([c.equation for c in w.cells], stack=False))
        ],
        "cells_symbolic": len(w.cells) < RUN_TABLE_FROM,  # every cell with its symbolic form, or only the first
        "cells_shown": len(w.cells),
        "cells_total": conv_total,
        "weights_shown": len(w.grad_kernel),
        "weights_total": p.filters * p.channels * p.kernel_size[0] * p.kernel_size[1],
        "feature_map": m.answer("feature_map", it),
        "activation": run(w.activation, conv_row),  # A = f(Z) and ∂A/∂Z of each cell, side by side
        "activation_map": m.answer("activation", it) if it.activation else None,
        "activation_noted": w.activation_noted,
        "pooling": run(w.pooling, out_row),
        "pool_ties": [_cell_label(p, c) for c in w.pool_ties],
        "prediction": m.answer("prediction", it),
        "pooled_shown": len(w.pooling),
        "predictions_shown": len(w.grad_prediction),
        "outputs_total": p.filters * p.output_shape[0] * p.output_shape[1],
        "residuals": m.maps(f"{n['Y']} - {n['Yhat']}", _residuals(p.target, it.prediction)),
        "loss": pr.equation(w.loss, m.style),
        "grad_prediction": run(w.grad_prediction, out_row),
        "grad_prediction_matrix": m.maps(n["Yhat"], it.grad_prediction, partial=True),
        "routes": run(w.routes, conv_row, symbolic=True),  # which pooled cells each gradient comes from
        "grad_activation_matrix": m.maps(n["A"] if it.activation else n["Z"], it.grad_activation, partial=True)
        if it.grad_activation else None,
        "grad_feature_map": run(w.grad_feature_map, conv_row),
        "grad_feature_map_matrix": m.maps(n["Z"], it.grad_feature_map, partial=True),
        "grad_kernel": m.sums(w.grad_kernel),
        "weights_symbolic": len(w.grad_kernel) < RUN_TABLE_FROM,
        "grad_kernel_matrix": m.answer("grad_kernel", it),
        "grad_bias": eqs(w.grad_bias),
        "grad_bias_vector": m.answer("grad_bias", it),
        "grad_input": m.sums(w.grad_input) if "grad_input" in p.show else [],  # printed only when shown
        "inputs_symbolic": len(w.grad_input) < RUN_TABLE_FROM,
        "grad_input_matrix": m.answer("grad_input", it) if "grad_input" in p.show else [],
        "velocities": run(w.velocities, kernel_row),
        "velocity_before": m.kernels(n["V"], it.velocity) if it.velocity else None,
        "velocity_matrix": m.answer("velocity", it) if it.velocity_next else None,
        "bias_velocities": run(w.bias_velocities, p.filters),
        "updates": run(w.updates, kernel_row),
        "bias_updates": run(w.bias_updates, p.filters),
        "kernel_next": m.answer("kernel_next", it),
        "bias_next": m.answer("bias_next", it),
        "loss_value": m.answer("loss", it),
        "loss_next": m.answer("loss_next", it),
    }


def _rotated(kernel: Tensor4) -> Tensor4:
    return tuple(tuple(tuple(tuple(reversed(row)) for row in reversed(mat)) for mat in per) for per in kernel)


def _residuals(target: Tensor3, prediction: Tensor3) -> Tensor3:
    return tuple(tuple(tuple(y - yh for y, yh in zip(ry, ryh)) for ry, ryh in zip(t, q)) for t, q in zip(target, prediction))


def _final(d: "Derivation", m: Maps) -> dict[str, Any]:
    from .lossrun import iteration_list, rises

    style, its = d.style, d.iterations
    first, last = its[0], its[-1]
    loss, after = style.names["L"], style.names["L"] + "'"
    risen = rises(its)
    return {
        "loss_initial": m.answer("loss", first),
        # L′, W′ and b′, as the iteration's steps name them: one name for one quantity.
        "loss_final": m.answer("loss_next", last),
        "kernel": m.answer("kernel_next", last),
        "bias": m.answer("bias_next", last),
        "first_loss": pr.inline(first.loss, style),
        "last_loss": pr.inline(last.loss_next, style),
        # Each value named, so a rounded one reads "L' ≈ 2.5419" and never "→ ≈ 2.5419".
        "losses": [
            {"line": f"${k + 1}$: ${pr.scalar(loss, it.loss, style)}, \\quad {pr.scalar(after, it.loss_next, style)}$"}
            for k, it in enumerate(its)
        ],
        # "lowered the loss" only when it is lower at the end and the last step did not raise it.
        "fell": last.loss_next < first.loss and not last.loss_next > last.loss,
        "rose_in": iteration_list(risen) if risen else None,
        "lower": last.loss_next < first.loss,
        "iterations": len(its),
    }
