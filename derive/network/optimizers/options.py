"""The spec's `optimizer:` read into an optimizer, with torch.optim's key names and defaults (its
`lr` is our `learning_rate`); an unknown key or a value out of range is a one-line error."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gmpy2 import mpq

from ...errors import SpecError, did_you_mean
from ...exact import Num
from ...literals import show
from .base import Optimizer

# Each type's keys and torch.optim's defaults (AdamW's weight_decay is 1e-2, the others' 0).
KEYS: dict[str, dict[str, Any]] = {
    "sgd": {"momentum": 0, "dampening": 0, "nesterov": False, "weight_decay": 0},
    "adam": {"betas": (mpq(9, 10), mpq(999, 1000)), "eps": mpq(1, 10**8), "weight_decay": 0},
    "adamw": {"betas": (mpq(9, 10), mpq(999, 1000)), "eps": mpq(1, 10**8), "weight_decay": mpq(1, 100)},
    "rmsprop": {"alpha": mpq(99, 100), "eps": mpq(1, 10**8), "momentum": 0, "centered": False, "weight_decay": 0},
    "adagrad": {"eps": mpq(1, 10**10), "lr_decay": 0, "initial_accumulator_value": 0, "weight_decay": 0},
}
TYPES = ("sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad")


def parse_optimizer(value: Any, eta: Num, number: Callable[[Any, str], Num]) -> Optimizer:
    """`value` (the spec's optimizer: a type name or a mapping) as an optimizer with learning rate `eta`."""
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, Mapping):
        raise SpecError(f"must be a type ({', '.join(TYPES)}) or a mapping such as {{type: adam, betas: [0.9, 0.999]}}, "
                        f"got {value!r}", field="optimizer")
    kind = value.get("type", "sgd")
    kind = kind.strip().lower() if isinstance(kind, str) else kind  # names ignore case, as elsewhere (Adam)
    if kind not in TYPES:
        raise SpecError(f"unknown value {kind!r}{did_you_mean(kind, TYPES)} (valid: {', '.join(TYPES)})", field="optimizer.type")
    kind = "sgd" if kind == "momentum" else kind
    for key in value:
        if key != "type" and key not in KEYS[kind]:
            hint = " (PyTorch's lr is the spec's learning_rate)" if key == "lr" else did_you_mean(key, KEYS[kind])
            raise SpecError(f"unknown key for {kind}{hint} (valid: type, {', '.join(KEYS[kind])})",
                            field=f"optimizer.{key}")
    got = {key: _read(value[key], key, number) if key in value else default for key, default in KEYS[kind].items()}
    _check_ranges(kind, got)
    return _sgd(value, eta, got) if kind == "sgd" else _adaptive(kind, eta, got)


# Each rule's module is imported for its kind alone: a spec steps with one optimizer and never loads the others.
def _sgd(value: Mapping[str, Any], eta: Num, got: Mapping[str, Any]) -> Optimizer:
    """torch.optim.SGD: the plain and momentum rules (their own documents), else the one with every option."""
    if got["nesterov"] and (got["momentum"] <= 0 or got["dampening"] != 0):
        raise SpecError("Nesterov momentum needs a momentum above 0 and dampening 0 (as torch.optim.SGD)",
                        field="optimizer.nesterov")
    if not got["nesterov"] and got["dampening"] == 0 and got["weight_decay"] == 0:
        # PyTorch's plain and momentum rules, with their own documents (unchanged since before Adam).
        if "momentum" in value:
            from .momentum import Momentum

            return Momentum(eta, got["momentum"])
        from .sgd import SGD

        return SGD(eta)
    from .nesterov import TorchSGD

    return TorchSGD(eta, weight_decay=got["weight_decay"], momentum=got["momentum"], dampening=got["dampening"],
                    nesterov=got["nesterov"])


def _adaptive(kind: str, eta: Num, got: Mapping[str, Any]) -> Optimizer:
    """Adam, AdamW, RMSprop or Adagrad with the spec's (or torch's default) settings."""
    decay = got["weight_decay"]
    if kind in ("adam", "adamw"):
        if kind == "adam":
            from .adam import Adam as cls
        else:
            from .adamw import AdamW as cls
        return cls(eta, weight_decay=decay, beta1=got["betas"][0], beta2=got["betas"][1], eps=got["eps"])
    if kind == "rmsprop":
        from .rmsprop import RMSprop

        return RMSprop(eta, weight_decay=decay, alpha=got["alpha"], eps=got["eps"], momentum=got["momentum"],
                       centered=got["centered"])
    from .adagrad import Adagrad

    return Adagrad(eta, weight_decay=decay, eps=got["eps"], lr_decay=got["lr_decay"],
                   initial_accumulator_value=got["initial_accumulator_value"])


def _read(raw: Any, key: str, number: Callable[[Any, str], Num]) -> Any:
    field = f"optimizer.{key}"
    if key in ("nesterov", "centered"):
        if not isinstance(raw, bool):
            raise SpecError(f"must be true or false, got {raw!r}", field=field)
        return raw
    if key == "betas":
        if not isinstance(raw, (list, tuple)) or len(raw) != 2:
            raise SpecError(f"must be two numbers [beta1, beta2], got {raw!r}", field=field)
        return (number(raw[0], f"{field}[0]"), number(raw[1], f"{field}[1]"))
    return number(raw, field)


def _check_ranges(kind: str, got: Mapping[str, Any]) -> None:
    """torch.optim's ranges; ε > 0 as well, since ε = 0 divides 0 by 0 where a gradient is 0."""
    for k, beta in enumerate(got.get("betas", ())):
        if not 0 <= beta < 1:
            raise SpecError(f"must be at least 0 and below 1, got {show(beta)}", field=f"optimizer.betas[{k}]")
    if "eps" in got and got["eps"] <= 0:
        raise SpecError(f"must be positive, got {show(got['eps'])}", field="optimizer.eps")
    if "alpha" in got and not 0 <= got["alpha"] <= 1:
        raise SpecError(f"must be from 0 to 1, got {show(got['alpha'])}", field="optimizer.alpha")
    if "dampening" in got and not 0 <= got["dampening"] <= 1:
        raise SpecError(f"must be from 0 to 1, got {show(got['dampening'])}", field="optimizer.dampening")
    for key in ("momentum", "weight_decay", "lr_decay", "initial_accumulator_value"):
        if key in got and got[key] < 0:
            raise SpecError(f"must not be negative, got {show(got[key])}", field=f"optimizer.{key}")
