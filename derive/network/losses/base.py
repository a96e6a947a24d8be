"""What every loss provides: its value, ∂L/∂(prediction), its target's checks, and its equations."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import SpecError
from ...exact import Num
from ..tensor import Shape, Tensor, dims, parse_tensor

if TYPE_CHECKING:  # the equations' SymPy is imported where they are built: the rules run without it
    from sympy import Expr


@dataclass(frozen=True)
class Loss:
    """A loss convention."""

    key: str = ""
    name: str = ""
    after: str | None = None  # the layer kind the prediction must come from (softmax for cross-entropy)

    def target(self, value: Any, shape: Shape) -> tuple[Tensor, Any]:
        """The target as a tensor of the prediction's shape, and as the normalized spec writes it."""
        target = parse_tensor(value, "target", (len(shape),) if shape else (0,))
        if target.shape != shape:
            raise SpecError(f"shape {dims(target.shape)} does not match the network's output shape {dims(shape)}",
                            field="target")
        return target, None

    def value(self, p: Tensor, y: Tensor) -> Num:
        """L for prediction p and target y."""
        raise NotImplementedError

    def gradient(self, p: Tensor, y: Tensor) -> Tensor:
        """∂L/∂p."""
        raise NotImplementedError

    def check_prediction(self, p: Tensor, iteration: int) -> None:
        """Refuse a prediction the loss is not defined for (a log of 0)."""

    def formulas(self, s: Mapping[str, str], n: int) -> dict[str, str]:
        """The loss and its gradient in general (LaTeX with the symbols `s`: out, y, L)."""
        raise NotImplementedError

    def equation_sides(self, out: str, p: Tensor, y: Tensor, value: Num, detail: str) -> tuple[Expr, ...]:
        """L = symbolic = substituted = … = value."""
        raise NotImplementedError

    def gradient_sides(self, out: str, p: Tensor, y: Tensor, grad: Tensor, index: tuple[int, ...]) -> tuple[Expr, ...]:
        """∂L/∂p at one cell: symbolic, substituted, value."""
        raise NotImplementedError
