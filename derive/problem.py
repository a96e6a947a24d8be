"""Validate a spec (plain data) into a frozen, exact Problem; every error names its field.

Tensors are nested tuples: input C×H×W, kernel F×C×kh×kw, target F×oh×ow. A 2-D spec is
stored as one channel and one filter, and `rank2` remembers to print and answer in 2-D.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

from . import activation
from .activation import NONE, SLOPE
from .errors import SpecError, did_you_mean
from .exact import Num, mpq
from .literals import exact_number, has_comma_pairs, nesting, show
from .network.flat import SGD_OPTIONS

Matrix = tuple[tuple[Num, ...], ...]
Tensor3 = tuple[Matrix, ...]
Tensor4 = tuple[Tensor3, ...]
Pair = tuple[int, int]

OPERATIONS = ("cross-correlation", "convolution")
LOSSES = ("mse", "sse", "half_sse")
POOLINGS = ("max", "avg")
ALIASES = {"average": "avg", "mean": "avg"}  # other spellings of a value, after canonical() below
REQUIRED = ("input", "kernel", "target", "learning_rate")
OPTIONAL = ("title", "stride", "padding", "dilation", "operation", "bias", "loss", "iterations",
            "activation", "negative_slope", "pooling", "optimizer",
            "notation", "show", "ask", "variants", "variant")  # homework keys, read by variants.py; `variant` records provenance
MAX_ITERATIONS = 100
SHOWABLE = ("grad_input",)  # parts of the worked solution shown only when the spec asks for them
DEFAULT_SLOPE = mpq(1, 100)


@dataclass(frozen=True)
class Pooling:
    """A pooling layer after the activation: max or average over size windows."""

    type: str
    size: Pair
    stride: Pair


@dataclass(frozen=True)
class Problem:
    """One filter-learning exercise, validated, with exact numbers."""

    input: Tensor3
    kernel: Tensor4
    target: Tensor3
    learning_rate: mpq
    title: str | None = None
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    operation: str = "cross-correlation"
    bias: tuple[mpq, ...] | None = None
    loss: str = "mse"
    iterations: int = 1
    activation: str = "none"
    negative_slope: mpq = DEFAULT_SLOPE
    pooling: Pooling | None = None
    momentum: mpq | None = None  # None: plain SGD; a number: SGD with momentum (PyTorch's rule)
    rank2: bool = True
    show: tuple[str, ...] = ()  # optional parts of the document to show (SHOWABLE), asked for or listed in `show:`

    @property
    def channels(self) -> int:
        return len(self.input)

    @property
    def filters(self) -> int:
        return len(self.kernel)

    @property
    def kernel_size(self) -> Pair:
        return shape(self.kernel[0][0])

    @property
    def padded_shape(self) -> Pair:
        """Rows and columns of each input channel after zero padding."""
        (h, w), (ph, pw) = shape(self.input[0]), self.padding
        return h + 2 * ph, w + 2 * pw

    @property
    def span(self) -> Pair:
        """Rows and columns one (dilated) kernel covers: (k − 1)·d + 1."""
        (kh, kw), (dh, dw) = self.kernel_size, self.dilation
        return (kh - 1) * dh + 1, (kw - 1) * dw + 1

    @property
    def conv_shape(self) -> Pair:
        """Rows and columns of each feature map: floor((H + 2p − span) / s) + 1."""
        (hp, wp), (eh, ew), (sh, sw) = self.padded_shape, self.span, self.stride
        return (hp - eh) // sh + 1, (wp - ew) // sw + 1

    @property
    def output_shape(self) -> Pair:
        """Rows and columns of each map the loss sees (after pooling, if any)."""
        if self.pooling is None:
            return self.conv_shape
        (h, w), (kh, kw), (sh, sw) = self.conv_shape, self.pooling.size, self.pooling.stride
        return (h - kh) // sh + 1, (w - kw) // sw + 1


def shape(matrix: Matrix) -> Pair:
    """Rows and columns of a (rectangular) matrix."""
    return len(matrix), len(matrix[0])


def dims(sizes: tuple[int, ...]) -> str:
    """A shape as people write it: 3×2."""
    return "×".join(str(s) for s in sizes)


def build_problem(spec: Any) -> Problem:
    """Check every key of `spec` and return the Problem it describes."""
    try:
        return _build(spec)
    except SpecError as exc:
        raise _decimal_comma_hint(exc, spec) from None


def _decimal_comma_hint(exc: SpecError, spec: Any) -> SpecError:
    """A shape error gets a hint when a matrix has rows like [0,5, 0,2]: YAML's 0, 5 for a 0.5."""
    matrices = ("input", "kernel", "target", "bias")
    suspects = [key for key in matrices if isinstance(spec, Mapping) and has_comma_pairs(spec.get(key))]
    if not suspects or not (exc.field or "").startswith(matrices + ("pooling.size",)):
        return exc
    hint = f"a decimal comma in {' and '.join(suspects)}? write 0.5, not 0,5, which YAML reads as two numbers"
    return SpecError(f"{exc.message} ({hint})", exc.field, exc.source)


