"""How numbers and symbols are printed (a Style), kept apart from printing.py so that the
answer key and marking, which need a Style but print nothing, never import SymPy."""
from __future__ import annotations

from dataclasses import dataclass


MAX_EXACT_DECIMALS = 10  # a terminating decimal longer than this is rounded like 1/3 (printing.number)

# Semantic names used by steps.py, and how they are written (the seed's notation).
NOTATION = {
    "I": "I",
    "X": r"\tilde{I}",  # the zero-padded input
    "W": "W",
    "Wnext": "W'",
    "b": "b",
    "bnext": "b'",
    "Y": "Y",
    "Yhat": r"\hat{Y}",
    "L": "L",
    "eta": r"\eta",
    "n": "n",
    "Z": "Z",  # the convolution's output before an activation or pooling
    "A": "A",  # the activation's output before pooling
    "mu": r"\mu",
    "Lnext": "L'",
    "V": "v",  # momentum buffer (velocity)
    "Vnext": "v'",
    "Vb": "v^{b}",
    "Vbnext": "v'^{b}",
}

# The spec's `notation:` keys (named after the answer fields) and the symbol each renames.
NOTATION_KEYS = {
    "input": "I", "kernel": "W", "target": "Y", "prediction": "Yhat", "loss": "L", "learning_rate": "eta",
    "bias": "b", "feature_map": "Z", "activation": "A", "momentum": "mu", "velocity": "V",
}

# A network's symbols (printing.py's network section), and the spec's `notation:` keys naming them.
NETWORK_NOTATION = {
    "x": "x", "y": "y", "L": "L", "eta": r"\eta", "mu": r"\mu", "V": "v", "W": "W", "K": "K", "b": "b",
    "z": "z", "a": "a", "p": "p", "f": "f",
}
NETWORK_NOTATION_KEYS = {
    "input": "x", "target": "y", "loss": "L", "learning_rate": "eta", "momentum": "mu", "velocity": "V",
    "weights": "W", "kernel": "K", "bias": "b", "pre_activation": "z", "activation": "a", "pooled": "p",
    "flattened": "f",
}


@dataclass(frozen=True)
class Style:
    """How numbers and symbols are printed: decimals or exact fractions, and the notation."""

    precision: int = 4
    fractions: bool = False
    notation: tuple[tuple[str, str], ...] = ()  # (semantic name, LaTeX), overriding NOTATION

    @property
    def names(self) -> dict[str, str]:
        """Every semantic name's LaTeX; derived symbols (W', Ĩ, v'^b) follow the renamed ones."""
        own = dict(self.notation)
        names = {**NOTATION, **own}
        derived = {"Wnext": names["W"] + "'", "bnext": names["b"] + "'", "X": rf"\tilde{{{names['I']}}}",
                   "Vnext": names["V"] + "'", "Vb": names["V"] + "^{" + names["b"] + "}",
                   "Vbnext": names["V"] + "'^{" + names["b"] + "}", "Lnext": names["L"] + "'"}
        for key, value in derived.items():
            if key not in own:
                names[key] = value
        return names


def style_from_notation(precision: int, fractions: bool, notation: dict[str, str] | None) -> Style:
    """A Style from the spec's `notation:` (keys as in NOTATION_KEYS)."""
    pairs = tuple((NOTATION_KEYS[k], v) for k, v in sorted((notation or {}).items()))
    return Style(precision, fractions, pairs)
