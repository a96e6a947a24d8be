"""`derive check` for `layers:` specs: mark a submission cell by cell, with follow-through through the network's own model.

A submission names its fields as answers.json does: `prediction`, `loss`, `loss_next`, `grad_input` at top
level and `layers[J].FIELD` per layer (`layers[2].grad_weights`), or nested as `layers: {2: {grad_weights: …}}`;
`iterations: [...]` for several. The verdicts are check.py's: correct, carried, sign, scale, flipped (a conv
kernel's gradient rotated by 180°), partial-sum (summed over one output row, column or the first k cells),
wrong (with a note for a named slip: max pooling's gradient sent to every cell of its window, an
activation's derivative left out, an optimizer's slip). The follow-through walks the iteration in the
model's order (forward, loss, backward, update, loss after it) with
each layer's own forward and backward, the loss's own gradient and the optimizer's own step, taking the
submission's value of every field it gave in place of the computed one.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import product
from fractions import Fraction
from typing import Any

from ..check import (NOTE_ADDED, NOTE_ADDED_OWN, NOTE_CARRIED, NOTE_NO_MOMENTUM, NOTE_SIGN, NOTE_UNMOVED, VERDICTS,
                     FieldReport, Report, Settings, _notes, _numbers, _shape, _shaped, counted_cells, exact, score,
                     scored_cells, slip_factors, submission_rounds, tolerance)
from ..errors import SpecError
from ..exact import Num, precise, rational
from ..literals import show
from .answers import flat_names
from .layers.base import Backward
from .layers.elementwise import Elementwise
from .model import NetIteration
from .optimizers.base import Optimizer
from .spec import Network
from .tensor import Tensor

NOTE_SIGN_RESIDUAL = "the sign is reversed (e.g. the error taken as y − out instead of out − y)"  # the network's symbols
# Adam, RMSprop, …: the step is not η·g, so the note names it as the rule's step
NOTE_ADDED_ADAPTIVE = "the step was added instead of subtracted (θ + step instead of θ − step)"
NOTE_ADDED_OWN_ADAPTIVE = ("the step was added instead of subtracted (θ + step instead of θ − step), and the gradient "
                           "it used, the submission's own, is itself wrong")
NAME = re.compile(r"^layers\[(\d+)\]\.([A-Za-z_]+)$")

Value = Tensor | Num


def key_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """One iteration of the answer key flattened to {name: value}, per-layer fields named `layers[J].FIELD`."""
    out = {name: value for name, value in row.items() if name != "layers"}
    for j, layer in enumerate(row["layers"]):
        out.update({f"layers[{j}].{name}": value for name, value in layer.items() if name != "type"})
    return out


def read_submission(data: Any, derivation: Any) -> list[dict[str, Any]]:
    """Validate a network submission against the answer key's fields and shapes; one {name: numbers} per iteration."""
    key = [key_fields(row) for row in derivation.answers()["iterations"]]
    rounds = submission_rounds(data, len(key))
    kinds = [layer.kind for layer in derivation.network.layers]
    aliases = [(name, field) for name, field in flat_names(derivation.network) if name != field]
    twins = {**dict(aliases), **{field: name for name, field in aliases}}  # kernel_next ↔ layers[0].kernel_next
    out = []
    for k, submitted in enumerate(rounds):
        prefix = "" if k == 0 else f"iterations[{k}]."
        marked = {}
        for name, value in _entries(submitted, prefix):
            if name not in key[k]:
                raise SpecError(unknown_field(name, list(key[k]), kinds), field=prefix + name)
            if twins.get(name) in marked:
                raise SpecError(f"given twice: as {name} and as {twins[name]} (give one of them)", field=prefix + name)
            marked[name] = _numbers(value, prefix + name, _shape(key[k][name]))
        out.append(marked)
    return out


