"""The pipeline in one function: spec → Problem → exact values → worked steps → Derivation."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .derivation import DEFAULT_PRECISION, DETAILS, Derivation
from .errors import SpecError
from .model import train
from .printing import NOTATION_KEYS, style_from_notation
from .problem import build_problem
from .spec import read_spec
from .steps import default_detail
from .variants import plan


def solve(spec: Mapping[str, Any] | str | Path, *, precision: int = DEFAULT_PRECISION, detail: str | None = None,
          fractions: bool = False, templates: str | Path | None = None) -> Derivation:
    """Solve a problem given as a spec mapping or the path of a YAML/JSON spec file."""
    source = None if isinstance(spec, Mapping) else str(spec)
    try:
        data = spec if isinstance(spec, Mapping) else read_spec(spec)
        problem = build_problem(data)
        if "ask" in data or "variants" in data:
            plan(data)  # homework keys are checked here too, so a typo never waits for `variants`
        style = style_from_notation(precision, fractions, _notation(data))
    except SpecError as exc:
        raise exc.located(source) if source else exc from None
    _check_settings(precision, detail)
    if templates is not None and not Path(templates).is_dir():
        raise SpecError(f"{templates} is not a directory", field="--templates")
    detail = detail or default_detail(problem)
    return Derivation(problem, train(problem), detail, style, str(templates) if templates else None)


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
