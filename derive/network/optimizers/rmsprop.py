"""RMSprop, PyTorch's rule (torch.optim.RMSprop): a running mean of g², ε outside the root; optional
momentum and centering."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gmpy2 import mpq

from ...exact import Num
from .stateful import Stateful, Work, lerp


@dataclass(frozen=True)
class RMSprop(Stateful):
    """s' = ρs + (1−ρ)g̃²; θ' = θ − ηg̃/(√s' + ε) (with momentum: b' = μb + g̃/(√s' + ε), θ' = θ − ηb').

    The smoothing constant is the spec's `alpha` (torch's name) but ρ in documents: α is leaky ReLU's slope."""

    alpha: Num = mpq(99, 100)
    eps: Num = mpq(1, 10**8)
    momentum: Num = mpq(0)
    centered: bool = False
    kind: ClassVar[str] = "rmsprop"

    def names(self) -> tuple[str, ...]:
        return (("square_avg",) + (("momentum_buffer",) if self.momentum != 0 else ())
                + (("grad_avg",) if self.centered else ()))

    def words(self) -> str:
        return "RMSprop (PyTorch's rule: running mean of the squared gradient from 0, eps added outside the square root)"

    def one_line_rule(self, s: Mapping[str, str]) -> str:
        decay = r" + \lambda \theta" if self.weight_decay != 0 else ""
        out = (rf"\tilde{{g}} = \frac{{\partial L}}{{\partial \theta}}{decay}, \qquad "
               r"s' = \rho s + (1 - \rho) \tilde{g}^{2}, \qquad ")
        if self.centered:
            out += r"\bar{g}' = \rho \bar{g} + (1 - \rho) \tilde{g}, \qquad d = \sqrt{s' - \bar{g}'^{2}} + \epsilon, \qquad "
        else:
            out += r"d = \sqrt{s'} + \epsilon, \qquad "
        if self.momentum != 0:
            return out + r"b' = \mu b + \frac{\tilde{g}}{d}, \qquad \theta' = \theta - \eta b'"
        return out + r"\theta' = \theta - \eta \frac{\tilde{g}}{d}"

    def settings(self) -> tuple[tuple[str, Num], ...]:
        mu = ((r"\mu", self.momentum),) if self.momentum != 0 else ()
        return ((r"\rho\ (\text{torch's alpha})", self.alpha), (r"\epsilon", self.eps)) + mu + super().settings()

    def work(self, w: Work, p: Num, g: Num, before: Mapping[str, Num], t: int) -> tuple[Num, dict[str, Num]]:
        a = w.algebra  # worked.py when the lines are shown, else None (and no lambda runs)
        g, g_sym = self.decayed(w, p, g)
        sq = w.line(lambda: w.symbol("s'"),
                    lambda: a.plus(a.times(a.RHO, w.symbol("s")), a.times(a.minus(a.Integer(1), a.RHO), a.square(g_sym))),
                    lambda: a.plus(a.times(a.v(self.alpha), a.v(before["square_avg"])), a.times(a.v(1 - self.alpha), a.square(a.v(g)))),
                    self._square_avg(before["square_avg"], g))
        state: dict[str, Num] = {"square_avg": sq}
        if self.centered:
            avg = lerp(w, r"\bar{g}", before["grad_avg"], self.alpha, w.lazy(lambda: a.RHO), g, g_sym)
            state["grad_avg"] = avg
            inner = w.line(lambda: w.symbol("c"), lambda: a.minus(w.symbol("s'"), a.square(w.symbol(r"\bar{g}'"))),
                           lambda: a.minus(a.v(sq), a.square(a.v(avg))), sq - avg * avg)
            den, den_sym = self.root(w, "d", inner, w.symbol("c"), self.eps)
        else:
            den, den_sym = self.root(w, "d", sq, w.symbol("s'"), self.eps)
        if self.momentum == 0:
            return self.descend(w, p, w.own(), self.learning_rate, w.lazy(lambda: a.ETA), g, g_sym, den, den_sym), state
        buf = w.line(lambda: w.symbol("b'"), lambda: a.plus(a.times(a.MU, w.symbol("b")), a.Frac(g_sym, den_sym)),
                     lambda: a.plus(a.times(a.v(self.momentum), a.v(before["momentum_buffer"])), a.Frac(a.v(g), a.v(den))),
                     self.momentum * before["momentum_buffer"] + g / den)
        state["momentum_buffer"] = buf
        new = w.line(lambda: w.own("next"), lambda: a.minus(w.own(), a.times(a.ETA, w.symbol("b'"))),
                     lambda: a.minus(a.v(p), a.times(a.v(self.learning_rate), a.v(buf))), p - self.learning_rate * buf)
        return new, state

    def _square_avg(self, s: Num, g: Num) -> Num:
        """s' = ρs + (1 − ρ)g̃², or what a slip makes of it."""
        if self.slip == "no_decay":
            return s + g * g
        if self.slip == "no_one_minus":
            return self.alpha * s + g * g
        return self.alpha * s + (1 - self.alpha) * self.squared(g)

    def slip_notes(self) -> tuple[tuple[str, str], ...]:
        return (("eps_inside", "ε inside the square root: √(s' + ε) instead of √s' + ε"),
                ("abs", "the gradient not squared: s' = ρs + (1 − ρ)·abs(g̃) instead of ρs + (1 − ρ)g̃²"),
                ("no_decay", "the squared gradients summed without the decay ρ: s' = s + g̃² (Adagrad's sum) instead "
                 "of the running mean s' = ρs + (1 − ρ)g̃²"),
                ("no_one_minus", "the factor (1 − ρ) left out: s' = ρs + g̃² instead of ρs + (1 − ρ)g̃²"))

    def _spec_extra(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "eps": self.eps, "momentum": self.momentum, "centered": self.centered,
                "weight_decay": self.weight_decay}