def _entries(submitted: Mapping[str, Any], prefix: str) -> list[tuple[str, Any]]:
    """(name, value) of every submitted field, the nested `layers:` form unfolded into `layers[J].FIELD` names."""
    entries = []
    for name, value in submitted.items():
        if name != "layers":
            entries.append((str(name), value))
            continue
        if isinstance(value, list):  # layers: [{...}, {}, {...}]: by position
            value = {j: fields for j, fields in enumerate(value) if fields}
        if not isinstance(value, Mapping):
            raise SpecError("must map layer numbers to their fields, e.g. layers: {2: {grad_weights: [[...]]}}",
                            field=prefix + "layers")
        for j, fields in value.items():
            if not (isinstance(j, int) or str(j).isdigit()) or not isinstance(fields, Mapping):
                raise SpecError("must map a layer number to its fields, e.g. 2: {grad_weights: [[...]]}",
                                field=f"{prefix}layers.{j}")
            entries.extend((f"layers[{int(j)}].{f}", v) for f, v in fields.items())
    return entries


def unknown_field(name: str, names: list[str], kinds: list[str]) -> str:
    """Why `name` is not an answer field of this problem, with the likeliest meant one."""
    match = NAME.match(name)
    if match is None:
        holders = [n for n in names if n.endswith(f"].{name}")]
        if holders:
            return f"unknown field: per-layer fields are named layers[J].{name} ({_holders(holders, kinds)})"
        guess = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
        return "unknown field" + (f" (did you mean '{guess[0]}'?)" if guess else f" (valid: {', '.join(_top(names))}, layers[J].FIELD)")
    j, field = int(match.group(1)), match.group(2)
    if j >= len(kinds):
        return f"unknown field: the network has layers 0 to {len(kinds) - 1}"
    own = [n.split(".", 1)[1] for n in names if n.startswith(f"layers[{j}].")]
    holders = [n for n in names if n.endswith(f"].{field}")]
    if holders:
        return f"unknown field: layers[{j}] ({kinds[j]}) has no {field} ({_holders(holders, kinds)})"
    guess = difflib.get_close_matches(field, own, n=1, cutoff=0.6)
    if guess:
        return f"unknown field (did you mean 'layers[{j}].{guess[0]}'?)"
    return f"unknown field (layers[{j}] ({kinds[j]}) has: {', '.join(own)})"


def _holders(names: list[str], kinds: list[str]) -> str:
    layers = [int(NAME.match(n).group(1)) for n in names]  # type: ignore[union-attr]
    return ("layers with it: " if len(layers) > 1 else "the layer with it: ") + ", ".join(f"layers[{j}] ({kinds[j]})" for j in layers)


def _top(names: list[str]) -> list[str]:
    return [n for n in names if not n.startswith("layers[")]


def check(derivation: Any, submission: list[dict[str, Any]], settings: Settings = Settings()) -> Report:
    """Mark every submitted cell of a network submission (verdicts as in derive.check)."""
    net: Network = derivation.network
    precision = derivation.precision if settings.precision is None else settings.precision
    order = [key_fields(row) for row in derivation.answers()["iterations"]]
    reports: list[FieldReport] = []
    state = _Carry()
    with precise():
        for k, submitted in enumerate(submission):
            walk = _Walk(net, derivation.iterations[k], submitted, k, _Marker(net, precision, settings), state)
            state = walk.run()
            reports.extend(sorted(walk.reports, key=lambda r: list(order[k]).index(r.field)))
    return Report(score(scored_cells(reports), settings.carried_credit), tuple(reports))


def _flat_verdicts(cells: Any) -> list[str]:
    return [v for c in cells for v in _flat_verdicts(c)] if isinstance(cells, list) else [cells]


@dataclass(frozen=True)
class _Carry:
    """What the next iteration starts from: the submission's own (given or computed) parameters and velocities,
    and a stateful optimizer's state along them: the right rule's (key (J, P, "")) and each slip's (J, P, slip)."""

    params: tuple[dict[str, Tensor], ...] | None = None
    velocities: tuple[dict[str, Tensor], ...] | None = None
    states: dict[tuple[int, str, str], dict[str, Tensor]] = field(default_factory=dict)
    dirty: bool = False  # a submitted field so far had a cell that is not correct


