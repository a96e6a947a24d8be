"""How a run's loss went, in words shared by the rise warning and the documents' Conclusion."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def rises(iterations: Sequence[Any]) -> tuple[int, ...]:
    """The iterations (counted from 1) whose update raised the loss (loss_next > loss)."""
    return tuple(k for k, it in enumerate(iterations, 1) if it.loss_next > it.loss)


def suspects(momentum: bool) -> str:
    """What may be too large when the loss rises: with momentum the velocity can carry a step past the minimum too."""
    return "the learning rate or the momentum" if momentum else "the learning rate"


def uses_momentum(optimizer: Any) -> bool:
    """Whether a network optimizer carries a velocity or a nonzero momentum constant (SGD, Nesterov, RMSprop)."""
    return bool(getattr(optimizer, "has_velocity", False) or getattr(optimizer, "momentum", 0))


def iteration_list(numbers: Sequence[int]) -> str:
    """'iteration 2', 'iterations 2 and 3', 'iterations 1, 2 and 4'."""
    if len(numbers) == 1:
        return f"iteration {numbers[0]}"
    return "iterations " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
