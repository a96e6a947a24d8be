"""Reading specs: exact numbers, defaults, the normalized spec round trip."""
from __future__ import annotations

import re
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


@pytest.mark.parametrize(
    "token, value",
    [
        ("010", 10),  # YAML 1.1: 8 (octal)
        ("-010", -10),
        ("007", 7),
        ("09", 9),
        ("1_000", 1000),
        ("1e-3", Fraction(1, 1000)),  # YAML 1.1: the string '1e-3'
        ("1E3", Fraction(1000)),
        ("-2.5e+1", Fraction(-25)),
        (".5", Fraction(1, 2)),
        ("-.5", Fraction(-1, 2)),  # YAML 1.1: the string '-.5'
        ("+.25", Fraction(1, 4)),
        ("1.", Fraction(1)),
        ("0.30000000000000000001", Fraction("0.30000000000000000001")),
    ],
)
def test_plain_numbers_are_exact_decimal_numbers(token, value):
    """A number typed in YAML is a number (never text) and is read in decimal, as a teacher means it."""
    read = parse_text(f"x: {token}", ".yaml")["x"]
    assert not isinstance(read, str) and read == value


@pytest.mark.parametrize(
    "token, message",
    [
        ("0x10", "0x10 is not a decimal number (YAML would read it as hexadecimal 16): write numbers in decimal"),
        ("-0x1F", "-0x1F is not a decimal number (YAML would read it as hexadecimal -31)"),
        ("0o10", "0o10 is not a decimal number (YAML would read it as octal 8)"),
        ("0b101", "0b101 is not a decimal number (YAML would read it as binary 5)"),
        ("1:30", "1:30 is not a number (YAML 1.1 would read it as 90, in base 60)"),
        ("1:30.5", "1:30.5 is not a number (YAML 1.1 would read it as 90.5, in base 60)"),
        ("-1:00:01", "-1:00:01 is not a number (YAML 1.1 would read it as -3601, in base 60)"),
        ("yes", "'yes' is not a number"),  # YAML 1.1: true
        ("On", "'On' is not a number"),
        ("false", "false is not a number"),
        ("0b102", "'0b102' is not a number"),  # not binary: just text
        ("0o9", "'0o9' is not a number"),
    ],
)
def test_yaml_1_1_surprises_are_refused_naming_the_field(token, message):
    data = parse_text(f"learning_rate: {token}\nstride: {token}\n", ".yaml")
    with pytest.raises(SpecError, match=f"^learning_rate: {re.escape(message)}"):
        build_problem(dict(SEED, learning_rate=data["learning_rate"]))
    with pytest.raises(SpecError, match=f"^stride: {re.escape(message)}"):
        build_problem(dict(SEED, stride=data["stride"]))


def test_such_tokens_are_text_where_text_is_expected():
    spec = parse_text("title: 1:30\nnotation: {kernel: 0x10}\n", ".yaml")
    assert spec == {"title": "1:30", "notation": {"kernel": "0x10"}}
    assert build_problem(dict(SEED, title=spec["title"])).title == "1:30"


@pytest.mark.parametrize(
    "key, written, meant",
    [
        ("loss", "MSE", "mse"),
        ("loss", "Half SSE", "half_sse"),
        ("loss", "half-sse", "half_sse"),
        ("operation", "Convolution", "convolution"),
        ("operation", "Cross Correlation", "cross-correlation"),
        ("operation", "cross_correlation", "cross-correlation"),
        ("activation", "ReLU", "relu"),
        ("activation", "Leaky-ReLU", "leaky_relu"),
        ("activation", "LeakyReLU", "leaky_relu"),
        ("activation", "TANH", "tanh"),
        ("activation", "None", "none"),
    ],
)
def test_names_ignore_case_dashes_underscores_and_spaces(key, written, meant):
    assert getattr(build_problem(dict(SEED, **{key: written})), key) == meant


def test_pooling_and_optimizer_names_ignore_case():
    spec = dict(SEED, target=[[1]], pooling={"type": "MAX", "size": 2}, optimizer={"type": "SGD", "momentum": 0.9})
    p = build_problem(spec)
    assert p.pooling.type == "max" and p.momentum == Rational(9, 10)
    assert build_problem(dict(spec, pooling={"type": "Average", "size": 2})).pooling.type == "avg"
    assert build_problem(dict(SEED, pooling="None", optimizer="SGD")).pooling is None
    assert build_problem(dict(SEED, activation={"type": "Leaky ReLU", "negative_slope": 0.2})).activation == "leaky_relu"


def test_a_misspelled_name_is_still_refused():
    with pytest.raises(SpecError, match=r"^loss: unknown value 'MAE' \(valid: mse, sse, half_sse\)"):
        build_problem(dict(SEED, loss="MAE"))
    with pytest.raises(SpecError, match=r"^Kernel: unknown key \(did you mean 'kernel'\?\)"):
        build_problem({**SEED, "Kernel": SEED["kernel"]})


np = pytest.importorskip("numpy")


def test_the_python_api_takes_numpy_arrays_and_scalars():
    """Arrays (anything with .tolist()) wherever lists go; numpy floats read as the decimals they show."""
    lists = derive.solve(dict(SEED, bias=0.1)).answers()
    arrays = {
        "input": np.array(SEED["input"]),  # int64
        "kernel": np.array(SEED["kernel"], dtype=np.float32),  # 0.2 is 0.20000000298… in float32: read as 0.2
        "target": (np.array([1, 2]), np.array([2.0, 1.0])),  # a tuple of rows too
        "learning_rate": np.float64(0.1),  # repr is "np.float64(0.1)" with numpy 2
        "bias": np.float16(0.1),
    }
    assert derive.solve(arrays).answers() == lists
    assert derive.solve(dict(arrays, input=np.array(SEED["input"], dtype=np.int8), learning_rate=np.array(0.1))).answers() == lists


def test_numpy_arrays_of_several_channels_and_filters():
    spec = {"input": np.arange(18).reshape(2, 3, 3) % 3, "kernel": np.full((2, 2, 2, 2), 0.25),
            "target": np.zeros((2, 2, 2)), "learning_rate": np.float32(0.01), "bias": np.array([0.5, -0.5])}
    plain = {key: value.tolist() for key, value in spec.items()}
    plain["learning_rate"] = 0.01
    assert derive.solve(spec).answers() == derive.solve(plain).answers()


def test_numpy_values_that_are_not_numbers_are_refused_naming_the_field():
    with pytest.raises(SpecError, match=r"^input\[0\]\[1\]: true is not a number"):
        derive.solve(dict(SEED, input=np.array([[1, True, 1], [0, 1, 2], [2, 1, 0]], dtype=object)))
    with pytest.raises(SpecError, match=r"^learning_rate: 'nan' is not a finite number"):
        derive.solve(dict(SEED, learning_rate=np.float32("nan")))
