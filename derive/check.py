"""`derive check`: mark a submitted solution cell by cell and diagnose the classic mistakes.

Each submitted cell gets one verdict, tried in this order:
  correct      within tolerance of the right value;
  carried      wrong, but right given the submission's own earlier values (follow-through);
  sign         the negative of the right value;
  scale        the whole field is off by one common factor (named, with its likely cause);
  flipped      the whole field is the right one rotated by 180° or transposed;
  partial-sum  a gradient that sums only some of the output cells (which ones, when one set fits all);
  wrong        none of the above.
"""
from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from . import model
from .derivation import Derivation
from .errors import SpecError
from .exact import Num
from .literals import parse_number
from .model import Iteration, grid, tap, values, weights
from .problem import Problem

VERDICTS = ("correct", "carried", "sign", "scale", "flipped", "partial-sum", "wrong")
FIELDS = ("feature_map", "activation", "prediction", "loss", "grad_kernel", "grad_bias", "grad_input",
          "velocity", "velocity_bias", "kernel_next", "bias_next", "loss_next")
GRADIENTS = ("grad_kernel", "grad_bias", "grad_input")
MAX_SUBSET_TERMS = 12  # partial sums are searched among all subsets up to this many terms


@dataclass(frozen=True)
class Settings:
    """How strictly to mark: explicit tolerances (None: from the decimals written) and carried credit."""

    atol: float | None = None
    rtol: float | None = None
    carried_credit: float = 0.5


@dataclass(frozen=True)
class FieldReport:
    """The marking of one submitted field: a verdict per cell, a summary verdict and a note."""

    name: str  # e.g. grad_kernel, or iteration_2.grad_kernel
    field: str
    iteration: int
    verdict: str
    cells: Any  # verdicts, nested like the field (a string for a scalar)
    note: str
    submitted: Any
    expected: Any


@dataclass(frozen=True)
class Report:
    """The marking of a whole submission."""

    score: float
    fields: tuple[FieldReport, ...]

    def to_json(self) -> dict[str, Any]:
        """{"score", "fields": {name: {"verdict", "cells", "note"}}} (a contract)."""
        return {"score": self.score,
                "fields": {f.name: {"verdict": f.verdict, "cells": f.cells, "note": f.note} for f in self.fields}}


def read_submission(data: Any, derivation: Derivation) -> list[dict[str, Any]]:
    """Validate a submission against the answer key's fields and shapes; one dict per iteration."""
    if not isinstance(data, Mapping):
        raise SpecError("a submission must be a mapping of answer fields to values")
    if "iterations" in data:
        if set(data) != {"iterations"} or not isinstance(data["iterations"], list):
            raise SpecError("give either `iterations: [...]` or the fields of one iteration at top level", field="iterations")
        rounds = data["iterations"]
    else:
        rounds = [data]
    key = derivation.answers()["iterations"]
    if len(rounds) > len(key):
        raise SpecError(f"{len(rounds)} iterations submitted, the problem has {len(key)}", field="iterations")
    out = []
    for k, submitted in enumerate(rounds):
        prefix = "" if k == 0 else f"iterations[{k}]."
        if not isinstance(submitted, Mapping):
            raise SpecError("must be a mapping of answer fields to values", field=f"iterations[{k}]")
        values = {}
        for name, value in submitted.items():
            field = f"{prefix}{name}"
            if name not in FIELDS:
                near = difflib.get_close_matches(str(name), FIELDS, n=1)
                raise SpecError("unknown field" + (f" (did you mean '{near[0]}'?)" if near else f" (valid: {', '.join(FIELDS)})"),
                                field=str(field))
            if name not in key[k]:
                raise SpecError("is not part of this problem's answers", field=field)
            values[name] = _numbers(value, field, _shape(key[k][name]))
        out.append(values)
    return out


def _shape(value: Any) -> tuple[int, ...]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0]
    return tuple(shape)