def _build(spec: Any) -> Problem:
    if not isinstance(spec, Mapping):
        raise SpecError(f"the spec must be a mapping of keys to values, not {_kind(spec)}")
    _check_keys(spec)
    if "variant" in spec and not isinstance(spec["variant"], Mapping):
        raise SpecError("must be a mapping (it records which variant this is)", field="variant")
    rank = _rank(spec["input"])
    if rank not in (2, 3):
        raise SpecError("must be a 2-D list (rows) or a 3-D list (channels × rows × columns) of numbers", field="input")
    context = f" for a {rank}-D input"
    image = _tensor(spec["input"], "input", rank)
    kernel = _tensor(spec["kernel"], "kernel", rank if rank == 2 else 4, context)
    target = _tensor(spec["target"], "target", rank, context)
    activation, slope = _activation(spec)
    problem = Problem(
        input=(image,) if rank == 2 else image,
        kernel=((kernel,),) if rank == 2 else kernel,
        target=(target,) if rank == 2 else target,
        learning_rate=_positive(spec, "learning_rate"),
        title=_title(spec),
        stride=_pair(spec, "stride", default=1, minimum=1),
        padding=_pair(spec, "padding", default=0, minimum=0),
        dilation=_pair(spec, "dilation", default=1, minimum=1),
        operation=_choice(spec.get("operation", OPERATIONS[0]), "operation", OPERATIONS),
        bias=_bias(spec, rank),
        loss=_choice(spec.get("loss", LOSSES[0]), "loss", LOSSES),
        iterations=_iterations(spec),
        activation=activation,
        negative_slope=slope,
        pooling=_pooling(spec),
        momentum=_momentum(spec),
        rank2=rank == 2,
        show=_show(spec),
    )
    _check_shapes(problem)
    return problem


