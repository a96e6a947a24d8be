"""`derive check`: mark a submitted solution cell by cell and diagnose the classic mistakes.

A cell is correct when it agrees with the true value to the sheet's precision (see
`tolerance`), however many digits the submission wrote. Otherwise it gets the first verdict
that explains it:
  carried      right given the submission's own earlier values (follow-through);
  sign         the negative of the right value; for an update, the step added (w + η·g);
  scale        the whole field is off by one common factor (named, with its likely cause);
  flipped      the whole field is the right one rotated by 180° or transposed;
  partial-sum  a gradient that sums only some of the output cells (which ones, when one set fits all);
  wrong        none of the above.
Notes are per field, but each one names the cells it is about unless it is about all of them.
"""
from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from . import fields as table, model
from .derivation import Derivation
from .errors import SpecError
from .exact import precise
from .literals import parse_number, show
from .model import Iteration, grid, tap, values, weights
from .problem import Problem

VERDICTS = ("correct", "carried", "sign", "scale", "flipped", "partial-sum", "wrong")
# Read from the one table of answer fields (derive/fields.py), in answers.json's order.
FIELDS = table.NAMES
FORWARD = table.named(role="forward")
LOSSES = table.named(role="loss")
GRADIENTS = table.named(role="gradient")
VELOCITIES = table.named(role="velocity")
UPDATES = table.named(role="update")
KERNEL_SHAPED = table.named(shape="kernel")
MAX_SUBSET_TERMS = 12  # partial sums are searched among all subsets up to this many terms
MAX_CELLS_NAMED = 8  # a note names at most this many cells, then says how many more

NOTE_CARRIED = "right given the submission's own earlier values (follow-through)"
NOTE_SIGN = "the sign is reversed"
NOTE_SIGN_RESIDUAL = "the sign is reversed (e.g. the residual taken as Y − Ŷ instead of Ŷ − Y)"
NOTE_ADDED = "the step was added instead of subtracted (w + η·g instead of w − η·g)"
NOTE_UNMOVED = "the weight left as it was: no step taken (a copy of the weight earns no follow-through credit)"
NOTE_NO_MOMENTUM = "the velocity without μ·v: v′ = g instead of μ·v + g"
NOTE_ADDED_OWN = ("the step was added instead of subtracted (w + η·g instead of w − η·g), and the gradient it "
                  "used, the submission's own, is itself wrong")


@dataclass(frozen=True)
class Settings:
    """How strictly to mark: the sheet's decimals (None: the solution's), explicit tolerances, carried credit."""

    atol: float | None = None
    rtol: float | None = None
    carried_credit: float = 0.5
    precision: int | None = None


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
    # Per cell (flat), whether it weighs in the score: not a cell whose right value is exactly 0, nor an update
    # cell whose weight does not move (see `score`). Empty: every cell counts.
    counted: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Report:
    """The marking of a whole submission."""

    score: float
    fields: tuple[FieldReport, ...]

    def to_json(self) -> dict[str, Any]:
        """{"score", "fields": {name: {"verdict", "cells", "note"}}} (a contract)."""
        return {"score": self.score,
                "fields": {f.name: {"verdict": f.verdict, "cells": f.cells, "note": f.note} for f in self.fields}}


def counted_cells(true: Sequence[Fraction], start: Sequence[Fraction] | None = None) -> tuple[bool, ...]:
    """Which cells weigh in the score: not one whose right value is exactly 0, nor (with `start`, the values an
    update starts from) one whose right value is where it started: a guess of 0 or a copied weight is right there
    for free, and on a sparse problem (padding, max pooling) most cells are such."""
    unmoved = [start is not None and t == w for t, w in zip(true, start or true)]
    return tuple(t != 0 and not still for t, still in zip(true, unmoved))


def score(cells: Sequence[tuple[str, bool]], carried_credit: float, total: int | None = None) -> float:
    """The share earned of the counted cells, given each marked cell's (verdict, counted): correct earns 1, carried
    `carried_credit`. `total`: the cells counted among those asked, when more were asked than marked (derive mark's
    empty columns); without it, the marked cells' (see `weighed`)."""
    counted = weighed([c for _, c in cells]) if total is None else [c for _, c in cells]
    earned = sum(1.0 if v == "correct" else carried_credit if v == "carried" else 0.0
                 for (v, _), c in zip(cells, counted) if c)
    total = sum(counted) if total is None else total
    return round(earned / total, 4) if total else 0.0


def weighed(counted: Sequence[bool]) -> tuple[bool, ...]:
    """The cells that weigh in the score: the counted ones, or every cell when none is (every asked cell a 0 or an
    unmoved weight: then there is nothing else to score)."""
    return tuple(counted) if any(counted) else (True,) * len(counted)


def scored_cells(reports: Sequence[FieldReport]) -> list[tuple[str, bool]]:
    """Every marked cell's (verdict, counted), flat, in report order."""
    out: list[tuple[str, bool]] = []
    for r in reports:
        verdicts = values(r.cells)
        out.extend(zip(verdicts, r.counted or (True,) * len(verdicts)))
    return out


