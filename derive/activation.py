"""A flat spec's activation is an elementwise layer module of network/layers/ (relu.py, tanh.py, …).

Its rule, derivative, formulas and words serve flat and `layers:` specs alike, so adding an
activation is adding one module there. A spec's activation is found by loading its module alone
(each kind's module is named as its kind, and the rules load without SymPy), so an answer key
starts light; the whole registry is read only to list every name or find one named otherwise."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .exact import fraction

if TYPE_CHECKING:
    from .network.layers.elementwise import Elementwise
    from .problem import Problem

NONE = "none"
SLOPE = "negative_slope"  # the flat spec's one activation option, also a top-level key


def kinds() -> dict[str, type[Elementwise]]:
    """Every elementwise layer kind by its spec name (relu, sigmoid, …), read from the layer registry."""
    from .network.layers import kinds as layer_kinds
    from .network.layers.elementwise import Elementwise

    return {name: layer for name, layer in layer_kinds().items() if issubclass(layer, Elementwise)}


def kind(name: str) -> type[Elementwise] | None:
    """The elementwise kind `name` (exactly as spelt): its module alone, else the registry (layers.kind)."""
    from .network.layers import kind as layer_kind
    from .network.layers.elementwise import Elementwise

    found = layer_kind(name)
    return found if isinstance(found, type) and issubclass(found, Elementwise) else None


def resolve(value: Any, canonical: Callable[[Any], Any]) -> str | None:
    """The kind a spec's `value` names, compared by `canonical` (Leaky-ReLU is leaky_relu), or None."""
    from .network.layers import module_names

    for module in module_names():
        if canonical(module) == canonical(value) and kind(module) is not None:
            return module
    return next((name for name in kinds() if canonical(name) == canonical(value)), None)


def names() -> tuple[str, ...]:
    """The values a flat spec's `activation:` may take: none, then each elementwise kind."""
    return (NONE, *kinds())


def takers(option: str) -> tuple[str, ...]:
    """The activations that have `option` (negative_slope: leaky_relu)."""
    return tuple(name for name, layer in kinds().items() if option in layer.options_allowed)


def layer(problem: Problem) -> Elementwise | None:
    """The problem's activation as its layer (with the spec's slope if it takes one), or None."""
    if problem.activation == NONE:
        return None
    found = kind(problem.activation)
    assert found is not None, "a problem's activation was validated against the layer kinds"
    options = {SLOPE: fraction(problem.negative_slope)} if SLOPE in found.options_allowed else {}
    return found.parse(options, "activation", (problem.filters, *problem.conv_shape))


def listing() -> str:
    """The activations in words, for help text: none (default), leaky_relu, relu, … or tanh."""
    *first, last = kinds()
    return f"none (default), {', '.join(first)} or {last}"


def inexact() -> str:
    """The activations whose values never terminate (so `nice:` cannot be met through them), in words."""
    *first, last = [name for name, layer in kinds().items() if not layer.exact]
    return f"{', '.join(first)} or {last}" if first else last