def _numbers(value: Any, field: str, shape: tuple[int, ...]) -> Any:
    if _shape(value) != shape or not _rectangular(value, shape):
        want = "×".join(map(str, shape)) or "a single number"
        got = "×".join(map(str, _shape(value))) or "a single number"
        raise SpecError(f"shape {got} does not match the answer's shape {want}", field=field)
    if isinstance(value, list):
        return [_numbers(v, f"{field}[{k}]", shape[1:]) for k, v in enumerate(value)]
    try:
        return parse_number(value)
    except SpecError as exc:
        raise SpecError(exc.message, field=field) from None


def _rectangular(value: Any, shape: tuple[int, ...]) -> bool:
    if not shape:
        return not isinstance(value, list)
    return isinstance(value, list) and len(value) == shape[0] and all(_rectangular(v, shape[1:]) for v in value)


def check(derivation: Derivation, submission: list[dict[str, Any]], settings: Settings = Settings()) -> Report:
    """Mark every submitted cell (see the module docstring for the verdicts)."""
    problem, key = derivation.problem, derivation.answers()["iterations"]
    follow = _FollowThrough(problem, derivation.iterations, submission)
    reports = []
    for k, submitted in enumerate(submission):
        for name in FIELDS:
            if name in submitted:
                reports.append(_mark(problem, derivation.iterations[k], k, name, submitted[name], key[k][name],
                                     follow.carried(k, name), settings))
    cells = [v for r in reports for v in values(r.cells)]
    earned = sum(1.0 if v == "correct" else settings.carried_credit if v == "carried" else 0.0 for v in cells)
    return Report(round(earned / len(cells), 4) if cells else 0.0, tuple(reports))


def _mark(problem: Problem, it: Iteration, k: int, name: str, submitted: Any, expected: Any, carried: Any,
          settings: Settings) -> FieldReport:
    sub, exp = values(submitted), [float(x) for x in values(expected)]
    car = [float(x) for x in values(carried)] if carried is not None else None
    tols = [_tolerance(s, e, settings) for s, e in zip(sub, exp)]
    s = [float(x) for x in sub]
    close = lambda a, b, t: abs(a - b) <= t * (1 + 1e-9)  # noqa: E731 - 0.37 vs 0.365 is within 0.005
    verdicts = ["correct" if close(a, b, t) else "" for a, b, t in zip(s, exp, tols)]
    notes = []
    if car is not None:
        for i, (a, c, t) in enumerate(zip(s, car, tols)):
            if not verdicts[i] and close(a, c, t):
                verdicts[i] = "carried"
        if "carried" in verdicts:
            notes.append("right given the submission's own earlier values (follow-through)")
    for i, (a, b, t) in enumerate(zip(s, exp, tols)):
        if not verdicts[i] and b != 0 and close(a, -b, t):
            verdicts[i] = "sign"
    if "sign" in verdicts:
        notes.append("the sign is reversed (e.g. the residual taken as Y − Ŷ instead of Ŷ − Y)")
    open_cells = [i for i, v in enumerate(verdicts) if not v]
    if open_cells:
        scale = _scale(problem, it, name, s, exp, tols)
        if scale is not None:
            factor, cause = scale
            for i in open_cells:
                verdicts[i] = "scale"
            notes.append(f"every value is {_factor(factor)} times the right one: {cause}")
        elif name in ("grad_kernel", "kernel_next", "velocity") and _flipped(problem, submitted, expected, tols):
            for i in open_cells:
                verdicts[i] = "flipped"
            notes.append(_flipped(problem, submitted, expected, tols))
        elif name in GRADIENTS:
            partial = _partial_sums(problem, it, name, s, tols, open_cells)
            if partial is not None:
                found, note = partial
                for i in found:
                    verdicts[i] = "partial-sum"
                notes.append(note)
    verdicts = [v or "wrong" for v in verdicts]
    wrong = [v for v in verdicts if v != "correct"]
    verdict = "correct" if not wrong else max(set(wrong), key=lambda v: (wrong.count(v), -VERDICTS.index(v)))
    return FieldReport(
        name=name if k == 0 else f"iteration_{k + 1}.{name}", field=name, iteration=k + 1, verdict=verdict,
        cells=_shaped(verdicts, _shape(expected)), note="; ".join(notes), submitted=submitted, expected=expected,
    )