@dataclass(frozen=True)
class _Expected:
    """What one field is marked against, flat: the right values, the follow-through values, and for an update
    the parameter the right and the submission's own step start from."""

    true: list[Fraction]
    carried: list[Fraction] | None
    start: list[Fraction] | None = None
    own_start: list[Fraction] | None = None
    # The gradient handed to an activation (the submission's own, the right one): passed down without its derivative.
    skipped: tuple[list[Fraction], list[Fraction]] | None = None
    skipped_note: str = ""
    # An update computed with a classic optimizer slip (Adam without bias correction, …), or a gradient with a
    # classic backward slip (max pooling's gradient sent to every cell of the window): its values and the note.
    slips: tuple[tuple[list[Fraction], str], ...] = ()
    # The right values with a slip made in the whole field (a conv kernel's gradient rotated by 180°: `flipped`;
    # summed over only some output cells: `partial-sum`): (values, verdict, note), taken when every open cell fits.
    moved: tuple[tuple[list[Fraction], str, str], ...] = ()


class _Walk:
    """One iteration in the model's order, marking each submitted field as the walk reaches it."""

    def __init__(self, net: Network, it: NetIteration, submitted: dict[str, Any], k: int, marker: _Marker, carry: _Carry):
        self.net, self.it, self.sub, self.k, self.marker, self.carry = net, it, submitted, k, marker, carry
        self.reports: list[FieldReport] = []
        self.dirty = carry.dirty  # a submitted field so far (this iteration or an earlier one) was not all correct
        # A flat spec's network: a field the submission names as the flat path does (kernel_next) is marked there.
        self.names = {field: name for name, field in flat_names(net) if name in submitted}

    def take(self, name: str, true: Value, compute: Callable[[], Value], **extra: Any) -> Value:
        """The value the walk goes on with: the submission's, else the one computed from its own earlier values."""
        name = self.names.get(name, name)
        try:
            computed: Value | None = compute()
            carried: list[Fraction] | None = _flat(computed)
        except (ArithmeticError, ValueError, SpecError):  # the submission's values leave the loss undefined (a log of 0)
            computed, carried = None, None
        if name not in self.sub:
            return computed if computed is not None else true
        expected = _Expected(_flat(true), carried, **extra)
        report = self.marker.mark(name, self.k, self.sub[name], expected, self.dirty)
        self.reports.append(report)
        self.dirty = self.dirty or report.verdict != "correct"
        given = [rational(Fraction(x)) for x in _flat_submitted(self.sub[name])]
        return Tensor(true.shape, tuple(given)) if isinstance(true, Tensor) else given[0]

    def _given(self, name: str, true: Tensor) -> Tensor:
        """A field as the submission gives it (shaped like `true`), else `true`."""
        name = self.names.get(name, name)
        if name not in self.sub:
            return true
        try:
            return Tensor(true.shape, tuple(rational(Fraction(x)) for x in _flat_submitted(self.sub[name])))
        except (ArithmeticError, ValueError, TypeError):
            return true

    def run(self) -> _Carry:
        """Forward, loss, backward, update and the loss after it; returns what the next iteration starts from."""
        net, it = self.net, self.it
        params, passes = [], []
        x = net.input
        for j, (layer, record) in enumerate(zip(net.layers, it.layers)):
            start = self.carry.params[j] if self.carry.params else record.params
            p = {P: _tensor(self.take(f"layers[{j}].{P}", record.params[P], _const(start[P]))) for P in record.params}
            fwd = layer.forward(x, p)
            out = _tensor(self.take(f"layers[{j}].output", record.forward.output, _const(fwd.output)))
            passes.append((x, replace(fwd, output=out)))  # the next layer's backward uses the submission's own output
            params.append(p)
            x = out
        prediction = _tensor(self.take("prediction", it.prediction, _const(x)))
        self.take("loss", it.loss, lambda: net.loss.value(prediction, net.target))
        grads = self._backward(prediction, params, passes)
        return self._update(params, grads)

    def _backward(self, prediction: Tensor, params: list, passes: list) -> list[dict[str, Tensor]]:
        net, it, last = self.net, self.it, len(self.net.layers) - 1
        grad = _tensor(self.take(f"layers[{last}].grad_output", it.layers[last].grad_output,
                                 partial(net.loss.gradient, prediction, net.target)))
        grads: list[dict[str, Tensor]] = [{} for _ in net.layers]
        for j in reversed(range(len(net.layers))):
            layer, (x, fwd), record = net.layers[j], passes[j], it.layers[j]
            if j == last and net.fused:  # cross-entropy through softmax: ∂L/∂z = p − y, as model.step
                back = Backward(prediction.map(lambda p, y: p - y, net.target))
            else:
                back = layer.backward(x, fwd, params[j], grad)
            for P in record.params:
                moved = _rotations(layer, P, (back.grads[P], record.backward.grads[P]))
                if self.names.get(f"layers[{j}].grad_{P}", f"layers[{j}].grad_{P}") in self.sub:  # only when marked
                    moved += _partial_sums(layer, P, x, fwd, params[j], (grad, record.grad_output))
                grads[j][P] = _tensor(self.take(f"layers[{j}].grad_{P}", record.backward.grads[P], _const(back.grads[P]),
                                                moved=moved))
            below, true = (f"layers[{j - 1}].grad_output", it.layers[j - 1].grad_output) if j else ("grad_input", it.grad_input)
            skipped: dict[str, Any] = {}
            if isinstance(layer, Elementwise):
                skipped = {"skipped": (_flat(grad), _flat(record.grad_output)), "skipped_note": f"layers[{j}]'s {layer.kind} derivative left out "
                           f"(∂L/∂out of layers[{j}] passed down unchanged)"}
            slips = self._updated(j, x, fwd, grad)
            if layer.kind == "maxpool":
                slips += _unrouted(layer, j, (grad, record.grad_output))
            grad = _tensor(self.take(below, true, _const(back.grad_input), **skipped, slips=slips))
        return grads

    def _updated(self, j: int, x: Tensor, fwd: Any, grad: Tensor) -> tuple[tuple[list[Fraction], str], ...]:
        """The classic slip of backpropagating through layer j with its parameters after the update (W′ for W):
        with the submission's own or the right updated values, and its own or the right gradient from above."""
        layer, record = self.net.layers[j], self.it.layers[j]
        moved = [P for P in record.params if P not in layer.fixed and record.params_next[P] != record.params[P]]
        if not moved:
            return ()
        note = (f"computed with layers[{j}]'s {' and '.join(moved)} after the update, instead of the values the forward "
                "pass used")
        # The submission's own updated values where it gives them (they are marked later in the walk), or the right ones.
        afters = [{P: self._given(f"layers[{j}].{P}_next", record.params_next[P]) for P in record.params}, record.params_next]
        found: list[tuple[list[Fraction], str]] = []
        for after in afters:
            for above in (grad, record.grad_output):
                try:
                    below = _flat(layer.backward(x, fwd, after, above).grad_input)
                except (ArithmeticError, ValueError):
                    continue
                if all(below != other for other, _ in found):
                    found.append((below, note))
        return tuple(found)

    def _update(self, params: list, grads: list) -> _Carry:
        net, it, opt = self.net, self.it, self.net.optimizer
        nexts: list[dict[str, Tensor]] = []
        velocities: list[dict[str, Tensor]] = []
        states: dict[tuple[int, str, str], dict[str, Tensor]] = {}
        for j, (layer, record) in enumerate(zip(net.layers, it.layers)):
            new: dict[str, Tensor] = {}
            vel: dict[str, Tensor] = {}
            before: Mapping[str, Tensor] = self.carry.velocities[j] if self.carry.velocities else record.velocity_before
            for P, p in params[j].items():
                g = grads[j][P]
                step: Callable[[], Value]
                if P in layer.fixed:
                    step = _const(p)
                elif opt.stateful:  # Adam, RMSprop, …: from the state along the submission's own values
                    state = self.carry.states.get((j, P, ""), record.state_before.get(P, {}))
                    stepped, states[(j, P, "")] = _adaptive(opt, p, g, state, record.t)
                    step = _const(stepped)
                    slips = self._slips(j, P, p, g, record, states)
                    new[P] = _tensor(self.take(f"layers[{j}].{P}_next", record.params_next[P], step, slips=slips,
                                               start=_flat(record.params[P]), own_start=_flat(p)))
                    continue
                elif opt.has_velocity:
                    # v′ = g (μ·v left out): with the submission's own gradient or the right one
                    forgot = tuple((_flat(grad), NOTE_NO_MOMENTUM) for grad in (g, record.backward.grads[P]))
                    v = _tensor(self.take(f"layers[{j}].velocity_{P}", record.velocity[P],
                                          partial(_velocity, opt, p, g, before.get(P)), slips=_merged(list(forgot))))
                    vel[P] = v
                    step = partial(_stepped, opt, p, v)  # P − η·v', from the submission's own velocity
                else:
                    step = partial(_stepped, opt, p, g)
                new[P] = _tensor(self.take(f"layers[{j}].{P}_next", record.params_next[P], step,
                                           start=_flat(record.params[P]), own_start=_flat(p)))
            nexts.append(new)
            velocities.append({**before, **vel})
        after = _output(net, nexts)
        self.take("loss_next", it.loss_next, lambda: net.loss.value(after(), net.target))  # after(): may fail
        return _Carry(tuple(nexts), tuple(velocities), states, self.dirty)

    def _slips(self, j: int, P: str, p: Tensor, g: Tensor, record: Any,
               states: dict[tuple[int, str, str], dict[str, Tensor]]) -> tuple[tuple[list[Fraction], str], ...]:
        """P' with each classic slip of the optimizer, from the submission's own P and gradient: the slip made in every
        step so far (its own state carried), or only in this one (from the right state before it)."""
        out = []
        right = record.state_before.get(P, {})
        for k, (slipped, note) in enumerate(self.net.optimizer.slips()):  # type: ignore[attr-defined]
            key = (j, P, str(k))
            try:
                value, states[key] = _adaptive(slipped, p, g, self.carry.states.get(key, right), record.t)
                out.append((_flat(value), note))
                if key in self.carry.states:
                    out.append((_flat(_adaptive(slipped, p, g, right, record.t)[0]), note))
            except (ArithmeticError, ValueError):  # the slip leaves the root of a negative number (RMSprop centred)
                continue
        return _merged(out)


