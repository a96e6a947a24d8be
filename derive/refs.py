"""The HTML page's "where did this number come from?": refs on values, and what each is made of.

Every matrix cell and indexed symbol of the page is named as answers.csv names its column
(`input[1][2]`, `kernel[0][1][1][0]`, `iteration_2.kernel_next[0][1]`); values the answer key
does not hold keep the same form (`grad_prediction[0][1]`, `padded_input[2][3]`). A name is
carried into the LaTeX as `\\class{ref:NAME}{…}` on the HTML path only (mathml.py turns it
into `data-ref`), so the Markdown and LaTeX documents stay as they were. The relations are
computed here from the model, so the page's script only looks them up. A network's layers can
add `layers[J].FIELD[…]` names to both tables without a change to the script.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .fields import BY_NAME, FIELDS, last_stage
from .model import Iteration, grid, pool_windows, tap, weights
from .printing import TABLE_SEPARATOR
from .problem import Problem
from .style import Style

CLASS_PREFIX = "ref:"  # \class{ref:NAME}{…}: the one class mathml.py turns into data-ref
# Symbols whose partial derivative ∂L/∂symbol is a value of its own: the answer gradients, by the
# notation of the answer-field table (fields.py), and the backward pass's steps no answer holds.
PARTIALS = {**{f.notation: f.name for f in FIELDS if f.role == "gradient"},
            "Yhat": "grad_prediction", "Z": "grad_feature_map", "A": "grad_activation"}
# Symbols of one iteration (named with its `iteration_k.` prefix): every other answer field, by its notation.
OWN = {f.notation: f.name for f in FIELDS if f.role != "gradient"}
GIVEN = {"I": "input", "X": "padded_input", "Y": "target", "eta": "learning_rate", "mu": "momentum"}
_DATA_REF = re.compile(r'data-ref="([^"]+)"')
_NUMBER = r"-?\d+(?:\.\d+)?|-?\\frac\{\d+\}\{\d+\}"
_UPPER = r"(?:\^\{\((?P<u@>\d+(?:,\d+)*)\)\})?"  # @: the alternative's number


@dataclass(frozen=True)
class Scope:
    """The field each semantic symbol names in one part of the page (the given data or an iteration)."""

    fields: tuple[tuple[str, str], ...]  # (semantic name, ref field with its prefix)
    partials: tuple[tuple[str, str], ...]
    rank2: bool

    @property
    def table(self) -> dict[str, str]:
        return dict(self.fields)


def prefix(k: int) -> str:
    """answers.csv's prefix for iteration k (1-based): none for the first."""
    return "" if k == 1 else f"iteration_{k}."


def scope(p: Problem, k: int) -> Scope:
    """The names of iteration k's symbols; k = 1 is also the given data's scope."""
    before = prefix(k - 1) if k > 1 else ""
    fields = dict(GIVEN)
    fields.update({name: prefix(k) + field for name, field in OWN.items()})
    # The weights an iteration starts from are the previous iteration's updated ones.
    fields.update({"W": "kernel", "b": "bias"} if k == 1 else {"W": before + "kernel_next", "b": before + "bias_next"})
    if k > 1:
        fields.update({"V": before + "velocity", "Vb": before + "velocity_bias"})
    last = last_stage(p)
    if last is not None:  # the feature map (no activation, no pooling) or the activation (no pooling) is Ŷ
        fields[BY_NAME[last].notation] = fields["Yhat"]
    partials = {name: prefix(k) + field for name, field in PARTIALS.items()}
    return Scope(tuple(fields.items()), tuple(partials.items()), p.rank2)


# Symbols that stand for one value without an index: the learning rate and momentum, and a 2-D
# problem's bias (b, b', ∂L/∂b, v'^b). `L` is not one of them: it is in every ∂L/∂….
SCALARS = ("eta", "mu")
SCALAR_BIAS = ("b", "bnext", "Vbnext")


def annotate(latex: str, s: Scope, names: dict[str, str]) -> str:
    """`latex` with each named matrix's cells and each indexed symbol wrapped in \\class{ref:…}."""
    return _bare(_symbols(_matrices(_scalar(latex, s, names), s, names), s, names), s, names)


