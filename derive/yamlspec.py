"""Read YAML spec text with exact numbers, through a safe loader that refuses aliases."""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import yaml

from .errors import SpecError
from .literals import MAX_DIGITS, CommaPairs, NotDecimal, parse_number


_INT, _FLOAT, _BOOL = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"
_OTHER_BASE = "tag:derive:not-decimal"  # YAML 1.1's based and base-60 integers, refused where a number is needed
_DECIMAL = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
_BASED = re.compile(r"^[-+]?0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)$|^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_INTEGER = re.compile(r"^[-+]?[0-9][0-9_]*$")
_TRUE_FALSE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# A flow row of numbers separated by ", " with some tight pairs: [0,5, 0,2] or [1,5, 2] are probably
# 0.5 and 0.2, 1.5 and 2, written with decimal commas.
_COMMA_ROW = re.compile(r"^\[\s*[-+]?\d+(?:,\d+)?(?:\s*,\s+[-+]?\d+(?:,\d+)?)*\s*,?\s*\]$")
_TIGHT_PAIR = re.compile(r"\d,\d")


class _ExactLoader(yaml.SafeLoader):
    """A safe YAML loader for numbers as a teacher means them, and which refuses aliases: no spec
    needs them, and they are how a "billion laughs" bomb is built.

    Plain numbers are read in decimal and exactly: 0.1 is 1/10, 010 is 10 (YAML 1.1: 8), 1e-3 and
    .5 are numbers (YAML 1.1: text). 0x10, 0o10, 0b10 and 1:30 (YAML 1.1: 16, 8, 2, 90) are kept
    as text that is refused where a number is needed. Only true/false are booleans (YAML 1.1 also
    reads yes, no, on, off), as in YAML 1.2.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT, _BOOL)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in a spec", event.start_mark)
        return super().compose_node(parent, index)


_ExactLoader.add_implicit_resolver(_FLOAT, _DECIMAL, list("-+0123456789."))
_ExactLoader.add_implicit_resolver(_FLOAT, _SPECIAL, list("-+."))
_ExactLoader.add_implicit_resolver(_OTHER_BASE, _BASED, list("-+0123456789"))
_ExactLoader.add_implicit_resolver(_BOOL, _TRUE_FALSE, list("tTfF"))


def _exact_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | Fraction | str:
    # Keep the digits typed: a binary float would lose exactness. Text that is not a finite
    # number within limits (.nan, .inf, 5,000 digits) is kept as text so the validator names its field.
    text = loader.construct_scalar(node)
    if _BASED.match(text):
        return NotDecimal(text)
    if _INTEGER.match(text) and len(text) <= MAX_DIGITS:
        return int(text.replace("_", ""))  # int("010") is 10: leading zeros are not octal
    try:
        return parse_number(text)
    except SpecError:
        return text


def _not_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> NotDecimal:
    return NotDecimal(loader.construct_scalar(node))


def _sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode):  # noqa: ANN201 - PyYAML's two-step constructor
    start, end = node.start_mark, node.end_mark
    is_row = node.flow_style and start.buffer and node.value and isinstance(node.value[0], yaml.ScalarNode)
    written = start.buffer[start.pointer:end.pointer] if is_row else ""  # only rows: a matrix's text is never copied
    data: list = CommaPairs() if _COMMA_ROW.match(written) and _TIGHT_PAIR.search(written) else []
    yield data
    data.extend(loader.construct_sequence(node))


for _tag in (_INT, _FLOAT):
    _ExactLoader.add_constructor(_tag, _exact_number)
_ExactLoader.add_constructor(_OTHER_BASE, _not_decimal)
_ExactLoader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def parse_yaml(text: str) -> Any:
    """Parse YAML spec text; every error is a SpecError naming the line and column."""
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
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}") from None
