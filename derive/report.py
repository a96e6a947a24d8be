"""The strings of a check report (templates/check.j2): per field its verdicts, values and, for a wrong cell,
its worked step. SymPy (printing.py, steps.py) is imported only for a worked step: a report of correct fields,
and every network report (which shows values, not steps), prints without it."""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from .model import values
from .numerals import BLANK, matrix, number
from .problem import Problem
from .style import Style
from .templating import environment

if TYPE_CHECKING:
    from .derivation import Derivation
    from .steps import IterationWork


def report_text(view: dict[str, Any]) -> str:
    """A check report in Markdown from the strings of a check_view."""
    return environment().get_template("check.j2").render(view)


def check_view(report: Any, derivation: "Derivation", spec_name: str, submission_name: str) -> dict[str, Any]:
    """The strings of a marking report: a summary per field, then each wrong field worked out."""
    p, style = derivation.problem, derivation.style
    # Every step, to show the right ones; a caller marking many submissions passes a full one, built once.
    full = derivation if derivation.detail == "full" else type(derivation)(p, derivation.iterations, "full", style)
    fields = []
    for f in report.fields:
        flat_verdicts = values(f.cells)
        wrong = [i for i, v in enumerate(flat_verdicts) if v != "correct"]
        # Worked steps (SymPy) only for a field with a cell to put right that the report details (check.j2
        # details every field not correct; mark's field of right cells and empty ones is correct):
        # marking a class pays for them only where a student needs them.
        detailed = f.verdict != "correct"
        equations = _equations_for(p, full.steps[f.iteration - 1], f.field) if wrong and detailed else []
        fields.append({
            "name": f.name,
            "verdict": f.verdict,
            "note": f.note,
            "table": verdict_table(f.cells),
            "submitted": as_math(f.submitted, style),
            "expected": as_math(f.expected, style),
            "worked": _worked(equations, wrong, style),
            "counts": {v: flat_verdicts.count(v) for v in dict.fromkeys(flat_verdicts)},
        })
    return {"title": f"Check of {submission_name}", "spec": spec_name, "score": f"{report.score:.4g}",
            "percent": f"{100 * report.score:.1f}", "fields": fields}


def verdict_table(cells: Any) -> dict[str, Any] | None:
    """A table of verdicts: a header of column indices, rows labelled with their leading indices."""
    if not isinstance(cells, list):
        return None
    rows = list(_labelled_rows(cells if isinstance(cells[0], list) else [cells], ""))
    return {"header": ["", *(str(k) for k in range(len(rows[0][1])))], "rows": [[label, *row] for label, row in rows]}


def _labelled_rows(cells: list, prefix: str):
    for k, row in enumerate(cells):
        if isinstance(row[0], list):
            yield from _labelled_rows(row, f"{prefix}[{k}]")
        else:
            yield f"{prefix}[{k}]", row


def as_math(value: Any, style: Style) -> str:
    """A submitted or expected value as LaTeX: a number, a matrix, or a stack of matrices side by side."""
    value = _decimal(value)
    if value is None:  # unanswered
        return BLANK.text
    if not isinstance(value, list):
        return number(value, style.precision, style.fractions).text
    if not isinstance(value[0], list):
        value = [value]
    if isinstance(value[0][0], list):  # a stack of matrices: show them side by side
        return r",\ ".join(as_math(v, style) for v in value)
    return matrix(value, style)[0]


def _decimal(value: Any) -> Any:
    """JSON floats as the shortest decimal that reads as them (1.3, not 1.3000)."""
    if isinstance(value, list):
        return [_decimal(v) for v in value]
    return Fraction(repr(value)) if isinstance(value, float) else value


def _equations_for(p: Problem, w: "IterationWork", field: str) -> list:
    """The worked equations of a field, in the order of its flattened cells."""
    if field == "prediction":
        field = "pooling" if p.pooling else "activation" if p.activation != "none" else "feature_map"
    table = {
        "feature_map": [c.equation for c in w.cells],
        "activation": [pair[0] for pair in w.activation],
        "pooling": list(w.pooling),
        "loss": [w.loss],
        "grad_kernel": list(w.grad_kernel),
        "grad_bias": list(w.grad_bias),
        "grad_input": list(w.grad_input),
        "velocity": list(w.velocities),
        "velocity_bias": list(w.bias_velocities),
        "kernel_next": list(w.updates),
        "bias_next": list(w.bias_updates),
    }
    return table.get(field, [])


def _worked(equations: Sequence[Any], wrong: list[int], style: Style) -> list[str]:
    """The worked steps of a field's wrong cells, printed (printing.py and SymPy: imported only here)."""
    if not equations:
        return []
    from . import printing

    return [printing.equation(equations[i], style) for i in wrong if i < len(equations)]
