"""AdamW, PyTorch's rule (torch.optim.AdamW): decoupled weight decay θ̃ = θ(1 − ηλ) before Adam's step."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from gmpy2 import mpq

from ...exact import Num
from .adam import Adam
from .stateful import Stateful, Work


@dataclass(frozen=True)
class AdamW(Adam):
    """θ̃ = θ(1 − ηλ), then Adam's moments from the plain gradient, and θ' = θ̃ − ηm̂/(√v̂ + ε)."""

    weight_decay: Num = mpq(1, 100)  # torch.optim.AdamW's default
    kind: ClassVar[str] = "adamw"

    def words(self) -> str:
        return ("AdamW (PyTorch's rule: decoupled weight decay first, then Adam's bias-corrected moments, "
                "eps added outside the square root)")

    def decay_rule(self) -> str:
        return r"\tilde{\theta} = \theta (1 - \eta \lambda), \qquad \tilde{g} = \frac{\partial L}{\partial \theta}"

    def start_symbol(self) -> str:
        return r"\tilde{\theta}"

    def swapped_decay(self) -> Stateful:
        return Adam(self.learning_rate, weight_decay=self.weight_decay, beta1=self.beta1, beta2=self.beta2, eps=self.eps)

    def swapped_note(self) -> str:
        return ("weight decay added to the gradient, g + λθ (Adam), instead of applied to the parameter, "
                "θ(1 − ηλ) (AdamW)")

    def start(self, w: Work, p: Num) -> tuple[Num, Any]:
        value, a = p * (1 - self.learning_rate * self.weight_decay), w.algebra
        w.line(lambda: w.symbol(r"\tilde{\theta}"), lambda: a.times(w.own(), a.minus(a.Integer(1), a.times(a.ETA, a.LAMBDA))),
               lambda: a.times(a.v(p), a.minus(a.Integer(1), a.times(a.v(self.learning_rate), a.v(self.weight_decay)))),
               value)
        return value, w.symbol(r"\tilde{\theta}")

    def gradient(self, w: Work, p: Num, g: Num) -> tuple[Num, Any]:
        return g, w.lazy(lambda: w.algebra.gradient(w.own()))  # the decay is not in the gradient: that is AdamW