def _tolerance(submitted: Fraction, expected: float, settings: Settings) -> float:
    if settings.atol is not None or settings.rtol is not None:
        return (settings.atol or 0.0) + (settings.rtol or 0.0) * abs(expected)
    places = getattr(submitted, "places", 0 if Fraction(submitted).denominator == 1 else None)
    half_unit = 0.5 * 10.0 ** -places if places is not None else 0.0
    return max(1e-6, half_unit)


def _shaped(flat: list, shape: tuple[int, ...]) -> Any:
    if not shape:
        return flat[0]
    size = len(flat) // shape[0]
    return [_shaped(flat[i * size : (i + 1) * size], shape[1:]) for i in range(shape[0])]


def _factor(x: float) -> str:
    fraction = Fraction(x).limit_denominator(1000)
    return str(fraction) if abs(float(fraction) - x) < 1e-9 * max(1, abs(x)) else f"{x:.6g}"


def _scale(problem: Problem, it: Iteration, name: str, s: list[float], e: list[float], tols: list[float]):
    """A factor common to the whole field (for an update: to its step W − W'), with its likely cause."""
    if name in ("kernel_next", "bias_next"):
        start = [float(x) for x in values(it.kernel if name == "kernel_next" else it.bias)]  # same order, any rank
        s, e = [w - x for w, x in zip(start, s)], [w - x for w, x in zip(start, e)]
    pairs = [(a, b) for a, b in zip(s, e) if abs(b) > 1e-12]
    if not pairs:
        return None
    factor = pairs[0][0] / pairs[0][1]
    if abs(factor - 1) < 1e-9 or abs(factor + 1) < 1e-9 or abs(factor) < 1e-12:
        return None
    if not all(abs(a - factor * b) <= t + 1e-9 for (a, b), t in zip(zip(s, e), tols)):
        return None
    cause = _cause(problem, name, factor)
    if len(pairs) < 2 and cause is None:
        return None  # one number is always "a multiple" of another: only a known cause says anything
    return factor, cause or "no standard convention explains it; check the loss's constant factors"


def _cause(problem: Problem, name: str, factor: float) -> str | None:
    n = problem.filters * problem.output_shape[0] * problem.output_shape[1]
    eta = float(problem.learning_rate)
    causes: list[tuple[float, str]] = [
        (n, f"n = {n}: the sum of squares used instead of the mean (missing 1/n)"),
        (1 / n, f"1/n = 1/{n}: divided by n once too often, or the mean used where the loss is a sum"),
        (0.5, "1/2: the factor 2 of the square's derivative is missing"),
        (2.0, "2: the factor 2 counted where the loss already halves it (or counted twice)"),
        (2 / n, "2/n: the mean's 1/n and the square's 2 mixed up" if n != 4 else "2/n = 1/2: the mean's 1/n and the square's 2 mixed up"),
        (n / 2, f"n/2 = {n / 2:g}: both the mean's 1/n and the square's 2 mishandled"),
    ]
    if name in ("kernel_next", "bias_next"):
        causes = [(eta, f"η = {eta:g}: the learning rate applied twice"),
                  (1 / eta, "1/η: the learning rate left out of the update")] + causes
    matching = [cause for value, cause in causes if abs(factor - value) <= 1e-9 * max(1, abs(value))]
    return " or ".join(matching) or None


def _flipped(problem: Problem, submitted: Any, expected: Any, tols: list[float]) -> str | None:
    """A note when the kernel-shaped field is rotated by 180° or transposed (per filter and channel)."""
    # Plain Python, not numpy: importing numpy would double the start-up of `derive check --format json`.
    tol = max(tols)
    for transform, note in (
        (lambda m: [row[::-1] for row in m[::-1]], "the field is the right one rotated by 180° (convolution and "
                                                  "cross-correlation confused)"),
        (lambda m: [list(col) for col in zip(*m)], "the field is the right one transposed (rows and columns swapped)"),
    ):
        flipped = _per_matrix(transform, expected)
        if (_shape(flipped) == _shape(submitted) and not _all_close(flipped, expected, tol)
                and _all_close(submitted, flipped, tol)):
            return note
    return None


def _per_matrix(transform: Callable[[list], list], tensor: Any) -> Any:
    """`transform` applied to every matrix (the last two axes) of a nested list."""
    if isinstance(tensor[0][0], list):
        return [_per_matrix(transform, t) for t in tensor]
    return transform(tensor)