def _bare(latex: str, s: Scope, names: dict[str, str]) -> str:
    """Each unindexed symbol of a single value (`η`, a 2-D problem's `b` and `∂L/∂b`) wrapped."""
    own = SCALARS + (SCALAR_BIAS if s.rank2 else ())
    table, partials = s.table, dict(s.partials)
    bare = Scope(tuple((n, table[n]) for n in own if n in table),
                 (("b", partials["b"]),) if s.rank2 else (), s.rank2)
    # Not followed by an index, a prime, a superscript or a letter: `b'`, `b_{0}`, `v^{b}` are others.
    pattern, fields = _pattern(bare, names, "", r"(?![A-Za-z_^'{])")
    return pattern.sub(lambda m: wrap(_which(m, fields)[1], m.group(0)), latex)


def _pattern(s: Scope, names: dict[str, str], inner: str, outer: str) -> tuple[re.Pattern[str], list[str]]:
    return _compiled(s, tuple(names.items()), inner, outer)


@lru_cache(maxsize=64)
def _compiled(s: Scope, named: tuple[tuple[str, str], ...], inner: str, outer: str) -> tuple[re.Pattern[str], list[str]]:
    """One alternative per symbol, partials (∂L/∂W…) and longer symbols (`W'` before `W`) first;
    `inner` follows the symbol inside a partial's braces (a subscript), `outer` the whole."""
    names = dict(named)
    loss = re.escape(names["L"])
    alternatives = [(re.escape(names[n]), f, True) for n, f in s.partials if n in names]
    alternatives += [(re.escape(names[n]), f, False) for n, f in s.fields if n in names]
    alternatives.sort(key=lambda a: (not a[2], -len(a[0])))
    groups, fields = [], []
    for k, (symbol, field, is_partial) in enumerate(alternatives):
        body = symbol + (_UPPER + inner).replace("@", str(k))
        if is_partial:
            body = rf"\\frac\{{\\partial {loss}\}}\{{\\partial {body}\}}"
        groups.append(f"(?P<s{k}>{body})")
        fields.append(field)
    return re.compile(r"(?<![A-Za-z\\'])(?:" + "|".join(groups) + ")" + outer), fields


def _which(match: re.Match[str], fields: list[str]) -> tuple[int, str, list[str]]:
    """The alternative a match took, its field and the indices of its superscript (filter, channel)."""
    for k, field in enumerate(fields):
        if match.group(f"s{k}") is not None:
            upper = match.group(f"u{k}")
            return k, field, upper.split(",") if upper else []
    raise AssertionError("a match takes one alternative")


def name(field: str, index: Iterable[Any]) -> str:
    """An answers.csv column name: field[i][j]…"""
    return field + "".join(f"[{i}]" for i in index)


def wrap(ref: str, latex: str) -> str:
    """`latex` marked as the value `ref` (the marker only the HTML path sees)."""
    return rf"\class{{{CLASS_PREFIX}{ref}}}{{{latex}}}"


def _symbols(latex: str, s: Scope, names: dict[str, str]) -> str:
    pattern, fields = _pattern(s, names, r"_\{(?P<p@>\d+(?:,\d+)*)\}", "")

    def mark(m: re.Match[str]) -> str:
        k, field, lead = _which(m, fields)
        joined = m.group(f"p{k}")
        # W_{00} has one digit per index; W_{10,3} separates indices of two digits or more.
        position = joined.split(",") if "," in joined else list(joined)
        return wrap(name(field, lead + position), m.group(0))

    return pattern.sub(mark, latex)


def _is_bias(field: str) -> bool:
    return field.rsplit(".", 1)[-1] in ("bias", "grad_bias", "bias_next", "velocity_bias")