def _check_keys(spec: Mapping) -> None:
    valid = REQUIRED + OPTIONAL
    for key in spec:
        if key not in valid:
            near = difflib.get_close_matches(str(key).lower(), valid, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else f" (valid keys: {', '.join(valid)})"
            raise SpecError(f"unknown key{hint}", field=str(key))
    for key in REQUIRED:
        if key not in spec:
            raise SpecError("missing required key", field=key)


_number = exact_number  # names kept short: every field is read through them
_rank = nesting


_RANK_NAMES = {2: "2-D list of numbers (a list of rows)", 3: "3-D list (channels × rows × columns)",
               4: "4-D list (filters × channels × rows × columns)"}


def _tensor(value: Any, field: str, rank: int, context: str = "") -> Any:
    """Nested tuples of exact numbers, checked to be rectangular and of the given rank."""
    if _rank(value) != rank:
        raise SpecError(f"must be a non-empty {_RANK_NAMES[rank]}{context}", field=field)
    return _entries(value, field, rank)


def _entries(value: Any, field: str, rank: int) -> Any:
    if rank == 0:
        return _number(value, field)
    if not value:  # an empty row: name the matrix it belongs to
        raise SpecError("rows must not be empty", field=field.rsplit("[", 1)[0] if rank == 1 else field)
    items = tuple(_entries(v, f"{field}[{k}]", rank - 1) for k, v in enumerate(value))
    if rank >= 2:
        sizes = [_size(item) for item in items]
        for k, size in enumerate(sizes):
            if size != sizes[0]:
                if rank == 2:
                    raise SpecError(f"ragged rows: row {k} has {size[0]} entries, row 0 has {sizes[0][0]}", field=field)
                raise SpecError(f"ragged: {field}[{k}] is {dims(size)}, {field}[0] is {dims(sizes[0])}", field=field)
    return items


def _size(item: Any) -> tuple[int, ...]:
    sizes = []
    while isinstance(item, tuple):
        sizes.append(len(item))
        item = item[0]
    return tuple(sizes)


def _positive(spec: Mapping, key: str) -> mpq:
    value = _number(spec[key], key)
    if value <= 0:
        raise SpecError(f"must be a positive number, got {show(value)}", field=key)
    return value


def _title(spec: Mapping) -> str | None:
    title = spec.get("title")
    if title is not None and not isinstance(title, str):
        raise SpecError("must be a string", field="title")
    return title


def _integer(value: Any, field: str) -> int:
    number = _number(value, field)  # names what is wrong with 0x2, 1:30, yes, …
    if number.denominator != 1:
        raise SpecError(f"must be a whole number, got {show(number)}", field=field)
    return int(number)


def _pair(spec: Mapping, key: str, default: int, minimum: int, field: str | None = None) -> Pair:
    value = spec.get(key, default)
    field = field or key
    items = value if isinstance(value, list) else [value, value]
    if len(items) != 2:
        raise SpecError(f"must be a whole number or a pair [rows, columns], got {_written(value)}", field=field)
    pair = tuple(_integer(v, field) for v in items)
    if min(pair) < minimum:
        raise SpecError(f"must be at least {minimum}, got {_written(value)}", field=field)
    return pair  # type: ignore[return-value]


def canonical(name: Any) -> Any:
    """A name as compared: case, dashes, underscores and spaces ignored (Leaky-ReLU is leaky_relu)."""
    if not isinstance(name, str):
        return name
    key = "".join(c for c in name.lower() if c not in "-_ ")
    return ALIASES.get(key, key)


def _written(value: Any) -> str:
    """A value as the user wrote it in YAML: 0.5 (not Written('1/2')), [1, 2]."""
    if isinstance(value, list):
        return "[" + ", ".join(map(_written, value)) + "]"
    return show(value) if isinstance(value, (int, Fraction)) and not isinstance(value, bool) else repr(value)


def _choice(value: Any, field: str, valid: tuple[str, ...]) -> str:
    for name in valid:
        if canonical(value) == canonical(name):
            return name
    raise SpecError(f"unknown value {value!r} (valid: {', '.join(valid)})", field=field)


def _iterations(spec: Mapping) -> int:
    count = _integer(spec.get("iterations", 1), "iterations")
    if not 1 <= count <= MAX_ITERATIONS:
        raise SpecError(f"must be between 1 and {MAX_ITERATIONS}, got {count}", field="iterations")
    return count


def _bias(spec: Mapping, rank: int) -> tuple[mpq, ...] | None:
    value = spec.get("bias")
    if value is None:
        return None
    if rank == 2:
        if isinstance(value, list):
            raise SpecError("must be a number for a 2-D problem (one filter)", field="bias")
        return (_number(value, "bias"),)
    if not isinstance(value, list):
        raise SpecError("must be a list with one number per filter for a 3-D problem", field="bias")
    return tuple(_number(v, f"bias[{k}]") for k, v in enumerate(value))


def _activation(spec: Mapping) -> tuple[str, mpq]:
    value = spec.get("activation", "none")
    slope = spec.get("negative_slope")
    if isinstance(value, Mapping):  # {type: leaky_relu, negative_slope: 0.1}
        _known_keys(value, ("type", "negative_slope"), "activation")
        if slope is not None and "negative_slope" in value:
            raise SpecError("given twice (top level and inside activation)", field="negative_slope")
        slope = value.get("negative_slope", slope)
        value = value.get("type")
    # The elementwise layer modules are the activations (activation.py); loaded only when one is named.
    name = NONE if canonical(value) == NONE else activation.resolve(value, canonical)
    if name is None:
        raise SpecError(f"unknown value {value!r} (valid: {', '.join(activation.names())})", field="activation")
    layer = activation.kind(name) if name != NONE else None
    if slope is not None and (layer is None or SLOPE not in layer.options_allowed):
        raise SpecError(f"only applies to activation {' or '.join(activation.takers(SLOPE))}, not {name}", field=SLOPE)
    return name, DEFAULT_SLOPE if slope is None else _number(slope, "negative_slope")


def _pooling(spec: Mapping) -> Pooling | None:
    value = spec.get("pooling", "none")
    if value is None or canonical(value) == "none":
        return None
    if not isinstance(value, Mapping):
        raise SpecError(f"must be none or a mapping {{type: max|avg, size: k, stride: s}}, got {value!r}", field="pooling")
    _known_keys(value, ("type", "size", "stride"), "pooling")
    kind = _choice(value.get("type"), "pooling.type", POOLINGS)
    if "size" not in value:
        raise SpecError("missing required key", field="pooling.size")
    size = _pair(value, "size", default=2, minimum=1, field="pooling.size")
    stride = _pair(value, "stride", default=0, minimum=1, field="pooling.stride") if "stride" in value else size
    return Pooling(kind, size, stride)


def _show(spec: Mapping) -> tuple[str, ...]:
    """The optional parts listed in `show:`, plus those a homework spec's `ask:` asks students for."""
    value = spec.get("show", [])
    valid = ", ".join(SHOWABLE)
    if not isinstance(value, list):
        raise SpecError(f"must be a list, such as [{valid}], got {value!r}", field="show")
    bad = next((v for v in value if v not in SHOWABLE), None)
    if bad is not None:
        raise SpecError(f"unknown part {bad!r}{did_you_mean(bad, SHOWABLE)} (valid: a list of: {valid})", field="show")
    ask = spec.get("ask")
    asked: list = ask if isinstance(ask, list) else []
    return tuple(name for name in SHOWABLE if name in value or name in asked)


def _known_keys(value: Mapping, allowed: tuple[str, ...], field: str) -> None:
    """Refuse a key of a mapping-valued field that it does not take, naming the closest (sise: did you mean 'size'?)."""
    extra = sorted(str(k) for k in value if k not in allowed)
    if extra:
        raise SpecError(f"unknown key {extra[0]!r}{did_you_mean(extra[0], allowed)} (valid: {', '.join(allowed)})",
                        field=field)


def _momentum(spec: Mapping) -> mpq | None:
    value = spec.get("optimizer", "sgd")
    if canonical(value) == "sgd":
        return None
    if not isinstance(value, Mapping):
        raise SpecError(f"must be sgd or a mapping {{type: sgd, momentum: m}}, got {value!r}", field="optimizer")
    # nesterov, dampening and weight_decay are accepted too: such a spec is solved on the network path (flat.py).
    _known_keys(value, ("type", "momentum") + SGD_OPTIONS, "optimizer")
    _choice(value.get("type", "sgd"), "optimizer.type", ("sgd",))
    if "momentum" not in value:
        return None
    momentum = _number(value["momentum"], "optimizer.momentum")
    if momentum < 0:
        raise SpecError(f"must not be negative, got {show(momentum)}", field="optimizer.momentum")
    return momentum


def _check_shapes(p: Problem) -> None:
    padded, span = p.padded_shape, p.span
    kernel_shape = (p.filters, len(p.kernel[0])) + p.kernel_size
    if not p.rank2 and len(p.kernel[0]) != p.channels:
        want = dims((p.filters, p.channels) + p.kernel_size)
        raise SpecError(f"shape {dims(kernel_shape)} does not match the input's {p.channels} channels: expected {want}",
                        field="kernel")
    if span[0] > padded[0] or span[1] > padded[1]:
        what = "padded input" if any(p.padding) else "input"
        size = dims(p.kernel_size) + (f" (dilated to {dims(span)})" if span != p.kernel_size else "")
        raise SpecError(f"{size} is larger than the {what} {dims(padded)}", field="kernel")
    if p.bias is not None and len(p.bias) != p.filters:
        raise SpecError(f"{len(p.bias)} values for {p.filters} filters: expected a list of {p.filters} numbers", field="bias")
    if p.pooling is not None:
        window, conv = p.pooling.size, p.conv_shape
        if window[0] > conv[0] or window[1] > conv[1]:
            raise SpecError(f"window {dims(window)} is larger than the feature map {dims(conv)}", field="pooling.size")
    expected = p.output_shape if p.rank2 else (p.filters,) + p.output_shape
    got = shape(p.target[0]) if p.rank2 else (len(p.target),) + shape(p.target[0])
    if got != expected:
        raise SpecError(f"shape {dims(got)} does not match the output shape {dims(expected)}", field="target")


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "an empty document"}.get(type(value), type(value).__name__)