def _all_close(a: Any, b: Any, atol: float) -> bool:
    """numpy.allclose's rule (|a − b| ≤ atol + 1e-5·|b|) on two nested lists of one shape."""
    return all(abs(float(x) - float(y)) <= atol + 1e-5 * abs(float(y)) for x, y in zip(values(a), values(b)))


def _partial_sums(problem: Problem, it: Iteration, name: str, s: list[float], tols: list[float], open_cells: list[int]):
    """Cells equal to a sum over only some of the output cells; the subset, when one fits them all."""
    terms = _gradient_terms(problem, it, name)
    fits: list[tuple[int, list[frozenset]]] = []
    for i in open_cells:
        options = terms[i]
        if not 1 < len(options) <= MAX_SUBSET_TERMS:
            continue
        keys = list(options)
        matching = [frozenset(subset) for size in range(1, len(keys))
                    for subset in itertools.combinations(keys, size)
                    if abs(sum(options[c] for c in subset) - s[i]) <= tols[i]]
        if matching:
            fits.append((i, matching))
    if not fits:
        return None
    common = set(fits[0][1])
    for _, matching in fits[1:]:
        common &= set(matching)
    cells_used = ""
    if common and len(fits) == len(open_cells):
        used = min(common, key=lambda c: (len(c), sorted(c)))
        total = len(grid(problem.conv_shape)) * (problem.filters if name == "grad_input" else 1)
        cells_used = f": it sums only output cells {', '.join(_cell_text(c) for c in sorted(used))} of the {total}"
    return [i for i, _ in fits], f"a partial sum over the output cells{cells_used}" + (
        "" if cells_used else " (not the same cells for every entry)")


def _cell_text(cell: tuple) -> str:
    return "(" + ", ".join(map(str, cell)) + ")"


def _gradient_terms(problem: Problem, it: Iteration, name: str) -> list[dict[tuple, float]]:
    """For each entry of a gradient field, its terms keyed by the output cell they come from."""
    dz, x, kernel = it.grad_feature_map, it.padded_input, it.kernel
    cells = grid(problem.conv_shape)
    label = (lambda f, i, j: (i, j)) if problem.rank2 else (lambda f, i, j: (f, i, j))
    if name == "grad_kernel":
        out = []
        for f, c, u, v in weights(problem):
            out.append({label(f, i, j): float(dz[f][i][j] * x[c][r][q])
                        for (i, j), (r, q) in ((cell, tap(problem, cell, (u, v))) for cell in cells)})
        return out
    if name == "grad_bias":
        return [{label(f, i, j): float(dz[f][i][j]) for i, j in cells} for f in range(problem.filters)]
    (ph, pw), (h, w) = problem.padding, (len(problem.input[0]), len(problem.input[0][0]))
    out = []
    for c in range(problem.channels):
        for p, q in grid((h, w)):
            terms: dict[tuple, float] = {}
            for f in range(problem.filters):
                for cell in cells:
                    for uv in grid(problem.kernel_size):
                        if tap(problem, cell, uv) == (p + ph, q + pw):
                            key = label(f, *cell)
                            terms[key] = terms.get(key, 0.0) + float(dz[f][cell[0]][cell[1]] * kernel[f][c][uv[0]][uv[1]])
            out.append(terms)
    return out


