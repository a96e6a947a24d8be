"""The JSON answer key (a contract read by autograders) and the normalized spec inside it."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any, Callable, Sequence

from .errors import SpecError
from .exact import Num, is_exact
from .fields import FIELDS, present
from .model import Iteration, values
from .problem import Problem


def to_json_number(value: Num) -> int | float:
    """A value as a JSON number (integers stay integers)."""
    if is_exact(value) and value.denominator == 1:
        return int(value)
    return float(value)


def check_range(iterations: Sequence[Iteration]) -> None:
    """Refuse values a JSON number (a double) cannot hold, naming the first such answer field."""
    for k, it in enumerate(iterations, start=1):
        for f in FIELDS:
            for value in values(f.read(it)):
                try:
                    as_float = float(value)
                except OverflowError:
                    as_float = math.inf
                if math.isinf(as_float):
                    problem = "a value beyond ±1.8e308"
                elif as_float == 0 and value != 0:
                    problem = "a nonzero value below 5e-324"
                else:
                    continue
                raise SpecError(f"{f.name} reaches {problem} in iteration {k}, more than the answer key's numbers "
                                "(doubles) can hold; scale the problem's numbers", field="numbers")


def _nested(tensor: Any) -> Any:
    if isinstance(tensor, tuple):
        return [_nested(v) for v in tensor]
    return to_json_number(tensor)


def spec_number(value: Num) -> int | float | str:
    """A value as the spec would write it, exactly: a number when the JSON number is exact,
    else a "p/q" string (so solving the normalized spec gives the same answers)."""
    if value.denominator == 1:
        return int(value)
    as_float = float(value)
    if Fraction(repr(as_float)) == Fraction(int(value.numerator), int(value.denominator)):
        return as_float
    return f"{value.numerator}/{value.denominator}"


def _spec_tensor(tensor: Any) -> Any:
    return [_spec_tensor(v) for v in tensor] if isinstance(tensor, tuple) else spec_number(tensor)


def normalized_spec(p: Problem) -> dict[str, Any]:
    """The spec with every default filled in and every number exact."""
    unwrap = (lambda t: t[0]) if p.rank2 else (lambda t: t)
    spec: dict[str, Any] = {}
    if p.title is not None:
        spec["title"] = p.title
    spec.update(
        input=_spec_tensor(unwrap(p.input)),
        kernel=_spec_tensor(p.kernel[0][0] if p.rank2 else p.kernel),
        target=_spec_tensor(unwrap(p.target)),
        learning_rate=spec_number(p.learning_rate),
        stride=list(p.stride),
        padding=list(p.padding),
        dilation=list(p.dilation),
        operation=p.operation,
        loss=p.loss,
        iterations=p.iterations,
        activation=p.activation,
    )
    if p.activation == "leaky_relu":
        spec["negative_slope"] = spec_number(p.negative_slope)
    spec["pooling"] = (
        {"type": p.pooling.type, "size": list(p.pooling.size), "stride": list(p.pooling.stride)} if p.pooling else "none"
    )
    spec["optimizer"] = {"type": "sgd", "momentum": spec_number(p.momentum)} if p.momentum is not None else "sgd"
    if p.bias is not None:
        spec["bias"] = spec_number(p.bias[0]) if p.rank2 else [spec_number(b) for b in p.bias]
    if p.show:  # so that solving the normalized spec (a variant's problem.yaml) writes the same document
        spec["show"] = list(p.show)
    return spec


def answer_key(p: Problem, iterations: Sequence[Iteration]) -> dict[str, Any]:
    """{"problem": normalized spec, "iterations": [{feature_map, prediction, loss, …}]}: the fields of
    derive/fields.py that this problem has, in the table's order."""
    shaped = _shapers(p)
    fields = present(p)
    rows = [{f.name: shaped[f.shape](f.read(it)) for f in fields} for it in iterations]
    return {"problem": normalized_spec(p), "iterations": rows}


def _shapers(p: Problem) -> dict[str, Callable[[Any], Any]]:
    """How each field shape is written: a 2-D spec gets 2-D maps and kernels and a number per bias."""
    if p.rank2:
        return {"map": lambda t: _nested(t[0]), "kernel": lambda t: _nested(t[0][0]),
                "filter": lambda t: to_json_number(t[0]), "scalar": to_json_number}
    return {"map": _nested, "kernel": _nested, "filter": lambda t: [to_json_number(b) for b in t],
            "scalar": to_json_number}


def dumps(value: Any, indent: int = 0) -> str:
    """JSON text with one matrix row per line: readable in a diff, parseable by any tool."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {dumps(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(x, (list, dict)) for x in value):
        return "[\n" + ",\n".join(inner + dumps(x, indent + 2) for x in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def dumps_yaml(spec: dict[str, Any]) -> str:
    """A spec as YAML, one key a line and one matrix row a line (readable, and several times faster
    than a general YAML emitter). Strings are written as JSON strings, which YAML reads as they are."""
    lines = []
    for key, value in spec.items():
        if isinstance(value, list) and value and isinstance(value[0], list):
            lines.append(f"{key}:")
            lines += [f"  - {_flow(row)}" for row in value]
        else:
            lines.append(f"{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):  # an optimizer's switch (rmsprop's centered, sgd's nesterov)
        return "true" if value else "false"
    if value is None:
        raise TypeError(f"a spec holds no {value!r}")
    return repr(value) if isinstance(value, float) else str(value)
