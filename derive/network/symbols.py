"""Each layer's symbols: layers are numbered by their parameter layers (dense, conv), so the
first dense layer gives z^(1), its activation a^(1), and the next dense layer has W^(2)."""
from __future__ import annotations

from dataclasses import dataclass

from .algebra import label
from .spec import Network

PARAM_SYMBOLS = {"weights": "W", "kernel": "K", "bias": "b"}


@dataclass(frozen=True)
class LayerSymbols:
    """Labels (see algebra.label) of a layer's input, output and parameters, and its tag."""

    inp: str
    out: str
    tag: str
    params: tuple[tuple[str, str], ...]

    def param(self, name: str) -> str:
        """The label of parameter `name`."""
        return dict(self.params)[name]


def layer_symbols(net: Network) -> tuple[LayerSymbols, ...]:
    """The symbols of every layer, in order; the input is x and each layer reads the one before."""
    stage, used, out, previous = 0, set(), [], label("x")
    for layer in net.layers:
        if layer.param_names:
            stage += 1
        tag = str(stage) if stage else "0"
        base, suffix = layer.symbol, ""
        while (base + suffix, tag) in used:  # two layers of one kind in a stage: a⁽¹⁾, a'…
            suffix += "'"
        used.add((base + suffix, tag))
        mine = label(base + suffix, tag)
        params = tuple((name, label(PARAM_SYMBOLS[name], tag)) for name, _ in layer.init)
        out.append(LayerSymbols(previous, mine, tag, params))
        previous = mine
    return tuple(out)