class _FollowThrough:
    """The right values of each field given the submission's own earlier values."""

    def __init__(self, problem: Problem, iterations: Sequence[Iteration], submission: list[dict[str, Any]]):
        self.p, self.its, self.sub = problem, iterations, submission

    def carried(self, k: int, name: str) -> Any:
        """The follow-through value of `name` in iteration k, or None when nothing upstream was submitted."""
        upstream = _UPSTREAM[name]
        if not any(u in self.sub[k] for u in upstream) and not (k > 0 and name == "feature_map"
                                                                 and "kernel_next" in self.sub[k - 1]):
            return None
        return self._compute(k, name)

    def _tensor(self, k: int, name: str, fallback: Any) -> Any:
        """A submitted field as a tensor shaped like the model's (F×…), else the right value."""
        if name not in self.sub[k]:
            return fallback
        value = self.sub[k][name]
        if self.p.rank2 and name in ("feature_map", "activation", "prediction"):
            value = [value]
        if self.p.rank2 and name in ("grad_kernel", "kernel_next", "velocity"):
            value = [[value]]
        if self.p.rank2 and name in ("grad_bias", "bias_next", "velocity_bias"):
            value = [value]
        return _exact(value)

    def _compute(self, k: int, name: str) -> Any:
        p, it = self.p, self.its[k]
        kernel = self._tensor(k - 1, "kernel_next", it.kernel) if k > 0 else it.kernel
        bias = self._tensor(k - 1, "bias_next", it.bias) if k > 0 and it.bias is not None else it.bias
        z = self._tensor(k, "feature_map", None)
        if z is None:
            z = model.convolve(p, it.padded_input, kernel, bias)
        a = None
        if p.activation != "none":
            act = model.ACTIVATIONS[p.activation]
            a = self._tensor(k, "activation", model._map(z, lambda v: act.forward(v, p.negative_slope)))
        source = a if a is not None else z
        pooled, winners = model.pool(p, source) if p.pooling else (source, None)
        y = self._tensor(k, "prediction", pooled)
        dz = model.backward(p, z, a, y, winners)[3]
        g_kernel = self._tensor(k, "grad_kernel", model.grad_kernel(p, it.padded_input, dz))
        g_bias = self._tensor(k, "grad_bias", model.grad_bias(dz)) if bias is not None else None
        values: dict[str, Callable[[], Any]] = {
            "feature_map": lambda: z, "activation": lambda: a, "prediction": lambda: y,
            "loss": lambda: model.loss(p, y),
            "grad_kernel": lambda: model.grad_kernel(p, it.padded_input, dz),
            "grad_bias": lambda: model.grad_bias(dz),
            "grad_input": lambda: model.grad_input(p, kernel, dz),
            "velocity": lambda: _update_direction(p, g_kernel, it.velocity),
            "velocity_bias": lambda: _update_direction(p, g_bias, it.velocity_bias),
            "kernel_next": lambda: _minus(kernel, _scaled(p.learning_rate, _update_direction(p, g_kernel, it.velocity))),
            "bias_next": lambda: _minus(bias, _scaled(p.learning_rate, _update_direction(p, g_bias, it.velocity_bias))),
            "loss_next": lambda: it.loss_next,
        }
        value = values[name]()
        if p.rank2 and name in ("feature_map", "activation", "prediction", "grad_input", "grad_bias", "bias_next",
                                "velocity_bias"):
            value = value[0]
        if p.rank2 and name in ("grad_kernel", "kernel_next", "velocity"):
            value = value[0][0]
        return value


# Which submitted fields each field's follow-through value depends on.
_UPSTREAM = {
    "feature_map": (), "activation": ("feature_map",), "prediction": ("feature_map", "activation"),
    "loss": ("feature_map", "activation", "prediction"),
    "grad_kernel": ("feature_map", "activation", "prediction"), "grad_bias": ("feature_map", "activation", "prediction"),
    "grad_input": ("feature_map", "activation", "prediction"),
    "velocity": ("grad_kernel",), "velocity_bias": ("grad_bias",),
    "kernel_next": ("grad_kernel",), "bias_next": ("grad_bias",), "loss_next": (),
}


def _exact(value: Any) -> Any:
    from .exact import rational

    return tuple(_exact(v) for v in value) if isinstance(value, list) else rational(Fraction(value))


def _update_direction(p: Problem, grad: Any, velocity: Any) -> Any:
    if p.momentum is None:
        return grad
    return _combine(grad, velocity, lambda g, v: p.momentum * v + g)


def _scaled(factor: Num, tensor: Any) -> Any:
    return _combine(tensor, tensor, lambda a, _: factor * a)


def _minus(a: Any, b: Any) -> Any:
    return _combine(a, b, lambda x, y: x - y)


def _combine(a: Any, b: Any, fn: Callable[[Any, Any], Any]) -> Any:
    if isinstance(a, tuple):
        return tuple(_combine(x, y, fn) for x, y in zip(a, b))
    return fn(a, b)
