"""Optimizers, one module each, as torch.optim computes them: plain SGD, SGD with momentum, SGD with
weight decay, dampening or Nesterov momentum, Adam, AdamW, RMSprop and Adagrad."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .adagrad import Adagrad
    from .adam import Adam
    from .adamw import AdamW
    from .base import Optimizer
    from .momentum import Momentum
    from .nesterov import TorchSGD
    from .rmsprop import RMSprop
    from .sgd import SGD
    from .stateful import Stateful

# Each class's module, imported on first use: a flat answer key steps with one optimizer and never loads
# the others (nor the SymPy their equations need).
_MODULES = {"Optimizer": "base", "SGD": "sgd", "Momentum": "momentum", "TorchSGD": "nesterov", "Adam": "adam",
            "AdamW": "adamw", "RMSprop": "rmsprop", "Adagrad": "adagrad", "Stateful": "stateful"}

__all__ = ["Optimizer", "SGD", "Momentum", "TorchSGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Stateful"]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
