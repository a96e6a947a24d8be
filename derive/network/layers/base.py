"""What every layer kind provides: parsing its spec entry, its exact forward rule and local
derivatives, and its worked equations. Each kind lives in its own module in this package."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import SpecError, did_you_mean
from ..tensor import Shape, Tensor

if TYPE_CHECKING:
    from ...printing import Equation

Params = Mapping[str, Tensor]


@dataclass(frozen=True)
class Forward:
    """A layer's output, and what its backward pass needs besides input and output."""

    output: Tensor
    aux: Any = None  # max pooling: the winner of each window


@dataclass(frozen=True)
class Backward:
    """∂L/∂(the layer's input), and ∂L/∂P for each of its parameters."""

    grad_input: Tensor
    grads: Mapping[str, Tensor] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One layer in one iteration, with every value and the symbols the document uses."""

    layer: Layer
    x: Tensor
    forward: Forward
    params: Params
    grad_output: Tensor
    backward: Backward
    inp: str  # the input's symbol label (see algebra.label)
    out: str  # the output's symbol label
    tag: str  # the layer's superscript, for its parameters
    detail: str
    fused: bool = False  # softmax under cross-entropy: ∂L/∂z = p − y is shown instead of the Jacobian
    target: Tensor | None = None


@dataclass(frozen=True)
class Work:
    """A layer's worked equations: forward; backward (local derivatives, parameter gradients,
    the gradient handed to the layer below)."""

    forward: tuple[Equation, ...] = ()
    local: tuple[Equation, ...] = ()
    chain: tuple[Equation, ...] = ()
    params: tuple[tuple[str, tuple[Equation, ...]], ...] = ()
    grad_input: tuple[Equation, ...] = ()


@dataclass(frozen=True)
class Layer:
    """A layer of a network: its shapes, initial parameters and which of them stay fixed."""

    kind: ClassVar[str]  # the spec's name: dense, conv, relu, …
    title: ClassVar[str]  # in words, for the network table and headings
    symbol: ClassVar[str] = "a"  # the semantic symbol of its output (z, a, p, f)
    param_names: ClassVar[tuple[str, ...]] = ()
    options_allowed: ClassVar[tuple[str, ...]] = ()
    forward_note: ClassVar[str] = ""  # words the document says before the forward equations
    backward_note: ClassVar[str] = ""  # …and before the backward ones (conventions at a kink)
    # An activation's short name in the network diagram (σ(z⁽¹⁾)); a layer without one is not drawn there.
    mark: ClassVar[str] = ""
    # Rational inputs give rational outputs: False for e^z, tanh, log, whose values never terminate
    # (so variants' `nice:` cannot be met through them).
    exact: ClassVar[bool] = True

    in_shape: Shape
    out_shape: Shape
    init: tuple[tuple[str, Tensor], ...] = ()
    fixed: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, options: Mapping[str, Any], field: str, in_shape: Shape) -> Layer:
        """The layer described by `options` (its spec entry), after a layer giving `in_shape`."""
        raise NotImplementedError

    def forward(self, x: Tensor, params: Params) -> Forward:
        """The output for input `x`."""
        raise NotImplementedError

    def backward(self, x: Tensor, fwd: Forward, params: Params, grad: Tensor) -> Backward:
        """∂L/∂x and the parameter gradients from ∂L/∂(output) = `grad`."""
        raise NotImplementedError

    def options(self) -> dict[str, Any]:
        """The normalized spec entry's options (numbers as the spec writes them)."""
        return {}

    def describe(self) -> str:
        """The parameters column of the network table, in words."""
        return ""

    def formulas(self, s: Mapping[str, str]) -> dict[str, str]:
        """General formulas (LaTeX with the layer's symbols `s`: in, out, W, b, K, L): forward, local,
        one per parameter, grad_input."""
        return {}

    def work(self, step: Step) -> Work:
        """The worked equations of this layer in one iteration."""
        return Work()

    @property
    def parameters(self) -> dict[str, Tensor]:
        """The initial parameters by name."""
        return dict(self.init)


def fill(template: str, names: Mapping[str, str]) -> str:
    """printing.fill for the layers' formulas, imported when called: printing loads SymPy, which an
    answer key or a check (the rules alone) should not wait for."""
    from ...printing import fill as fill_names

    return fill_names(template, names)


def unknown_options(options: Mapping[str, Any], allowed: tuple[str, ...], field: str) -> None:
    """Refuse an option the layer does not have, naming the closest one (weight: did you mean 'weights'?)."""
    for key in options:
        if key not in allowed:
            valid = ", ".join(allowed) if allowed else "none"
            raise SpecError(f"unknown option{did_you_mean(key, allowed)} (valid: {valid})", field=f"{field}.{key}")


def parse_fixed(options: Mapping[str, Any], field: str, names: tuple[str, ...]) -> frozenset[str]:
    """`fixed: [bias]`: parameters whose gradient is shown but which are not updated."""
    value = options.get("fixed", [])
    items = value if isinstance(value, list) else [value]
    for item in items:
        if item not in names:
            raise SpecError(f"{item!r} is not a parameter of this layer (valid: {', '.join(names)})", field=f"{field}.fixed")
    return frozenset(items)


def partial(of: str, by: str) -> str:
    """∂of/∂by as LaTeX (for general formulas)."""
    return rf"\frac{{\partial {of}}}{{\partial {by}}}"