def tolerance(true: Fraction, precision: int, settings: Settings = Settings()) -> Fraction:
    """How far a submitted value may be from `true` and still be correct: half a unit in the
    `precision`-th decimal (±0.00005 at 4), or, for a nonzero value that rounds to 0 there, half a
    unit in its `precision`-th significant figure (as the solution prints it). --atol/--rtol override."""
    if settings.atol is not None or settings.rtol is not None:
        return Fraction(settings.atol or 0) + Fraction(settings.rtol or 0) * abs(true)
    half_unit = Fraction(1, 2 * 10**precision)
    if true == 0 or abs(true) >= half_unit:
        return half_unit
    return Fraction(1, 2) * Fraction(10) ** (_exponent(abs(true)) - max(precision, 1) + 1)


def _exponent(x: Fraction) -> int:
    """floor(log10(x)) for x > 0, exactly."""
    e = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def submission_rounds(data: Any, iterations: int) -> list[Any]:
    """A submission's iterations: `iterations: [...]`, or the fields of one iteration at top level
    (flat and network submissions alike)."""
    if not isinstance(data, Mapping):
        raise SpecError("a submission must be a mapping of answer fields to values")
    if "iterations" in data:
        if set(data) != {"iterations"} or not isinstance(data["iterations"], list):
            raise SpecError("give either `iterations: [...]` or the fields of one iteration at top level", field="iterations")
        rounds = data["iterations"]
    else:
        rounds = [data]
    if len(rounds) > iterations:
        raise SpecError(f"{len(rounds)} iterations submitted, the problem has {iterations}", field="iterations")
    for k, submitted in enumerate(rounds):
        if not isinstance(submitted, Mapping):
            raise SpecError("must be a mapping of answer fields to values", field=f"iterations[{k}]")
    return rounds


def read_submission(data: Any, derivation: Derivation) -> list[dict[str, Any]]:
    """Validate a submission against the answer key's fields and shapes; one dict per iteration."""
    key = derivation.answers()["iterations"]
    rounds = submission_rounds(data, len(key))
    out = []
    for k, submitted in enumerate(rounds):
        prefix = "" if k == 0 else f"iterations[{k}]."
        values = {}
        for name, value in submitted.items():
            field = f"{prefix}{name}"
            if name not in FIELDS:
                raise SpecError(_unknown_field(str(name), [f for f in FIELDS if f in key[k]]), field=str(field))
            if name not in key[k]:
                why = table.field(name).absence()
                raise SpecError("is not part of this problem's answers" + (f" ({why})" if why else ""), field=field)
            values[name] = _numbers(value, field, _shape(key[k][name]))
        out.append(values)
    return out


# Words a student may use for each part of a field's name.
_WORDS = {
    "grad": {"grad", "grads", "gradient", "gradients", "derivative", "derivatives", "partial", "d", "dl", "delta"},
    "kernel": {"kernel", "kernal", "kernels", "filter", "filters", "weight", "weights", "w", "k"},
    "bias": {"bias", "biases", "b"},
    "input": {"input", "inputs", "image", "x", "i"},
    "next": {"next", "new", "updated", "update", "after"},
    "loss": {"loss", "cost", "error", "l"},
    "prediction": {"prediction", "predictions", "pred", "output", "outputs", "yhat", "y_hat", "out"},
    "feature_map": {"featuremap", "feature", "map", "conv", "convolution", "z"},
    "velocity": {"velocity", "momentum", "v"},
}
_SHORTHAND = {"dw": "grad_kernel", "dk": "grad_kernel", "dldw": "grad_kernel", "dx": "grad_input",
              "di": "grad_input", "dldx": "grad_input", "db": "grad_bias", "dldb": "grad_bias"}


def _unknown_field(name: str, fields: list[str]) -> str:
    """'unknown field' with the likeliest meant field of this problem, or the list of them."""
    guess = _guess_field(name, fields)
    return "unknown field" + (f" (did you mean '{guess}'?)" if guess else f" (valid: {', '.join(fields)})")


def _guess_field(name: str, fields: list[str]) -> str | None:
    """The field a student most likely meant: a near-spelling, else what the name's words say."""
    normal = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    typo = difflib.get_close_matches(normal, fields, n=1, cutoff=0.85) or difflib.get_close_matches(
        normal, FIELDS, n=1, cutoff=0.85)
    if typo:
        return typo[0]
    # Words before spelling: `gradient` means the kernel's gradient, however close `grad_input` is spelled.
    meant = _field_from_words(normal)
    if meant is not None:
        return meant  # a real field, perhaps not this problem's: then the next error says so
    near = difflib.get_close_matches(normal, fields, n=1) or difflib.get_close_matches(normal, FIELDS, n=1)
    return near[0] if near else None


