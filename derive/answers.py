"""The JSON answer key (a contract read by autograders) and the normalized spec inside it."""
from __future__ import annotations

import json
from fractions import Fraction
from typing import Any, Sequence

from sympy import Rational

from .model import Iteration
from .problem import Matrix, Problem


def to_json_number(value: Rational) -> int | float:
    """An exact value as a JSON number (integers stay integers)."""
    return int(value) if value.q == 1 else float(value)


def _matrix(values: Matrix) -> list[list[int | float]]:
    return [[to_json_number(x) for x in row] for row in values]


def spec_number(value: Rational) -> int | float | str:
    """A value as the spec would write it, exactly: a number when the JSON number is exact,
    else a decimal or "p/q" string (so solving the normalized spec gives the same answers)."""
    if value.q == 1:
        return int(value)
    as_float = float(value)
    if Fraction(repr(as_float)) == Fraction(int(value.p), int(value.q)):
        return as_float
    return f"{value.p}/{value.q}"


def normalized_spec(problem: Problem) -> dict[str, Any]:
    """The spec with every default filled in and every number exact."""
    spec: dict[str, Any] = {}
    if problem.title is not None:
        spec["title"] = problem.title
    spec.update(
        input=[[spec_number(x) for x in row] for row in problem.input],
        kernel=[[spec_number(x) for x in row] for row in problem.kernel],
        target=[[spec_number(x) for x in row] for row in problem.target],
        learning_rate=spec_number(problem.learning_rate),
        stride=list(problem.stride),
        padding=list(problem.padding),
        operation=problem.operation,
        loss=problem.loss,
        iterations=problem.iterations,
    )
    if problem.bias is not None:
        spec["bias"] = spec_number(problem.bias)
    return spec


def answer_key(problem: Problem, iterations: Sequence[Iteration]) -> dict[str, Any]:
    """{"problem": normalized spec, "iterations": [{feature_map, prediction, loss, …}]}."""
    rows = []
    for it in iterations:
        row: dict[str, Any] = {
            "feature_map": _matrix(it.feature_map),
            "prediction": _matrix(it.feature_map),  # what the loss sees; no activation yet
            "loss": to_json_number(it.loss),
            "grad_kernel": _matrix(it.grad_kernel),
            "grad_input": _matrix(it.grad_input),
            "kernel_next": _matrix(it.kernel_next),
            "loss_next": to_json_number(it.loss_next),
        }
        if it.bias is not None:
            row["grad_bias"] = to_json_number(it.grad_bias)
            row["bias_next"] = to_json_number(it.bias_next)
        rows.append(row)
    return {"problem": normalized_spec(problem), "iterations": rows}


def dumps(value: Any, indent: int = 0) -> str:
    """JSON text with one matrix row per line: readable in a diff, parseable by any tool."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {dumps(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(x, (list, dict)) for x in value):
        return "[\n" + ",\n".join(inner + dumps(x, indent + 2) for x in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)