NOTE_ROTATED = "the field is the right one rotated by 180° (convolution and cross-correlation confused)"
NOTE_EVERY_CELL = ("the gradient of layers[{j}]'s max pooling went to every cell of its window; it goes only to the "
                   "window's largest input (the one the forward pass kept), the others get 0")
NOTE_SHARED = ("the gradient of layers[{j}]'s max pooling was shared evenly over its window (average pooling's rule); "
               "it goes whole to the window's largest input, the others get 0")


MAX_PARTIAL_CELLS = 36  # output cells of a conv whose partial sums are searched (one backward pass per set)


def _rotations(layer: Any, P: str, grads: tuple[Tensor, ...]) -> tuple[tuple[list[Fraction], str, str], ...]:
    """A conv kernel's gradient (the submission's own, the right one) rotated by 180° in every filter and channel."""
    if layer.kind != "conv" or P != "kernel":
        return ()
    out = []
    for g in grads:
        kh, kw = g.shape[-2:]
        out.append(([exact(g[i[:-2] + (kh - 1 - i[-2], kw - 1 - i[-1])]) for i in g.indices()], "flipped", NOTE_ROTATED))
    return tuple(out)


def _partial_sums(layer: Any, P: str, x: Tensor, fwd: Any, params: Mapping[str, Tensor],
                  grads: tuple[Tensor, ...]) -> tuple[tuple[list[Fraction], str, str], ...]:
    """A conv kernel's gradient summed over only some output cells (one output row, one column, the first k in
    row-major order), from ∂L/∂out (the submission's own, the right one): the conv's backward pass on the kept cells."""
    if layer.kind != "conv" or P != "kernel" or layer.out_shape[-2] * layer.out_shape[-1] > MAX_PARTIAL_CELLS:
        return ()
    oh, ow = layer.out_shape[-2:]
    cells = [(i, j) for i in range(oh) for j in range(ow)]
    subsets = [([c for c in cells if c[0] == i], f"output row {i}") for i in range(oh)]
    subsets += [([c for c in cells if c[1] == j], f"output column {j}") for j in range(ow)]
    subsets += [(cells[:k], f"the first {k} output cells in row-major order") for k in range(1, len(cells))]
    out = []
    for kept, which in subsets:
        note = f"a partial sum over only {which}, of the {oh}×{ow} (every output cell's term belongs in it)"
        for g in grads:
            # v * 0: a zero of the tensor's own number type (imports stay as they are: another branch edits them)
            mask = Tensor(g.shape, tuple(v if idx[-2:] in kept else v * 0 for idx, v in zip(g.indices(), g.data)))
            out.append((_flat(layer.backward(x, fwd, params, mask).grads[P]), "partial-sum", note))
    return tuple(out)


