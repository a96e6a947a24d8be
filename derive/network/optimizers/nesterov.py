"""torch.optim.SGD with its other options: weight decay, dampening and Nesterov momentum (the plain
and the momentum rules stay in sgd.py and momentum.py)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gmpy2 import mpq

from ...exact import Num
from .stateful import Stateful, Work


@dataclass(frozen=True)
class TorchSGD(Stateful):
    """g̃ = g + λθ; b' = g̃ at step 1, else μb + (1−τ)g̃; Nesterov: d = g̃ + μb', else d = b'; θ' = θ − ηd."""

    momentum: Num = mpq(0)
    dampening: Num = mpq(0)
    nesterov: bool = False
    kind: ClassVar[str] = "sgd"

    def names(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if self.momentum != 0 else ()

    def words(self) -> str:
        kind = "Nesterov momentum" if self.nesterov else "momentum" if self.momentum != 0 else "no momentum"
        return f"gradient descent with {kind} (PyTorch's SGD: the buffer is the gradient itself at the first step)"

    def one_line_rule(self, s: Mapping[str, str]) -> str:
        decay = r" + \lambda \theta" if self.weight_decay != 0 else ""
        out = rf"\tilde{{g}} = \frac{{\partial L}}{{\partial \theta}}{decay}, \qquad "
        if self.momentum == 0:
            return out + r"\theta' = \theta - \eta \tilde{g}"
        damp = r"(1 - \tau) " if self.dampening != 0 else ""
        out += rf"b' = \tilde{{g}} \text{{ at }} t = 1, \text{{ else }} b' = \mu b + {damp}\tilde{{g}}, \qquad "
        if self.nesterov:
            return out + r"\theta' = \theta - \eta (\tilde{g} + \mu b')"
        return out + r"\theta' = \theta - \eta b'"

    def settings(self) -> tuple[tuple[str, Num], ...]:
        mu = ((r"\mu", self.momentum),) if self.momentum != 0 else ()
        damp = ((r"\tau", self.dampening),) if self.dampening != 0 else ()
        return mu + damp + super().settings()

    def work(self, w: Work, p: Num, g: Num, before: Mapping[str, Num], t: int) -> tuple[Num, dict[str, Num]]:
        a = w.algebra  # worked.py when the lines are shown, else None (and no lambda runs)
        g, g_sym = self.decayed(w, p, g)
        if self.momentum == 0:
            return w.line(lambda: w.own("next"), lambda: a.minus(w.own(), a.times(a.ETA, g_sym)),
                          lambda: a.minus(a.v(p), a.times(a.v(self.learning_rate), a.v(g))), p - self.learning_rate * g), {}
        if t == 1:
            buf = w.line(lambda: w.symbol("b'"), lambda: g_sym, lambda: a.v(g), g)  # torch: buf = clone(grad)
        else:
            keep = 1 - self.dampening
            buf = w.line(lambda: w.symbol("b'"),
                         lambda: a.plus(a.times(a.MU, w.symbol("b")),
                                        a.times(a.minus(a.Integer(1), a.DAMP), g_sym) if self.dampening != 0 else g_sym),
                         lambda: a.plus(a.times(a.v(self.momentum), a.v(before["momentum_buffer"])), a.times(a.v(keep), a.v(g))),
                         self.momentum * before["momentum_buffer"] + keep * g)
        if self.nesterov:
            direction = w.line(lambda: w.symbol("d"), lambda: a.plus(g_sym, a.times(a.MU, w.symbol("b'"))),
                               lambda: a.plus(a.v(g), a.times(a.v(self.momentum), a.v(buf))), g + self.momentum * buf)
            d_sym = w.symbol("d")
        else:
            direction, d_sym = buf, w.symbol("b'")
        new = w.line(lambda: w.own("next"), lambda: a.minus(w.own(), a.times(a.ETA, d_sym)),
                     lambda: a.minus(a.v(p), a.times(a.v(self.learning_rate), a.v(direction))), p - self.learning_rate * direction)
        return new, {"momentum_buffer": buf}

    def _spec_extra(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "dampening": self.dampening, "nesterov": self.nesterov,
                "weight_decay": self.weight_decay}
