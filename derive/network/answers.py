"""answers.json for a `layers:` spec: the normalized spec, then per iteration the fields of
fields.py (prediction, loss, loss_next, grad_input, and per layer its output, gradients and
parameters), shaped as in the spec. A flat spec solved as its network (Adam, RMSprop, …) also
answers under the flat path's names (kernel_next is layers[0].kernel_next: flat_names)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from ..answers import normalized_spec as flat_spec
from ..answers import spec_number, to_json_number
from ..errors import SpecError
from .fields import iteration_fields, layer_fields, param_fields
from .model import NetIteration
from .spec import Network
from .tensor import Tensor

if TYPE_CHECKING:
    from .optimizers.stateful import Stateful

__all__ = ["answer_key", "normalized_spec", "spec_number", "check_range", "flat_names", "flat_table"]


def _json(value: Any) -> Any:
    if isinstance(value, Tensor):
        return _nested(value.nested())
    return to_json_number(value)


def _nested(value: Any) -> Any:
    return [_nested(v) for v in value] if isinstance(value, tuple) else to_json_number(value)


def _spec_tensor(t: Tensor) -> Any:
    def walk(value: Any) -> Any:
        return [walk(v) for v in value] if isinstance(value, tuple) else spec_number(value)

    return walk(t.nested())


def normalized_spec(net: Network) -> dict[str, Any]:
    """The spec with every default filled in and every number exact (solving it again gives the same answers);
    a flat spec's stays flat, with its optimizer, so solving it again answers under the flat names too."""
    if net.flat is not None:
        return {**flat_spec(net.flat), "optimizer": net.optimizer.spec()}
    spec: dict[str, Any] = {}
    if net.title is not None:
        spec["title"] = net.title
    spec["input"] = _spec_tensor(net.input)
    layers = []
    for layer in net.layers:
        options: dict[str, Any] = {name: _spec_tensor(t) for name, t in layer.init}
        options.update(layer.options())
        if layer.fixed:
            options["fixed"] = sorted(layer.fixed)
        layers.append({layer.kind: options} if options else layer.kind)
    spec["layers"] = layers
    spec["target"] = net.target_class if net.target_class is not None else _spec_tensor(net.target)
    spec.update(loss=net.loss.key, learning_rate=spec_number(net.optimizer.learning_rate),
                optimizer=net.optimizer.spec(), iterations=net.iterations)
    if net.show:  # so that solving the normalized spec (a variant's problem.yaml) writes the same document
        spec["show"] = list(net.show)
    if net.notation:  # likewise its symbols, under the spec's keys
        from ..style import NETWORK_NOTATION_KEYS

        key = {symbol: name for name, symbol in NETWORK_NOTATION_KEYS.items()}
        spec["notation"] = {key[symbol]: latex for symbol, latex in net.notation}
    return spec


def flat_names(net: Network) -> tuple[tuple[str, str], ...]:
    """(flat name, network field) for a flat spec's network, in the flat answer key's order; () for a `layers:` spec."""
    if net.flat is None:
        return ()
    return flat_table(net.flat, net.optimizer.stateful and bool(cast("Stateful", net.optimizer).names()))


def flat_table(p: Any, state: bool) -> tuple[tuple[str, str], ...]:
    """(flat name, network field) for the network of the flat Problem `p` (feature_map is layers[0].output, the
    conv; activation layers[1].output); optimizer_state when the optimizer keeps `state`."""
    names = [("feature_map", "layers[0].output")]
    if p.activation != "none":
        names.append(("activation", "layers[1].output"))
    names += [("prediction", "prediction"), ("loss", "loss"), ("grad_kernel", "layers[0].grad_kernel"),
              ("grad_input", "grad_input"), ("kernel_next", "layers[0].kernel_next")]
    if p.bias is not None:
        names += [("grad_bias", "layers[0].grad_bias"), ("bias_next", "layers[0].bias_next")]
    names.append(("loss_next", "loss_next"))
    if state:
        names.append(("optimizer_state", "layers[0].optimizer_state"))
    return tuple(names)


def answer_key(net: Network, iterations: Sequence[NetIteration]) -> dict[str, Any]:
    """{"problem": normalized spec, "iterations": [{prediction, loss, loss_next, grad_input, layers: [...]}]};
    a flat spec's rows start with the flat fields (feature_map, …, kernel_next, bias_next, loss_next, optimizer_state)."""
    rows = []
    for it in iterations:
        row = {f.key(): _json(f.read(it)) for f in iteration_fields()}
        row["layers"] = [_layer(net.layers[k].kind, record) for k, record in enumerate(it.layers)]
        flat = {name: _lookup(row, field) for name, field in flat_names(net)}
        rows.append({**flat, **row} if flat else row)
    return {"problem": normalized_spec(net), "iterations": rows}


def _lookup(row: dict[str, Any], field: str) -> Any:
    """A row's value of `prediction` or `layers[J].FIELD`."""
    if not field.startswith("layers["):
        return row[field]
    j, name = field[len("layers["):].split("].", 1)
    return row["layers"][int(j)][name]


def _layer(kind: str, record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind}
    out.update({f.key(): _json(f.read(record)) for f in layer_fields()})
    for name in record.params:
        for f in param_fields():
            value = f.read(record, name)
            if value is not None:
                out[f.key(name)] = _json(value)
    if record.state:  # Adam, RMSprop, …: the state after the step, under torch.optim's names
        out["optimizer_state"] = {name: {key: _json(t) for key, t in state.items()} for name, state in record.state.items()}
    return out


def check_range(iterations: Sequence[NetIteration]) -> None:
    """Refuse values a JSON number (a double) cannot hold, naming the field and layer."""
    for k, it in enumerate(iterations, start=1):
        for f in iteration_fields():
            _in_range(f.read(it), f.key(), k)
        for j, record in enumerate(it.layers):
            for f in layer_fields():
                _in_range(f.read(record), f"layers[{j}].{f.key()}", k)
            for name in record.params:
                for f in param_fields():
                    _in_range(f.read(record, name), f"layers[{j}].{f.key(name)}", k)
            for name, state in record.state.items():
                for key, t in state.items():
                    _in_range(t, f"layers[{j}].optimizer_state.{name}.{key}", k)


def _in_range(value: Any, name: str, iteration: int) -> None:
    for x in (value.data if isinstance(value, Tensor) else () if value is None else (value,)):
        try:
            as_float = float(x)
        except OverflowError:
            as_float = math.inf
        if math.isinf(as_float) or (as_float == 0 and x != 0):
            problem = "a value beyond ±1.8e308" if math.isinf(as_float) else "a nonzero value below 5e-324"
            raise SpecError(f"{name} reaches {problem} in iteration {iteration}, more than the answer key's numbers "
                            "(doubles) can hold; scale the problem's numbers", field="numbers")
