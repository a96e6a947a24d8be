"""A network variant's files, answer columns and LMS question (derive/homework.py dispatches here).

Answers are named as in `ask:` and answers.csv: `prediction`, `loss`, `layers[J].grad_weights`,
and cell by cell `layers[0].grad_weights[0][1]`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, cast

from .. import __version__
from ..answers import _flow, dumps, dumps_yaml
from ..lms import Question, blanks, qti_assessment

if TYPE_CHECKING:
    from .derivation import NetworkDerivation

DEFAULT_TITLE = "A Neural Network"


def flat_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answer key with each layer's fields named `layers[J].field`, as lms.columns and lms.blanks read them
    (an optimizer's state, a mapping of tensors per parameter, stays in answers.json: it is no answer cell).
    A flat spec's key (Adam, … on a flat spec) keeps only its flat fields: the teacher's names, one column each."""
    if "layers" not in answers.get("problem", {"layers": True}):
        return {"iterations": [{k: v for k, v in it.items() if k not in ("layers", "optimizer_state")}
                               for it in answers["iterations"]]}
    rows = []
    for it in answers["iterations"]:
        row = {k: v for k, v in it.items() if k not in ("layers", "optimizer_state")}
        for j, layer in enumerate(it["layers"]):
            row.update((f"layers[{j}].{k}", v) for k, v in layer.items() if k not in ("type", "optimizer_state"))
        rows.append(row)
    return {"iterations": rows}


def _tolerance_columns(derivation: "NetworkDerivation", precision: int) -> dict[str, Any]:
    """Each answer cell's tolerance, named as flat_answers names the cell (a flat spec's by its flat names)."""
    from dataclasses import replace

    from .answers import answer_key, flat_names
    from .tolerance import tolerances

    net = derivation.network
    # Keyed as a `layers:` network's (tolerances carry no optimizer state for a flat key to name), then renamed.
    key = flat_answers(answer_key(replace(net, flat=None), tolerances(net, derivation.iterations, precision)))
    if net.flat is None:
        return key
    names = [(name, field) for name, field in flat_names(net) if name != "optimizer_state"]
    return {"iterations": [{name: row[field] for name, field in names} for row in key["iterations"]]}


def titled(spec: dict[str, Any], index: int) -> dict[str, Any]:
    """The variant's spec with its number in the title."""
    return {**spec, "title": f"{spec.get('title') or DEFAULT_TITLE} (variant {index})"}


def problem_yaml(spec: dict[str, Any], index: int, seed: int, ask: Sequence[str]) -> str:
    """The spec that reproduces a variant (one layer a line; a flat spec's stays flat), with where it came from."""
    from .answers import normalized_spec
    from .flat_homework import normalized_flat
    from .spec import build_network
    from .variants import network_spec

    source = {"index": index, "seed": seed, "derive": __version__}
    if "layers" not in spec:  # Adam, … on a flat spec: recorded as the teacher wrote it
        return dumps_yaml({**normalized_flat(titled(spec, index)), "ask": list(ask), "variant": source})
    normal = normalized_spec(build_network(network_spec(titled(spec, index))))
    layers = normal.pop("layers")
    head: dict[str, Any] = {k: normal[k] for k in ("title", "input") if k in normal}
    tail: dict[str, Any] = {k: v for k, v in normal.items() if k not in ("title", "input")}
    text = dumps_yaml(head) + "layers:\n" + "".join(f"  - {_flow(layer)}\n" for layer in layers)
    return text + dumps_yaml({**tail, "ask": list(ask), "variant": source})


def render(spec: dict[str, Any], index: int, seed: int, ask: tuple[str, ...], precision: int, documents: bool,
           quiz_title: str) -> tuple[dict[str, str], dict[str, Any], Question, str]:
    """Solve one network variant: (its files, or none without `documents`; answer key; LMS question; QTI quiz)."""
    from ..pipeline import solve
    from .sheet import symbol

    derivation = cast("NetworkDerivation", solve(titled(spec, index), precision=precision))
    answers = derivation.answers()
    labels = {name: (lambda cell, n=name: symbol(derivation, n, cell)) for name in ask}
    question = Question(
        ident=f"variant-{index:04d}",
        name=f"Variant {index}",
        html=derivation.problem_sheet("lms", ask, with_tasks=False),
        blanks=blanks(flat_answers(answers), ask, labels, _tolerance_columns(derivation, precision)),
        feedback=derivation.to_lms(),
    )
    qti = qti_assessment(question, quiz_title)
    if not documents:
        return {}, answers, question, qti
    files = {
        "problem.yaml": problem_yaml(spec, index, seed, ask),
        "problem.md": derivation.problem_sheet("markdown", ask),
        "problem.tex": derivation.problem_sheet("latex", ask),
        "solution.md": derivation.to_markdown(),
        "solution.tex": derivation.to_latex(),
        "answers.json": dumps(answers) + "\n",
    }
    return files, answers, question, qti
