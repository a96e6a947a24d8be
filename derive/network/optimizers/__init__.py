"""Optimizers, one module each: plain SGD and SGD with momentum (PyTorch's rules)."""
from __future__ import annotations

from .base import Optimizer
from .momentum import Momentum
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Momentum"]
