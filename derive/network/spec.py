"""Validate a `layers:` spec into a frozen Network; every error is one line naming its field
(`layers[2].weights: 3 columns, but the previous layer gives 4 values`)."""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SpecError, did_you_mean
from ..literals import show
from .layers import kind as layer_kind
from .layers import kinds
from .layers.base import Layer
from .losses import loss as named_loss
from .losses import losses
from .losses.base import Loss
from .tensor import Tensor, dims, number, parse_tensor, whole

if TYPE_CHECKING:  # the optimizers build SymPy equations; the flat path imports only the one it uses
    from .optimizers import Optimizer

KEYS = ("title", "input", "layers", "target", "loss", "learning_rate", "iterations", "optimizer", "notation", "show")
REQUIRED = ("input", "layers", "target", "learning_rate")
MAX_ITERATIONS = 100
MAX_LAYERS = 64
HOMEWORK = ("ask", "variants", "variant")  # read by derive variants (network/variants.py); solving ignores them


@dataclass(frozen=True)
class Network:
    """A validated `layers:` problem with exact numbers."""

    input: Tensor
    layers: tuple[Layer, ...]
    target: Tensor
    target_class: int | None  # cross-entropy's target given as a class index
    loss: Loss
    optimizer: Optimizer
    iterations: int = 1
    title: str | None = None
    notation: tuple[tuple[str, str], ...] = ()
    show: tuple[str, ...] = ()  # optional parts of the document (`show:`, or asked in `ask:`), as a flat spec's
    flat: Any = None  # the flat spec's Problem when a flat spec is solved as this network (network/flat.py)

    @property
    def fused(self) -> bool:
        """Cross-entropy after a softmax: the backward pass starts at ∂L/∂z = p − y."""
        return self.loss.after == "softmax" and self.layers[-1].kind == "softmax"


def build_network(spec: Any) -> Network:
    """Check every key of a `layers:` spec and return the Network it describes."""
    if not isinstance(spec, Mapping):
        raise SpecError("the spec must be a mapping of keys to values")
    _check_keys(spec)
    x = parse_tensor(spec["input"], "input", (1, 2, 3), " (a vector, an H×W matrix, or C×H×W)")
    layers = _layers(spec["layers"], x.shape)
    loss = _loss(spec.get("loss", "mse"), layers)
    target, target_class = loss.target(spec["target"], layers[-1].out_shape)
    return Network(
        input=x, layers=layers, target=target, target_class=target_class, loss=loss,
        optimizer=_optimizer(spec), iterations=_iterations(spec), title=_title(spec),
        notation=_notation(spec), show=_show(spec),
    )


def _check_keys(spec: Mapping) -> None:
    for key in spec:
        if key in HOMEWORK:
            continue
        if key not in KEYS:
            near = difflib.get_close_matches(str(key), KEYS + ("kernel", "bias"), n=1)
            if key in ("kernel", "bias", "stride", "padding", "dilation", "operation", "activation", "pooling"):
                raise SpecError("belongs inside a layer of a layers: spec (e.g. conv: {kernel: ...})", field=str(key))
            hint = f" (did you mean '{near[0]}'?)" if near else f" (valid keys: {', '.join(KEYS)})"
            raise SpecError(f"unknown key{hint}", field=str(key))
    for key in REQUIRED:
        if key not in spec:
            raise SpecError("missing required key", field=key)


def _layers(value: Any, shape: tuple[int, ...]) -> tuple[Layer, ...]:
    if not isinstance(value, list) or not value:
        raise SpecError("must be a non-empty list of layers (e.g. - dense: {weights: [[...]]}, - relu)", field="layers")
    if len(value) > MAX_LAYERS:
        raise SpecError(f"{len(value)} layers (at most {MAX_LAYERS})", field="layers")
    layers = []
    for k, entry in enumerate(value):
        field = f"layers[{k}]"
        cls, options = _entry(entry, field)
        layer = cls.parse(options, field, shape)
        layers.append(layer)
        shape = layer.out_shape
    return tuple(layers)


