"""A flat spec (input, kernel, activation, pooling) as the network it means, for the optimizers only
the network path has (Adam, AdamW, RMSprop, Adagrad, SGD with weight decay, dampening or Nesterov):
`[conv, activation, pooling]` with the same numbers, so each optimizer lives in one module."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import SpecError

NETWORK_ONLY = ("adam", "adamw", "rmsprop", "adagrad")
SGD_OPTIONS = ("nesterov", "dampening", "weight_decay")
NOT_YET = ("notation", "show")  # flat-only features the network path does not read (homework keys: flat_homework.py)


def needs_network(flat: Mapping[str, Any]) -> bool:
    """Whether the flat spec's optimizer is one only the network path computes (or a name only its parser can
    explain); plain sgd and {type: sgd, momentum: m} stay on the flat path, with its documents."""
    value = flat.get("optimizer")
    if isinstance(value, str):  # any name but sgd: the network's parser knows every type (and near misses)
        return value.strip().lower() != "sgd"
    if isinstance(value, Mapping):
        kind = value.get("type", "sgd")
        return kind not in ("sgd", "momentum") or any(k in value for k in SGD_OPTIONS)
    return False


def as_network(flat: Mapping[str, Any], problem: Any) -> dict[str, Any]:
    """The network spec of a flat spec, from its validated Problem (names canonical: ReLU is relu) and its numbers."""
    for key in NOT_YET:
        if key in flat:
            raise SpecError(f"not available with optimizer {_kind(flat['optimizer'])} on a flat spec yet; write the "
                            "problem as layers: [conv, …] (README: Optimizers)", field=key)
    conv: dict[str, Any] = {"kernel": flat["kernel"], "stride": list(problem.stride), "padding": list(problem.padding),
                            "dilation": list(problem.dilation), "operation": problem.operation}
    if "bias" in flat:
        conv["bias"] = flat["bias"]
    layers: list[Any] = [{"conv": conv}]
    if problem.activation == "leaky_relu":
        layers.append({"leaky_relu": {"negative_slope": str(problem.negative_slope)}})  # an exact fraction, e.g. 1/100
    elif problem.activation != "none":
        layers.append(problem.activation)
    if problem.pooling is not None:
        pool = problem.pooling
        layers.append({pool.type + "pool": {"size": list(pool.size), "stride": list(pool.stride)}})
    spec = {"input": flat["input"], "layers": layers, "target": flat["target"], "loss": problem.loss,
            "learning_rate": flat["learning_rate"], "iterations": problem.iterations, "optimizer": flat["optimizer"]}
    if problem.title is not None:
        spec["title"] = problem.title
    return spec


def _kind(value: Any) -> str:
    return value if isinstance(value, str) else str(value.get("type", "sgd"))