def _field_from_words(normal: str) -> str | None:
    joined = normal.replace("_", "")
    words = set(normal.split("_")) | {joined}
    has = {part: bool(words & spelled) for part, spelled in _WORDS.items()}
    if joined in _SHORTHAND:
        return _SHORTHAND[joined]
    if has["grad"]:
        return "grad_input" if has["input"] else "grad_bias" if has["bias"] else "grad_kernel"
    if has["next"]:
        return "bias_next" if has["bias"] else "loss_next" if has["loss"] else "kernel_next"
    if has["velocity"]:
        return "velocity_bias" if has["bias"] else "velocity"
    part = next((part for part in ("prediction", "feature_map", "loss", "kernel", "bias") if has[part]), None)
    return {"kernel": "kernel_next", "bias": "bias_next"}.get(part or "", part)


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
    precision = derivation.precision if settings.precision is None else settings.precision
    follow = _FollowThrough(problem, derivation.iterations, submission)
    margins = None if settings.atol is not None or settings.rtol is not None else rounding_margins(derivation, precision)
    reports = []
    for k, submitted in enumerate(submission):
        for name in FIELDS:
            if name in submitted:
                margin = margins[k].get(table.attribute(name)) if margins else None
                marking = _Marking(problem, derivation.iterations[k], name, precision, settings, margin)
                reports.append(marking.report(k, submitted[name], key[k][name], follow))
    return Report(score(scored_cells(reports), settings.carried_credit), tuple(reports))


def rounding_margins(derivation: Derivation, precision: int) -> list[dict[str, list[Fraction]]]:
    """Per iteration and model field, each cell's drift (beyond half a unit) for a student who rounds
    every intermediate value to `precision` decimals, as the sheet says: the Moodle and QTI blanks'
    margin (tolerance.py), so check, mark and the LMS accept the same answers."""
    from .tolerance import tolerances

    half = Fraction(1, 2 * 10**precision)
    return [{attr: [max(Fraction(0), exact(t) - half) for t in values(tol)] for attr, tol in it.items()}
            for it in tolerances(derivation.problem, derivation.iterations, precision)]


def exact(value: Any) -> Fraction:
    """A model value (gmpy2 mpq or 256-bit mpfr) or a submitted number as an exact Fraction."""
    if isinstance(value, Fraction):
        return value
    q = model.mpq(value)  # exact for an mpfr too: it is a binary fraction
    return Fraction(int(q.numerator), int(q.denominator))