def _unrouted(layer: Any, j: int, grads: tuple[Tensor, ...]) -> tuple[tuple[list[Fraction], str], ...]:
    """Max pooling's ∂L/∂in with the gradient from above (the submission's own, the right one) sent to every cell
    of each window, or shared evenly over it, instead of to the window's largest input."""
    size = layer.size[0] * layer.size[1]
    out = []
    for share, note in ((Fraction(1), NOTE_EVERY_CELL), (Fraction(1, size), NOTE_SHARED)):
        for g in grads:
            spread = dict.fromkeys(product(*(range(n) for n in layer.in_shape)), Fraction(0))
            for cell in g.indices():
                for source in layer.window(cell):
                    spread[source] += share * exact(g[cell])
            out.append((list(spread.values()), note.format(j=j)))
    return _merged(out)


def _merged(slips: list[tuple[list[Fraction], str]]) -> tuple[tuple[list[Fraction], str], ...]:
    """Slips that give the very same values named together (from a zero state RMSprop's s + g̃² and αs + g̃² agree)."""
    notes: dict[tuple[Fraction, ...], list[str]] = {}
    for values, note in slips:
        same = notes.setdefault(tuple(values), [])
        if note not in same:
            same.append(note)
    return tuple((list(values), "; or ".join(names)) for values, names in notes.items())


