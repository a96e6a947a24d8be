"""The network page's "where did this number come from?": refs on values (named as answers.csv
names them: `input[0]`, `layers[0].weights[1][0]`, `layers[2].output[1]`) and, computed from the
layers, what each value is made of or feeds, packed as derive/refs.py packs a flat problem's."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product

from ..refs import Stop, name, pack, prefix, wrap
from .layers.base import Layer
from .layers.conv import Conv
from .layers.dense import Dense
from .layers.elementwise import Elementwise
from .layers.flatten import Flatten
from .layers.maxpool import MaxPool
from .layers.pooling import Pooling
from .model import NetIteration
from .spec import Network

Index = tuple[int, ...]
_MATRIX = re.compile(r"\\begin\{bmatrix\} (?P<body>.*?) \\end\{bmatrix\}")
_BLOCK = re.compile(r"(\d+)\\ldots")  # a block of columns' first column (x_{8…15})
_VALUE = re.compile(r" (?:=|\\approx) (?P<value>.+)$")


def mark_tensor(lines: list[str], shape: tuple[int, ...], field: str) -> list[str]:
    """Printer.tensor's lines with each value wrapped as `field[…]`: a scalar's value, a vector's
    cells, each lead index's matrix (in row-major order), blocks of columns at their offset."""
    if not shape:
        return [_VALUE.sub(lambda m: m.group(0)[: m.start("value") - m.start()] + wrap(field, m.group("value")),
                           line, count=1) for line in lines]
    leads = list(product(*(range(n) for n in shape[:-2]))) if len(shape) > 1 else [()]
    out, lead = [], -1
    for line in lines:
        block = _BLOCK.search(re.split(r" (?:=|\\approx) ", line, maxsplit=1)[0])
        start = int(block.group(1)) if block else 0
        lead += start == 0  # each lead index's matrix starts at column 0; its further blocks do not

        def cells(m: re.Match[str], head: Index = leads[lead], offset: int = start) -> str:
            rows = [row.split(" & ") for row in m.group("body").split(r" \\ ")]
            vector = len(shape) == 1
            body = r" \\ ".join(" & ".join(
                wrap(name(field, (c + offset,) if vector else head + (r, c + offset)), cell)
                for c, cell in enumerate(row)) for r, row in enumerate(rows))
            return r"\begin{bmatrix} " + body + r" \end{bmatrix}"

        out.append(_MATRIX.sub(cells, line, count=1))
    return out


@dataclass(frozen=True)
class Term:
    """One term of an output value: the input value and the parameter value it takes (either may be none)."""

    out: Index
    inp: Index | None
    param: tuple[str, Index] | None


def terms(layer: Layer) -> list[Term]:
    """What each output value of a layer is computed from, term by term."""
    if isinstance(layer, Dense):
        rows, cols = layer.out_shape[0], layer.in_shape[0]
        bias = "bias" in dict(layer.init)
        return [Term((i,), (j,), ("weights", (i, j))) for i in range(rows) for j in range(cols)] + \
            ([Term((i,), None, ("bias", (i,))) for i in range(rows)] if bias else [])
    if isinstance(layer, Conv):
        return _conv_terms(layer)
    if isinstance(layer, Pooling):
        return [Term(o, i, None) for o in _indices(layer.out_shape) for i in layer.window(o)]
    if isinstance(layer, Flatten):
        return [Term((k,), i, None) for k, i in enumerate(_indices(layer.in_shape))]
    if isinstance(layer, Elementwise):
        return [Term(i, i, None) for i in _indices(layer.in_shape)]
    # softmax and any other layer: each output reads every input
    return [Term(o, i, None) for o in _indices(layer.out_shape) for i in _indices(layer.in_shape)]


def _conv_terms(layer: Conv) -> list[Term]:
    f_, c_, kh, kw, oh, ow, _ = layer.geometry
    kernel = dict(layer.init)["kernel"].shape
    bias = dict(layer.init).get("bias")
    (ph, pw), (h, w) = layer.padding, layer.in_shape[-2:]
    out: list[Term] = []
    for f, i, j in product(range(f_), range(oh), range(ow)):
        o = (i, j) if len(layer.out_shape) == 2 else (f, i, j)
        for c, u, v in product(range(c_), range(kh), range(kw)):
            r, s = layer.tap(i, j, u, v)
            inside = 0 <= r - ph < h and 0 <= s - pw < w
            x = ((r - ph, s - pw) if len(layer.in_shape) == 2 else (c, r - ph, s - pw)) if inside else None
            out.append(Term(o, x, ("kernel", (u, v) if len(kernel) == 2 else (f, c, u, v))))
        if bias is not None:
            out.append(Term(o, None, ("bias", () if not bias.shape else (f,))))
    return out


def _indices(shape: tuple[int, ...]) -> list[Index]:
    return list(product(*(range(n) for n in shape)))


