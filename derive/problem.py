"""Validate a spec (plain data) into a frozen, exact Problem; every error names its field."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

from sympy import Rational

from .errors import SpecError
from .numbers import parse_number

Matrix = tuple[tuple[Rational, ...], ...]

OPERATIONS = ("cross-correlation", "convolution")
LOSSES = ("mse", "sse", "half_sse")
REQUIRED = ("input", "kernel", "target", "learning_rate")
OPTIONAL = ("title", "stride", "padding", "operation", "bias", "loss", "iterations")
MAX_ITERATIONS = 100


@dataclass(frozen=True)
class Problem:
    """One filter-learning exercise, validated, with exact numbers."""

    input: Matrix
    kernel: Matrix
    target: Matrix
    learning_rate: Rational
    title: str | None = None
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    operation: str = "cross-correlation"
    bias: Rational | None = None
    loss: str = "mse"
    iterations: int = 1

    @property
    def padded_shape(self) -> tuple[int, int]:
        """Shape of the input after zero padding."""
        (h, w), (ph, pw) = shape(self.input), self.padding
        return h + 2 * ph, w + 2 * pw

    @property
    def output_shape(self) -> tuple[int, int]:
        """Shape of the feature map: floor((H + 2p - k) / s) + 1 per axis."""
        (hp, wp), (kh, kw), (sh, sw) = self.padded_shape, shape(self.kernel), self.stride
        return (hp - kh) // sh + 1, (wp - kw) // sw + 1


def shape(matrix: Matrix) -> tuple[int, int]:
    """Rows and columns of a (rectangular) matrix."""
    return len(matrix), len(matrix[0])


def dims(rows_cols: tuple[int, int]) -> str:
    """A shape as people write it: 3×2."""
    return f"{rows_cols[0]}×{rows_cols[1]}"


def build_problem(spec: Any) -> Problem:
    """Check every key of `spec` and return the Problem it describes."""
    if not isinstance(spec, Mapping):
        raise SpecError(f"the spec must be a mapping of keys to values, not {_kind(spec)}")
    _check_keys(spec)
    problem = Problem(
        input=_matrix(spec, "input"),
        kernel=_matrix(spec, "kernel"),
        target=_matrix(spec, "target"),
        learning_rate=_positive(spec, "learning_rate"),
        title=_title(spec),
        stride=_pair(spec, "stride", default=1, minimum=1),
        padding=_pair(spec, "padding", default=0, minimum=0),
        operation=_choice(spec, "operation", OPERATIONS),
        bias=_optional_number(spec, "bias"),
        loss=_choice(spec, "loss", LOSSES),
        iterations=_iterations(spec),
    )
    _check_shapes(problem)
    return problem


def _check_keys(spec: Mapping) -> None:
    valid = REQUIRED + OPTIONAL
    for key in spec:
        if key not in valid:
            near = difflib.get_close_matches(str(key), valid, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else f" (valid keys: {', '.join(valid)})"
            raise SpecError(f"unknown key{hint}", field=str(key))
    for key in REQUIRED:
        if key not in spec:
            raise SpecError("missing required key", field=key)


def _number(value: Any, field: str) -> Rational:
    try:
        exact = parse_number(value)
    except SpecError as exc:
        raise SpecError(exc.message, field=field) from None
    return Rational(exact.numerator, exact.denominator)


def _matrix(spec: Mapping, key: str) -> Matrix:
    rows = spec[key]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise SpecError("must be a non-empty 2-D list of numbers (a list of rows)", field=key)
    width = len(rows[0])
    if width == 0:
        raise SpecError("rows must not be empty", field=key)
    for i, row in enumerate(rows):
        if len(row) != width:
            raise SpecError(f"ragged rows: row {i} has {len(row)} entries, row 0 has {width}", field=key)
    return tuple(
        tuple(_number(v, f"{key}[{i}][{j}]") for j, v in enumerate(row)) for i, row in enumerate(rows)
    )


def _positive(spec: Mapping, key: str) -> Rational:
    value = _number(spec[key], key)
    if value <= 0:
        raise SpecError(f"must be a positive number, got {_plain(value)}", field=key)
    return value


def _optional_number(spec: Mapping, key: str) -> Rational | None:
    return None if spec.get(key) is None else _number(spec[key], key)


def _title(spec: Mapping) -> str | None:
    title = spec.get("title")
    if title is not None and not isinstance(title, str):
        raise SpecError("must be a string", field="title")
    return title


def _integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)) or Fraction(value).denominator != 1:
        raise SpecError(f"must be a whole number, got {value!r}", field=field)
    return int(value)


def _pair(spec: Mapping, key: str, default: int, minimum: int) -> tuple[int, int]:
    value = spec.get(key, default)
    items = value if isinstance(value, list) else [value, value]
    if len(items) != 2:
        raise SpecError(f"must be a whole number or a pair [rows, columns], got {value!r}", field=key)
    pair = tuple(_integer(v, key) for v in items)
    if min(pair) < minimum:
        raise SpecError(f"must be at least {minimum}, got {value!r}", field=key)
    return pair  # type: ignore[return-value]


def _choice(spec: Mapping, key: str, valid: tuple[str, ...]) -> str:
    value = spec.get(key, valid[0])
    if value not in valid:
        raise SpecError(f"unknown value {value!r} (valid: {', '.join(valid)})", field=key)
    return value


def _iterations(spec: Mapping) -> int:
    count = _integer(spec.get("iterations", 1), "iterations")
    if not 1 <= count <= MAX_ITERATIONS:
        raise SpecError(f"must be between 1 and {MAX_ITERATIONS}, got {count}", field="iterations")
    return count


def _check_shapes(problem: Problem) -> None:
    padded, kernel = problem.padded_shape, shape(problem.kernel)
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        what = "padded input" if any(problem.padding) else "input"
        raise SpecError(f"{dims(kernel)} is larger than the {what} {dims(padded)}", field="kernel")
    out, target = problem.output_shape, shape(problem.target)
    if target != out:
        raise SpecError(f"shape {dims(target)} does not match the output shape {dims(out)}", field="target")


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "an empty document"}.get(type(value), type(value).__name__)


def _plain(value: Rational) -> str:
    return str(value)
