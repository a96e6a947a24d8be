"""Adam, PyTorch's rule (torch.optim.Adam, amsgrad off): m and v with bias correction, ε outside the root."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gmpy2 import mpq

from ...exact import Num
from .stateful import Stateful, Work, lerp


@dataclass(frozen=True)
class Adam(Stateful):
    """g̃ = g + λθ; m' = β₁m + (1−β₁)g̃; v' = β₂v + (1−β₂)g̃²; m̂ = m'/(1−β₁ᵗ); v̂ = v'/(1−β₂ᵗ); θ' = θ − ηm̂/(√v̂ + ε)."""

    beta1: Num = mpq(9, 10)
    beta2: Num = mpq(999, 1000)
    eps: Num = mpq(1, 10**8)
    kind: ClassVar[str] = "adam"
    state_names: ClassVar[tuple[str, ...]] = ("exp_avg", "exp_avg_sq")

    def words(self) -> str:
        return "Adam (PyTorch's rule: moments starting at 0, bias-corrected, eps added outside the square root)"

    def decay_rule(self) -> str:
        """The weight-decay part of the rule (L2: added to the gradient)."""
        return (r"\tilde{g} = \frac{\partial L}{\partial \theta} + \lambda \theta" if self.weight_decay != 0
                else r"\tilde{g} = \frac{\partial L}{\partial \theta}")

    def one_line_rule(self, s: Mapping[str, str]) -> str:
        return (self.decay_rule() + r", \qquad m' = \beta_{1} m + (1 - \beta_{1}) \tilde{g}, \qquad "
                r"v' = \beta_{2} v + (1 - \beta_{2}) \tilde{g}^{2}, \qquad "
                r"\hat{m} = \frac{m'}{1 - \beta_{1}^{t}}, \qquad \hat{v} = \frac{v'}{1 - \beta_{2}^{t}}, \qquad "
                rf"\theta' = {self.start_symbol()} - \eta \frac{{\hat{{m}}}}{{\sqrt{{\hat{{v}}}} + \epsilon}}")

    def start_symbol(self) -> str:
        """What the step is taken from (θ; AdamW's decayed θ̃)."""
        return r"\theta"

    def start(self, w: Work, p: Num) -> tuple[Num, Any]:
        """The value the step starts from (θ itself for Adam)."""
        return p, w.own()

    def gradient(self, w: Work, p: Num, g: Num) -> tuple[Num, Any]:
        """The gradient the moments see (Adam: with L2 weight decay added)."""
        return self.decayed(w, p, g)

    def settings(self) -> tuple[tuple[str, Num], ...]:
        return ((r"\beta_{1}", self.beta1), (r"\beta_{2}", self.beta2), (r"\epsilon", self.eps)) + super().settings()

    def work(self, w: Work, p: Num, g: Num, before: Mapping[str, Num], t: int) -> tuple[Num, dict[str, Num]]:
        a = w.algebra  # worked.py when the lines are shown, else None (and no lambda runs)
        start, start_sym = self.start(w, p)
        g, g_sym = self.gradient(w, p, g)
        m = lerp(w, "m", before["exp_avg"], self.beta1, w.lazy(lambda: a.B1), g, g_sym)
        vv = w.line(lambda: w.symbol("v'"),
                    lambda: a.plus(a.times(a.B2, w.symbol("v")), a.times(a.minus(a.Integer(1), a.B2), a.square(g_sym))),
                    lambda: a.plus(a.times(a.v(self.beta2), a.v(before["exp_avg_sq"])),
                                   a.times(a.v(1 - self.beta2), a.square(a.v(g)))),
                    self.beta2 * before["exp_avg_sq"] + (1 - self.beta2) * self.squared(g))
        c1, c2 = (1 - self.beta1 ** t, 1 - self.beta2 ** t) if self.slip != "no_bias_correction" else (mpq(1), mpq(1))
        m_hat = w.line(lambda: w.symbol(r"\hat{m}"),
                       lambda: a.Frac(w.symbol("m'"), a.minus(a.Integer(1), a.Pow(a.B1, a.T, evaluate=False))),
                       lambda: a.Frac(a.v(m), a.minus(a.Integer(1), a.Pow(a.v(self.beta1), a.Integer(t), evaluate=False))),
                       m / c1)
        v_hat = w.line(lambda: w.symbol(r"\hat{v}"),
                       lambda: a.Frac(w.symbol("v'"), a.minus(a.Integer(1), a.Pow(a.B2, a.T, evaluate=False))),
                       lambda: a.Frac(a.v(vv), a.minus(a.Integer(1), a.Pow(a.v(self.beta2), a.Integer(t), evaluate=False))),
                       vv / c2)
        den, den_sym = self.root(w, r"\hat{d}", v_hat, w.symbol(r"\hat{v}"), self.eps)
        new = self.descend(w, start, start_sym, self.learning_rate, w.lazy(lambda: a.ETA), m_hat, w.symbol(r"\hat{m}"),
                           den, den_sym)
        return new, {"exp_avg": m, "exp_avg_sq": vv}

    def slip_notes(self) -> tuple[tuple[str, str], ...]:
        return (("no_bias_correction", "Adam without bias correction: m' and v' used where m̂ = m'/(1 − β₁ᵗ) and "
                 "v̂ = v'/(1 − β₂ᵗ) belong"),
                ("eps_inside", "ε inside the square root: √(v̂ + ε) instead of √v̂ + ε"),
                ("abs", "the gradient not squared in v: v' = β₂v + (1 − β₂)·abs(g̃) instead of β₂v + (1 − β₂)g̃²"))

    def slips(self) -> tuple[tuple[Stateful, str], ...]:
        swapped = ((self.swapped_decay(), self.swapped_note()),) if self.weight_decay != 0 else ()
        return super().slips() + swapped

    def swapped_decay(self) -> Stateful:
        """The rule with the other kind of weight decay (Adam's L2 ↔ AdamW's decoupled)."""
        from .adamw import AdamW

        return AdamW(self.learning_rate, weight_decay=self.weight_decay, beta1=self.beta1, beta2=self.beta2, eps=self.eps)

    def swapped_note(self) -> str:
        """check's note for the weight decay of the other rule."""
        return ("weight decay applied to the parameter, θ(1 − ηλ) (AdamW), instead of added to the gradient, "
                "g + λθ (Adam)")

    def _spec_extra(self) -> dict[str, Any]:
        return {"betas": (self.beta1, self.beta2), "eps": self.eps, "weight_decay": self.weight_decay}

