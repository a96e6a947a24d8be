"""derive's optimizers against torch.optim itself: tests/data/torch_optim.json holds the parameters torch.optim
computed (float64) after each of 3 steps on a dozen seeded random problems, one per rule and option
(written by tests/make_torch_fixture.py where torch imports; committed, so these tests need no torch)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import derive

FIXTURE = json.loads((Path(__file__).resolve().parent / "data" / "torch_optim.json").read_text())
RELATIVE = 1e-12


def _flat(value) -> list[float]:
    return [x for v in value for x in _flat(v)] if isinstance(value, list) else [value]


def _close(ours: float, theirs: float, scale: float) -> bool:
    """Within 1e-12 of torch's value, relative to it, or to the parameter's largest value where torch's is near 0
    (float64 cancels there: one of 12 problems has a cell at 2e-12 relative to itself)."""
    return abs(ours - theirs) <= RELATIVE * max(abs(theirs), scale)


def test_the_fixture_covers_every_rule_and_option():
    settings = [case["torch"] for case in FIXTURE["cases"]]
    assert len(settings) == 12 and all(len(case["steps"]) == 3 for case in FIXTURE["cases"])
    for needle in ("Adam(", "AdamW(", "RMSprop(", "momentum=0.9", "centered=True", "Adagrad(", "lr_decay=0.5",
                   "nesterov=True", "dampening=0.25", "SGD(weight_decay=0.5)"):
        assert any(needle in s for s in settings), needle


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: c["torch"])
def test_every_parameter_after_every_step_is_torchs(case):
    key = derive.solve(case["spec"]).answers()["iterations"]
    for step, (ours, theirs) in enumerate(zip(key, case["steps"], strict=True), start=1):
        for name, expected in theirs.items():
            layer, param = name.split(".")
            got = _flat(ours["layers"][int(layer[len("layers["):-1])][f"{param}_next"])
            want = _flat(expected)
            scale = max(abs(x) for x in want)
            bad = [(i, a, b) for i, (a, b) in enumerate(zip(got, want, strict=True)) if not _close(a, b, scale)]
            assert not bad, f"step {step}, {name}: (cell, derive, torch) {bad}"
