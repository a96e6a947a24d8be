"""Everything network.j2 shows, as strings: each layer's formulas, worked equations and values,
printed through printing.py (the only SymPy → LaTeX module)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import printing as pr
from .algebra import relabel, velocity_label
from .layers.base import Step
from .layers.conv import Conv
from .symbols import LayerSymbols, layer_symbols
from .tensor import Tensor, dims

if TYPE_CHECKING:
    from .derivation import NetworkDerivation

DEFAULT_TITLE = "A Neural Network, Step by Step"


class Printer:
    """Symbols and tensors of one document as LaTeX."""

    def __init__(self, style: pr.Style, refs: bool = False):
        self.style = style
        self.names = pr.network_names(style)
        self.refs = refs  # the interactive HTML page's values carry their answers.csv names

    def symbol(self, label: str, index: tuple = ()) -> str:
        """A label's LaTeX."""
        return pr.network_symbol(label, self.names, index)

    def partial(self, text: str) -> str:
        """∂L/∂text."""
        return pr.partial(text, self.names["L"])

    def tensor(self, label: str, t: Tensor, partial: bool = False, ref: str | None = None) -> list[str]:
        """`name = value`: a scalar, a row vector, a matrix, or one matrix per channel (per filter and
        channel); long vectors and very wide matrices in blocks of columns (x_{0…7}, W_{·,32…63}).
        With refs on and a `ref` field, each value is marked as answers.csv names its cell."""
        text = self._tensor(label, t, partial)
        if not (self.refs and ref):
            return text
        from .refs import mark_tensor

        return mark_tensor(text, t.shape, ref)

    def _tensor(self, label: str, t: Tensor, partial: bool) -> list[str]:
        wrap = self.partial if partial else (lambda text: text)
        if not t.shape:
            return [pr.scalar(wrap(self.symbol(label)), t.data[0], self.style)]
        if len(t.shape) == 1:
            return [pr.named_matrix(wrap(self.symbol(label, index)), rows, self.style)
                    for index, rows in _blocks((), [list(t.data)], vector=True)]
        rows = t.nested()
        out = []
        for lead in Tensor(t.shape[:-2], tuple(range(len(t.data) // (t.shape[-1] * t.shape[-2])))).indices():
            matrix = rows
            for i in lead:
                matrix = matrix[i]
            sliced = lead + (r"\cdot", r"\cdot") if lead else ()
            for index, part in _blocks(sliced, matrix):
                out.append(pr.named_matrix(wrap(self.symbol(label, index)), part, self.style))
        return out

    def marked(self, lines: list[str], ref: str) -> list[str]:
        """`name = value` lines whose value carries `ref` (refs on only)."""
        return self.tensor_lines(lines, (), ref) if self.refs else lines

    @staticmethod
    def tensor_lines(lines: list[str], shape: tuple[int, ...], ref: str) -> list[str]:
        from .refs import mark_tensor

        return mark_tensor(lines, shape, ref)

    def equations(self, equations: tuple) -> list[str]:
        """A run of worked equations as LaTeX: aligned blocks lined up on their =, one display per
        STACKED_ROWS lines rather than one per equation (18 units' ∂a/∂z read as one block)."""
        return pr.network_stacked(equations, self.style, STACKED_ROWS) if equations else []

    def layer(self, s: LayerSymbols) -> dict[str, str]:
        """The symbols a layer's general formulas use."""
        out = {"in": self.symbol(s.inp), "out": self.symbol(s.out), "L": self.names["L"], "y": self.names["y"]}
        for name, lab in s.params:
            out[{"weights": "W", "kernel": "K", "bias": "b"}[name]] = self.symbol(lab)
        return out


STACKED_ROWS = 16  # lines in one aligned block: about half a page (an HTML page cannot break a MathML table)
VECTOR_COLUMNS = 8  # a long vector is shown 8 values a line (about what a page's width holds)
MATRIX_COLUMNS = 32  # a wider matrix is split; up to this, LaTeX scales a wide one to the page


def _blocks(index: tuple, rows: Any, vector: bool = False) -> list[tuple[tuple, Any]]:
    """A matrix's columns in blocks (of VECTOR_COLUMNS or MATRIX_COLUMNS), each with the index that names it."""
    width, columns = len(rows[0]), VECTOR_COLUMNS if vector else MATRIX_COLUMNS
    if width <= columns:
        return [(index, rows)]
    out = []
    for a in range(0, width, columns):
        b = min(a + columns, width)
        span = rf"{a}\ldots {b - 1}"
        named = (span,) if vector else (index[:-1] if index else (r"\cdot",)) + (span,)
        out.append((named, [list(r[a:b]) for r in rows]))
    return out


def network_view(d: NetworkDerivation, refs: bool = False) -> dict[str, Any]:
    """The strings of the worked solution of a network (with `refs`, the interactive page's)."""
    net, style = d.network, d.style
    pp = Printer(style, refs)
    syms = layer_symbols(net)
    last = pp.symbol(syms[-1].out)
    loss_symbols = {"out": last, "y": pp.names["y"], "L": pp.names["L"]}
    n = len(net.target)
    statement = {
        "input": dims(net.input.shape), "output": dims(net.layers[-1].out_shape), "layers": len(net.layers),
        "loss": net.loss.key, "loss_name": net.loss.name, "n": str(n), "iterations": net.iterations,
        "optimizer": net.optimizer.words(), "learning_rate": pr.inline(net.optimizer.learning_rate, style),
        "momentum": pr.inline(net.optimizer.momentum, style) if net.optimizer.has_velocity else None,  # type: ignore[attr-defined]
        "fused": net.fused, "x": pp.symbol("|x|"), "prediction": last, "eta": pp.names["eta"], "mu": pp.names["mu"],
        "f": {**net.loss.formulas(loss_symbols, n),
              "update_rule": net.optimizer.rule(_rule_symbols(pp, r"\theta")),
              "target": pp.names["y"]},
        "table": [_row(k, layer, s, pp) for k, (layer, s) in enumerate(zip(net.layers, syms))],
        # The table's last layer as the example of its numbering: one that exists in every table.
        "example_layer": {"number": str(len(net.layers)), "index": str(len(net.layers) - 1)},
    }
    return {
        "title": net.title or DEFAULT_TITLE,
        "detail": d.detail,
        "precision": style.precision,
        "statement": statement,
        "given": _given(d, pp, syms),
        "iterations": [_iteration(d, pp, syms, k, it) for k, it in enumerate(d.iterations)],
        "final": _final(d, pp, syms),
    }


def _rule_symbols(pp: Printer, param: str) -> dict[str, str]:
    n = pp.names
    return {"P": param, "Pnext": param + "'", "v": n["V"] + "_{" + param + "}", "vnext": n["V"] + "'_{" + param + "}",
            "eta": n["eta"], "mu": n["mu"], "L": n["L"]}


def _row(k: int, layer: Any, s: LayerSymbols, pp: Printer) -> dict[str, str]:
    params = layer.describe()
    if layer.fixed:
        params += "; fixed: " + ", ".join(sorted(layer.fixed))
    return {"number": str(k + 1), "kind": layer.kind, "title": layer.title, "shape_in": dims(layer.in_shape),
            "shape_out": dims(layer.out_shape), "output": pp.symbol(s.out), "params": params or "none"}


def _given(d: NetworkDerivation, pp: Printer, syms: tuple[LayerSymbols, ...]) -> list[dict[str, Any]]:
    net, style = d.network, d.style
    items = [{"label": f"Input ({_size(net.input.shape)})", "math": pp.tensor("|x|", net.input, ref="input")}]
    for k, (layer, s) in enumerate(zip(net.layers, syms)):
        for name, value in layer.init:
            fixed = " — fixed (not updated)" if name in layer.fixed else ""
            items.append({"label": f"Layer {k + 1} ({layer.title}): {name} ({_size(value.shape)}){fixed}",
                          "math": pp.tensor(s.param(name), value, ref=f"layers[{k}].{name}")})
    target = pp.tensor("|y|", net.target, ref="target")
    label = f"Target ({_size(net.target.shape)})"
    if net.target_class is not None:
        label = f"Target: class {net.target_class}, as a one-hot vector"
    items.append({"label": label, "math": target})
    items.append({"label": "Learning rate", "math": pp.marked([pr.scalar(pp.names["eta"], net.optimizer.learning_rate, style)], "learning_rate")})
    if net.optimizer.stateful:
        settings = net.optimizer.settings()  # type: ignore[attr-defined]
        if settings:
            items.append({"label": "Optimizer constants",
                          "math": [pr.scalar(name, value, style) for name, value in settings]})
    if net.optimizer.has_velocity:
        items.append({"label": "Momentum", "math": pp.marked([pr.scalar(pp.names["mu"], net.optimizer.momentum, style)], "momentum")})  # type: ignore[attr-defined]
    return items


def _size(shape: tuple[int, ...]) -> str:
    """A shape in words: 2 values, 2×3."""
    if not shape:
        return "one value"
    return f"{shape[0]} value{'s' if shape[0] != 1 else ''}" if len(shape) == 1 else dims(shape)


def _steps(d: NetworkDerivation, syms: tuple[LayerSymbols, ...], it: Any) -> list[Step]:
    net = d.network
    return [
        Step(layer, r.input, r.forward, r.params, r.grad_output, r.backward, s.inp, s.out, s.tag, d.detail,
             fused=net.fused and k == len(net.layers) - 1, target=net.target)
        for k, (layer, s, r) in enumerate(zip(net.layers, syms, it.layers))
    ]


def _iteration(d: NetworkDerivation, pp: Printer, syms: tuple[LayerSymbols, ...], k: int, it: Any) -> dict[str, Any]:
    from ..refs import prefix

    net, style = d.network, d.style
    steps = _steps(d, syms, it)
    pre = prefix(k + 1)
    works = [step.layer.work(step) for step in steps]
    forward, backward, updates = [], [], []
    for j, (layer, s, step, work) in enumerate(zip(net.layers, syms, steps, works)):
        f = layer.formulas(pp.layer(s))
        total = len(step.forward.output)
        padded = layer.padded_tensor(step.x) if isinstance(layer, Conv) else None  # only a conv layer pads
        padding = layer.padding if isinstance(layer, Conv) and padded is not None else None
        forward.append({
            "padded": pp.tensor(relabel(s.inp, "pad"), padded) if padded is not None else None,
            "padding": None if padding is None else str(padding[0]) if padding[0] == padding[1] else dims(padding),
            "heading": f"Layer {j + 1}: {layer.title} ({dims(layer.in_shape)} → {dims(layer.out_shape)})",
            "kind": layer.kind, "formula": f.get("forward"), "note": layer.forward_note, "equations": pp.equations(work.forward),
            "partial_shown": 0 < len(work.forward) < total, "total": str(total),
            "result": pp.tensor(s.out, step.forward.output, ref=f"{pre}layers[{j}].output"),
        })
        params = []
        for name, equations in work.params:
            params.append({"name": name, "symbol": pp.symbol(s.param(name)), "formula": f.get(name),
                           "equations": pp.equations(equations),
                           "matrix": pp.tensor(s.param(name), step.backward.grads[name], partial=True,
                                                ref=f"{pre}layers[{j}].grad_{name}")})
        # ∂L/∂x of the network's input feeds no layer: shown, as in a flat document, only with show: [grad_input].
        shown = j > 0 or "grad_input" in net.show
        backward.append({
            "heading": f"Layer {j + 1}: {layer.title}", "kind": layer.kind, "number": j + 1,
            "note": layer.backward_note,
            "received": pp.tensor(s.out, step.grad_output, partial=True, ref=f"{pre}layers[{j}].grad_output"),
            "local": f.get("local"), "chain": f.get("fused") if step.fused else f.get("chain"), "fused": step.fused,
            "local_equations": pp.equations(work.local), "chain_equations": pp.equations(work.chain),
            # In summary an activation works out two of its units backward too: said, as forward.
            "partial_shown": d.detail == "summary" and 0 < len(work.chain) < len(step.x),
            "total": str(len(step.x)),
            "params": params, "grad_input_formula": f.get("grad_input"), "full": f.get("full"),
            "grad_input_equations": pp.equations(work.grad_input) if shown else [],
            "grad_input": pp.tensor(s.inp, step.backward.grad_input, partial=True,
                                   ref=f"{pre}layers[{j - 1}].grad_output" if j else f"{pre}grad_input") if shown else [],
            "input_name": pp.symbol(s.inp), "first": j == 0, "grad_input_shown": shown,
        })
        updates += _updates(d, pp, j, layer, s, it.layers[j], pre)
    backward.reverse()
    out_label = syms[-1].out
    grad = net.loss.gradient(it.prediction, net.target)
    from ..exact import precise
    from .algebra import pick

    with precise():
        cells = pick(it.prediction.indices(), d.detail, lambda c: grad[c])
        loss_gradient = pp.equations(tuple(pr.Equation(_derivative(out_label, c),
                                                       net.loss.gradient_sides(out_label, it.prediction, net.target, grad, c))
                                           for c in cells))
    from .algebra import L

    return {
        "number": k + 1,
        "forward": forward,
        "prediction": pp.tensor(out_label, it.prediction, ref=f"{pre}prediction"),
        "loss": pr.network_equation(pr.Equation(L, net.loss.equation_sides(out_label, it.prediction, net.target, it.loss,
                                                                           d.detail)), style),
        "loss_gradient": loss_gradient,
        "backward": backward,
        "updates": updates,
        "loss_value": pp.marked([pr.scalar(pp.names["L"], it.loss, style)], f"{pre}loss")[0],
        "loss_next": pp.marked([pr.scalar(pp.names["Lnext"], it.loss_next, style)], f"{pre}loss_next")[0],
        "grad_input": pp.tensor("|x|", it.grad_input, partial=True, ref=f"{pre}grad_input"),
    }


def _derivative(out_label: str, cell: tuple) -> Any:
    from sympy import Derivative

    from .algebra import L, sym

    return Derivative(L, sym(out_label, cell))


def _updates(d: NetworkDerivation, pp: Printer, j: int, layer: Any, s: LayerSymbols, record: Any,
             pre: str) -> list[dict[str, Any]]:
    from ..exact import precise
    from .algebra import pick

    out = []
    for name, value in record.params.items():
        lab = s.param(name)
        grad, after = record.backward.grads[name], record.params_next[name]
        velocity = record.velocity.get(name)
        item: dict[str, Any] = {"heading": f"Layer {j + 1} ({layer.title}), {name}",
                "symbol": pp.symbol(lab), "fixed": name in layer.fixed, "equations": [],
                "next": pp.tensor(relabel(lab, "next"), after, ref=f"{pre}layers[{j}].{name}_next"),
                "velocity": pp.tensor(velocity_label(lab, "next"), velocity, ref=f"{pre}layers[{j}].velocity_{name}")
                if velocity is not None else None}
        worked: tuple = ()  # every cell's equations, printed as one run
        if name in record.state:
            item["velocity"] = _state_tensors(pp, lab, record.state[name])
            with precise():
                for c in pick(value.indices(), d.detail, grad.__getitem__):
                    before = {key: t[c] for key, t in record.state_before[name].items()}
                    worked += tuple(d.network.optimizer.worked(lab, c, value[c], grad[c], before, record.t))  # type: ignore[attr-defined]
        elif name not in layer.fixed:
            before = record.velocity_before.get(name)
            with precise():
                cells = pick(value.indices(), d.detail, grad.__getitem__)
                for c in cells:
                    worked += tuple(d.network.optimizer.equations(lab, c, value[c], grad[c], before[c] if before else None,
                                                                  velocity[c] if velocity else None, after[c]))
        with precise():
            item["equations"] = pp.equations(worked)
        out.append(item)
    return out


def _state_tensors(pp: Printer, lab: str, state: Any) -> list[str]:
    """The optimizer's state after the step (m', v', …), one tensor each."""
    from .optimizers.stateful import STATE_SYMBOLS

    _, base, tag = lab.split("|")
    out: list[str] = []
    for key, t in state.items():
        out += pp.tensor(f"state:{STATE_SYMBOLS[key]}'|{base}|{tag}", t)
    return out


def _final(d: NetworkDerivation, pp: Printer, syms: tuple[LayerSymbols, ...]) -> dict[str, Any]:
    from ..lossrun import iteration_list, rises, uses_momentum
    from ..refs import prefix

    its, style = d.iterations, d.style
    first, last = its[0], its[-1]
    risen = rises(its)
    params = []
    for j, (layer, s) in enumerate(zip(d.network.layers, syms)):
        for name, value in last.layers[j].params_next.items():
            if name not in layer.fixed:
                params += pp.tensor(relabel(s.param(name), "next"), value,
                                    ref=f"{prefix(len(its))}layers[{j}].{name}_next")
    return {
        "loss_initial": pr.scalar(pp.names["L"], first.loss, style),
        "loss_final": pr.scalar(pp.names["Lnext"], last.loss_next, style),
        "first_loss": pr.inline(first.loss, style), "last_loss": pr.inline(last.loss_next, style),
        "params": params,
        # Each value named, so a rounded one reads "L' ≈ 2.5419" and never "→ ≈ 2.5419".
        "losses": [{"number": str(k + 1),
                    "math": f"{pr.scalar(pp.names['L'], it.loss, style)}, \\quad {pr.scalar(pp.names['Lnext'], it.loss_next, style)}"}
                   for k, it in enumerate(its)],
        # "lowered the loss" only when it is lower at the end and the last step did not raise it.
        "fell": last.loss_next < first.loss and not last.loss_next > last.loss,
        "rose_in": iteration_list(risen) if risen else None,
        "lower": last.loss_next < first.loss,
        "momentum": uses_momentum(d.network.optimizer),
        "same": last.loss_next == first.loss,
        "iterations": len(its),
    }
