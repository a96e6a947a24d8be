"""Hypothesis strategies for random, valid problem specs across every option."""
from __future__ import annotations

from hypothesis import strategies as st

NUMBERS = st.one_of(
    st.integers(-5, 5),
    st.decimals(min_value=-3, max_value=3, places=2, allow_nan=False, allow_infinity=False).map(lambda d: str(d)),
    st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(lambda t: f"{t[0]}/{t[1]}"),
)


def matrix(rows: int, cols: int):
    return st.lists(st.lists(NUMBERS, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


@st.composite
def specs(draw, max_size: int = 6, max_iterations: int = 3) -> dict:
    """A random valid spec: shapes, stride, padding, operation, loss, bias, iterations."""
    h, w = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    kh, kw = draw(st.integers(1, h + 2 * ph)), draw(st.integers(1, w + 2 * pw))
    kh, kw = min(kh, 4), min(kw, 4)
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    spec = {
        "input": draw(matrix(h, w)),
        "kernel": draw(matrix(kh, kw)),
        "target": draw(matrix(oh, ow)),
        "learning_rate": draw(st.sampled_from([0.1, "0.05", "1/3", 1, "0.001"])),
        "stride": [sh, sw] if sh != sw else sh,
        "padding": [ph, pw] if ph != pw else ph,
        "operation": draw(st.sampled_from(["cross-correlation", "convolution"])),
        "loss": draw(st.sampled_from(["mse", "sse", "half_sse"])),
        "iterations": draw(st.integers(1, max_iterations)),
    }
    if draw(st.booleans()):
        spec["bias"] = draw(NUMBERS)
    return spec


def tensor(*shape: int):
    if len(shape) == 2:
        return matrix(*shape)
    return st.lists(tensor(*shape[1:]), min_size=shape[0], max_size=shape[0])


@st.composite
def layer_specs(draw, max_size: int = 6, max_iterations: int = 3, rank2: bool | None = None) -> dict:
    """A random valid spec across every layer option: channels, filters, dilation, activation,
    pooling, momentum (2-D or 3-D input)."""
    three_d = draw(st.booleans()) if rank2 is None else not rank2
    channels = draw(st.integers(1, 3)) if three_d else 1
    filters = draw(st.integers(1, 3)) if three_d else 1
    h, w = draw(st.integers(2, max_size)), draw(st.integers(2, max_size))
    ph, pw = draw(st.integers(0, 1)), draw(st.integers(0, 1))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh = draw(st.integers(1, min(3, (h + 2 * ph - 1) // dh + 1)))
    kw = draw(st.integers(1, min(3, (w + 2 * pw - 1) // dw + 1)))
    sh, sw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    oh, ow = (h + 2 * ph - (kh - 1) * dh - 1) // sh + 1, (w + 2 * pw - (kw - 1) * dw - 1) // sw + 1
    spec = {
        "learning_rate": draw(st.sampled_from([0.1, "0.05", "1/3", "0.01"])),
        "stride": [sh, sw],
        "padding": [ph, pw],
        "dilation": [dh, dw],
        "operation": draw(st.sampled_from(["cross-correlation", "convolution"])),
        "loss": draw(st.sampled_from(["mse", "sse", "half_sse"])),
        "iterations": draw(st.integers(1, max_iterations)),
        "activation": draw(st.sampled_from(["none", "relu", "leaky_relu", "sigmoid", "tanh", "softplus"])),
    }
    if spec["activation"] == "leaky_relu" and draw(st.booleans()):
        spec["activation"] = {"type": "leaky_relu", "negative_slope": draw(st.sampled_from(["0.1", "1/4", 0.2]))}
    if draw(st.booleans()) and (oh > 1 or ow > 1):
        size = draw(st.integers(1, min(oh, ow)))
        spec["pooling"] = {"type": draw(st.sampled_from(["max", "avg"])), "size": size}
        if draw(st.booleans()):
            spec["pooling"]["stride"] = draw(st.integers(1, 2))
        stride = spec["pooling"].get("stride", size)
        oh, ow = (oh - size) // stride + 1, (ow - size) // stride + 1
    if draw(st.booleans()):
        spec["optimizer"] = {"type": "sgd", "momentum": draw(st.sampled_from([0.9, "0.5", 0]))}
    if three_d:
        spec["input"] = draw(tensor(channels, h, w))
        spec["kernel"] = draw(tensor(filters, channels, kh, kw))
        spec["target"] = draw(tensor(filters, oh, ow))
        if draw(st.booleans()):
            spec["bias"] = draw(st.lists(NUMBERS, min_size=filters, max_size=filters))
    else:
        spec["input"], spec["kernel"], spec["target"] = draw(matrix(h, w)), draw(matrix(kh, kw)), draw(matrix(oh, ow))
        if draw(st.booleans()):
            spec["bias"] = draw(NUMBERS)
    return spec