class _Marking:
    """The verdict and note of every cell of one submitted field."""

    def __init__(self, problem: Problem, it: Iteration, name: str, precision: int, settings: Settings,
                 margin: list[Fraction] | None = None):
        self.p, self.it, self.name, self.precision, self.settings = problem, it, name, precision, settings
        self.expected = field_values(it, name)
        self.margin = margin or [Fraction(0)] * len(self.expected)

    def correct(self, i: int, submitted: Fraction) -> bool:
        """Right to the sheet's precision, allowing what rounding every earlier step carries into cell i."""
        true = self.expected[i]
        return abs(submitted - true) <= tolerance(true, self.precision, self.settings) + self.margin[i]

    def near(self, submitted: Fraction, true: Fraction) -> bool:
        """Correct if `true` were the right value."""
        return abs(submitted - true) <= tolerance(true, self.precision, self.settings)

    def fits(self, s: list[Fraction], model_values: Sequence[Fraction | None], cells: Sequence[int]) -> list[int]:
        """The cells among `cells` whose submitted value is what `model_values` predicts."""
        return [i for i in cells if (m := model_values[i]) is not None and self.near(s[i], m)]

    def rounded_to(self, i: int, submitted: Fraction) -> int | None:
        """The fewer decimals (than the sheet's) to which `submitted` is cell i's right value rounded, if any:
        those written when they fit (1.0 is rounded to 1 decimal, though it is also a whole number)."""
        written = getattr(submitted, "places", None)
        first = [written] if written is not None and written < self.precision else []
        for places in first + list(range(self.precision)):
            unit = Fraction(1, 10**places)
            if (submitted / unit).denominator == 1 and abs(submitted - self.expected[i]) <= unit / 2 + self.margin[i]:
                return places
        return None

    def report(self, k: int, submitted: Any, expected: Any, follow: _FollowThrough) -> FieldReport:
        """The field's FieldReport: every cell's verdict, the field's verdict, and notes naming their cells."""
        s = [x if isinstance(x, Fraction) else Fraction(x) for x in values(submitted)]  # keeps the decimals written
        verdicts = ["correct" if self.correct(i, a) else "" for i, a in enumerate(s)]
        notes = [""] * len(s)

        def diagnose(verdict: str, found: list[int], note: str) -> None:
            for i in found:
                verdicts[i], notes[i] = verdict, note

        open_cells = lambda: [i for i, v in enumerate(verdicts) if not v]  # noqa: E731
        # An update that leaves the weight where it started (the one given, or the submission's own), when the right
        # step moves it (else it would be correct), is no step: named whether or not the gradient was submitted, and
        # never follow-through credit (a zero gradient of the submission's own would otherwise earn it).
        if self.name in UPDATES:
            own = follow.start(k, self.name)
            starts = [self.start()] + ([own] if own is not None else [])
            diagnose("wrong", [i for i in open_cells() if any(s[i] == w[i] for w in starts)], NOTE_UNMOVED)
        carried = follow.carried(k, self.name)
        if carried is not None:
            follows = self.fits(s, carried, open_cells())
            # A 0 that the submission's own values also give is no evidence (zeros are what a guess
            # writes), unless a nonzero entry of the field follows through too.
            if all(s[i] == 0 for i in follows):
                follows = []
            diagnose("carried", follows, NOTE_CARRIED)
        if self.name in VELOCITIES:  # after follow-through: from its own earlier velocity of 0, v′ = g is carried
            diagnose("wrong", self.momentum_forgotten(k, s, open_cells(), follow), NOTE_NO_MOMENTUM)
        # A 0 or the right value rounded too coarsely is a guess or a slip, not one of the classic mistakes.
        rounded = {i: d for i in open_cells() if (d := self.rounded_to(i, s[i])) is not None}
        plain = {i for i in open_cells() if s[i] == 0} | set(rounded)
        evidence = lambda: [i for i in open_cells() if i not in plain]  # noqa: E731
        # A flip explains the whole field at once; entries that a flip also happens to negate are part of it.
        if evidence():
            for found_note in self.flipped(s, evidence(), [i for i in open_cells() if i in plain]):
                diagnose(*found_note)
        for found, note in self.sign(s, carried, follow.start(k, self.name), evidence()):
            diagnose("sign", found, note)
        for diagnosis in (self.scale, self.flipped, self.partial_sum):
            if evidence():  # a guess joins only a diagnosis the other cells establish
                for found_note in diagnosis(s, evidence(), [i for i in open_cells() if i in plain]):
                    diagnose(*found_note)
        for i, places in rounded.items():
            if not verdicts[i] and s[i] != 0:
                notes[i] = _rounded_note(places, self.precision)
        verdicts = [v or "wrong" for v in verdicts]
        verdict = field_verdict(verdicts)
        shape = _shape(expected)
        return FieldReport(
            name=self.name if k == 0 else f"iteration_{k + 1}.{self.name}", field=self.name, iteration=k + 1,
            verdict=verdict, cells=_shaped(verdicts, shape), note=_notes(notes, shape), submitted=submitted,
            expected=expected, counted=counted_cells(self.expected, self.start() if self.name in UPDATES else None),
        )

    def momentum_forgotten(self, k: int, s: list[Fraction], cells: list[int], follow: _FollowThrough) -> list[int]:
        """Velocity cells that are the gradient alone (the right one, or the submission's own): v′ = g, μ·v left out.
        Only a nonzero gradient is evidence (a 0 is a guess), and only where μ·v is not 0 (else g is right)."""
        gradient = "grad_kernel" if self.name == "velocity" else "grad_bias"
        grads = [field_values(self.it, gradient)] + follow.submitted_flat(k, gradient)
        return [i for i in cells if any(g[i] != 0 and self.near(s[i], g[i]) for g in grads)]

    def start(self) -> list[Fraction]:
        """The weights an update field starts from (this iteration's kernel or bias)."""
        return [exact(x) for x in values(self.it.kernel if self.name == "kernel_next" else self.it.bias)]

    def sign(self, s: list[Fraction], carried: list[Fraction] | None, start: list[Fraction] | None,
             cells: list[int]) -> list[tuple[list[int], str]]:
        """Cells that are the negative of the right value; for an update, w + η·g instead of w − η·g."""
        if self.name not in UPDATES:
            note = NOTE_SIGN_RESIDUAL if self.name in GRADIENTS + VELOCITIES else NOTE_SIGN
            return [(self.fits(s, [-b if b != 0 else None for b in self.expected], cells), note)]
        # w − η·g mirrored about w is w + η·g: the added step, with the right gradient or the submission's own.
        added = self.fits(s, [2 * w - b for w, b in zip(self.start(), self.expected)], cells)
        found = [(added, NOTE_ADDED)]
        if carried is not None and start is not None:
            rest = [i for i in cells if i not in added]
            found.append((self.fits(s, [2 * w - c for w, c in zip(start, carried)], rest), NOTE_ADDED_OWN))
        return found

    def enough(self, s: list[Fraction], cells: list[int]) -> bool:
        """Evidence for a field-wide diagnosis: two nonzero cells to agree (the one, in a one-cell field)."""
        return len([i for i in cells if s[i] != 0]) >= min(2, len(s))

    def scale(self, s: list[Fraction], cells: list[int], plain: list[int]) -> list[tuple[str, list[int], str]]:
        """The whole field (for an update: its step w − w') off by one factor, with its likely cause."""
        if not self.enough(s, cells):
            return []
        start = self.start() if self.name in UPDATES else [Fraction(0)] * len(s)
        steps = [w - b for w, b in zip(start, self.expected)]  # for a non-update, -the value: the sign cancels
        nonzero = [i for i, d in enumerate(steps) if d != 0]
        if not nonzero:
            return []

        def fits_all(factor: Fraction) -> bool:
            return len(self.fits(s, [w - factor * d for w, d in zip(start, steps)], range(len(s)))) == len(s)

        candidates = [(factor, cause) for factor, cause in _causes(self.p, self.name) if fits_all(factor)]
        if candidates:
            factor = candidates[0][0]
            cause = " or ".join(c for f, c in candidates if f == factor)
        else:
            i = max(nonzero, key=lambda i: abs(steps[i]))
            factor = ((start[i] - s[i]) / steps[i]).limit_denominator(1000)
            if len(nonzero) < 2 or factor in (0, 1, -1) or not fits_all(factor):
                return []  # one number is always "a multiple" of another: only a known cause says anything
            cause = "no standard convention explains it" + (
                " (check the loss's constant factors)" if self.name not in FORWARD else "")
        what = "every step (w − w')" if self.name in UPDATES else "every value"
        return [("scale", cells + plain, f"{what} is {_factor(factor)} times the right one: {cause}")]

    def flipped(self, s: list[Fraction], cells: list[int], plain: list[int]) -> list[tuple[str, list[int], str]]:
        """The kernel-shaped field (for an update: its step) rotated by 180° or transposed, per filter and channel."""
        if self.name not in KERNEL_SHAPED or not self.enough(s, cells):
            return []
        start = self.start() if self.name in UPDATES else [Fraction(0)] * len(s)
        steps = [w - b for w, b in zip(start, self.expected)]
        for order, note in ((_rotated(self.p), "rotated by 180° (convolution and cross-correlation confused)"),
                            (_transposed(self.p), "transposed (rows and columns swapped)")):
            moved = [start[i] - steps[order[i]] for i in range(len(s))]
            if len(self.fits(s, moved, range(len(s)))) == len(s):  # then the open cells differ from the right ones
                what = "the step (w − w') is" if self.name in UPDATES else "the field is"
                return [("flipped", cells + plain, f"{what} the right one {note}")]
        return []

    def partial_sum(self, s: list[Fraction], cells: list[int], plain: list[int]) -> list[tuple[str, list[int], str]]:
        """Gradient entries that sum only some of the output cells: a set a student plausibly uses (a row,
        a column, the first k, one cell, one filter's, two of four), or one and the same set for two entries.
        A `plain` entry (a 0, a coarse rounding) joins only a set that the other entries establish."""
        if self.name not in GRADIENTS:
            return []
        terms = _gradient_terms(self.p, self.it, self.name)
        matches = {i: found for i in cells if (found := self._subsets(terms[i], s[i]))}
        shared = Counter(subset for found in matches.values() for subset in set(found))
        plausible = _plausible_subsets(self.p, self.name)
        established = {c for c in shared if shared[c] >= 2 or c in plausible}
        for i in plain:  # its sum over an established set, even of zero terms only (then the 0 it wrote)
            sums = {c: sum(terms[i].get(cell, 0.0) for cell in c) for c in established}
            matches[i] = [c for c, total in sums.items() if abs(total - float(s[i])) <= self._float_tolerance(total) * (1 + 1e-9) + 1e-15]
        used: dict[frozenset, list[int]] = {}
        for i, found in matches.items():
            backed = [c for c in found if c in established]
            if backed:
                best = min(backed, key=lambda c: (-shared[c], len(c), sorted(c)))
                used.setdefault(best, []).append(i)
        total = len(grid(self.p.conv_shape)) * (self.p.filters if self.name == "grad_input" else 1)
        return [("partial-sum", entries, "a partial sum over only output cells "
                 f"{', '.join(_cell_text(c) for c in sorted(subset))} of the {total}")
                for subset, entries in used.items()]

    def _subsets(self, options: dict[tuple, float], submitted: Fraction) -> list[frozenset]:
        """The proper subsets of an entry's terms whose sum is the submitted value (floats: this is a search)."""
        keys = list(options)
        if not 1 < len(keys) <= MAX_SUBSET_TERMS:
            return []
        target, found = float(submitted), []
        nonzero = {c for c in keys if options[c]}
        for size in range(1, len(keys)):
            for subset in itertools.combinations(keys, size):
                # A subset must use a nonzero term and leave one out: zero terms change nothing.
                used = nonzero.intersection(subset)
                if not used or used == nonzero:
                    continue
                total = sum(options[c] for c in subset)
                if abs(total - target) <= self._float_tolerance(total) * (1 + 1e-9) + 1e-15:
                    found.append(frozenset(subset))
        return found

    def _float_tolerance(self, x: float) -> float:
        """`tolerance` for a float, quick in the common case (the search calls it thousands of times)."""
        half_unit = 0.5 * 10.0**-self.precision
        if self.settings.atol is None and self.settings.rtol is None and (x == 0 or abs(x) >= half_unit):
            return half_unit
        return float(tolerance(Fraction(x), self.precision, self.settings))


