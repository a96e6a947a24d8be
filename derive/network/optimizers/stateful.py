"""What the adaptive optimizers share: per-value state (under torch.optim's names) carried from one
iteration to the next, each update worked out as lines `symbol = formula = numbers = value`."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import gmpy2
from gmpy2 import mpfr, mpq

from ...exact import Num, is_exact
from ..tensor import Tensor
from .base import Optimizer

if TYPE_CHECKING:  # SymPy is imported (worked.py) only where a document's lines are built
    from sympy import Expr

    from ...printing import Equation

# torch.optim's state names and the document's symbols for them
STATE_SYMBOLS = {"exp_avg": "m", "exp_avg_sq": "v", "square_avg": "s", "sum": "G", "momentum_buffer": "b",
                 "grad_avg": r"\bar{g}"}


def sqrt(value: Num) -> Num:
    """√value: exact when value is the square of a rational, else at the model's precision (≈ from there)."""
    if is_exact(value):
        n, d = int(value.numerator), int(value.denominator)
        if n >= 0 and gmpy2.is_square(n) and gmpy2.is_square(d):
            return mpq(int(gmpy2.isqrt(n)), int(gmpy2.isqrt(d)))
        return gmpy2.sqrt(mpfr(value))
    return gmpy2.sqrt(value)


@dataclass(frozen=True)
class Line:
    """One worked step: lhs = symbolic = substituted (= simplified) = value."""

    lhs: Expr
    sides: tuple[Expr, ...]


class Work:
    """The lines of one value's update, in the order PyTorch computes them, and the numbers.

    Unshown (an answer key, a check, the model), its symbols are None and no line is built, so the
    rule steps without SymPy; shown, `algebra` is worked.py, the lines' symbols and builders."""

    def __init__(self, param: str, index: tuple[int, ...], show: bool):
        self.param, self.index, self.show = param, index, show
        self.lines: list[Line] = []
        self.algebra: Any = None
        if show:
            from . import worked

            self.algebra = worked

    def lazy(self, build: Callable[[], Expr]) -> Expr:
        """build() when the document shows the lines, else None."""
        return build() if self.show else None

    def symbol(self, name: str) -> Expr:
        """The state symbol `name` (a LaTeX head such as m' or \\hat{m}) of this value (None unshown)."""
        _, base, tag = self.param.split("|")
        return self.lazy(lambda: self.algebra.sym(f"state:{name}|{base}|{tag}", self.index))

    def own(self, kind: str = "") -> Expr:
        """The parameter itself (kind '') or after the step ('next'); None unshown."""
        return self.lazy(lambda: self.algebra.sym(self.algebra.relabel(self.param, kind) if kind else self.param, self.index))

    def line(self, lhs: Callable[[], Expr], symbolic: Callable[[], Expr], numbers: Callable[[], Expr],
             value: Num) -> Num:
        """Record a line (built only when the document shows it) and return its value."""
        if self.show:
            self.lines.append(Line(lhs(), (symbolic(), numbers(), self.algebra.v(value))))
        return value


