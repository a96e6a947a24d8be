"""A flat spec (input, kernel, activation, pooling) as the network it means, for the optimizers only
the network path has (Adam, AdamW, RMSprop, Adagrad, SGD with weight decay, dampening or Nesterov):
`[conv, activation, pooling]` with the same numbers, so each optimizer lives in one module."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import SpecError

NETWORK_ONLY = ("adam", "adamw", "rmsprop", "adagrad")
SGD_OPTIONS = ("nesterov", "dampening", "weight_decay")
NOT_YET = ("notation", "show", "ask", "variants", "variant")  # flat-only features the network path does not read


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


def as_network(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The network spec of a flat spec already validated by build_problem (with its optimizer set aside)."""
    for key in NOT_YET:
        if key in flat:
            raise SpecError(f"not available with optimizer {_kind(flat['optimizer'])} on a flat spec yet; write the "
                            "problem as layers: [conv, …] (README: Optimizers)", field=key)
    conv = {k: flat[k] for k in ("kernel", "bias", "stride", "padding", "dilation", "operation") if k in flat}
    layers: list[Any] = [{"conv": conv}]
    act, slope = flat.get("activation", "none"), flat.get("negative_slope")
    if isinstance(act, Mapping):
        act, slope = act.get("type"), act.get("negative_slope", slope)
    if act == "leaky_relu":
        layers.append({"leaky_relu": {"negative_slope": slope if slope is not None else "0.01"}})
    elif act not in (None, "none"):
        layers.append(act)
    pool = flat.get("pooling")
    if isinstance(pool, Mapping):
        kind = {"average": "avg", "mean": "avg"}.get(pool["type"], pool["type"])
        layers.append({kind + "pool": {k: pool[k] for k in ("size", "stride") if k in pool}})
    spec = {"input": flat["input"], "layers": layers, "target": flat["target"], "loss": flat.get("loss", "mse"),
            "learning_rate": flat["learning_rate"], "iterations": flat.get("iterations", 1),
            "optimizer": flat["optimizer"]}
    if "title" in flat:
        spec["title"] = flat["title"]
    return spec


def _kind(value: Any) -> str:
    return value if isinstance(value, str) else str(value.get("type", "sgd"))