def field_verdict(cells: Sequence[str]) -> str:
    """A field's verdict, never rosier than its cells: correct if all are, wrong if any is, else the
    commonest other verdict (a tie goes to the later, more severe one in VERDICTS)."""
    others = [v for v in cells if v != "correct"]
    if not others:
        return "correct"
    if "wrong" in others:
        return "wrong"
    return max(set(others), key=lambda v: (others.count(v), VERDICTS.index(v) if v in VERDICTS else len(VERDICTS)))


def _rounded_note(places: int, precision: int) -> str:
    whole = "a whole number" if places == 0 else f"{places} decimal place{'s' if places > 1 else ''}"
    return f"the right value rounded to {whole} (the sheet asks for {precision})"


def _plausible_subsets(problem: Problem, name: str) -> set[frozenset]:
    """The sets of output cells a student plausibly sums, per filter: one row, one column, the first k
    in row-major order, one cell, any two of four; for ∂L/∂X also every cell of one filter."""
    h, w = problem.conv_shape
    cells = grid((h, w))
    out: set[frozenset] = set()
    for f in range(problem.filters):
        label = (lambda i, j: (i, j)) if problem.rank2 else (lambda i, j, f=f: (f, i, j))
        groups = [[label(i, j) for j in range(w)] for i in range(h)] + [[label(i, j) for i in range(h)] for j in range(w)]
        groups += [[label(*c) for c in cells[:k]] for k in range(1, len(cells))]
        if len(cells) == 4:
            groups += [[label(*a), label(*b)] for a, b in itertools.combinations(cells, 2)]
        if name == "grad_input" and problem.filters > 1:
            groups.append([label(*c) for c in cells])
        out |= {frozenset(g) for g in groups}
    return out


