"""Read a problem spec file (YAML or JSON) into plain data with exact numbers."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError
from .literals import parse_number


MAX_FILE_BYTES = 10 * 1024 * 1024  # a spec is a few kilobytes; 10 MB holds a 1000×1000 image


class _ExactLoader(yaml.SafeLoader):
    """A safe YAML loader whose floats keep the digits the user typed (0.1 is 1/10), and which
    refuses aliases: no spec needs them, and they are how a "billion laughs" bomb is built."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in a spec", event.start_mark)
        return super().compose_node(parent, index)


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
        except RecursionError:
            raise SpecError("nested too deeply") from None
    try:
        return yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise SpecError("nested too deeply") from None
    except yaml.reader.ReaderError as exc:
        raise SpecError(f"invalid YAML: the character {exc.character!r} is not allowed (position {exc.position})") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError(f"invalid YAML: {exc.problem}{where}") from None
    except ValueError:  # an integer with more digits than Python converts (over 4300)
        raise SpecError("a number is too long (more than 4300 digits)") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}") from None


def read_spec(path: str | Path) -> Any:
    """Read and parse the spec file at `path`; errors name the file."""
    name = str(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise SpecError("is a directory, not a spec file")
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpecError(f"is too large ({size / 2**20:.1f} MB; a spec may be at most {MAX_FILE_BYTES // 2**20} MB)")
        text = p.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SpecError("file not found", source=name) from None
    except PermissionError:
        raise SpecError("permission denied", source=name) from None
    except UnicodeDecodeError:
        raise SpecError("not a UTF-8 text file", source=name) from None
    except SpecError as exc:
        raise exc.located(name) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", source=name) from None
    except ValueError:  # a NUL byte in the name (Python 3.12 raises where 3.11 said "no such file")
        raise SpecError("is not a valid file name", source=name) from None
    try:
        return parse_text(text, p.suffix)
    except SpecError as exc:
        raise exc.located(name) from None
