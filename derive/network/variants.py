"""Homework variants of a `layers:` spec: rules per parameter, drawing, quality checks, the asked
fields and each blank's tolerance. The seeded streams, Rule parsing and the redraw loop are
derive/variants.py's; only what is bound to a network lives here.

`variants:` keys are `input`, `target` and `layers[J].P` (P: weights, kernel, bias), each a rule
({integers: [a, b]} or {decimals: d, range: [a, b]}) or `fixed`; a number without a rule varies
like the base (same kind of numbers, same range), a constant one stays.
"""
from __future__ import annotations

import copy
import re
from functools import partial
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from ..errors import SpecError
from ..variants import advice as advice  # homework.py asks the kit for it
from ..variants import (NICE_PROBE, PROBE_SEED, Rule, Stream, _like, _nice, _rule, _shaped, _text, first_passing,
                        probe, refuse_unmeetable, variant_seed)
from .layers.elementwise import Elementwise
from .model import NetIteration, train
from .spec import Network, build_network
from .tensor import Tensor, zeros

PARAM_KEY = re.compile(r"^layers\[(\d+)\]\.(weights|kernel|bias)$")
ITERATION_FIELDS = ("prediction", "loss", "loss_next", "grad_input")
LAYER_FIELDS = ("output", "grad_output")
HOMEWORK_KEYS = ("variants", "ask", "variant")  # read by derive variants; solving ignores them


@dataclass(frozen=True)
class NetPlan:
    """What `variants:` and `ask:` say for a network: a rule (or None: kept) per drawn path."""

    base: dict[str, Any]
    rules: tuple[tuple[str, Rule | None], ...]  # path ("input", "target", "layers[0].weights") → rule
    nice: int | None
    ask: tuple[str, ...]  # answer names: "loss", "layers[0].grad_weights", …
    structural: frozenset = frozenset()  # gradient entries (iteration, layer, parameter, position) zero by shape


def network_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec without the homework keys, as build_network reads it."""
    return {k: v for k, v in spec.items() if k not in HOMEWORK_KEYS}


def plan(spec: Mapping[str, Any]) -> NetPlan:
    """Read `variants:` and `ask:` of a network spec; numbers without a rule vary like the base."""
    net = build_network(network_spec(spec))
    block = spec.get("variants") or {}
    if not isinstance(block, Mapping):
        raise SpecError("must be a mapping from input, target or layers[J].P to a rule", field="variants")
    paths = _paths(spec)
    for key in block:
        if key != "nice" and key not in paths:
            raise SpecError(f"unknown key {key!r} (valid: {', '.join(list(paths) + ['nice'])})", field="variants")
    rules: list[tuple[str, Rule | None]] = []
    for path, value in paths.items():
        given = block.get(path)
        if given == "fixed":
            rules.append((path, None))
        elif given is not None:
            rules.append((path, _rule(given, f"variants.{path}")))
        else:
            rules.append((path, _like(value, path) if isinstance(value, list) or path != "target" else None))
    nice = block.get("nice")
    if nice is not None and (isinstance(nice, bool) or not isinstance(nice, int) or nice < 0):
        raise SpecError(f"must be a whole number of decimals, got {nice!r}", field="variants.nice")
    kinds = [layer.kind for layer in net.layers if not layer.exact]
    if nice is not None and kinds:
        raise SpecError(f"cannot be met: {kinds[0]} values never terminate", field="variants.nice")
    return NetPlan(dict(spec), tuple(rules), nice, _ask(spec, net))


def _paths(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Every drawable number list of the spec by its path, in the spec's order."""
    paths = {"input": spec["input"]}
    for j, entry in enumerate(spec["layers"]):
        if isinstance(entry, Mapping):
            options = next(iter(entry.values())) or {}
            for name in ("weights", "kernel", "bias"):
                if name in options:
                    paths[f"layers[{j}].{name}"] = options[name]
    target = spec["target"]
    if isinstance(target, list):  # a class index stays the class it is
        paths["target"] = target
    return paths


def answer_names(net: Network) -> list[str]:
    """Every answer a network has, by the name `ask:` and the CSV use."""
    names = list(ITERATION_FIELDS)
    for j, layer in enumerate(net.layers):
        names += [f"layers[{j}].{f}" for f in LAYER_FIELDS]
        for name, _ in layer.init:
            names.append(f"layers[{j}].grad_{name}")
            if name not in layer.fixed:
                if net.optimizer.has_velocity:
                    names.append(f"layers[{j}].velocity_{name}")
                names.append(f"layers[{j}].{name}_next")
    return names