def _causes(problem: Problem, name: str) -> list[tuple[Fraction, str]]:
    """The factors a field can be off by through a known slip, each with its cause, likeliest first."""
    if name in FORWARD:
        return []
    n = problem.filters * problem.output_shape[0] * problem.output_shape[1]
    eta = exact(problem.learning_rate) if name in UPDATES else None
    return slip_factors(problem.loss, n, is_loss=name in LOSSES, eta=eta)


def slip_factors(loss: str, n: int, is_loss: bool, eta: Fraction | None = None) -> list[tuple[Fraction, str]]:
    """The factors by which a loss value (`is_loss`) or a gradient-like field can be off through a known
    slip with this loss over n outputs, each with its cause; with `eta`, an update's step too. Flat and
    network checks share it, so a cause names only what the loss really has (MSE has no 1/2 to leave out)."""
    n_, half, two = Fraction(n), Fraction(1, 2), Fraction(2)
    if is_loss:
        causes = {
            "mse": [(n_, f"n = {n}: the sum of squares where the mean is meant (the 1/n missing)"),
                    (half, "1/2: halved, as if the loss were half the sum of squares"),
                    (n_ / 2, f"n/2 = {n_ / 2}: half the sum of squares where the mean is meant")],
            "sse": [(1 / n_, f"1/n = 1/{n}: the mean where the sum is meant"),
                    (half, "1/2: halved where the loss is not halved")],
            "half_sse": [(two, "2: the loss's 1/2 left out"),
                         (2 / n_, f"2/n = {2 / n_}: the mean where half the sum is meant")],
        }.get(loss, [])
    else:
        causes = {
            "mse": [(n_, f"n = {n}: the sum of squares used instead of the mean (missing 1/n)"),
                    (half, "1/2: the factor 2 of the square's derivative is missing"),
                    (n_ / 2, f"n/2 = {n_ / 2}: the 2/n of the mean's gradient missing"),
                    (two, "2: the factor 2 counted twice"),
                    (1 / n_, f"1/n = 1/{n}: divided by n once too often")],
            "sse": [(1 / n_, f"1/n = 1/{n}: divided by n, as for the mean, where the loss is a sum"),
                    (half, "1/2: the factor 2 of the square's derivative is missing"),
                    (two, "2: the factor 2 counted twice")],
            "half_sse": [(two, "2: the factor 2 counted where the loss's 1/2 already cancels it"),
                         (2 / n_, f"2/n = {2 / n_}: the mean's gradient used where the loss is half the sum"),
                         (1 / n_, f"1/n = 1/{n}: divided by n where the loss is a sum")],
        }.get(loss, [])
    if eta is not None:
        causes = [(eta, f"η = {show(eta)}: the learning rate applied twice"),
                  (1 / eta, "1/η: the learning rate left out of the update")] + causes
    return [(f, c) for f, c in causes if f != 1]


def _rotated(problem: Problem) -> list[int]:
    """For each flat index of a kernel-shaped field, the index it comes from when rotated by 180°."""
    kh, kw = problem.kernel_size
    return [_flat(problem, f, c, kh - 1 - u, kw - 1 - v) for f, c, u, v in weights(problem)]


