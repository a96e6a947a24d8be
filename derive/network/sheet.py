"""A network's problem sheet (statement, data, tasks, no answers) and the symbols of its answer
cells, for the sheet's tasks and the LMS blanks."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from .algebra import relabel, velocity_label
from .symbols import layer_symbols

if TYPE_CHECKING:
    from .derivation import NetworkDerivation

TEMPLATE = "network_problem.j2"


def _layer_label(d: NetworkDerivation, name: str) -> tuple[str, str, str]:
    """(words, label, how it is shown: 'plain' or 'partial') of a per-layer answer name."""
    head, field = name.split(".", 1)
    j = int(head[7:-1])
    layer, s = d.network.layers[j], layer_symbols(d.network)[j]
    where = f"layer {j + 1} ({layer.title})"
    if field == "output":
        return f"the output of {where}", s.out, "plain"
    if field == "grad_output":
        return f"the gradient of the loss with respect to the output of {where}", s.out, "partial"
    if field.startswith("grad_"):
        param = field[5:]
        return f"the gradient of the loss with respect to the {param} of {where}", s.param(param), "partial"
    if field.startswith("velocity_"):
        param = field[9:]
        return f"the momentum velocity of the {param} of {where} after the step", velocity_label(s.param(param), "next"), "plain"
    param = field[:-5]
    return f"the updated {param} of {where}", relabel(s.param(param), "next"), "plain"


def _describe(d: NetworkDerivation, name: str) -> tuple[str, str, str]:
    from .answers import flat_names

    name = dict(flat_names(d.network)).get(name, name)  # a flat spec's kernel_next is layers[0].kernel_next
    syms = layer_symbols(d.network)
    top = {
        "prediction": ("the network's prediction", syms[-1].out, "plain"),
        "loss": ("the loss", "", "L"),
        "loss_next": ("the loss with the updated parameters", "", "Lnext"),
        "grad_input": ("the gradient of the loss with respect to the input", "|x|", "partial"),
    }
    return top[name] if name in top else _layer_label(d, name)


def symbol(d: NetworkDerivation, name: str, index: Sequence[int] = ()) -> str:
    """The LaTeX of answer `name` (at cell `index`): W^{(1)}_{01}, ∂L/∂W^{(1)}_{01}, L."""
    from ..printing import network_names, network_symbol, partial

    names = network_names(d.style)
    _, label, shown = _describe(d, name)
    if shown in ("L", "Lnext"):
        return names[shown]
    text = network_symbol(label, names, tuple(index))
    return partial(text, names["L"]) if shown == "partial" else text


def tasks(d: NetworkDerivation, ask: Sequence[str]) -> list[dict[str, str]]:
    """What the sheet asks for, in words and symbols (as render.tasks for the flat path)."""
    return [{"text": _describe(d, name)[0].capitalize() + ":", "symbol": symbol(d, name)} for name in ask]


def problem_sheet(d: NetworkDerivation, fmt: str, ask: Sequence[str], with_tasks: bool = True) -> str:
    """The problem without its answers (markdown, latex, html, or lms)."""
    from ..render import render

    view: dict[str, Any] = dict(d._view)
    return render(view, fmt, TEMPLATE, templates=d.templates, tasks=tasks(d, ask) if with_tasks else [],
                  figures=None)
