"""Optimizers, one module each, as torch.optim computes them: plain SGD, SGD with momentum, SGD with
weight decay, dampening or Nesterov momentum, Adam, AdamW, RMSprop and Adagrad."""
from __future__ import annotations

from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .base import Optimizer
from .momentum import Momentum
from .nesterov import TorchSGD
from .rmsprop import RMSprop
from .sgd import SGD
from .stateful import Stateful

__all__ = ["Optimizer", "SGD", "Momentum", "TorchSGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Stateful"]
