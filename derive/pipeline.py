"""The pipeline in one function: spec → Problem → exact values → worked steps → Derivation."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .answers import check_range
from .derivation import DEFAULT_PRECISION, DETAILS, Derivation, Solved, default_detail
from .errors import SpecError
from .lossrun import rises, suspects, uses_momentum
from .model import Iteration, pool_windows, tied_windows, train
from .problem import Problem, build_problem
from .spec import plain_data, read_spec
from .style import NOTATION_KEYS, Style, style_from_notation

if TYPE_CHECKING:  # mypy checks here that both kinds of solved problem give every command the same interface
    from .network.derivation import NetworkDerivation

    SOLVED_KINDS: tuple[type[Solved], ...] = (Derivation, NetworkDerivation)


MAX_CELLS = 20_000_000  # multiply-adds a problem may need; far beyond any exercise, well within a few seconds
MAX_FULL_TERMS = 200_000  # terms a full-detail document may write out


def solve(spec: Mapping[str, Any] | str | Path, *, precision: int = DEFAULT_PRECISION, detail: str | None = None,
          fractions: bool = False, templates: str | Path | None = None, max_cells: int = MAX_CELLS) -> Solved:
    """Solve a problem given as a spec mapping (lists, tuples or numpy arrays) or the path of a YAML/JSON spec file."""
    is_path = isinstance(spec, (str, os.PathLike))
    source = str(spec) if is_path else None
    try:
        # numpy arrays become lists, then validated
        data = read_spec(spec) if isinstance(spec, (str, os.PathLike)) else plain_data(spec)
        if isinstance(data, Mapping) and "layers" in data:  # a network: derive/network/ solves it end to end
            from .network import solve_network

            return solve_network(data, source, precision=precision, detail=detail, fractions=fractions,
                                 templates=templates, max_cells=max_cells)
        from .network.flat import as_network, needs_network

        if isinstance(data, Mapping) and needs_network(data):  # Adam, RMSprop, …: one module per rule, in network/
            from .network import solve_network

            flat = build_problem({**data, "optimizer": "sgd"})  # the flat checks and messages for everything else
            return solve_network(as_network(data, flat), source, precision=precision, detail=detail, fractions=fractions,
                                 templates=templates, max_cells=max_cells, flat=flat)
        problem = build_problem(data)
        if "ask" in data or "variants" in data:
            from .variants import plan  # only homework specs need it (and its hashlib)

            plan(data, problem)  # homework keys are checked here too, so a typo never waits for `variants`
        style = style_from_notation(precision, fractions, _notation(data))
    except SpecError as exc:
        raise exc.located(source) if source else exc from None
    _check_settings(precision, detail)
    try:
        _check_size(problem, detail, max_cells)
    except SpecError as exc:
        raise exc.located(source) if source else exc from None
    if templates is not None and not _is_dir(templates):
        raise SpecError(f"{templates} is not a directory", field="--templates")
    detail = detail or default_detail(problem)
    iterations = train(problem)
    try:
        check_range(iterations)
    except SpecError as exc:
        raise exc.located(source) if source else exc from None
    return Derivation(problem, iterations, detail, style, str(templates) if templates else None)


def _is_dir(path: str | Path) -> bool:
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):  # a NUL byte in the name
        return False


def work(problem: Problem) -> int:
    """Multiply-adds the problem needs: forward pass, kernel gradient and input gradient, per iteration
    (and one more forward pass for the loss after each update)."""
    (oh, ow), (kh, kw) = problem.conv_shape, problem.kernel_size
    products = problem.filters * oh * ow * problem.channels * kh * kw
    return 4 * products * problem.iterations


def _check_size(problem: Problem, detail: str | None, max_cells: int) -> None:
    """Refuse, before any work, a problem whose computation or document would be unreasonably large."""
    needed = work(problem)
    if needed > max_cells:
        raise SpecError(f"the problem needs about {needed:,} multiply-adds (limit {max_cells:,}): use smaller "
                        "matrices or fewer iterations, or raise --max-cells", field="size")
    terms = needed * 3 // 4  # every product written out, in each of three sides
    if detail == "full" and terms > MAX_FULL_TERMS:
        raise SpecError(f"full detail would write about {terms:,} terms (limit {MAX_FULL_TERMS:,}): "
                        "use --detail summary", field="detail")


def _notation(spec: Mapping[str, Any]) -> dict[str, str] | None:
    """The spec's `notation:`: symbol names (keys as the answer fields) to LaTeX."""
    notation = spec.get("notation")
    if notation is None:
        return None
    if not isinstance(notation, Mapping):
        raise SpecError("must be a mapping such as {kernel: K, learning_rate: \\alpha}", field="notation")
    for key, value in notation.items():
        if key not in NOTATION_KEYS:
            raise SpecError(f"unknown symbol {key!r} (valid: {', '.join(NOTATION_KEYS)})", field="notation")
        if not isinstance(value, str) or not value.strip() or any(c in value for c in "$%#&\n"):
            raise SpecError("must be a non-empty LaTeX symbol without $, %, #, & or line breaks", field=f"notation.{key}")
    return dict(notation)


def _check_settings(precision: int, detail: str | None) -> None:
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 30:
        raise SpecError(f"must be a whole number from 0 to 30, got {precision!r}", field="precision")
    if detail is not None and detail not in DETAILS:
        raise SpecError(f"unknown value {detail!r} (valid: {', '.join(DETAILS)})", field="detail")


COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def flat_warnings(p: Problem, iterations: tuple[Iteration, ...], style: Style | None = None) -> tuple[str, ...]:
    """What a teacher should know before handing a flat problem out, one line each (no location): a
    max-pooling window whose maximum is shared, a loss that rises after the update, and an answer that
    prints with too few significant figures at the document's precision (Derivation.warnings)."""
    from .fields import present

    fields = [f for f in present(p) if f.name != "grad_input" or "grad_input" in p.show]  # as the document shows them
    answers = [[(f.name, f.read(it)) for f in fields] for it in iterations]
    return tuple(w for w in (_tie_warning(p, iterations), _rise_warning(iterations, p.momentum is not None),
                             _figures_warning(answers, style or Style())) if w)


def network_warnings(d: Any) -> tuple[str, ...]:
    """A network's warnings (NetworkDerivation.warnings): its iterations carry loss and loss_next too."""
    return tuple(w for w in (_network_tie_warning(d), _rise_warning(d.iterations, uses_momentum(d.network.optimizer)),
                             _figures_warning([_network_answers(d.network, it) for it in d.iterations], d.style)) if w)


def _network_answers(net: Any, it: Any) -> list[tuple[str, Any]]:
    """(field, value) of one network iteration, as answers.json names them, less the given parameters and,
    unless shown, ∂L/∂x of the network's input."""
    from .network.fields import iteration_fields, layer_fields, param_fields

    out = [(f.key(), f.read(it)) for f in iteration_fields() if f.key() != "grad_input" or "grad_input" in net.show]
    for j, record in enumerate(it.layers):
        out += [(f"layers[{j}].{f.key()}", f.read(record)) for f in layer_fields()]
        out += [(f"layers[{j}].{f.key(name)}", f.read(record, name)) for name in record.params
                for f in param_fields() if f.name != "{P}"]
    return out


def _figures_warning(answers: list[list[tuple[str, Any]]], style: Style) -> str | None:
    """The first answer field (of each iteration's (field, value) pairs) with a value that prints with fewer than
    2 significant figures (0.000439 as 0.0004), and the precision that shows them all; only values within a tenth
    of the field's largest count: a weight that ends near 0 beside others of 0.5 reads fine, a field of gradients
    all that small does not."""
    from .significance import enough_precision, printed, scalars, too_few

    if style.fractions:  # every value exact
        return None
    precision = style.precision
    short = [(k, name, found) for k, row in enumerate(answers, 1) for name, value in row
             if (found := list(too_few(_in_scale(list(scalars(value))), precision)))]
    if not short:
        return None
    k, name, found = short[0]
    value, kept = found[0]
    fields = {name for _, name, _ in short}
    when = f" in iteration {k}" if len(answers) > 1 else ""
    more = f"; {len(fields)} fields in all" if len(fields) > 1 else ""
    wanted = enough_precision((v for _, _, pairs in short for v, _ in pairs), precision)
    return (f"{name} prints with {kept} significant figure{'s' if kept != 1 else ''} at --precision {precision}{when} "
            f"({float(value):.3g} as {printed(value, precision)}{more}): use --precision {wanted}")


def _in_scale(values: list[Any]) -> list[Any]:
    """The values of a field at least a tenth of its largest in size."""
    largest = max((abs(v) for v in values), default=0)
    return [v for v in values if 10 * abs(v) >= largest]


def _plain(value) -> str:
    """A number for a one-line message (rounded: the document has the exact value)."""
    return f"{float(value):.6g}"


def _tie_warning(p: Problem, iterations: tuple[Iteration, ...]) -> str | None:
    ties = [(k, cell, it) for k, it in enumerate(iterations, 1) for cell in tied_windows(p, it)]
    if not ties:
        return None
    k, (f, i, j), it = ties[0]
    source = it.activation if it.activation is not None else it.feature_map
    assert it.winners is not None  # a tie is only found under max pooling
    r, c = it.winners[(f, i, j)]
    best = source[f][r][c]
    count = sum(1 for rr, cc in pool_windows(p, (i, j)) if source[f][rr][cc] == best)
    where = f"max-pooling window ({i}, {j})" + ("" if p.rank2 else f" of map {f}")
    when = f" in iteration {k}" if len(iterations) > 1 else ""
    more = f" ({len(ties)} tied windows in all)" if len(ties) > 1 else ""
    return (f"{where} ties{when} ({COUNT_WORDS.get(count, str(count))} values {_plain(best)}); "
            f"the gradient goes to the first in row-major order{more}")


def _network_tie_warning(d: Any) -> str | None:
    """The first max-pooling window of a network whose maximum is shared (layers[J], iteration k)."""
    ties = []
    for k, it in enumerate(d.iterations, 1):
        for j, (layer, record) in enumerate(zip(d.network.layers, it.layers)):
            if layer.kind != "maxpool":
                continue
            x = record.input
            for cell, best in record.forward.aux.items():
                count = sum(1 for c in layer.window(cell) if x[c] == x[best])
                if count > 1:
                    ties.append((k, j, cell, count, x[best]))
    if not ties:
        return None
    k, j, cell, count, value = ties[0]
    when = f" in iteration {k}" if len(d.iterations) > 1 else ""
    more = f" ({len(ties)} tied windows in all)" if len(ties) > 1 else ""
    return (f"layers[{j}] max-pooling window {tuple(cell)} ties{when} ({COUNT_WORDS.get(count, str(count))} values "
            f"{_plain(value)}); the gradient goes to the first in row-major order{more}")


def _rise_warning(iterations: tuple[Iteration, ...], momentum: bool) -> str | None:
    risen = rises(iterations)
    if not risen:
        return None
    k = risen[0]
    it = iterations[k - 1]
    when = f" in iteration {k}" if len(iterations) > 1 else ""
    more = f" ({len(risen)} of {len(iterations)} iterations)" if len(risen) > 1 else ""
    return (f"the loss rises after the update{when} ({_plain(it.loss)} → {_plain(it.loss_next)}){more}: "
            f"{suspects(momentum)} may be too large")
