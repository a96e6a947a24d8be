"""The Derivation: a solved problem as plain data, with its renderings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .problem import Problem
from .steps import IterationWork

DETAILS = ("full", "summary")
DEFAULT_PRECISION = 4


@dataclass(frozen=True)
class Derivation:
    """Every step of the worked solution, with exact values, ready to render."""

    problem: Problem
    iterations: tuple[IterationWork, ...]
    detail: str
    precision: int = DEFAULT_PRECISION

    def to_markdown(self) -> str:
        """The worked solution as Markdown with $$ math."""
        from .render import render

        return render(self, "markdown")

    def to_latex(self) -> str:
        """The worked solution as a standalone LaTeX document."""
        from .render import render

        return render(self, "latex")

    def answers(self) -> dict[str, Any]:
        """The answer key: {"problem": normalized spec, "iterations": [...]}."""
        from .answers import answer_key

        return answer_key(self.problem, [w.values for w in self.iterations])

    def to_json(self) -> str:
        """The answer key as JSON text (what `derive solve --format json` prints)."""
        from .answers import dumps

        return dumps(self.answers()) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
