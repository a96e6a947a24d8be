"""Read a problem spec file (YAML or JSON) into plain data with exact numbers."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError
from .literals import parse_number


class _ExactLoader(yaml.SafeLoader):
    """A safe YAML loader whose floats keep the digits the user typed (0.1 is 1/10)."""


def _exact_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Fraction | str:
    # Keep the literal text: parsing it as a binary float would lose exactness. Text that is
    # not a finite number (.nan, .inf) is kept as text so the validator names its field.
    text = loader.construct_scalar(node)
    try:
        return parse_number(text)
    except SpecError:
        return text


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _exact_float)


def _json_constant(name: str) -> Any:
    raise SpecError(f"{name} is not a finite number")


def parse_text(text: str, suffix: str) -> Any:
    """Parse spec text; JSON for `.json`, YAML (a superset of JSON) otherwise."""
    if suffix.lower() == ".json":
        try:
            return json.loads(text, parse_float=parse_number, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            raise SpecError(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    try:
        return yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError(f"invalid YAML: {exc.problem}{where}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}") from None


def read_spec(path: str | Path) -> Any:
    """Read and parse the spec file at `path`; errors name the file."""
    name = str(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise SpecError("is a directory, not a spec file")
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("file not found", source=name) from None
    except UnicodeDecodeError:
        raise SpecError("not a UTF-8 text file", source=name) from None
    except SpecError as exc:
        raise exc.located(name) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", source=name) from None
    try:
        return parse_text(text, p.suffix)
    except SpecError as exc:
        raise exc.located(name) from None
