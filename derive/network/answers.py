"""answers.json for a `layers:` spec: the normalized spec, then per iteration the fields of
fields.py (prediction, loss, loss_next, grad_input, and per layer its output, gradients and
parameters), shaped as in the spec."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..answers import spec_number, to_json_number
from ..errors import SpecError
from .fields import iteration_fields, layer_fields, param_fields
from .model import NetIteration
from .spec import Network
from .tensor import Tensor

__all__ = ["answer_key", "normalized_spec", "spec_number", "check_range"]


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
    """The spec with every default filled in and every number exact (solving it again gives the same answers)."""
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
    return spec


def answer_key(net: Network, iterations: Sequence[NetIteration]) -> dict[str, Any]:
    """{"problem": normalized spec, "iterations": [{prediction, loss, loss_next, grad_input, layers: [...]}]}."""
    rows = []
    for it in iterations:
        row = {f.key(): _json(f.read(it)) for f in iteration_fields()}
        row["layers"] = [_layer(net.layers[k].kind, record) for k, record in enumerate(it.layers)]
        rows.append(row)
    return {"problem": normalized_spec(net), "iterations": rows}


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
