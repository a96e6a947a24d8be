"""Draw homework variants: seeded, reproducible, each checked to be a good exercise.

A variant's numbers come from a stream keyed by (--seed, index) through SHA-256, so they do
not depend on the Python version, the platform, PYTHONHASHSEED or how many jobs run. Each
candidate is solved and kept only if it passes every check (CHECKS); a candidate identical
to an earlier variant is skipped, so variant i depends only on the seed and variants 1..i.
The checks refuse accidents, not the problem's shape: a probe before the run (probed) finds the
gradient entries zero in most draws (padding, the pooling cells that can win), which may be zero,
and refuses at once a check that no probe candidate passes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import partial
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping

from . import activation, fields
from .errors import SpecError
from .exact import is_exact
from .literals import parse_number
from .model import Iteration, forward, tied_windows, train, values
from .problem import Problem, build_problem

ANSWER_FIELDS = fields.NAMES  # the one table of answer fields (derive/fields.py)
# What students enter unless `ask:` says otherwise; the bias fields only when the problem has a bias.
DEFAULT_ASK = ("prediction", "loss", "grad_kernel", "grad_bias", "kernel_next", "bias_next")
DRAWN = ("input", "kernel", "target", "bias")
MAX_ATTEMPTS = 2000
NICE_PROBE = 200  # candidates drawn to judge `nice` before the run (a few tenths of a second)
# A gradient entry zero in at least this share of the probe's candidates is zero by the problem's
# shape (padding, the pooling cells that can win), not by accident: the zero check skips it.
# (The trial's padded stride-2 max-pool spec had entries zero in 53-83 % of draws, none in 90 %.)
STRUCTURAL_SHARE = Fraction(1, 2)
QUICK_PROBE = 10  # the probe's first candidates: one passing every check as it stands ends the probe
PROBE_SEED = -1  # the probe's own stream: what counts as structural depends on the spec, not on --seed


@dataclass(frozen=True)
class Rule:
    """How one matrix is drawn: integers in [low, high], or decimals on a 10^-places grid."""

    low: Fraction
    high: Fraction
    places: int  # 0 for integers

    @property
    def choices(self) -> int:
        return int((self.high - self.low) * 10**self.places) + 1

    def draw(self, stream: "Stream") -> Fraction:
        return self.low + Fraction(stream.below(self.choices), 10**self.places)


@dataclass(frozen=True)
class Plan:
    """Everything `variants:` and `ask:` say, with defaults drawn from the base problem."""

    base: dict[str, Any]
    rules: dict[str, Rule | None]  # None: kept as in the base
    hidden_kernel: Rule | None  # target computed from a hidden "true" kernel drawn by this rule
    nice: int | None
    ask: tuple[str, ...]
    structural: frozenset = frozenset()  # gradient entries (iteration, position) zero by the problem's shape


@dataclass(frozen=True)
class Variant:
    """One accepted variant: its index (1-based), seed, spec and solved values."""

    index: int
    seed: int
    spec: dict[str, Any]
    attempts: int


class Stream:
    """Uniform integers from SHA-256 of (seed, counter): the same everywhere, forever."""

    def __init__(self, seed: int):
        self.seed, self.counter = seed, 0

    def below(self, n: int) -> int:
        self.counter += 1
        digest = hashlib.sha256(f"{self.seed}:{self.counter}".encode()).digest()
        return int.from_bytes(digest, "big") % n  # 256 bits: the modulo bias is nil


def variant_seed(seed: int, index: int) -> int:
    """The seed of variant `index`, from the run's seed alone: variant 17 can be redone alone."""
    digest = hashlib.sha256(f"derive-variant:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def plan(spec: Mapping[str, Any], problem: Problem | None = None) -> Plan:
    """Read the `variants:` and `ask:` blocks; matrices without a rule vary like the base.
    `problem` is the spec's, when the caller has already built it."""
    problem = problem or build_problem(spec)
    block = spec.get("variants") or {}
    if not isinstance(block, Mapping):
        raise SpecError("must be a mapping from input/kernel/target/bias to a rule", field="variants")
    for key in block:
        if key not in DRAWN + ("nice",):
            raise SpecError(f"unknown key {key!r} (valid: {', '.join(DRAWN + ('nice',))})", field="variants")
    rules: dict[str, Rule | None] = {}
    hidden = None
    for key in DRAWN:
        if key == "bias" and problem.bias is None:
            if key in block:
                raise SpecError("the base problem has no bias to vary", field="variants.bias")
            continue
        given = block.get(key)
        if key == "target" and isinstance(given, Mapping) and "from_kernel" in given:
            hidden = _rule(given["from_kernel"], "variants.target.from_kernel")
            rules[key] = None
        elif given == "fixed":
            rules[key] = None
        elif given is not None:
            rules[key] = _rule(given, f"variants.{key}")
        else:
            rules[key] = _like(spec[key], key) if key != "bias" else None
    nice = block.get("nice")
    if nice is not None and (isinstance(nice, bool) or not isinstance(nice, int) or nice < 0):
        raise SpecError(f"must be a whole number of decimals, got {nice!r}", field="variants.nice")
    act = activation.layer(problem)
    if nice is not None and act is not None and not act.exact:
        raise SpecError(f"cannot be met: {problem.activation} values never terminate", field="variants.nice")
    return Plan(dict(spec), rules, hidden, nice, _ask(spec, problem))


def _ask(spec: Mapping[str, Any], problem: Problem) -> tuple[str, ...]:
    present = {f.name for f in fields.present(problem)}
    ask = spec.get("ask", [name for name in DEFAULT_ASK if name in present])
    if not isinstance(ask, list) or not ask:
        raise SpecError(f"must be a non-empty list of answer fields ({', '.join(ANSWER_FIELDS)})", field="ask")
    for name in ask:
        if name not in ANSWER_FIELDS:
            raise SpecError(f"unknown answer field {name!r} (valid: {', '.join(ANSWER_FIELDS)})", field="ask")
        if name not in present:
            raise SpecError(fields.not_present(fields.field(name)), field="ask")
    return tuple(dict.fromkeys(ask))


def _rule(value: Any, field: str) -> Rule:
    if not isinstance(value, Mapping):
        raise SpecError("must be {integers: [low, high]} or {decimals: d, range: [low, high]}", field=field)
    if "integers" in value and set(value) == {"integers"}:
        low, high = _range(value["integers"], field)
        if low.denominator != 1 or high.denominator != 1:
            raise SpecError("integers needs whole-number bounds", field=field)
        return Rule(low, high, 0)
    if "decimals" in value and set(value) <= {"decimals", "range"} and "range" in value:
        places = value["decimals"]
        if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 6:
            raise SpecError(f"decimals must be a whole number from 0 to 6, got {places!r}", field=field)
        low, high = _range(value["range"], field)
        step = Fraction(1, 10**places)
        # Snap the bounds inward to the grid so every drawn number has at most `places` decimals.
        return Rule(_ceil_to(low, step), _floor_to(high, step), places)
    raise SpecError("must be {integers: [low, high]} or {decimals: d, range: [low, high]}", field=field)


def _range(value: Any, field: str) -> tuple[Fraction, Fraction]:
    if not isinstance(value, list) or len(value) != 2:
        raise SpecError(f"a range must be [low, high], got {value!r}", field=field)
    try:
        low, high = parse_number(value[0]), parse_number(value[1])
    except SpecError as exc:
        raise SpecError(exc.message, field=field) from None
    if low > high:
        raise SpecError(f"the range [{value[0]}, {value[1]}] is empty", field=field)
    return low, high


def _ceil_to(x: Fraction, step: Fraction) -> Fraction:
    return -((-x) // step) * step


def _floor_to(x: Fraction, step: Fraction) -> Fraction:
    return (x // step) * step


def _like(given: Any, key: str) -> Rule | None:
    """The base's kind of numbers: integers in its range, or decimals with its decimal places."""
    flat = [parse_number(v) for v in values(given)]
    low, high = min(flat), max(flat)
    if low == high:
        return None  # a constant matrix stays as it is
    places = max(_places(v) for v in flat)
    return Rule(low if places == 0 else _ceil_to(low, Fraction(1, 10**places)),
                high if places == 0 else _floor_to(high, Fraction(1, 10**places)), places)


def _places(value: Fraction) -> int:
    for places in range(7):
        if (value * 10**places).denominator == 1:
            return places
    return 2  # a fraction like 1/3: draw two decimals instead


def _shaped(template: Any, fill: Callable[[], Any]) -> Any:
    return [_shaped(t, fill) for t in template] if isinstance(template, list) else fill()


def distinct_problems(p: Plan) -> int:
    """How many different problems the rules can draw (an upper bound on --count)."""
    total = 1
    for key, rule in p.rules.items():
        if rule is not None:
            total *= rule.choices ** len(values(p.base[key]))
    if p.hidden_kernel is not None:
        total *= p.hidden_kernel.choices ** len(values(p.base["kernel"]))
    return total


def candidate(p: Plan, stream: Stream) -> dict[str, Any]:
    """One drawn spec (not yet checked)."""
    spec = {k: v for k, v in p.base.items() if k != "variants"}
    for key, rule in p.rules.items():
        if rule is not None:
            spec[key] = _shaped(p.base[key], partial(_drawn, rule, stream))
    hidden = p.hidden_kernel
    if hidden is not None:
        true_kernel = _shaped(p.base["kernel"], lambda: _text(hidden.draw(stream)))
        spec["target"] = _target_from(dict(spec, kernel=true_kernel))
    return spec


def _drawn(rule: Rule, stream: Stream) -> int | str:
    """One number drawn by `rule`, as the spec writes it."""
    return _text(rule.draw(stream))


def _text(value: Fraction) -> int | str:
    """A drawn number as the spec writes it (exact)."""
    if value.denominator == 1:
        return int(value)
    from .literals import show

    return show(value)


def _target_from(spec: dict[str, Any]) -> Any:
    """The output of the network with the hidden kernel: the target a perfect filter reaches."""
    from .answers import _spec_tensor

    problem = build_problem(spec)
    prediction = forward(problem, problem.kernel, problem.bias)[2]
    return _spec_tensor(prediction[0] if problem.rank2 else prediction)


NICE_CHECK = "answers with at most `nice` decimals"
ZERO_CHECK = "no gradient entry exactly zero"
RELU_CHECK = "no ReLU input exactly 0"
TIE_CHECK = "no max-pooling tie"
LOSS_CHECK = "the loss falls after the update"
# The checks that make a variant a good exercise: (name, test on the solved iterations).
CHECKS: tuple[tuple[str, Callable[[Problem, tuple[Iteration, ...], Plan], bool]], ...] = (
    (ZERO_CHECK, lambda pr, its, p: not zero_entries(its) - p.structural),
    (RELU_CHECK, lambda pr, its, p: _off_kink(pr, its)),
    (TIE_CHECK, lambda pr, its, p: not any(_telling_ties(pr, it) for it in its)),
    (LOSS_CHECK, lambda pr, its, p: all(it.loss_next < it.loss for it in its)),
    (NICE_CHECK, lambda pr, its, p: p.nice is None or all(
        _nice(v, p.nice) for it in its for name in p.ask for v in values(fields.field(name).read(it)))),
)
# What to change in the spec when a check (almost) never passes, in the spec's own terms.
ADVICE = {
    ZERO_CHECK: "some gradient entry is zero because drawn numbers cancel or a drawn input is 0; draw input "
                "from a range without 0, or kernel with more decimals",
    RELU_CHECK: "W·X + b lands on 0 too often; draw kernel or bias with more decimals than input, or make bias "
                "non-zero",
    TIE_CHECK: "max-pooling windows share their largest value too often; draw input from a wider range or "
               "kernel with more decimals",
    LOSS_CHECK: "the update overshoots; lower learning_rate (or momentum)",
}


def advice(check: str, nice: int | None) -> str:
    """What to change when `check` fails for (nearly) every candidate; `nice` only when the spec sets it."""
    return ADVICE.get(check, "widen the variants ranges") + ("" if nice is None else ", or relax nice")


def zero_entries(its: tuple[Iteration, ...]) -> frozenset[tuple[int, int]]:
    """The gradient entries (iteration, position in grad_kernel then grad_bias) that are exactly zero."""
    return frozenset((k, i) for k, it in enumerate(its)
                     for i, g in enumerate(values(it.grad_kernel) + list(it.grad_bias or ())) if g == 0)


def _telling_ties(problem: Problem, it: Iteration) -> tuple:
    """The max-pooling ties whose winner matters: a tie between ReLU outputs of 0 does not (every tied
    cell has z < 0, so ∂A/∂Z = 0 and the gradient is 0 whichever cell wins)."""
    a, winners = it.activation, it.winners
    if problem.activation != "relu" or a is None or winners is None:
        return tied_windows(problem, it)
    return tuple((f, i, j) for f, i, j in tied_windows(problem, it)
                 if a[f][winners[(f, i, j)][0]][winners[(f, i, j)][1]] != 0)


def _off_kink(problem: Problem, its: tuple[Iteration, ...]) -> bool:
    """No activation input sits where the activation has no derivative (ReLU's 0): there the
    answer hangs on a convention."""
    act = activation.layer(problem)
    return act is None or act.kink is None or all(z != act.kink for it in its for z in values(it.feature_map))


def _nice(value: Any, places: int) -> bool:
    return is_exact(value) and (value * 10**places).denominator == 1


def first_good(p: Plan, index: int, seed: int, skip: int = 0) -> tuple[dict[str, Any], int, str | None]:
    """The first candidate of variant `index` passing every check, after `skip` good ones.

    Returns (spec, attempts used, None), or ({}, attempts, the check that failed most).
    """
    return first_passing(lambda stream: candidate(p, stream), lambda spec: _failed_check(p, spec), index, seed, skip)


def first_passing(draw: Callable[[Stream], dict[str, Any]], failed: Callable[[dict[str, Any]], str | None],
                  index: int, seed: int, skip: int = 0) -> tuple[dict[str, Any], int, str | None]:
    """The redraw loop, for any kind of spec: `draw` makes a candidate from the variant's stream,
    `failed` names the first check it fails (None: it passes). Returns as first_good."""
    stream = Stream(variant_seed(seed, index))
    failures: dict[str, int] = {}
    good = 0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        spec = draw(stream)
        failure = failed(spec)
        if failure is None:
            if good == skip:
                return spec, attempt, None
            good += 1
        else:
            failures[failure] = failures.get(failure, 0) + 1
    return {}, MAX_ATTEMPTS, max(failures, key=failures.__getitem__) if failures else "duplicates"


def _failed_check(p: Plan, spec: dict[str, Any]) -> str | None:
    return _judge(p, spec)[0]


def _judge(p: Plan, spec: dict[str, Any]) -> tuple[str | None, Problem, tuple[Iteration, ...]]:
    """The first check a candidate fails (None: it passes), with its problem and iterations."""
    problem = build_problem(spec)
    iterations = train(problem)
    for name, check in CHECKS:
        if not check(problem, iterations, p):
            return name, problem, iterations
    return None, problem, iterations


def probed(p: Plan, seed: int) -> Plan:
    """The plan with its structural zeros found (probe), refused before the run if an asked `nice` or
    some check (almost) no candidate can pass."""
    stream = Stream(variant_seed(PROBE_SEED, 0))

    def solve() -> tuple[Problem, tuple[Iteration, ...]]:
        problem = build_problem(candidate(p, stream))
        return problem, train(problem)

    mask, failures = probe(solve, lambda s: zero_entries(s[1]),
                           lambda s, mask: _first_failure(replace(p, structural=mask), *s))
    p = replace(p, structural=mask)
    check_nice(p, seed)
    refuse_unmeetable(failures, p.nice)
    return p


def probe(solve: Callable[[], Any], zeros: Callable[[Any], frozenset | None],
          failure: Callable[[Any, frozenset], str | None]) -> tuple[frozenset, list[str | None]]:
    """The structural zeros and the probe candidates' first failures (None: passes). `solve` draws and
    solves the next candidate, `zeros` gives its zero gradient entries (None: not a valid problem),
    `failure` the first check it fails when the entries of a mask may be zero.

    When one of the first QUICK_PROBE candidates passes every check as it stands, good variants are
    common and nothing is exempt (the probe stops there: a big network is not solved 200 times); otherwise
    NICE_PROBE candidates decide which entries are zero by the problem's shape."""
    solved = []
    for _ in range(QUICK_PROBE):
        solved.append(solve())
        if failure(solved[-1], frozenset()) is None:
            return frozenset(), [None]
    solved += [solve() for _ in range(NICE_PROBE - QUICK_PROBE)]
    mask = structural(zeros(s) for s in solved)
    return mask, [failure(s, mask) for s in solved]


def structural(zeros: Iterable[frozenset | None]) -> frozenset:
    """The entries zero in at least STRUCTURAL_SHARE of the probe's valid candidates (each given as its zero
    entries; None for a candidate the solver refuses)."""
    counts: dict[Any, int] = {}
    total = 0
    for entries in zeros:
        if entries is None:
            continue
        total += 1
        for entry in entries:
            counts[entry] = counts.get(entry, 0) + 1
    return frozenset(e for e, n in counts.items() if Fraction(n, max(total, 1)) >= STRUCTURAL_SHARE)


def refuse_unmeetable(failures: list[str | None], nice: int | None) -> None:
    """If no probed candidate passes, name the check failed most and what to change, before the run."""
    if not failures or None in failures:
        return
    counts = {f: failures.count(f) for f in failures if f is not None}
    worst = max(counts, key=counts.__getitem__)
    raise SpecError(f"no variant can be drawn: none of {len(failures)} drawn candidates passed every check (most "
                    f"often failed: {worst}, by {counts[worst]}); {advice(worst, nice)}", field="variants")


def _first_failure(p: Plan, problem: Problem, its: tuple[Iteration, ...]) -> str | None:
    return next((name for name, check in CHECKS if not check(problem, its, p)), None)


def check_nice(p: Plan, seed: int) -> None:
    """Refuse a `nice` that (almost) no candidate meets, in a fraction of a second instead of after
    MAX_ATTEMPTS draws per variant: if none of NICE_PROBE candidates passes and some fail only
    `nice`, say why the answers do not terminate and what to change."""
    if p.nice is None:
        return
    stream = Stream(variant_seed(seed, 1))  # variant 1's own draws: the run would start with them
    offenders: dict[str, int] = {}
    problem = None
    for _ in range(NICE_PROBE):
        failed, problem, iterations = _judge(p, candidate(p, stream))
        if failed is None:
            return
        if failed == NICE_CHECK:
            field = next(name for name in p.ask for it in iterations
                         if not all(_nice(v, p.nice) for v in values(fields.field(name).read(it))))
            offenders[field] = offenders.get(field, 0) + 1
    if not offenders or problem is None:
        return  # other checks fail: the run reports the one failing most
    worst = max(offenders, key=offenders.__getitem__)
    raise SpecError(f"{p.nice} decimals cannot be met: none of {NICE_PROBE} drawn candidates had every asked "
                    f"answer within {p.nice} decimals (most often not: {worst}); {_nice_advice(problem, p.nice)}",
                    field="variants.nice")


def _nice_advice(problem: Problem, places: int) -> str:
    """Why the answers do not terminate, from the factors the problem brings in, and what to change."""
    def odd(q: Fraction) -> bool:  # a denominator with a prime other than 2 and 5 never terminates
        d = q.denominator
        for prime in (2, 5):
            while d % prime == 0:
                d //= prime
        return d != 1

    n = len(values(problem.target))
    if problem.loss == "mse" and odd(Fraction(2, n)):
        return (f"with n = {n} output cells the loss carries a factor 1/{n} and the gradients 2/{n}, which rarely "
                "terminate; drop nice, "
                "use loss: sse or half_sse, or choose a problem with 2^a·5^b output cells")
    if problem.pooling is not None and problem.pooling.type == "avg":
        k = problem.pooling.size[0] * problem.pooling.size[1]
        if odd(Fraction(1, k)):
            return (f"average pooling over {k} cells brings a factor 1/{k}, which rarely terminates; drop nice, "
                    "use max pooling, or a window of 2^a·5^b cells")
    for name, value in (("learning_rate", problem.learning_rate), ("momentum", problem.momentum)):
        if value is not None and odd(Fraction(int(value.numerator), int(value.denominator))):
            return f"{name} {value.numerator}/{value.denominator} does not terminate as a decimal; drop nice or change it"
    return (f"products such as η·∂L/∂W need more decimals than {places}; raise nice, drop it, or draw numbers "
            "with fewer decimals")


def identity(spec: Mapping[str, Any]) -> tuple:
    """What makes two variants the same exercise: their numbers."""
    return tuple(repr(spec.get(key)) for key in DRAWN)
