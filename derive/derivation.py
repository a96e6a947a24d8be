"""The Derivation: a solved problem as plain data, with its renderings."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Sequence

from .model import Iteration, weights
from .problem import Problem, dims
from .style import Style

if TYPE_CHECKING:
    from .check import Report, Settings
    from .steps import IterationWork

# SymPy (steps, printing), Jinja2 (render) and matplotlib (figures) are imported inside the methods
# that need them: the answer key and marking use only the exact values and start faster without them.

DETAILS = ("full", "summary")
DEFAULT_PRECISION = 4
FULL_DETAIL_LIMIT = 400  # products in one forward pass; above it the default is "summary"


def default_detail(problem: Problem) -> str:
    """"full" for problems small enough to write every term, else "summary"."""
    oh, ow = problem.conv_shape
    size = problem.filters * oh * ow * len(weights(problem)) // problem.filters
    return "full" if size <= FULL_DETAIL_LIMIT else "summary"


class Solved(Protocol):
    """What the commands (solve, check, mark, build) ask of a solved problem, flat (Derivation) or a
    network (network/derivation.py's NetworkDerivation), without asking which one they hold."""

    kind: ClassVar[str]  # "flat" or "network": for messages and tests, never to pick code paths

    def to_markdown(self, figures: bool = False) -> str: ...
    def to_latex(self, figures: bool = False) -> str: ...
    def to_html(self, figures: bool = False, interactive: bool = True) -> str: ...
    def to_pdf(self, figures: bool = False) -> bytes: ...
    def to_lms(self) -> str: ...
    def problem_sheet(self, fmt: str = ..., ask: Sequence[str] = ..., with_tasks: bool = ...) -> str: ...
    def to_json(self) -> str: ...
    def figures(self) -> dict[str, bytes]: ...
    def answers(self) -> dict[str, Any]: ...
    def answer_rows(self) -> list[dict[str, Any]]: ...
    def answer_fields(self) -> tuple[str, ...]: ...
    def read_submission(self, data: Any) -> list[dict[str, Any]]: ...
    def check(self, submission: list[dict[str, Any]], settings: "Settings") -> "Report": ...
    def check_view(self, report: "Report", spec_name: str, submission_name: str) -> dict[str, Any]: ...
    def warnings(self) -> tuple[str, ...]: ...
    def index_entry(self, key: str) -> dict[str, str]: ...
    def for_marking(self) -> "Solved": ...


@dataclass(frozen=True)
class Derivation:
    """Every step of the worked solution, with exact values, ready to render."""

    problem: Problem
    iterations: tuple[Iteration, ...]  # every value, exact
    detail: str
    style: Style = Style()
    templates: str | None = None  # a folder of user templates that override derive's, by name
    kind: ClassVar[str] = "flat"

    @property
    def precision(self) -> int:
        """Decimals shown for numbers that do not terminate."""
        return self.style.precision

    @cached_property
    def steps(self) -> tuple["IterationWork", ...]:
        """The worked equations, built on first use (the answer key does not need them)."""
        from .steps import work_iteration

        return tuple(work_iteration(self.problem, k + 1, it, self.detail, self.precision) for k, it in enumerate(self.iterations))

    @cached_property
    def _view(self) -> dict[str, Any]:
        # Every string the templates show, printed once for all output formats.
        from .render import view

        return view(self)

    def to_markdown(self, figures: bool = False) -> str:
        """The worked solution as Markdown with $$ math (linking figures/*.png when `figures`)."""
        from .render import render

        return render(self._view, "markdown", templates=self.templates, figures=self._figure_view(figures))

    def to_latex(self, figures: bool = False) -> str:
        """The worked solution as a standalone LaTeX document (including figures/*.png when `figures`)."""
        from .render import render

        return render(self._view, "latex", templates=self.templates, figures=self._figure_view(figures))

    @cached_property
    def _figures(self) -> list:
        from .figures import make_figures

        return make_figures(self)

    def figures(self) -> dict[str, bytes]:
        """The figure files, by path: figures/<name>.png and .svg."""
        return {f"figures/{f.name}.{ext}": data for f in self._figures for ext, data in f.files.items()}

    def _figure_view(self, wanted: bool) -> dict[str, list[dict[str, str]]] | None:
        if not wanted:
            return None
        import base64

        places: dict[str, list[dict[str, str]]] = {}
        for f in self._figures:
            uri = "data:image/png;base64," + base64.b64encode(f.files["png"]).decode("ascii")
            places.setdefault(f.place, []).append({"path": f"figures/{f.name}.png", "uri": uri, "caption": f.caption})
        return places

    def problem_sheet(self, fmt: str = "markdown", ask: Sequence[str] = ("prediction", "loss", "grad_kernel", "kernel_next"),
                      with_tasks: bool = True) -> str:
        """The problem without its answers, asking for the fields in `ask` (markdown, latex, html, or lms:
        HTML with MathJax delimiters for a learning-management system)."""
        from .render import render, tasks

        asked = tasks(self.problem, tuple(ask), self.style) if with_tasks else []
        return render(self._view, fmt, "problem.j2", templates=self.templates, tasks=asked,
                      figures=None)

    def to_html(self, figures: bool = False, interactive: bool = True) -> str:
        """The worked solution as one self-contained HTML page: math as MathML, figures embedded;
        when `interactive`, a click on a value marks what it was made of (no script without it)."""
        from .render import explorable, render

        if not interactive:
            return render(self._view, "html", templates=self.templates, figures=self._figure_view(figures))
        from .refs import blob, shown

        page = render(self._html_view, "html", templates=self.templates, figures=self._figure_view(figures))
        return explorable(page, blob(self.problem, self.iterations, shown(page)), self.templates)

    @cached_property
    def _html_view(self) -> dict[str, Any]:
        # The same strings with each value's ref, which only the interactive page carries.
        from .refs import annotate_view

        return annotate_view(self._view, self.problem, self.style)

    def to_lms(self) -> str:
        """The worked solution as an HTML fragment for Moodle or Canvas (MathJax delimiters)."""
        from .render import render

        return render(self._view, "lms", templates=self.templates)

    def to_pdf(self, figures: bool = False) -> bytes:
        """The LaTeX solution compiled with pdflatex (which must be installed)."""
        from .pdf import compile_pdf

        return compile_pdf(self.to_latex(figures), self.figures() if figures else None)

    def _repr_html_(self) -> str:
        # A notebook shows the page inside its own: no fixed navigator bar over the notebook.
        return self.to_html(interactive=False)

    @cached_property
    def _answer_key(self) -> dict[str, Any]:
        from .answers import answer_key

        return answer_key(self.problem, self.iterations)

    def answers(self) -> dict[str, Any]:
        """The answer key: {"problem": normalized spec, "iterations": [...]} (a fresh copy: yours to change)."""
        # Built once: marking a class reads one variant's key for every student.
        return _copy(self._answer_key)

    def to_json(self) -> str:
        """The answer key as JSON text (what `derive solve --format json` prints)."""
        from .answers import dumps

        return dumps(self.answers()) + "\n"

    def answer_rows(self) -> list[dict[str, Any]]:
        """The answer key's iterations, one {field: value} each, named as check and answers.csv name them."""
        return self.answers()["iterations"]

    def answer_fields(self) -> tuple[str, ...]:
        """This problem's answer fields (derive/fields.py's table, less what the problem lacks), in answers.json's order."""
        from .fields import present

        return tuple(f.name for f in present(self.problem))

    def read_submission(self, data: Any) -> list[dict[str, Any]]:
        """A submission (a file's mapping) validated against the answer key: one {field: numbers} per iteration."""
        from .check import read_submission

        return read_submission(data, self)

    def check(self, submission: list[dict[str, Any]], settings: "Settings | None" = None) -> "Report":
        """Every submitted cell marked, with its diagnosis (derive check)."""
        from .check import Settings, check

        return check(self, submission, settings or Settings())

    def check_view(self, report: "Report", spec_name: str, submission_name: str) -> dict[str, Any]:
        """check.j2's strings for a report on this problem."""
        from .report import check_view

        return check_view(report, self, spec_name, submission_name)

    def warnings(self) -> tuple[str, ...]:
        """What a teacher should know before handing the problem out, one line each (a pooling tie, a rising loss)."""
        from .pipeline import flat_warnings

        return flat_warnings(self.problem, self.iterations, self.style)

    def index_entry(self, key: str) -> dict[str, str]:
        """The line of `derive build`'s index: title, sizes, loss."""
        p = self.problem
        image = (() if p.rank2 else (p.channels,)) + (len(p.input[0]), len(p.input[0][0]))
        return {"title": p.title or key,
                "sizes": f"{dims(image)} input, {dims((p.filters,) + p.kernel_size)} kernel, {dims(p.output_shape)} output",
                "loss": p.loss}

    def for_marking(self) -> "Derivation":
        """The same problem with every step written, as a marking report shows the right steps."""
        return self if self.detail == "full" else Derivation(self.problem, self.iterations, "full", self.style)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def _copy(value: Any) -> Any:
    """A copy of JSON-shaped data (dicts and lists of numbers and strings), faster than deepcopy."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
