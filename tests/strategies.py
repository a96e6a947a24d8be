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