@dataclass(frozen=True)
class Stateful(Optimizer):
    """An optimizer whose state per value is several numbers (torch.optim's `state[p]`)."""

    weight_decay: Num = mpq(0)
    # A classic slip this rule is computed with, for check to name (never from a spec): "eps_inside" (√(s + ε)),
    # "abs" (|g̃| where g̃² belongs), "no_bias_correction" (Adam), "no_decay", "no_one_minus" (RMSprop), "no_sum" (Adagrad).
    slip: str = ""
    state_names: ClassVar[tuple[str, ...]] = ()

    @property
    def stateful(self) -> bool:
        return True

    def names(self) -> tuple[str, ...]:
        """The state this configuration keeps (torch's names)."""
        return self.state_names

    def one_line_rule(self, s: Mapping[str, str]) -> str:
        """The rule's equations, separated by `, \\qquad `."""
        raise NotImplementedError

    def rule(self, s: Mapping[str, str]) -> str:
        """The rule one equation a line, aligned on = (on one line it is wider than the page)."""
        lines = self.one_line_rule(s).split(r", \qquad ")
        return r"\begin{aligned}" + r" \\ ".join(line.replace(" = ", " &= ", 1) for line in lines) + r"\end{aligned}"

    def settings(self) -> tuple[tuple[str, Num], ...]:
        """The rule's constants for the given data: (LaTeX symbol, value)."""
        return ((r"\lambda", self.weight_decay),) if self.weight_decay != 0 else ()

    def slips(self) -> tuple[tuple[Stateful, str], ...]:
        """The same rule with each classic slip, and check's note naming it (worded for the student)."""
        from dataclasses import replace

        return tuple((replace(self, slip=slip), note) for slip, note in self.slip_notes())

    def slip_notes(self) -> tuple[tuple[str, str], ...]:
        """(slip, note) for each classic slip of this rule."""
        return ()

    def squared(self, g: Num) -> Num:
        """g̃², or |g̃| for the slip of forgetting the square."""
        return abs(g) if self.slip == "abs" else g * g

    def root(self, w: Work, name: str, value: Num, value_sym: Expr, eps: Num) -> tuple[Num, Expr]:
        """√value + ε, worked (or the slip √(value + ε))."""
        return root_plus_eps(w, name, value, value_sym, eps, self.slip == "eps_inside")

    def initial(self) -> Num:
        """The state's starting value (0; Adagrad's initial_accumulator_value)."""
        return mpq(0)

    def work(self, w: Work, p: Num, g: Num, before: Mapping[str, Num], t: int) -> tuple[Num, dict[str, Num]]:
        """(the updated value, its state after the step), the lines written into `w`."""
        raise NotImplementedError

    def update(self, param: Tensor, grad: Tensor, state: Mapping[str, Tensor], t: int) -> tuple[Tensor, dict[str, Tensor]]:
        """The parameter after step t (1, 2, …) and its state after it."""
        nexts: list[Num] = []
        after: dict[str, list[Num]] = {name: [] for name in self.names()}
        for k, (p, g) in enumerate(zip(param.data, grad.data)):
            new, st = self.work(Work("|P|", (), False), p, g, {n: s.data[k] for n, s in state.items()}, t)
            nexts.append(new)
            for name in self.names():
                after[name].append(st[name])
        return (Tensor(param.shape, tuple(nexts)),
                {name: Tensor(param.shape, tuple(values)) for name, values in after.items()})

    def initial_state(self, param: Tensor) -> dict[str, Tensor]:
        """The state before the first step."""
        return {name: Tensor(param.shape, tuple(self.initial() for _ in param.data)) for name in self.names()}

    def step(self, param: Tensor, grad: Tensor, velocity: Tensor | None) -> tuple[Tensor, Tensor | None]:
        raise TypeError("a stateful optimizer steps with update(param, grad, state, t)")

    def worked(self, param: str, index: tuple[int, ...], p: Num, g: Num, before: Mapping[str, Num],
               t: int) -> tuple[Equation, ...]:
        """One value's update worked out, every state update with its numbers."""
        from ...printing import Equation

        w = Work(param, index, True)
        self.work(w, p, g, before, t)
        return tuple(Equation(line.lhs, line.sides) for line in w.lines)

    def equations(self, param: str, index: tuple[int, ...], p: Num, g: Num, v_before: Num | None,
                  v_after: Num | None, p_next: Num) -> tuple[Equation, ...]:
        raise TypeError("a stateful optimizer's equations come from worked()")

    def decayed(self, w: Work, p: Num, g: Num) -> tuple[Num, Expr]:
        """g + λθ (L2 weight decay added to the gradient, as torch.optim does), and its symbol."""
        a = w.algebra
        grad = w.lazy(lambda: a.gradient(w.own()))
        if self.weight_decay == 0:
            return g, grad
        value = w.line(lambda: w.symbol(r"\tilde{g}"), lambda: a.plus(grad, a.times(a.LAMBDA, w.own())),
                       lambda: a.plus(a.v(g), a.times(a.v(self.weight_decay), a.v(p))), g + self.weight_decay * p)
        return value, w.symbol(r"\tilde{g}")

    def descend(self, w: Work, p: Num, p_sym: Expr, rate: Num, rate_sym: Expr, num: Num, num_sym: Expr,
                den: Num, den_sym: Expr) -> Num:
        """θ' = θ − rate · num / den, worked."""
        value, a = p - rate * num / den, w.algebra
        return w.line(lambda: w.own("next"), lambda: a.minus(p_sym, a.times(rate_sym, a.Frac(num_sym, den_sym))),
                      lambda: a.minus(a.v(p), a.times(a.v(rate), a.Frac(a.v(num), a.v(den)))), value)

    def _spec_extra(self) -> dict[str, Any]:
        return {}

    def spec(self) -> Any:
        from ..answers import spec_number

        out: dict[str, Any] = {"type": self.kind}
        for key, value in self._spec_extra().items():
            out[key] = ([spec_number(x) for x in value] if isinstance(value, tuple)
                        else value if isinstance(value, bool) else spec_number(value))
        return out

    kind: ClassVar[str] = ""


def lerp(w: Work, name: str, before: Num, rate: Num, rate_sym: Expr, new: Num, new_sym: Expr) -> Num:
    """state' = ρ·state + (1 − ρ)·new (torch's lerp_ / mul_().add_()), worked."""
    value, a = rate * before + (1 - rate) * new, w.algebra
    return w.line(lambda: w.symbol(name + "'"),
                  lambda: a.plus(a.times(rate_sym, w.symbol(name)), a.times(a.minus(a.Integer(1), rate_sym), new_sym)),
                  lambda: a.plus(a.times(a.v(rate), a.v(before)), a.times(a.v(1 - rate), a.v(new))), value)


def root_plus_eps(w: Work, name: str, value: Num, value_sym: Expr, eps: Num, inside: bool = False) -> tuple[Num, Expr]:
    """√value + ε, worked (ε outside the root, as PyTorch adds it; `inside`: the slip √(value + ε), for check)."""
    if inside:
        return sqrt(value + eps), w.symbol(name)
    root, a = sqrt(value), w.algebra
    out = w.line(lambda: w.symbol(name), lambda: a.plus(a.Sqrt(value_sym), a.EPS),
                 lambda: a.plus(a.Sqrt(a.v(value)), a.v(eps)), root + eps)
    return out, w.symbol(name)


__all__ = ["Stateful", "Work", "sqrt", "lerp", "root_plus_eps", "STATE_SYMBOLS"]
