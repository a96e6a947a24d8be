"""Adagrad, PyTorch's rule (torch.optim.Adagrad): a running sum of g², ε outside the root, lr_decay."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gmpy2 import mpq

from ...exact import Num
from .stateful import Stateful, Work


@dataclass(frozen=True)
class Adagrad(Stateful):
    """G' = G + g̃²; θ' = θ − η_t g̃/(√G' + ε) with η_t = η/(1 + (t−1)δ)."""

    eps: Num = mpq(1, 10**10)
    lr_decay: Num = mpq(0)
    initial_accumulator_value: Num = mpq(0)
    kind: ClassVar[str] = "adagrad"
    state_names: ClassVar[tuple[str, ...]] = ("sum",)

    def initial(self) -> Num:
        return self.initial_accumulator_value

    def words(self) -> str:
        return "Adagrad (PyTorch's rule: a running sum of squared gradients, eps added outside the square root)"

    def one_line_rule(self, s: Mapping[str, str]) -> str:
        decay = r" + \lambda \theta" if self.weight_decay != 0 else ""
        rate = r"\eta_{t} = \frac{\eta}{1 + (t - 1) \delta}, \qquad " if self.lr_decay != 0 else ""
        eta = r"\eta_{t}" if self.lr_decay != 0 else r"\eta"
        return (rf"\tilde{{g}} = \frac{{\partial L}}{{\partial \theta}}{decay}, \qquad {rate}G' = G + \tilde{{g}}^{{2}}, "
                rf"\qquad \theta' = \theta - {eta} \frac{{\tilde{{g}}}}{{\sqrt{{G'}} + \epsilon}}")

    def settings(self) -> tuple[tuple[str, Num], ...]:
        decay = ((r"\delta", self.lr_decay),) if self.lr_decay != 0 else ()
        start = ((r"G_{0}", self.initial_accumulator_value),) if self.initial_accumulator_value != 0 else ()
        return ((r"\epsilon", self.eps),) + decay + start + super().settings()

    def work(self, w: Work, p: Num, g: Num, before: Mapping[str, Num], t: int) -> tuple[Num, dict[str, Num]]:
        a = w.algebra  # worked.py when the lines are shown, else None (and no lambda runs)
        g, g_sym = self.decayed(w, p, g)
        rate, rate_sym = self.learning_rate, w.lazy(lambda: a.ETA)
        if self.lr_decay != 0:
            rate = self.learning_rate / (1 + (t - 1) * self.lr_decay)
            rate = w.line(lambda: a.ETA_T, lambda: a.Frac(a.ETA, a.plus(a.Integer(1), a.times(a.minus(a.Symbol("t"), a.Integer(1)), a.DELTA))),
                          lambda: a.Frac(a.v(self.learning_rate), a.plus(a.Integer(1), a.times(a.Integer(t - 1), a.v(self.lr_decay)))),
                          rate)
            rate_sym = w.lazy(lambda: a.ETA_T)
        total = w.line(lambda: w.symbol("G'"), lambda: a.plus(w.symbol("G"), a.square(g_sym)),
                       lambda: a.plus(a.v(before["sum"]), a.square(a.v(g))),
                       g * g if self.slip == "no_sum" else before["sum"] + self.squared(g))
        den, den_sym = self.root(w, "d", total, w.symbol("G'"), self.eps)
        return self.descend(w, p, w.own(), rate, rate_sym, g, g_sym, den, den_sym), {"sum": total}

    def slip_notes(self) -> tuple[tuple[str, str], ...]:
        return (("eps_inside", "ε inside the square root: √(G' + ε) instead of √G' + ε"),
                ("abs", "the gradient not squared: G' = G + abs(g̃) instead of G + g̃²"),
                ("no_sum", "the squares not accumulated: G' = g̃² (this step's alone) instead of G' = G + g̃²"))

    def _spec_extra(self) -> dict[str, Any]:
        return {"eps": self.eps, "lr_decay": self.lr_decay, "initial_accumulator_value": self.initial_accumulator_value,
                "weight_decay": self.weight_decay}