def _transposed(problem: Problem) -> list[int]:
    """For each flat index of a kernel-shaped field, the index it comes from when transposed (square kernels)."""
    kh, kw = problem.kernel_size
    if kh != kw:
        return list(range(len(weights(problem))))  # not transposable in place: never a match (it equals the field)
    return [_flat(problem, f, c, v, u) for f, c, u, v in weights(problem)]


def _flat(problem: Problem, f: int, c: int, u: int, v: int) -> int:
    kh, kw = problem.kernel_size
    return ((f * problem.channels + c) * kh + u) * kw + v


def _notes(notes: list[str], shape: tuple[int, ...]) -> str:
    """The field's notes, each once, prefixed by the cells it is about unless it is about every cell."""
    parts = []
    for note in dict.fromkeys(n for n in notes if n):
        cells = [i for i, n in enumerate(notes) if n == note]
        parts.append(note if len(cells) == len(notes) else f"{_cells_text(cells, shape)}: {note}")
    return "; ".join(parts)


def _cells_text(cells: list[int], shape: tuple[int, ...]) -> str:
    """'entry (0, 1)' or 'entries (0, 1), (1, 0)' (flat indices named by their position in `shape`): a
    field's positions are entries, so that 'cell' always means an output cell."""
    named = [_cell_text(_position(i, shape)) for i in cells[:MAX_CELLS_NAMED]]
    more = f" and {len(cells) - MAX_CELLS_NAMED} more" if len(cells) > MAX_CELLS_NAMED else ""
    return ("entry " if len(cells) == 1 else "entries ") + ", ".join(named) + more