def _matrices(latex: str, s: Scope, names: dict[str, str]) -> str:
    """Cells of each `label = [matrix]`, where the label starts the display or one of the displays
    set side by side (`Y - Ŷ = […]` is not Ŷ, and a window's unnamed matrix is nobody's)."""
    pattern, fields = _pattern(s, names, "", r" (?:=|\\approx) \\begin\{bmatrix\} (?P<body>.*?) \\end\{bmatrix\}")

    def mark(m: re.Match[str]) -> str:
        _, field, lead = _which(m, fields)
        rows = [row.split(" & ") for row in m.group("body").split(r" \\ ")]
        vector = _is_bias(field) and len(rows) == 1  # a bias row: one value per filter
        body = r" \\ ".join(" & ".join(wrap(name(field, lead + ([c] if vector else [r, c])), cell)
                                       for c, cell in enumerate(row)) for r, row in enumerate(rows))
        return m.group(0)[: m.start("body") - m.start()] + body + r" \end{bmatrix}"

    def anchored(part: str) -> str:
        m = pattern.match(part)
        return mark(m) + part[m.end():] if m else part

    return TABLE_SEPARATOR.join(anchored(part) for part in latex.split(TABLE_SEPARATOR))


def _scalar(latex: str, s: Scope, names: dict[str, str]) -> str:
    """`η = 0.1`, `L = 0.365`, a 2-D problem's `b = 0.5`: the value carries the name."""
    pattern, fields = _pattern(s, names, "", rf" (?:=|\\approx) (?P<value>{_NUMBER})$")
    m = pattern.match(latex)
    if not m:
        return latex
    _, field, lead = _which(m, fields)
    return latex[: m.start("value")] + wrap(name(field, lead), m.group("value"))


def annotate_view(view: dict[str, Any], p: Problem, style: Style) -> dict[str, Any]:
    """A copy of render.view's strings with refs: the given data and each iteration in its own scope."""
    names = style.names
    out = dict(view)
    out["given"] = _walk(view["given"], scope(p, 1), names)
    out["iterations"] = [_walk(it, scope(p, k + 1), names) for k, it in enumerate(view["iterations"])]
    return out


