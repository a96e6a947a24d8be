"""Reading specs: exact numbers, defaults, the normalized spec round trip."""
from __future__ import annotations

from fractions import Fraction

import pytest
from sympy import Rational

import derive
from derive.errors import SpecError
from derive.literals import parse_number
from derive.problem import build_problem
from derive.spec import parse_text
from test_oracle import SEED


@pytest.mark.parametrize(
    "value, exact",
    [
        (0.1, Fraction(1, 10)),
        ("0.1", Fraction(1, 10)),
        ("1/3", Fraction(1, 3)),
        (" -2 / 4 ", Fraction(-1, 2)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5E2", Fraction(250)),
        (7, Fraction(7)),
        ("1_000", Fraction(1000)),
    ],
)
def test_parse_number(value, exact):
    assert parse_number(value) == exact


@pytest.mark.parametrize("value", ["abc", "1/0", "nan", ".inf", True, None, [1], "1e5000"])
def test_parse_number_rejects(value):
    with pytest.raises(SpecError):
        parse_number(value)


def test_yaml_and_json_decimals_are_exact():
    yaml_spec = parse_text("learning_rate: 0.1\nx: [0.30000000000000000001]", ".yaml")
    assert yaml_spec["learning_rate"] == Fraction(1, 10)
    assert yaml_spec["x"][0] == Fraction("0.30000000000000000001")
    json_spec = parse_text('{"learning_rate": 0.1, "x": [1e-3]}', ".json")
    assert json_spec == {"learning_rate": Fraction(1, 10), "x": [Fraction(1, 1000)]}


def test_defaults():
    p = build_problem(SEED)
    assert (p.stride, p.padding, p.operation, p.loss, p.iterations, p.bias) == (
        (1, 1), (0, 0), "cross-correlation", "mse", 1, None)
    assert p.learning_rate == Rational(1, 10)
    assert p.output_shape == (2, 2)


def test_pairs_and_output_shape():
    p = build_problem(dict(SEED, stride=[1, 2], padding=[1, 0], target=[[0], [0], [0], [0]]))
    assert p.stride == (1, 2) and p.padding == (1, 0)
    assert p.output_shape == (4, 1)


def test_normalized_spec_round_trip():
    spec = dict(SEED, bias="1/3", learning_rate="0.05", padding=1, target=[[0] * 4] * 4, iterations=2)
    key = derive.solve(spec).answers()
    normalized = key["problem"]
    assert normalized["bias"] == "1/3" and normalized["learning_rate"] == 0.05 and normalized["padding"] == [1, 1]
    assert derive.solve(normalized).answers() == key


def test_api_errors_name_the_field():
    with pytest.raises(SpecError, match="^learning_rate: must be a positive number"):
        derive.solve(dict(SEED, learning_rate=0))
    with pytest.raises(SpecError, match="^precision: must be a whole number"):
        derive.solve(SEED, precision=-1)
    with pytest.raises(SpecError, match="^detail: unknown value"):
        derive.solve(SEED, detail="brief")


def test_repr_markdown_for_jupyter():
    d = derive.solve(SEED)
    assert d._repr_markdown_() == d.to_markdown()


def test_written_numbers_survive_pickling_and_copying():
    """Worker processes receive specs by pickle: 0.30 must stay 3/10 with two decimals written."""
    import copy
    import pickle

    x = parse_number("0.30")
    for y in (pickle.loads(pickle.dumps(x)), copy.copy(x), copy.deepcopy(x)):
        assert y == Fraction(3, 10) and y.places == 2