def default_ask(net: Network) -> list[str]:
    """prediction, loss, and every parameter's gradient and (unless fixed) its updated value."""
    ask = ["prediction", "loss"]
    for j, layer in enumerate(net.layers):
        for name, _ in layer.init:
            ask.append(f"layers[{j}].grad_{name}")
            if name not in layer.fixed:
                ask.append(f"layers[{j}].{name}_next")
    return ask


def _ask(spec: Mapping[str, Any], net: Network) -> tuple[str, ...]:
    valid = answer_names(net)
    ask = spec.get("ask", default_ask(net))
    if not isinstance(ask, list) or not ask:
        raise SpecError(f"must be a non-empty list of answer fields ({', '.join(valid)})", field="ask")
    for name in ask:
        if name not in valid:
            raise SpecError(f"unknown answer field {name!r} for this network (valid: {', '.join(valid)})", field="ask")
    return tuple(dict.fromkeys(ask))


def distinct_problems(p: NetPlan) -> int:
    """How many different problems the rules can draw (an upper bound on --count)."""
    total = 1
    for path, rule in p.rules:
        if rule is not None:
            total *= rule.choices ** _count(_get(p.base, path))
    return total


def _count(value: Any) -> int:
    return sum(_count(v) for v in value) if isinstance(value, list) else 1


def _get(spec: Mapping[str, Any], path: str) -> Any:
    match = PARAM_KEY.match(path)
    if not match:
        return spec[path]
    return next(iter(spec["layers"][int(match[1])].values()))[match[2]]


def _set(spec: dict[str, Any], path: str, value: Any) -> None:
    match = PARAM_KEY.match(path)
    if not match:
        spec[path] = value
        return
    entry = spec["layers"][int(match[1])]
    next(iter(entry.values()))[match[2]] = value


def candidate(p: NetPlan, stream: Stream) -> dict[str, Any]:
    """One drawn spec (not yet checked): the base with every ruled path drawn afresh."""
    spec = copy.deepcopy({k: v for k, v in p.base.items() if k != "variants"})
    for path, rule in p.rules:
        if rule is not None:
            _set(spec, path, _shaped(_get(p.base, path), partial(_drawn, rule, stream)))
    return spec


def _drawn(rule: Rule, stream: Stream) -> int | str:
    return _text(rule.draw(stream))


def _values(t: Any) -> tuple:
    return t.data if isinstance(t, Tensor) else (t,)


def _ties(x: Tensor, layer: Any, after_relu: bool) -> bool:
    """Whether some max-pooling window has two equal largest values whose winner matters: after a ReLU, a
    tie at 0 does not (each tied cell had z < 0, so ∂A/∂Z = 0 whichever wins)."""
    for cell in zeros(layer.out_shape).indices():
        window = [x[c] for c in layer.window(cell)]
        top = max(window)
        if window.count(top) > 1 and not (after_relu and top == 0):
            return True
    return False


def zero_entries(its: tuple[NetIteration, ...]) -> frozenset[tuple[int, int, str, int]]:
    """The gradient entries (iteration, layer, parameter, position) that are exactly zero."""
    return frozenset((k, j, name, i) for k, it in enumerate(its) for j, r in enumerate(it.layers)
                     for name, t in r.backward.grads.items() for i, g in enumerate(t.data) if g == 0)


def _pool_ties(net: Network, it: NetIteration) -> bool:
    return any(_ties(r.input, layer, j > 0 and net.layers[j - 1].kind == "relu")
               for j, (layer, r) in enumerate(zip(net.layers, it.layers)) if layer.kind == "maxpool")