def _walk(value: Any, s: Scope, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return annotate(value, s, names) if ("_{" in value or "bmatrix" in value or " = " in value) else value
    if isinstance(value, dict):
        return {k: _walk(v, s, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, s, names) for v in value]
    return value


@dataclass(frozen=True)
class Stop:
    """One place of the step navigator: what it says and the values it marks."""

    label: str
    ref: str  # the value it marks, with what that value is made of or feeds


class Refs:
    """Refs of one problem's values, in its 2-D or multi-channel shape."""

    def __init__(self, p: Problem):
        self.p = p

    def map(self, field: str, f: int, i: int, j: int) -> str:
        """A cell of a map (input, feature map, prediction…): [i][j], or [f][i][j] with channels or filters."""
        return name(field, (i, j) if self.p.rank2 else (f, i, j))

    def kernel(self, field: str, w: tuple[int, int, int, int]) -> str:
        """A weight (f, c, u, v): [u][v] for a 2-D problem."""
        return name(field, w[2:] if self.p.rank2 else w)

    def bias(self, field: str, f: int) -> str:
        """Filter f's bias: a 2-D problem's is a scalar."""
        return field if self.p.rank2 else name(field, (f,))

    def taps(self, c: int, cell: tuple[int, int]) -> list[tuple[str, ...]]:
        """What a padded-input tap reads: (input ref, grad_input ref) when inside the input, and
        the padded input's cell when there is padding."""
        (top, left), (h, w) = self.p.padding, (len(self.p.input[0]), len(self.p.input[0][0]))
        i, j = cell[0] - top, cell[1] - left
        inside = [(self.map("input", c, i, j), self.map("grad_input", c, i, j))] if 0 <= i < h and 0 <= j < w else []
        return inside + ([(self.map("padded_input", c, *cell),)] if any(self.p.padding) else [])


def relations(p: Problem, iterations: Sequence[Iteration]) -> dict[str, list[str]]:
    """For each ref, the refs it was made of or feeds (what a click on it marks)."""
    links: dict[str, set[str]] = {}
    for k, it in enumerate(iterations, start=1):
        _convolution_links(p, k, links)
        _forward_links(p, k, links)
        _backward_links(p, k, it, links)
        _update_links(p, k, links)
    return {ref: sorted(linked - {ref}) for ref, linked in sorted(links.items())}


def _link(links: dict[str, set[str]], ref: str, others: Iterable[str]) -> None:
    links.setdefault(ref, set()).update(others)


def _convolution_links(p: Problem, k: int, links: dict[str, set[str]]) -> None:
    """Each output cell, weight and input cell, and the sums of ∂L/∂W, ∂L/∂b and ∂L/∂I."""
    r, t, pre = Refs(p), scope(p, k).table, prefix(k)
    staged = p.activation != "none" or p.pooling is not None
    dz = pre + ("grad_feature_map" if staged else "grad_prediction")  # ∂L/∂Z, as the page names it
    for f, i, j in ((f, i, j) for f in range(p.filters) for i, j in grid(p.conv_shape)):
        out, grad_out = r.map(t["Z"], f, i, j), r.map(dz, f, i, j)
        for w in (w for w in weights(p) if w[0] == f):
            weight = r.kernel(t["W"], w)
            taps = r.taps(w[1], tap(p, (i, j), w[2:]))
            read = [x[0] for x in taps]
            _link(links, out, read + [weight])  # an output cell: its window in each channel and the kernel
            _link(links, weight, read + [out])  # a weight: every input it met and every cell it fed
            for cell in read:
                _link(links, cell, [out])
            _link(links, r.kernel(pre + "grad_kernel", w), read + [grad_out])  # Σ ∂L/∂Z_ij · input
            for pair in taps:
                if len(pair) == 2:
                    _link(links, pre + pair[1], [weight, grad_out])  # Σ ∂L/∂Z_ij · weight
        if p.bias is not None:
            _link(links, out, [r.bias(t["b"], f)])
            _link(links, r.bias(pre + "grad_bias", f), [grad_out])


def _forward_links(p: Problem, k: int, links: dict[str, set[str]]) -> None:
    """Activation, pooling, the loss and ∂L/∂Ŷ: each cell and what it is computed from."""
    r, t, pre = Refs(p), scope(p, k).table, prefix(k)
    if p.activation != "none":
        for f, i, j in ((f, i, j) for f in range(p.filters) for i, j in grid(p.conv_shape)):
            _link(links, r.map(t["A"], f, i, j), [r.map(t["Z"], f, i, j)])
    pooled_from = t["A"] if p.activation != "none" else t["Z"]
    for f, i, j in ((f, i, j) for f in range(p.filters) for i, j in grid(p.output_shape)):
        prediction, target = r.map(t["Yhat"], f, i, j), r.map("target", f, i, j)
        if p.pooling is not None:
            _link(links, prediction, [r.map(pooled_from, f, a, b) for a, b in pool_windows(p, (i, j))])
        _link(links, r.map(pre + "grad_prediction", f, i, j), [prediction, target])
        _link(links, t["L"], [prediction, target])
        _link(links, target, [t["L"], r.map(pre + "grad_prediction", f, i, j)])  # what a target feeds


def _backward_links(p: Problem, k: int, it: Iteration, links: dict[str, set[str]]) -> None:
    """∂L/∂A and ∂L/∂Z: routed back through pooling (to each window's winner, or split evenly) and
    through the activation's slope at Z."""
    if p.activation == "none" and p.pooling is None:
        return  # ∂L/∂Z is ∂L/∂Ŷ
    r, pre = Refs(p), prefix(k)
    dz, da = pre + "grad_feature_map", pre + ("grad_activation" if p.activation != "none" else "grad_feature_map")
    for f, i, j in ((f, i, j) for f in range(p.filters) for i, j in grid(p.output_shape)):
        if p.pooling is None:
            _link(links, r.map(da, f, i, j), [r.map(pre + "grad_prediction", f, i, j)])
            continue
        to = [it.winners[(f, i, j)]] if it.winners is not None else pool_windows(p, (i, j))
        for a, b in to:
            _link(links, r.map(da, f, a, b), [r.map(pre + "grad_prediction", f, i, j)])
    if p.activation != "none":
        t = scope(p, k).table
        for f, i, j in ((f, i, j) for f in range(p.filters) for i, j in grid(p.conv_shape)):
            _link(links, r.map(dz, f, i, j), [r.map(da, f, i, j), r.map(t["Z"], f, i, j)])  # ∂L/∂A · f′(Z)


def _update_links(p: Problem, k: int, links: dict[str, set[str]]) -> None:
    """An updated weight: the weight, its gradient and the learning rate (and momentum's velocity)."""
    r, t, pre = Refs(p), scope(p, k).table, prefix(k)
    for w in weights(p):
        grad = r.kernel(pre + "grad_kernel", w)
        made = [r.kernel(t["W"], w), grad, "learning_rate"]
        if p.momentum is not None:
            velocity = r.kernel(t["Vnext"], w)
            made.append(velocity)
            _link(links, velocity, [grad, "momentum"] + ([r.kernel(t["V"], w)] if "V" in t else []))
        _link(links, r.kernel(t["Wnext"], w), made)
        _link(links, "learning_rate", [r.kernel(t["Wnext"], w)])  # the rate feeds every update
    for f in range(p.filters) if p.bias is not None else ():
        made = [r.bias(t["b"], f), r.bias(pre + "grad_bias", f), "learning_rate"]
        if p.momentum is not None:
            made.append(r.bias(t["Vbnext"], f))
        _link(links, r.bias(t["bnext"], f), made)
        _link(links, "learning_rate", [r.bias(t["bnext"], f)])


def stops(p: Problem, iterations: Sequence[Iteration]) -> list[Stop]:
    """The step navigator's places, per iteration: each output cell of Step 1 (which marks its
    window over the input and the kernel), the loss, each weight's gradient (the terms of its sum)
    and each update; a stop marks its value and what that value is made of or feeds."""
    r, out = Refs(p), []
    for k in range(1, len(iterations) + 1):
        t, pre = scope(p, k).table, prefix(k)
        head = f"Iteration {k}, " if len(iterations) > 1 else ""
        for f, i, j in ((f, i, j) for f in range(p.filters) for i, j in grid(p.conv_shape)):
            which = f"({i}, {j})" + ("" if p.rank2 else f" of filter {f}")
            out.append(Stop(f"{head}Step 1: output cell {which}", r.map(t["Z"], f, i, j)))
        out.append(Stop(f"{head}the loss", t["L"]))
        for field, what in (("grad_kernel", "gradient"), ("kernel_next", "update")):
            for w in weights(p):
                ref = r.kernel(pre + field, w)
                out.append(Stop(f"{head}{what} of weight {ref[len(pre + field):]}", ref))
    return out


def shown(page: str) -> set[str]:
    """The refs an HTML page carries."""
    return set(_DATA_REF.findall(page))


def blob(p: Problem, iterations: Sequence[Iteration], shown: set[str]) -> str:
    """The page's JSON, safe inside <script>: {"names": [ref, …], "related": [[name numbers] per
    name], "stops": [[label, name number], …]}, holding only the refs `shown` on the page (a summary
    page leaves many out; numbers keep a 28×28 problem's relations small)."""
    return pack(relations(p, iterations), stops(p, iterations), shown)


def pack(relation: dict[str, list[str]], places: Sequence[Stop], shown: set[str]) -> str:
    """blob's JSON from any model's relations and stops (a network's too), holding only refs `shown`."""
    related = {ref: [x for x in linked if x in shown] for ref, linked in relation.items()}
    keys = [ref for ref in related if ref in shown or ref in {s.ref for s in places}]
    names = sorted(set(keys) | {x for ref in keys for x in related[ref]})
    number = {ref: k for k, ref in enumerate(names)}
    data = {"names": names, "related": [[number[x] for x in related.get(ref, [])] for ref in names],
            "stops": [[s.label, number[s.ref]] for s in places if s.ref in number]}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    return text.replace("</", "<\\/")  # a string cannot close the <script> that holds it