def _const(value: Value) -> Callable[[], Value]:
    return lambda: value


def _tensor(value: Value) -> Tensor:
    """A value the walk knows is a tensor (every field but the losses)."""
    assert isinstance(value, Tensor)
    return value


def _stepped(opt: Optimizer, param: Tensor, direction: Tensor) -> Tensor:
    """The parameter after a step along `direction` (the gradient, or with momentum the velocity after the step)."""
    return opt.step(param, direction, None)[0]


def _adaptive(opt: Any, param: Tensor, grad: Tensor, state: Mapping[str, Tensor], t: int) -> tuple[Tensor, dict[str, Tensor]]:
    """The parameter after a stateful optimizer's step t from `state`, and the state after it."""
    return opt.update(param, grad, state, t)


def _velocity(opt: Optimizer, param: Tensor, grad: Tensor, before: Tensor | None) -> Tensor:
    velocity = opt.step(param, grad, before)[1]
    assert velocity is not None
    return velocity


def _output(net: Network, params: list[dict[str, Tensor]]) -> Callable[[], Tensor]:
    def run() -> Tensor:
        x = net.input
        for layer, p in zip(net.layers, params):
            x = layer.forward(x, p).output
        return x
    return run


def _flat(value: Value) -> list[Fraction]:
    return [exact(x) for x in (value.data if isinstance(value, Tensor) else (value,))]


