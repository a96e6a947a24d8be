"""The NetworkDerivation: a solved `layers:` problem as plain data, with its renderings (the
network counterpart of derive.derivation.Derivation, with the same methods)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

from ..style import Style
from .model import NetIteration
from .spec import Network

if TYPE_CHECKING:
    from ..check import Report, Settings

TEMPLATE = "network.j2"


@dataclass(frozen=True)
class NetworkDerivation:
    """Every value of a network's training steps, ready to render."""

    network: Network
    iterations: tuple[NetIteration, ...]
    detail: str
    style: Style = Style()
    templates: str | None = None
    kind: ClassVar[str] = "network"

    @property
    def precision(self) -> int:
        """Decimals shown for numbers that do not terminate."""
        return self.style.precision

    @cached_property
    def _view(self) -> dict[str, Any]:
        from .view import network_view

        return network_view(self)

    def _render(self, fmt: str, figures: bool) -> str:
        from ..render import render

        return render(self._view, fmt, TEMPLATE, templates=self.templates, figures=self._figure_view(figures))

    @cached_property
    def _figures(self) -> list:
        from .figures import make_figures

        return make_figures(self)

    def _figure_view(self, wanted: bool) -> dict[str, list[dict[str, str]]] | None:
        if not wanted:
            return None
        from ..figures import places  # only a document with figures imports the figures module

        return places(self._figures)

    def to_markdown(self, figures: bool = False) -> str:
        """The worked solution as Markdown with $$ math."""
        return self._render("markdown", figures)

    def to_latex(self, figures: bool = False) -> str:
        """The worked solution as a standalone LaTeX document."""
        return self._render("latex", figures)

    def to_html(self, figures: bool = False, interactive: bool = True) -> str:
        """The worked solution as one self-contained HTML page (MathML); when `interactive`, a click
        on a value marks what it was made of (derive solve's --static leaves the script out)."""
        from ..render import explorable, render

        if not interactive:
            return self._render("html", figures)
        from ..refs import shown
        from .refs import blob

        page = render(self._html_view, "html", TEMPLATE, templates=self.templates, figures=self._figure_view(figures))
        return explorable(page, blob(self.network, self.iterations, shown(page)), self.templates)

    @cached_property
    def _html_view(self) -> dict[str, Any]:
        # The same strings with each value's ref, which only the interactive page carries.
        from .view import network_view

        return network_view(self, refs=True)

    def to_lms(self) -> str:
        """The worked solution as an HTML fragment for Moodle or Canvas (MathJax delimiters)."""
        from ..render import render

        return render(self._view, "lms", TEMPLATE, templates=self.templates)

    def to_pdf(self, figures: bool = False) -> bytes:
        """The LaTeX solution compiled with pdflatex."""
        from ..pdf import compile_pdf

        return compile_pdf(self.to_latex(figures), self.figures() if figures else None)

    def figures(self) -> dict[str, bytes]:
        """The figure files, by path: figures/<name>.png and .svg (network.png, layer1.png, …, loss.png)."""
        return {f"figures/{f.name}.{ext}": data for f in self._figures for ext, data in f.files.items()}

    def problem_sheet(self, fmt: str = "markdown", ask: Sequence[str] | None = None, with_tasks: bool = True) -> str:
        """The problem without its answers, asking for the answers in `ask` (default: prediction, loss,
        every parameter's gradient and update), in markdown, latex, html or lms."""
        from .sheet import problem_sheet
        from .variants import default_ask

        return problem_sheet(self, fmt, default_ask(self.network) if ask is None else ask, with_tasks)

    def index_entry(self, key: str) -> dict[str, str]:
        """The line of `derive build`'s index: title, sizes, loss."""
        from .tensor import dims

        net = self.network
        kinds = " → ".join(layer.kind for layer in net.layers)
        return {"title": net.title or key, "loss": net.loss.key,
                "sizes": f"{dims(net.input.shape)} input, {kinds}, {dims(net.layers[-1].out_shape)} output"}

    def answers(self) -> dict[str, Any]:
        """The answer key: {"problem": normalized spec, "iterations": [...]}."""
        from .answers import answer_key

        return answer_key(self.network, self.iterations)

    def to_json(self) -> str:
        """The answer key as JSON text (what `derive solve --format json` prints)."""
        from ..answers import dumps

        return dumps(self.answers()) + "\n"

    def answer_rows(self) -> list[dict[str, Any]]:
        """The answer key's iterations, one {field: value} each, a layer's fields named `layers[J].FIELD`
        as answers.csv and check's reports name them."""
        from .check import key_fields

        return [key_fields(row) for row in self.answers()["iterations"]]

    def answer_fields(self) -> tuple[str, ...]:
        """This network's answer fields (network/fields.py's table, per layer `layers[J].FIELD`), in answers.json's order."""
        return tuple(self.answer_rows()[0])

    def read_submission(self, data: Any) -> list[dict[str, Any]]:
        """A submission validated against the answer key: one {field: numbers} per iteration."""
        from .check import read_submission

        return read_submission(data, self)

    def check(self, submission: list[dict[str, Any]], settings: "Settings | None" = None) -> "Report":
        """Every submitted cell marked by the network's own model (network/check.py)."""
        from ..check import Settings
        from .check import check

        return check(self, submission, settings or Settings())

    def check_view(self, report: "Report", spec_name: str, submission_name: str) -> dict[str, Any]:
        """check.j2's strings for a report on this network."""
        from .check import check_view

        return check_view(report, self, spec_name, submission_name)

    def warnings(self) -> tuple[str, ...]:
        """What a teacher should know before handing the problem out (a max-pooling tie, a rising loss)."""
        from ..pipeline import network_warnings

        return network_warnings(self)

    def for_marking(self) -> "NetworkDerivation":
        """Itself: a network's detail changes neither its answers nor its check report."""
        return self

    def _repr_html_(self) -> str:
        return self.to_html(interactive=False)  # a notebook cell shows the static page, as a flat problem's

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
