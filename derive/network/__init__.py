"""Networks: a spec with a `layers:` key, solved end to end (answers.json and the worked document).

The path, one module per stage:

    spec.py (validate into a frozen Network) → model.py (exact forward, loss, backward, update)
    → fields.py + answers.py (the answer key) → view.py (each layer's equations, printed by
    printing.py's network section) → templates/network.j2.

One module per rule: a layer kind is a module of layers/ (its parsing and shape checks, exact
forward, local derivatives, general formulas and worked SymPy equations); losses/ and
optimizers/ likewise. layers/ and losses/ find their modules by themselves, so adding an
activation (GELU, softplus) is one module of layers/ subclassing Elementwise, plus its tests;
a flat spec's `activation:` reads the same modules (derive/activation.py).

Optimizers as torch.optim computes them: plain SGD and momentum (sgd.py, momentum.py: a velocity), and
the stateful ones (stateful.py: per-value state under torch's names, carried in LayerValues.state; adam.py,
adamw.py, rmsprop.py, adagrad.py, nesterov.py), read by optimizers/options.py. A flat spec with one of the
stateful ones is solved here as its conv network (flat.py), so each rule lives in one module.

The flat path's numbers: a flat spec is the network
`[conv: {kernel, bias, stride, padding, dilation, operation}, <activation>, <maxpool|avgpool>]` with the
flat loss and optimizer (flat.flat_network, built from the validated Problem), and derive/model.py runs
model.py here and maps each NetIteration to the flat Iteration (feature_map = layers[0]'s output,
grad_kernel = layers[0]'s kernel gradient, …), which the flat renderer (steps.py, render.py, document.j2),
answers, check and variants read. check.py here marks network submissions with the model's own forward,
backward and step; the flat check's follow-through calls the same layers through derive/model.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import SpecError

FULL_DETAIL_LIMIT = 400  # products in one forward pass; above it the default is "summary" (as the flat path)
MAX_FULL_TERMS = 200_000


def solve_network(data: Mapping[str, Any], source: str | None, *, precision: int, detail: str | None, fractions: bool,
                  templates: str | Path | None, max_cells: int, flat: Any = None) -> Any:
    """Solve a `layers:` spec (already read into `data`) into a NetworkDerivation; `flat`: the flat spec's
    Problem when the network is a flat spec's (its answer key then names the flat fields too)."""
    from ..derivation import DETAILS
    from ..style import Style
    from .answers import check_range
    from .derivation import NetworkDerivation
    from .model import train, work
    from dataclasses import replace

    from .spec import build_network

    try:
        net = replace(build_network(data), flat=flat)
        needed = work(net)
        if needed > max_cells:
            raise SpecError(f"the problem needs about {needed:,} multiply-adds (limit {max_cells:,}): use smaller "
                            "matrices or fewer iterations, or raise --max-cells", field="size")
    except SpecError as exc:
        raise exc.located(source) if source else exc from None
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 30:
        raise SpecError(f"must be a whole number from 0 to 30, got {precision!r}", field="precision")
    if detail is not None and detail not in DETAILS:
        raise SpecError(f"unknown value {detail!r} (valid: {', '.join(DETAILS)})", field="detail")
    products = needed // (4 * net.iterations)
    if detail == "full" and 3 * needed // 4 > MAX_FULL_TERMS:
        raise SpecError(f"full detail would write about {3 * needed // 4:,} terms (limit {MAX_FULL_TERMS:,}): "
                        "use --detail summary", field="detail")
    if templates is not None and not Path(templates).is_dir():
        raise SpecError(f"{templates} is not a directory", field="--templates")
    try:
        iterations = train(net)
        check_range(iterations)
    except SpecError as exc:
        raise exc.located(source) if source else exc from None
    chosen = detail or ("full" if products <= FULL_DETAIL_LIMIT else "summary")
    return NetworkDerivation(net, iterations, chosen, Style(precision, fractions, net.notation),
                             str(templates) if templates else None)