def _flat_submitted(value: Any) -> list[Any]:
    return [x for v in value for x in _flat_submitted(v)] if isinstance(value, list) else [value]


GRADIENT_LIKE = ("grad_", "velocity_")


class _Marker:
    """Every cell's verdict of one submitted field, and the field's verdict and notes."""

    def __init__(self, net: Network, precision: int, settings: Settings):
        self.net, self.precision, self.settings = net, precision, settings

    def near(self, submitted: Fraction, model: Fraction | None, slack: int = 1) -> bool:
        """Within the sheet's tolerance of `model` (`slack` times it: a follow-through value is computed from the
        submission's own numbers, which carry their own rounding)."""
        return model is not None and abs(submitted - model) <= slack * tolerance(model, self.precision, self.settings)

    def mark(self, name: str, k: int, submitted: Any, e: _Expected, dirty: bool) -> FieldReport:
        """The FieldReport of one field (named `name`, iteration k + 1)."""
        s = [Fraction(x) for x in _flat_submitted(submitted)]
        field = name.split(".", 1)[-1]
        update = field.endswith("_next") and field != "loss_next"
        gradient = field.startswith(GRADIENT_LIKE) or field == "grad_output"
        verdicts, notes = [""] * len(s), [""] * len(s)
        for i, a in enumerate(s):
            true = e.true[i]
            if self.near(a, true):
                verdicts[i] = "correct"
            elif a == 0:
                continue  # a 0 is the lazy guess: never diagnosed
            elif update and any(a == w[i] for w in (e.start, e.own_start) if w is not None):
                # The weight copied (the given one or the submission's own), not stepped (the right step moves it, or
                # it would be correct): no credit, with or without the gradient submitted.
                verdicts[i], notes[i] = "wrong", NOTE_UNMOVED
            elif e.carried is not None and e.carried[i] != true and self.near(a, e.carried[i], slack=2):
                # From the submission's own values: if all of them were right (only rounded), so is this one.
                verdicts[i], notes[i] = ("carried", NOTE_CARRIED) if dirty else ("correct", "")
            elif update and self.near(a, 2 * e.start[i] - true):  # type: ignore[index]
                verdicts[i], notes[i] = "sign", NOTE_ADDED_ADAPTIVE if self.net.optimizer.stateful else NOTE_ADDED
            elif update and e.carried is not None and self.near(a, 2 * e.own_start[i] - e.carried[i]):  # type: ignore[index]
                verdicts[i], notes[i] = "sign", NOTE_ADDED_OWN_ADAPTIVE if self.net.optimizer.stateful else NOTE_ADDED_OWN
            elif not update and true != 0 and (self.near(a, -true) or (e.carried and self.near(a, -e.carried[i]))):
                verdicts[i], notes[i] = "sign", NOTE_SIGN_RESIDUAL if gradient else NOTE_SIGN
        open_cells = [i for i, v in enumerate(verdicts) if not v and s[i] != 0]
        scaled = self.scale(field, s, e, update) if open_cells else None
        if scaled is not None:
            for i in open_cells:
                verdicts[i], notes[i] = "scale", scaled
        if scaled is None and open_cells and e.skipped is not None:
            # Only when every open cell is the gradient from above: a slip made once for the whole layer.
            for above in e.skipped:
                if all(self.near(s[i], above[i]) for i in open_cells):
                    for i in open_cells:
                        verdicts[i], notes[i] = "wrong", e.skipped_note
                    break
        for values, verdict, note in e.moved:  # a slip made in the whole field: every open cell must fit
            if open_cells and all(not verdicts[i] and self.near(s[i], values[i]) for i in open_cells):
                for i in open_cells:
                    verdicts[i], notes[i] = verdict, note
        for values, note in e.slips:  # an optimizer or backward slip, named (the verdict stays wrong)
            for i in open_cells:
                if not verdicts[i] and self.near(s[i], values[i], slack=2):  # from the submission's own values, as carried
                    verdicts[i], notes[i] = "wrong", note
        verdicts = [v or "wrong" for v in verdicts]
        shape = _shape(submitted)
        return FieldReport(name=name if k == 0 else f"iteration_{k + 1}.{name}", field=name, iteration=k + 1,
                           verdict=_field_verdict(verdicts), cells=_shaped(verdicts, shape), note=_notes(notes, shape),
                           submitted=submitted, expected=_nested(e.true, shape),
                           counted=counted_cells(e.true, e.start if update else None))

    def scale(self, field: str, s: list[Fraction], e: _Expected, update: bool) -> str | None:
        """The note when every cell (for an update: every step w − w') is the right one times a known factor."""
        start = e.start if update and e.start is not None else [Fraction(0)] * len(s)
        steps = [w - t for w, t in zip(start, e.true)]
        if all(d == 0 for d in steps) or all(a == 0 for a in s):
            return None
        for factor, cause in _causes(self.net, field, len(s)):
            if all(self.near(a, w - factor * d) for a, w, d in zip(s, start, steps)):
                what = "every step (w − w')" if update else "every value"
                return f"{what} is {show(factor)} times the right one: {cause}"
        return None


