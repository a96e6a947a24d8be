"""The wrong answers `derive check` can diagnose, cell by cell, as alternatives for LMS blanks.

A homework system cannot run derive, so each blank lists beforehand the values the classic
mistakes give, each with check's note: for a gradient the sign error, the partial sums over
one row or one column of the output cells (the seed document's mistake), a scale factor with
its cause (a missing 2, a missing 1/n, …) and the kernel's gradient rotated by 180°; for an
updated weight the step added (w + η·g) and the learning rate applied twice; for the loss a
scale factor. Alternatives that an answer within the blank's tolerance could not tell apart
from the right value or from an earlier alternative are left out (`distinct`).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from .check import (GRADIENTS, LOSSES, NOTE_ADDED, NOTE_SIGN_RESIDUAL, UPDATES, VELOCITIES, exact, field_values,
                    gradient_terms, rotated_order, scale_causes)
from .fields import field
from .model import Iteration, values
from .problem import Problem


@dataclass(frozen=True)
class Mistake:
    """A wrong value a classic slip gives for one answer cell, and check's words for that slip."""

    value: Fraction
    note: str


@dataclass(frozen=True)
class Carry:
    """Follow-through, as check gives it: a cell's value given the student's own value of the same
    cell of `source` is offset + factor × that value (an update from the student's own gradient)."""

    source: str
    offset: Fraction
    factor: Fraction


def carries(problem: Problem, it: Iteration, name: str, ask: Sequence[str]) -> list[Carry | None]:
    """For each cell of `name`, how it follows from an earlier asked field of the same iteration
    (w' = w − η·(μ·v + g), v' = μ·v + g), or None when nothing it depends on is asked."""
    count = len(field_values(it, name))
    bias = field(name).shape == "filter"  # bias_next and velocity_bias follow grad_bias; the kernel's follow grad_kernel
    grad, velocity = ("grad_bias", "velocity_bias") if bias else ("grad_kernel", "velocity")
    start = [exact(w) for w in values(it.bias if bias else it.kernel)]
    before = [exact(v) for v in values(it.velocity_bias if bias else it.velocity)] or [Fraction(0)] * count
    mu = exact(problem.momentum) if problem.momentum is not None else Fraction(0)
    eta = exact(problem.learning_rate)
    if name in UPDATES and velocity in ask and problem.momentum is not None:
        return [Carry(velocity, w, -eta) for w in start]
    if name in UPDATES and grad in ask:
        return [Carry(grad, w - eta * mu * v, -eta) for w, v in zip(start, before)]
    if name in VELOCITIES and grad in ask:
        return [Carry(grad, mu * v, Fraction(1)) for v in before]
    return [None] * count


def mistakes(problem: Problem, it: Iteration, name: str) -> list[tuple[Mistake, ...]]:
    """For each cell of answer field `name` (flat, in the answer key's order), its diagnosable wrong values."""
    right = field_values(it, name)
    found: list[list[Mistake]] = [[] for _ in right]
    if name in GRADIENTS:
        _add(found, [-g for g in right], NOTE_SIGN_RESIDUAL)
        for wrong, note in _partial_sums(problem, gradient_terms(problem, it, name), name):
            _add(found, wrong, note)
        _scaled(found, right, [Fraction(0)] * len(right), problem, name)
        if name == "grad_kernel":
            order = rotated_order(problem)
            _add(found, [right[order[i]] for i in range(len(right))],
                 "the kernel's gradient rotated by 180° (convolution and cross-correlation confused)")
    elif name in UPDATES:
        start = [exact(w) for w in values(it.kernel if name == "kernel_next" else it.bias)]
        _add(found, [2 * w - b for w, b in zip(start, right)], NOTE_ADDED)
        _scaled(found, right, start, problem, name, only_eta=True)
    elif name in LOSSES:
        _scaled(found, right, [Fraction(0)], problem, name)
    return [tuple(cell) for cell in found]


def distinct(right: Fraction, tolerance: Fraction, candidates: Sequence[Mistake]) -> tuple[Mistake, ...]:
    """The candidates an answer within `tolerance` tells apart from the right value and from each
    earlier kept candidate (their accepted intervals do not overlap), in order."""
    kept: list[Mistake] = []
    for m in candidates:
        if all(abs(m.value - other) > 2 * tolerance for other in [right] + [k.value for k in kept]):
            kept.append(m)
    return tuple(kept)


def _add(found: list[list[Mistake]], wrong: Sequence[Fraction | None], note: str) -> None:
    for cell, value in zip(found, wrong):
        if value is not None:
            cell.append(Mistake(value, note))


def _scaled(found: list[list[Mistake]], right: list[Fraction], start: list[Fraction], problem: Problem, name: str,
            only_eta: bool = False) -> None:
    """The field (for an update: its step w − w') times each factor a known slip gives."""
    eta = exact(problem.learning_rate)
    for factor, cause in scale_causes(problem, name):
        if only_eta and factor != eta:
            continue  # an update's other factors are the gradient's slips, listed on the gradient's blanks
        what = "the step (w − w') is" if name in UPDATES else "this is"
        _add(found, [w - factor * (w - b) for w, b in zip(start, right)],
             f"{what} {_factor(factor)} times the right one: {cause}")


def _partial_sums(problem: Problem, terms: list[dict[tuple, Fraction]], name: str) -> list[tuple[list[Fraction | None], str]]:
    """Each gradient entry summed over only one row, or only one column, of the output cells: the
    partial sums students write most often (the seed document summed only column 0 of a 2×2
    output). Rows and columns are summed in one pass over the terms: a 28×28 map has 676 of them."""
    rows, cols = problem.conv_shape
    # None where the row or column has no nonzero term: summing nothing is no partial sum (as in check).
    by_row: list[list[Fraction | None]] = [[None] * rows for _ in terms]
    by_col: list[list[Fraction | None]] = [[None] * cols for _ in terms]
    for k, entry in enumerate(terms):
        for key, term in entry.items():
            i, j = key[-2:]
            if term:
                by_row[k][i] = (by_row[k][i] or Fraction(0)) + term
                by_col[k][j] = (by_col[k][j] or Fraction(0)) + term
    maps = " of each output map" if problem.filters > 1 and name == "grad_input" else ""
    out = []
    for count, sums, other, what in ((rows, by_row, cols, "row"), (cols, by_col, rows, "column")):
        for r in range(count if count > 1 else 0):
            cells = [(r, c) if what == "row" else (c, r) for c in range(other)]
            named = ", ".join(f"({i}, {j})" for i, j in cells)
            note = f"a partial sum over only output cells {named}{maps} of the {rows * cols} (only {what} {r} of the output)"
            out.append(([s[r] for s in sums], note))
    return out


def _factor(x: Fraction) -> str:
    return str(x) if x.denominator <= 1000 else f"{float(x):.6g}"