def _position(i: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    index = []
    for size in reversed(shape):
        i, r = divmod(i, size)
        index.append(r)
    return tuple(reversed(index))


def _shaped(flat: list, shape: tuple[int, ...]) -> Any:
    if not shape:
        return flat[0]
    size = len(flat) // shape[0]
    return [_shaped(flat[i * size : (i + 1) * size], shape[1:]) for i in range(shape[0])]


def _factor(x: Fraction) -> str:
    return str(x) if x.denominator <= 1000 else f"{float(x):.6g}"


def _cell_text(cell: tuple) -> str:
    return "(" + ", ".join(map(str, cell)) + ")"


def gradient_terms(problem: Problem, it: Iteration, name: str) -> list[dict[tuple, Fraction]]:
    """For each entry of a gradient field, its exact terms keyed by the output cell they come from."""
    return _gradient_terms(problem, it, name, number=exact)


def scale_causes(problem: Problem, name: str) -> list[tuple[Fraction, str]]:
    """The factors a field (for an update: its step) can be off by through a known slip, with causes."""
    return _causes(problem, name)


def rotated_order(problem: Problem) -> list[int]:
    """For each flat index of a kernel-shaped field, the index it comes from when rotated by 180°."""
    return _rotated(problem)


def field_values(it: Iteration, name: str) -> list[Fraction]:
    """An answer field's right values in iteration `it`, flat and exact."""
    return [exact(x) for x in values(table.field(name).read(it))]


def _gradient_terms(problem: Problem, it: Iteration, name: str, number: Callable[[Any], Any] = float) -> list[dict[tuple, Any]]:
    """For each entry of a gradient field, its terms keyed by the output cell they come from
    (floats by default: the partial-sum search adds thousands of subsets)."""
    dz, x, kernel = it.grad_feature_map, it.padded_input, it.kernel
    cells = grid(problem.conv_shape)
    label = (lambda f, i, j: (i, j)) if problem.rank2 else (lambda f, i, j: (f, i, j))
    if name == "grad_kernel":
        out = []
        for f, c, u, v in weights(problem):
            out.append({label(f, i, j): number(dz[f][i][j] * x[c][r][q])
                        for (i, j), (r, q) in ((cell, tap(problem, cell, (u, v))) for cell in cells)})
        return out
    if name == "grad_bias":
        return [{label(f, i, j): number(dz[f][i][j]) for i, j in cells} for f in range(problem.filters)]
    (ph, pw), (h, w) = problem.padding, (len(problem.input[0]), len(problem.input[0][0]))
    out = []
    for c in range(problem.channels):
        for p, q in grid((h, w)):
            terms: dict[tuple, Any] = {}
            for f in range(problem.filters):
                for cell in cells:
                    for uv in grid(problem.kernel_size):
                        if tap(problem, cell, uv) == (p + ph, q + pw):
                            key, term = label(f, *cell), number(dz[f][cell[0]][cell[1]] * kernel[f][c][uv[0]][uv[1]])
                            terms[key] = terms[key] + term if key in terms else term
            out.append(terms)
    return out


class _FollowThrough:
    """The right values of each field given the submission's own earlier values."""

    def __init__(self, problem: Problem, iterations: Sequence[Iteration], submission: list[dict[str, Any]]):
        self.p, self.its, self.sub = problem, iterations, submission

    def carried(self, k: int, name: str) -> list[Fraction] | None:
        """The follow-through values of `name` in iteration k (flat), or None when nothing upstream was submitted."""
        if not self._follows(k, name):
            return None
        with precise():
            return [exact(x) for x in values(self._compute(k, name))]

    def start(self, k: int, name: str) -> list[Fraction] | None:
        """The weights the follow-through update of `name` starts from (flat), or None."""
        if name not in UPDATES or not self._follows(k, name):
            return None
        it = self.its[k]
        if name == "kernel_next":
            return [exact(x) for x in values(self._tensor(k - 1, "kernel_next", it.kernel) if k > 0 else it.kernel)]
        return [exact(x) for x in values(self._tensor(k - 1, "bias_next", it.bias) if k > 0 else it.bias)]

    def submitted_flat(self, k: int, name: str) -> list[list[Fraction]]:
        """The submission's own values of `name` in iteration k (flat, exact), as a list of none or one."""
        return [[exact(Fraction(x)) for x in values(self.sub[k][name])]] if name in self.sub[k] else []

    def _follows(self, k: int, name: str) -> bool:
        earlier = k > 0 and any(u in self.sub[k - 1] for u in UPDATES)  # iteration k starts from them
        return earlier or any(u in self.sub[k] for u in table.field(name).upstream)

    def _tensor(self, k: int, name: str, fallback: Any) -> Any:
        """A submitted field as a tensor shaped like the model's (F×…), else the right value."""
        if name not in self.sub[k]:
            return fallback
        value = self.sub[k][name]
        if self.p.rank2:  # a 2-D spec's answers drop the model's filter and channel axes
            value = [[value]] if table.field(name).shape == "kernel" else [value]
        return _exact(value)

    def _compute(self, k: int, name: str) -> Any:
        """`name`'s value by the model's own rules (model.py's layer, loss and optimizer calls), fed the
        submission's earlier values wherever it gave them."""
        p, it = self.p, self.its[k]
        kernel = self._tensor(k - 1, "kernel_next", it.kernel) if k > 0 else it.kernel
        bias = self._tensor(k - 1, "bias_next", it.bias) if k > 0 and it.bias is not None else it.bias
        # Each field's own value comes from the fields before it (submitted where given), never from itself.
        own_z = model.convolve(p, kernel, bias)
        z = self._tensor(k, "feature_map", own_z)
        own_a = model.activate(p, z) if p.activation != "none" else None
        a = self._tensor(k, "activation", own_a) if own_a is not None else None
        source = a if a is not None else z
        pooled, winners = model.pool(p, source) if p.pooling else (source, None)
        y = self._tensor(k, "prediction", pooled)
        dz = model.backward(p, z, a, y, winners)[3]
        grads = model.conv_grads(p, kernel, bias, dz)
        g_kernel = self._tensor(k, "grad_kernel", grads[0])
        g_bias = self._tensor(k, "grad_bias", grads[1]) if bias is not None else None
        velocity = lambda: _velocity(p, kernel, g_kernel, it.velocity)  # noqa: E731
        velocity_bias = lambda: _velocity(p, bias, g_bias, it.velocity_bias)  # noqa: E731
        # The update follows the submission's own velocity when it gave one, else its own gradient.
        kernel_next = lambda: _step(p, kernel, g_kernel, it.velocity, self._tensor(k, "velocity", None))  # noqa: E731
        bias_next = lambda: _step(p, bias, g_bias, it.velocity_bias, self._tensor(k, "velocity_bias", None))  # noqa: E731
        given_kernel_next, given_bias_next = self._tensor(k, "kernel_next", None), self._tensor(k, "bias_next", None)
        values: dict[str, Callable[[], Any]] = {
            "feature_map": lambda: own_z, "activation": lambda: own_a, "prediction": lambda: pooled,
            "loss": lambda: model.loss(p, y),
            "grad_kernel": lambda: grads[0], "grad_bias": lambda: grads[1], "grad_input": lambda: grads[2],
            "velocity": velocity, "velocity_bias": velocity_bias,
            "kernel_next": kernel_next,
            "bias_next": bias_next,
            # The loss after the update, with the submission's own updated weights when it gave them.
            "loss_next": lambda: model.loss(p, model.forward(
                p, given_kernel_next if given_kernel_next is not None else kernel_next(),
                None if bias is None else given_bias_next if given_bias_next is not None else bias_next())[2]),
        }
        return values[name]()


def _exact(value: Any) -> Any:
    from .exact import rational

    return tuple(_exact(v) for v in value) if isinstance(value, list) else rational(Fraction(value))


def _velocity(p: Problem, param: Any, grad: Any, velocity: Any) -> Any:
    """The optimizer's velocity after its step (momentum only)."""
    return model.update(p, param, grad, velocity)[1]


def _step(p: Problem, param: Any, grad: Any, velocity: Any, given_velocity: Any) -> Any:
    """The optimizer's step from `param`; along the submitted velocity when there is one (a step from a zero
    velocity moves by η times its direction: P − η·v')."""
    if given_velocity is not None:
        return model.update(p, param, given_velocity, None)[0]
    return model.update(p, param, grad, velocity)[0]