def _field_verdict(verdicts: list[str]) -> str:
    """Never rosier than the cells: any wrong cell makes the field wrong; else the commonest other verdict."""
    others = [v for v in verdicts if v != "correct"]
    if not others:
        return "correct"
    if "wrong" in others:
        return "wrong"
    return max(set(others), key=lambda v: (others.count(v), -VERDICTS.index(v)))


def _causes(net: Network, field: str, size: int) -> list[tuple[Fraction, str]]:
    """The factors a field can be off by through a known slip, each with its cause, likeliest first."""
    if field in ("prediction", "output") or not (field.startswith(GRADIENT_LIKE) or field.endswith("_next")
                                                 or field in ("loss", "grad_output")):
        return []
    loss, n = net.loss.key, len(net.target)
    eta = exact(net.optimizer.learning_rate) if field.endswith("_next") and field != "loss_next" else None
    causes = slip_factors(loss, n, is_loss=field in ("loss", "loss_next"), eta=eta)
    if loss == "binary_cross_entropy":
        causes += [(Fraction(n), f"n = {n}: the sum where the loss takes the mean (the 1/n missing)"),
                   (Fraction(1, n), f"1/n = 1/{n}: the mean taken twice")]
    return [(f, c) for f, c in causes if f != 1 and f != 0]


def _nested(flat: list[Fraction], shape: tuple[int, ...]) -> Any:
    return _shaped([float(x) for x in flat], shape)


def check_view(report: Report, derivation: Any, spec_name: str, submission_name: str) -> dict[str, Any]:
    """The strings of check.j2 for a network's report: a summary per field, then each wrong field's values."""
    from ..report import as_math, verdict_table  # Jinja2: only the Markdown report needs it (and never SymPy)

    style = derivation.style
    fields: list[dict[str, Any]] = []
    for f in report.fields:
        flat = _flat_verdicts(f.cells)
        fields.append({"name": f.name, "verdict": f.verdict, "note": f.note, "table": verdict_table(f.cells),
                       "submitted": as_math(f.submitted, style), "expected": as_math(f.expected, style),
                       "worked": [], "counts": {v: flat.count(v) for v in dict.fromkeys(flat)}})
    return {"title": f"Check of {submission_name}", "spec": spec_name, "score": f"{report.score:.4g}",
            "percent": f"{100 * report.score:.1f}", "fields": fields}


__all__ = ["check", "check_view", "key_fields", "read_submission", "unknown_field"]
