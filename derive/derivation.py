"""The Derivation: a solved problem as plain data, with its renderings."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Sequence

from .model import Iteration
from .printing import Style
from .problem import Problem
from .steps import IterationWork, work_iteration

DETAILS = ("full", "summary")
DEFAULT_PRECISION = 4


@dataclass(frozen=True)
class Derivation:
    """Every step of the worked solution, with exact values, ready to render."""

    problem: Problem
    iterations: tuple[Iteration, ...]  # every value, exact
    detail: str
    style: Style = Style()

    @property
    def precision(self) -> int:
        """Decimals shown for numbers that do not terminate."""
        return self.style.precision

    @cached_property
    def steps(self) -> tuple[IterationWork, ...]:
        """The worked equations, built on first use (the answer key does not need them)."""
        return tuple(work_iteration(self.problem, k + 1, it, self.detail) for k, it in enumerate(self.iterations))

    @cached_property
    def _view(self) -> dict[str, Any]:
        # Every string the templates show, printed once for all output formats.
        from .render import view

        return view(self)

    def to_markdown(self) -> str:
        """The worked solution as Markdown with $$ math."""
        from .render import render

        return render(self._view, "markdown")

    def to_latex(self) -> str:
        """The worked solution as a standalone LaTeX document."""
        from .render import render

        return render(self._view, "latex")

    def problem_sheet(self, fmt: str = "markdown", ask: Sequence[str] = ("prediction", "loss", "grad_kernel", "kernel_next"),
                      with_tasks: bool = True) -> str:
        """The problem without its answers, asking for the fields in `ask` (markdown, latex or html)."""
        from .render import render, tasks

        return render(self._view, fmt, "problem.j2", tasks=tasks(self.problem, tuple(ask), self.style) if with_tasks else [])

    def to_html_fragment(self) -> str:
        """The worked solution as HTML body markup with MathJax delimiters (for an LMS)."""
        from .render import render

        return render(self._view, "html")

    def answers(self) -> dict[str, Any]:
        """The answer key: {"problem": normalized spec, "iterations": [...]}."""
        from .answers import answer_key

        return answer_key(self.problem, self.iterations)

    def to_json(self) -> str:
        """The answer key as JSON text (what `derive solve --format json` prints)."""
        from .answers import dumps

        return dumps(self.answers()) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
