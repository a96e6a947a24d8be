"""A flat spec (input, kernel, activation, pooling) as the network it means, for the optimizers only
the network path has (Adam, AdamW, RMSprop, Adagrad, SGD with weight decay, dampening or Nesterov):
`[conv, activation, pooling]` with the same numbers, so each optimizer lives in one module."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import SpecError

NETWORK_ONLY = ("adam", "adamw", "rmsprop", "adagrad")
SGD_OPTIONS = ("nesterov", "dampening", "weight_decay")
NOT_YET = ("notation",)  # flat-only features the network path does not read (homework keys: flat_homework.py)


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
    if problem.show:  # `show:` and the parts `ask:` asks for, as the flat document would show them
        spec["show"] = list(problem.show)
    return spec


def _kind(value: Any) -> str:
    return value if isinstance(value, str) else str(value.get("type", "sgd"))


def flat_network(problem: Any) -> Any:
    """The flat Problem as its Network, built from the Problem's exact numbers (nothing re-parsed): conv
    (always C×H×W in, F×C×kh×kw kernel, so its values nest as the flat Iteration's), the activation, the pooling."""
    from .. import activation
    from ..model import values
    from ..problem import Problem
    from .layers import kind as layer_kind
    from .layers.conv import Conv
    from .losses import loss as named_loss
    from .spec import Network
    from .tensor import Tensor

    assert isinstance(problem, Problem)
    shape = (problem.channels,) + (len(problem.input[0]), len(problem.input[0][0]))
    kernel = Tensor((problem.filters, problem.channels) + problem.kernel_size, tuple(values(problem.kernel)))
    init: tuple[tuple[str, Tensor], ...] = (("kernel", kernel),)
    if problem.bias is not None:
        init += (("bias", Tensor((problem.filters,), tuple(problem.bias))),)
    out = (problem.filters,) + problem.conv_shape
    layers: list[Any] = [Conv(shape, out, init, stride=problem.stride, padding=problem.padding,
                              dilation=problem.dilation, operation=problem.operation)]
    if problem.activation != "none":
        layers.append(activation.layer(problem))  # its module, with the spec's slope if it takes one
    if problem.pooling is not None:
        pool = problem.pooling
        pooling: Any = layer_kind(pool.type + "pool")  # MaxPool or AvgPool, built with its size and stride
        layers.append(pooling(out, (problem.filters,) + problem.output_shape, size=pool.size, stride=pool.stride))
    target = Tensor((problem.filters,) + problem.output_shape, tuple(values(problem.target)))
    loss = named_loss(problem.loss)
    assert loss is not None, "a flat problem's loss was validated against the loss modules"
    return Network(input=Tensor(shape, tuple(values(problem.input))), layers=tuple(layers), target=target, target_class=None,
                   loss=loss, optimizer=_optimizer(problem),
                   iterations=problem.iterations, title=problem.title)


def _optimizer(problem: Any) -> Any:
    from . import optimizers  # each class's module loads on first use

    if problem.momentum is not None:
        return optimizers.Momentum(problem.learning_rate, problem.momentum)
    return optimizers.SGD(problem.learning_rate)
