"""A flat spec's activation is an elementwise layer module of network/layers/ (relu.py, tanh.py, …).

Its rule, derivative, formulas and words serve flat and `layers:` specs alike, so adding an
activation is adding one module there. Those modules import SymPy, so they load only when a spec
has an activation (an answer key without one starts light)."""
from __future__ import annotations

from typing import TYPE_CHECKING

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
    kind = kinds()[problem.activation]
    options = {SLOPE: fraction(problem.negative_slope)} if SLOPE in kind.options_allowed else {}
    shape = (problem.filters, *problem.conv_shape)
    return kind.parse(options, "activation", shape)


def listing() -> str:
    """The activations in words, for help text: none (default), leaky_relu, relu, … or tanh."""
    *first, last = kinds()
    return f"none (default), {', '.join(first)} or {last}"


def inexact() -> str:
    """The activations whose values never terminate (so `nice:` cannot be met through them), in words."""
    *first, last = [name for name, layer in kinds().items() if not layer.exact]
    return f"{', '.join(first)} or {last}" if first else last
