"""`derive variants` on a flat spec whose optimizer only the network path computes (Adam, RMSprop, …): the
network homework spec it means, with its `variants:` rules and `ask:` names translated (kernel is
layers[0].kernel, kernel_next layers[0].kernel_next), so network/variants.py draws it; each drawn
variant then goes back to a flat spec with flat `ask:` names (flat_variants), so its problem.yaml,
answers.csv, LMS blanks and `derive mark` name the answers as the teacher's flat spec does."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..errors import SpecError

RULES = {"input": "input", "kernel": "layers[0].kernel", "target": "target", "bias": "layers[0].bias", "nice": "nice"}
HOMEWORK = ("variants", "ask", "variant")


def network_homework(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The `layers:` homework spec of a flat one (its numbers and keys checked as the flat path checks them)."""
    from ..problem import build_problem
    from .answers import flat_table
    from .flat import as_network

    plain = _plain(flat)
    problem = build_problem({**plain, "optimizer": "sgd"})  # the flat checks and messages
    spec = as_network(plain, problem)
    if "variants" in flat:
        spec["variants"] = _rules(flat["variants"], problem.bias is not None)
    if "ask" in flat:
        spec["ask"] = _ask(flat["ask"], dict(flat_table(problem, False)))
    if "variant" in flat:
        spec["variant"] = flat["variant"]
    return spec


def _rules(block: Any, has_bias: bool) -> Any:
    """`variants:` with the flat keys (input, kernel, target, bias, nice) renamed to the network's paths."""
    if block is None:
        return None
    if not isinstance(block, Mapping):
        raise SpecError("must be a mapping from input/kernel/target/bias to a rule", field="variants")
    valid = [k for k in RULES if k != "bias" or has_bias]
    for key in block:
        if key not in valid:
            raise SpecError(f"unknown key {key!r} (valid: {', '.join(valid)})", field="variants")
    return {RULES[k]: v for k, v in block.items()}


def _ask(ask: Any, names: Mapping[str, str]) -> Any:
    """`ask:` with each flat answer name as its network field (a network name is taken as it is)."""
    if not isinstance(ask, list):
        return ask  # network/variants.py says what ask must be
    out = []
    for name in ask:
        if isinstance(name, str) and name in names:
            out.append(names[name])
        elif isinstance(name, str) and name.startswith("layers["):
            out.append(name)
        else:
            raise SpecError(f"unknown answer field {name!r} (valid: {', '.join(names)})", field="ask")
    return out


def flat_variants(flat: Mapping[str, Any], plan: Any, drawn: Sequence[Any]) -> tuple[Any, list[Any]]:
    """The network plan and its drawn variants as the flat spec means them: `ask` in flat names, each
    variant's spec the flat spec with the drawn input, kernel, bias and target."""
    from ..problem import build_problem
    from .answers import flat_table

    problem = build_problem({**_plain(flat), "optimizer": "sgd"})
    to_flat = {field: name for name, field in flat_table(problem, False)}
    ask = tuple(dict.fromkeys(to_flat.get(name, name) for name in plan.ask))
    return replace(plan, ask=ask), [replace(v, spec=_flat_spec(flat, v.spec)) for v in drawn]


def _plain(flat: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in flat.items() if k not in HOMEWORK}


def _flat_spec(flat: Mapping[str, Any], drawn: Mapping[str, Any]) -> dict[str, Any]:
    """The flat spec with a drawn network variant's numbers (the conv is layers[0], as network_homework made it)."""
    conv = drawn["layers"][0]["conv"]
    spec = {**_plain(flat), "input": drawn["input"], "kernel": conv["kernel"], "target": drawn["target"]}
    if "bias" in conv:
        spec["bias"] = conv["bias"]
    return spec


def normalized_flat(flat: Mapping[str, Any]) -> dict[str, Any]:
    """A flat spec's normalized form (every default filled in, numbers exact), as its answers.json records it."""
    from ..problem import build_problem
    from .answers import normalized_spec
    from .flat import as_network
    from .spec import build_network

    plain = _plain(flat)
    problem = build_problem({**plain, "optimizer": "sgd"})
    return normalized_spec(replace(build_network(as_network(plain, problem)), flat=problem))