NICE_CHECK = "answers with at most `nice` decimals"
Check = Callable[[Network, tuple[NetIteration, ...], NetPlan], bool]
# The checks that make a network variant a good exercise, as the flat path's (variants.CHECKS).
CHECKS: tuple[tuple[str, Check], ...] = (
    ("no gradient entry exactly zero", lambda net, its, p: not zero_entries(its) - p.structural),
    ("no ReLU input exactly 0", lambda net, its, p: all(  # at an activation's kink, where it has no derivative
        z != layer.kink for it in its for layer, r in zip(net.layers, it.layers)
        if isinstance(layer, Elementwise) and layer.kink is not None for z in r.input.data)),
    ("no max-pooling tie", lambda net, its, p: not any(_pool_ties(net, it) for it in its)),
    ("the loss falls after the update", lambda net, its, p: all(it.loss_next < it.loss for it in its)),
    (NICE_CHECK, lambda net, its, p: p.nice is None or all(
        _nice(v, p.nice) for it in its for name in p.ask for v in _values(read(it, name)))),
)


def read(it: NetIteration, name: str) -> Any:
    """The value of answer `name` ("loss", "layers[0].grad_weights", …) in an iteration."""
    if not name.startswith("layers["):
        return getattr(it, name)
    head, field = name.split(".", 1)
    record = it.layers[int(head[7:-1])]
    if field == "output":
        return record.forward.output
    if field == "grad_output":
        return record.grad_output
    if field.startswith("grad_"):
        return record.backward.grads[field[5:]]
    if field.startswith("velocity_"):
        return record.velocity[field[9:]]
    return record.params_next[field[:-5]]


def judge(p: NetPlan, spec: dict[str, Any]) -> str | None:
    """The first check a candidate fails (None: it passes); a spec the solver refuses fails too."""
    solved = _solved(spec)
    if isinstance(solved, str):
        return solved
    return _first_failure(p, *solved)


def _solved(spec: dict[str, Any]) -> tuple[Network, tuple[NetIteration, ...]] | str:
    """The candidate's network and iterations, or why the solver refuses it."""
    try:
        net = build_network(network_spec(spec))
        return net, train(net)
    except SpecError as exc:  # e.g. binary cross-entropy on a drawn output of exactly 0 or 1
        return f"a valid problem ({exc.message})"


def _first_failure(p: NetPlan, net: Network, iterations: tuple[NetIteration, ...]) -> str | None:
    for name, check in CHECKS:
        if not check(net, iterations, p):
            return name
    return None


def first_good(p: NetPlan, index: int, seed: int, skip: int = 0) -> tuple[dict[str, Any], int, str | None]:
    """variants.first_good for a network plan."""
    return first_passing(lambda stream: candidate(p, stream), lambda spec: judge(p, spec), index, seed, skip)


def identity(spec: Mapping[str, Any]) -> tuple:
    """What makes two variants the same exercise: their numbers."""
    return (repr(spec.get("input")), repr(spec.get("layers")), repr(spec.get("target")))


def probed(p: NetPlan, seed: int) -> NetPlan:
    """variants.probed for a network plan: structural zeros found by variants.probe, then an unmeetable
    `nice` or check refused before the run."""
    stream = Stream(variant_seed(PROBE_SEED, 0))
    mask, failures = probe(lambda: _solved(candidate(p, stream)),
                           lambda s: None if isinstance(s, str) else zero_entries(s[1]),
                           lambda s, mask: s if isinstance(s, str) else _first_failure(replace(p, structural=mask), *s))
    p = replace(p, structural=mask)
    check_nice(p, seed)
    refuse_unmeetable(failures, p.nice)
    return p


def check_nice(p: NetPlan, seed: int) -> None:
    """Refuse a `nice` that none of NICE_PROBE candidates meets, before the run (as the flat path's
    variants.check_nice), naming the asked answer that most often has too many decimals."""
    if p.nice is None:
        return
    stream = Stream(variant_seed(seed, 1))  # variant 1's own draws: the run would start with them
    offenders: dict[str, int] = {}
    for _ in range(NICE_PROBE):
        spec = candidate(p, stream)
        failed = judge(p, spec)
        if failed is None:
            return
        if failed == NICE_CHECK:
            iterations = train(build_network(network_spec(spec)))
            name = next(n for n in p.ask for it in iterations if not all(_nice(v, p.nice) for v in _values(read(it, n))))
            offenders[name] = offenders.get(name, 0) + 1
    if offenders:
        worst = max(offenders, key=offenders.__getitem__)
        raise SpecError(f"{p.nice} decimals cannot be met: none of {NICE_PROBE} drawn candidates had every asked answer "
                        f"within {p.nice} decimals (most often not: {worst}); drop nice, raise it, or draw numbers with "
                        "fewer decimals", field="variants.nice")


