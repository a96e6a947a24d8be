"""Hypothesis strategies for random small `layers:` specs (exact one-decimal numbers, so ties and
zeros happen, and every shape combination derive accepts)."""
from __future__ import annotations

from hypothesis import strategies as st

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "softplus")
TENTHS = st.integers(-10, 10).map(lambda k: f"{k / 10:.1f}")


def matrix(rows: int, cols: int, values=TENTHS):
    return st.lists(st.lists(values, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


def vector(n: int, values=TENTHS):
    return st.lists(values, min_size=n, max_size=n)


@st.composite
def activation(draw):
    kind = draw(st.sampled_from(ACTIVATIONS + ("none",)))
    if kind == "leaky_relu" and draw(st.booleans()):
        return {"leaky_relu": {"negative_slope": draw(st.sampled_from(["0.1", "0.2", "1/3"]))}}
    return kind


@st.composite
def dense(draw, n_in: int, n_out: int):
    options = {"weights": draw(matrix(n_out, n_in))}
    if draw(st.booleans()):
        options["bias"] = draw(vector(n_out))
        if draw(st.booleans()):
            options["fixed"] = ["bias"]
    return {"dense": options}


@st.composite
def head(draw, n: int, layers: list):
    """The last dense layer and a loss that fits it; returns (layers, loss, target)."""
    loss = draw(st.sampled_from(["mse", "sse", "half_sse", "cross_entropy", "binary_cross_entropy"]))
    classes = draw(st.integers(2, 3)) if loss == "cross_entropy" else draw(st.integers(1, 3))
    layers = layers + [draw(dense(n, classes))]
    if loss == "cross_entropy":
        layers.append("softmax")
        target = draw(st.one_of(st.integers(0, classes - 1), st.just([f"1/{classes}"] * classes)))
    elif loss == "binary_cross_entropy":
        layers.append("sigmoid")
        target = draw(vector(classes, st.sampled_from(["0", "1", "0.25", "0.5"])))
    else:
        act = draw(st.one_of(activation(), st.just("softmax")))  # softmax under a squared loss: its full Jacobian
        if act != "none":
            layers.append(act)
        target = draw(vector(classes))
    return layers, loss, target


@st.composite
def mlp(draw):
    n = draw(st.integers(1, 3))
    layers = []
    width = n
    for _ in range(draw(st.integers(0, 1))):
        out = draw(st.integers(1, 3))
        layers.append(draw(dense(width, out)))
        act = draw(activation())
        if act != "none":
            layers.append(act)
        width = out
    layers, loss, target = draw(head(width, layers))
    return _spec(draw, draw(vector(n)), layers, loss, target)


@st.composite
def cnn(draw):
    channels = draw(st.sampled_from([None, 1, 2]))
    h, w = draw(st.integers(3, 5)), draw(st.integers(3, 5))
    x = draw(matrix(h, w)) if channels is None else [draw(matrix(h, w)) for _ in range(channels)]
    kh, kw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    if channels is None and draw(st.booleans()):
        kernel, filters = draw(matrix(kh, kw)), None
    else:
        filters = draw(st.integers(1, 2))
        kernel = [[draw(matrix(kh, kw)) for _ in range(channels or 1)] for _ in range(filters)]
    conv = {"kernel": kernel}
    if draw(st.booleans()):
        conv["bias"] = draw(TENTHS) if filters is None else draw(vector(filters))
    conv["stride"] = draw(st.sampled_from([1, 1, 2, [1, 2]]))
    conv["padding"] = draw(st.sampled_from([0, 0, 1]))
    conv["dilation"] = draw(st.sampled_from([1, 1, 2]))
    conv["operation"] = draw(st.sampled_from(["cross-correlation", "convolution"]))
    pad, dil, stride = conv["padding"], conv["dilation"], conv["stride"]
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    oh = (h + 2 * pad - (kh - 1) * dil - 1) // sh + 1
    ow = (w + 2 * pad - (kw - 1) * dil - 1) // sw + 1
    if oh < 1 or ow < 1 or (kh - 1) * dil + 1 > h + 2 * pad or (kw - 1) * dil + 1 > w + 2 * pad:
        conv["dilation"], conv["padding"], conv["stride"] = 1, 1, 1
        oh, ow = h + 2 - kh + 1, w + 2 - kw + 1
    layers = [{"conv": conv}]
    act = draw(activation())
    if act != "none":
        layers.append(act)
    if min(oh, ow) >= 2 and draw(st.booleans()):
        kind = draw(st.sampled_from(["maxpool", "avgpool"]))
        layers.append({kind: {"size": 2, "stride": draw(st.sampled_from([1, 2]))}})
        s = layers[-1][kind]["stride"]
        oh, ow = (oh - 2) // s + 1, (ow - 2) // s + 1
    layers.append("flatten")
    n = (1 if filters is None else filters) * oh * ow
    layers, loss, target = draw(head(n, layers))
    return _spec(draw, x, layers, loss, target)


def _spec(draw, x, layers, loss, target):
    spec = {"input": x, "layers": layers, "target": target, "loss": loss,
            "learning_rate": draw(st.sampled_from(["0.1", "0.5", "1/4"])), "iterations": draw(st.integers(1, 2))}
    if draw(st.booleans()):
        spec["optimizer"] = {"type": "sgd", "momentum": draw(st.sampled_from(["0.9", "0.5"]))}
    return spec


networks = st.one_of(mlp(), cnn())