def _entry(entry: Any, field: str) -> tuple[type[Layer], Mapping[str, Any]]:
    """A layer entry: `relu`, or `{dense: {weights: ...}}` (`{relu: null}` too)."""
    options: Any
    if isinstance(entry, str):
        kind, options = entry, {}
    elif isinstance(entry, Mapping) and len(entry) == 1:
        kind, options = next(iter(entry.items()))
        options = {} if options is None else options
        if not isinstance(options, Mapping):
            raise SpecError(f"the options of {kind!r} must be a mapping, not {show_value(options)}", field=field)
    else:
        raise SpecError("must be a layer name (relu) or a mapping with one layer name as key ({dense: {...}})", field=field)
    found = layer_kind(kind)
    if found is None:  # only now every kind is loaded: to list them or suggest the nearest
        near = difflib.get_close_matches(str(kind), list(kinds()), n=1)
        hint = f"did you mean '{near[0]}'?" if near else f"valid: {', '.join(kinds())}"
        raise SpecError(f"unknown layer {str(kind)!r} ({hint})", field=field)
    return found, options


def show_value(value: Any) -> str:
    """A short repr for an error message."""
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _loss(value: Any, layers: tuple[Layer, ...]) -> Loss:
    loss = named_loss(value)
    if loss is None:  # only now every loss is loaded, to list them
        table = losses()
        raise SpecError(f"unknown value {value!r}{did_you_mean(value, table)} (valid: {', '.join(table)})", field="loss")
    if loss.after is not None and layers[-1].kind != loss.after:
        raise SpecError(f"{value} needs a final {loss.after} layer, but the last layer is {layers[-1].kind}", field="loss")
    if loss.after == "softmax" and len(layers[-1].out_shape) != 1:
        raise SpecError(f"{value} needs a vector of class scores, not {dims(layers[-1].out_shape)}", field="loss")
    return loss


def _optimizer(spec: Mapping) -> Optimizer:
    from .optimizers.options import parse_optimizer

    eta = number(spec["learning_rate"], "learning_rate")
    if eta <= 0:
        raise SpecError(f"must be a positive number, got {show(eta)}", field="learning_rate")
    return parse_optimizer(spec.get("optimizer", "sgd"), eta, number)


def _iterations(spec: Mapping) -> int:
    count = whole(spec.get("iterations", 1), "iterations", 1)
    if count > MAX_ITERATIONS:
        raise SpecError(f"must be between 1 and {MAX_ITERATIONS}, got {count}", field="iterations")
    return count


def _title(spec: Mapping) -> str | None:
    title = spec.get("title")
    if title is not None and not isinstance(title, str):
        raise SpecError("must be a string", field="title")
    return title


def _show(spec: Mapping) -> tuple[str, ...]:
    """`show: [grad_input]`, read by the flat spec's rule (the same parts, the same one-line error)."""
    from ..problem import _show as flat_show

    return flat_show(spec)


def _notation(spec: Mapping) -> tuple[tuple[str, str], ...]:
    value = spec.get("notation")
    if value is None:
        return ()
    from ..style import NETWORK_NOTATION_KEYS

    if not isinstance(value, Mapping):
        raise SpecError("must be a mapping such as {weights: \\theta, learning_rate: \\alpha}", field="notation")
    pairs = []
    for key, symbol in value.items():
        if key not in NETWORK_NOTATION_KEYS:
            raise SpecError(f"unknown symbol {key!r} (valid: {', '.join(NETWORK_NOTATION_KEYS)})", field="notation")
        if not isinstance(symbol, str) or not symbol.strip() or any(c in symbol for c in "$%#&|\n"):
            raise SpecError("must be a non-empty LaTeX symbol without $, %, #, &, | or line breaks", field=f"notation.{key}")
        pairs.append((NETWORK_NOTATION_KEYS[key], symbol))
    return tuple(sorted(pairs))