def relations(net: Network, iterations: Sequence[NetIteration]) -> dict[str, list[str]]:
    """For each ref, the refs it was made of or feeds (what a click on it marks)."""
    links: dict[str, set[str]] = {}
    for k, it in enumerate(iterations, start=1):
        pre = prefix(k)
        for j, layer in enumerate(net.layers):
            _layer_links(net, k, j, layer, links, it.layers[j].forward.aux if isinstance(layer, MaxPool) else None)
        last = f"{pre}layers[{len(net.layers) - 1}]"
        for c in _indices(net.target.shape):
            prediction, target = name(f"{pre}prediction", c), name("target", c)
            _link(links, prediction, [name(f"{last}.output", c)])
            _link(links, pre + "loss", [prediction, target])
            _link(links, target, [pre + "loss", name(f"{last}.grad_output", c)])
            _link(links, name(f"{last}.grad_output", c), [prediction, target])
        _link(links, pre + "loss_next", [f"{pre}layers[{j}].{p}_next" for j, r in enumerate(it.layers) for p in r.params])
    return {ref: sorted(linked - {ref}) for ref, linked in sorted(links.items())}


def _link(links: dict[str, set[str]], ref: str, others: Iterable[str]) -> None:
    links.setdefault(ref, set()).update(others)


def _layer_links(net: Network, k: int, j: int, layer: Layer, links: dict[str, set[str]],
                 winners: dict[Index, Index] | None = None) -> None:
    """One layer's forward sums, gradient sums and updates (`winners`: max pooling's, by window)."""
    pre = prefix(k)
    here = f"{pre}layers[{j}]"
    x = f"{pre}layers[{j - 1}].output" if j else "input"
    dx = f"{pre}layers[{j - 1}].grad_output" if j else f"{pre}grad_input"
    # The parameters an iteration starts from are the previous iteration's updated ones.
    param = (lambda p: f"layers[{j}].{p}") if k == 1 else (lambda p: f"{prefix(k - 1)}layers[{j}].{p}_next")
    reads_x = not isinstance(layer, (Dense, Conv, Pooling, Flatten))  # an activation's slope f′(x)
    for t in terms(layer):
        out, dout = name(f"{here}.output", t.out), name(f"{here}.grad_output", t.out)
        made = [name(x, t.inp)] if t.inp is not None else []
        weight = [name(param(t.param[0]), t.param[1])] if t.param is not None else []
        _link(links, out, made + weight)  # an output unit: its weighted sum's inputs, weights and bias
        for cell in made:
            _link(links, cell, [out])
        if t.param is not None:
            _link(links, weight[0], made + [out])  # a weight: every input it met and every unit it fed
            _link(links, name(f"{here}.grad_{t.param[0]}", t.param[1]), made + [dout])  # Σ ∂L/∂out · input
        if t.inp is None or (winners is not None and winners[t.out] != t.inp):
            continue  # max pooling passes a window's gradient to its winner only
        # ∂L/∂x: Σ ∂L/∂out · weight; an activation's ∂L/∂out · f′(x) at its input; pooling's and
        # flattening's ∂L/∂out alone
        _link(links, name(dx, t.inp), [dout] + weight + ([name(x, t.inp)] if reads_x else []))
    for p, value in [(p, v) for p, v in layer.init if p not in layer.fixed]:
        for c in _indices(value.shape):
            made = [name(param(p), c), name(f"{here}.grad_{p}", c), "learning_rate"]
            if net.optimizer.has_velocity:
                velocity = name(f"{here}.velocity_{p}", c)
                before = [name(f"{prefix(k - 1)}layers[{j}].velocity_{p}", c)] if k > 1 else []
                _link(links, velocity, [name(f"{here}.grad_{p}", c), "momentum"] + before)
                made.append(velocity)
            _link(links, name(f"{here}.{p}_next", c), made)  # an update: the parameter, its gradient, η
            _link(links, "learning_rate", [name(f"{here}.{p}_next", c)])


def stops(net: Network, iterations: Sequence[NetIteration]) -> list[Stop]:
    """The step navigator's places: each layer's output values, the loss, each gradient and update."""
    out = []
    for k in range(1, len(iterations) + 1):
        pre, head = prefix(k), f"Iteration {k}, " if len(iterations) > 1 else ""
        for j, layer in enumerate(net.layers):
            for c in _indices(layer.out_shape):
                out.append(Stop(f"{head}layer {j + 1}: output {list(c)}", name(f"{pre}layers[{j}].output", c)))
        out.append(Stop(f"{head}the loss", pre + "loss"))
        for j, layer in enumerate(net.layers):
            for p, value in layer.init:
                if p in layer.fixed:
                    continue
                for field, what in ((f"grad_{p}", "gradient"), (f"{p}_next", "update")):
                    for c in _indices(value.shape):
                        out.append(Stop(f"{head}layer {j + 1}: {what} of {p}{list(c)}", name(f"{pre}layers[{j}].{field}", c)))
    return out


def blob(net: Network, iterations: Sequence[NetIteration], shown: set[str]) -> str:
    """The page's JSON for explore.j2, as derive.refs.blob's for a flat problem."""
    return pack(relations(net, iterations), stops(net, iterations), shown)
