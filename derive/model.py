"""The flat problem's numbers, computed by the network model: a flat spec is the network
[conv, activation, pooling] (network/flat.py), and every forward rule, local derivative, loss and update
here is that layer's, loss's or optimizer's module (network/layers/, losses/, optimizers/), run by
network/model.py. This module maps the network's values to the flat `Iteration` the documents,
answers, check and variants read, and keeps the flat topology they index by (tap, pool_windows,
grid, weights). Values are exact rationals until a sigmoid or tanh (exact.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .exact import ZERO, Num, mpq, precise  # noqa: F401 - mpq: check.py reads model.mpq
from .problem import Pair, Problem, Tensor3, Tensor4

Index = tuple[int, int]
Cell = tuple[int, int, int]  # (filter, row, column)
Weight = tuple[int, int, int, int]  # (filter, channel, row, column)
Winners = dict[Cell, Index]


@dataclass(frozen=True)
class Iteration:
    """Every number of one training step (forward, loss, backward, update)."""

    kernel: Tensor4
    bias: tuple[Num, ...] | None
    velocity: Tensor4 | None  # momentum buffers before this step
    velocity_bias: tuple[Num, ...] | None
    padded_input: Tensor3
    feature_map: Tensor3  # Z: convolution plus bias
    activation: Tensor3 | None  # A = f(Z)
    activation_grad: Tensor3 | None  # f'(Z)
    prediction: Tensor3  # Ŷ: what the loss sees (after pooling)
    winners: Winners | None  # max pooling: which cell of each window won
    loss: Num
    grad_prediction: Tensor3  # ∂L/∂Ŷ
    grad_activation: Tensor3 | None  # ∂L/∂A (routed back through pooling)
    grad_feature_map: Tensor3  # ∂L/∂Z
    grad_kernel: Tensor4
    grad_bias: tuple[Num, ...] | None
    grad_input: Tensor3
    velocity_next: Tensor4 | None
    velocity_bias_next: tuple[Num, ...] | None
    kernel_next: Tensor4
    bias_next: tuple[Num, ...] | None
    loss_next: Num  # the loss recomputed with the updated kernel and bias


def grid(shape: Pair) -> list[Index]:
    """All (row, column) indices of a grid, in row-major order."""
    return [(i, j) for i in range(shape[0]) for j in range(shape[1])]


def weights(problem: Problem) -> list[Weight]:
    """Every kernel weight (f, c, u, v), in order."""
    return [(f, c, u, v) for f in range(problem.filters) for c in range(problem.channels) for u, v in grid(problem.kernel_size)]


def tap(problem: Problem, cell: Index, weight: Index) -> Index:
    """The padded-input cell that weight (u, v) multiplies for output cell (i, j) (the conv layer's rule)."""
    from .network.layers.conv import tap_of

    return tap_of(cell, weight, problem.kernel_size, problem.stride, problem.dilation, problem.operation)


def padded(problem: Problem) -> Tensor3:
    """Each input channel surrounded by `padding` rows and columns of zeros (the conv layer's padding)."""
    conv = network(problem).layers[0]
    hp, wp, data = conv.padded(network(problem).input)
    return _nested(_new_tensor((problem.channels, hp, wp), tuple(data)))


def pool_windows(problem: Problem, cell: Index) -> list[Index]:
    """The feature-map cells pooled into output cell (i, j), in row-major order (the pooling layer's window)."""
    from .network.layers.pooling import window_of

    pool = problem.pooling
    assert pool is not None, "only a problem with pooling has windows"
    return window_of(cell, pool.size, pool.stride)


def tied_windows(problem: Problem, it: Iteration) -> tuple[Cell, ...]:
    """The max-pooling cells whose window maximum is shared (the first in row-major order won)."""
    if it.winners is None:
        return ()
    source = it.activation if it.activation is not None else it.feature_map
    return tuple(
        (f, i, j) for (f, i, j), (r, c) in it.winners.items()
        if sum(1 for rr, cc in pool_windows(problem, (i, j)) if source[f][rr][cc] == source[f][r][c]) > 1
    )


def values(tensor: Any) -> list:
    """Every number of a (nested) tensor, in order; none for an absent one."""
    if tensor is None:
        return []
    if isinstance(tensor, (tuple, list)):
        return [x for t in tensor for x in values(t)]
    return [tensor]


@lru_cache(maxsize=8)
def network(problem: Problem) -> Any:
    """The flat problem's network [conv, activation, pooling] (network/flat.py)."""
    from .network.flat import flat_network

    return flat_network(problem)


# The model's rules on flat tensors (nested tuples, F×H×W), for check's follow-through, the rounding
# student (tolerance.py) and variants: each one calls its layer, loss or optimizer module.

def convolve(problem: Problem, kernel: Tensor4, bias: tuple[Num, ...] | None) -> Tensor3:
    """Z = the conv layer's output for the problem's input, under `kernel` and `bias`."""
    net = network(problem)
    return _nested(net.layers[0].forward(net.input, _params(kernel, bias)).output)


def activate(problem: Problem, z: Tensor3) -> Tensor3:
    """A = f(Z), by the activation layer."""
    return _nested(_activation(problem).forward(_tensor(z), {}).output)


def slopes(problem: Problem, z: Tensor3, a: Tensor3) -> Tensor3:
    """f'(Z), the activation layer's local derivative at each cell."""
    layer = _activation(problem)
    return _nested(_tensor(z).map(layer.derivative, _tensor(a)))


def pool(problem: Problem, maps: Tensor3) -> tuple[Tensor3, Winners | None]:
    """Ŷ by the pooling layer, and max pooling's winners (the first maximum in row-major order wins ties)."""
    fwd = network(problem).layers[-1].forward(_tensor(maps), {})
    return _nested(fwd.output), _flat_winners(fwd.aux)


def unpool(problem: Problem, grad: Tensor3, winners: Winners | None) -> Tensor3:
    """∂L/∂A from ∂L/∂Ŷ, by the pooling layer's backward pass."""
    from .network.layers.base import Forward

    layer = network(problem).layers[-1]
    fwd = Forward(_tensor(grad), None if winners is None else {f_ij: (f_ij[0],) + rc for f_ij, rc in winners.items()})
    return _nested(layer.backward(_zeros(layer.in_shape), fwd, {}, _tensor(grad)).grad_input)


def forward(problem: Problem, kernel: Tensor4, bias: tuple[Num, ...] | None
            ) -> tuple[Tensor3, Tensor3 | None, Tensor3, Winners | None]:
    """Z (convolution + bias), A = f(Z), Ŷ = pool(A), and the max-pooling winners."""
    z = convolve(problem, kernel, bias)
    a = activate(problem, z) if problem.activation != "none" else None
    source = a if a is not None else z
    y, winners = pool(problem, source) if problem.pooling else (source, None)
    return z, a, y, winners


def loss(problem: Problem, prediction: Tensor3) -> Num:
    """L by the loss module."""
    net = network(problem)
    return net.loss.value(_tensor(prediction), net.target)


def grad_prediction(problem: Problem, prediction: Tensor3) -> Tensor3:
    """∂L/∂Ŷ by the loss module."""
    net = network(problem)
    return _nested(net.loss.gradient(_tensor(prediction), net.target))


def backward(problem: Problem, z: Tensor3, a: Tensor3 | None, y: Tensor3, winners: Winners | None):
    """The chain back from the loss to the convolution's output: ∂L/∂Ŷ, ∂L/∂A (through the
    pooling), ∂A/∂Z, and ∂L/∂Z = ∂L/∂A · ∂A/∂Z."""
    dy = grad_prediction(problem, y)
    da = unpool(problem, dy, winners) if problem.pooling else dy
    if a is None:
        return dy, da, None, da
    layer = _activation(problem)
    dz = layer.backward(_tensor(z), _forward_of(a), {}, _tensor(da)).grad_input
    return dy, da, slopes(problem, z, a), _nested(dz)


def conv_grads(problem: Problem, kernel: Tensor4, bias: tuple[Num, ...] | None, dz: Tensor3
               ) -> tuple[Tensor4, tuple[Num, ...] | None, Tensor3]:
    """∂L/∂W, ∂L/∂b (none without a bias) and ∂L/∂I from ∂L/∂Z, by the conv layer's backward pass."""
    net = network(problem)
    conv, params = net.layers[0], _params(kernel, bias)
    back = conv.backward(net.input, None, params, _tensor(dz))
    g_bias = tuple(back.grads["bias"].data) if bias is not None else None
    return _nested(back.grads["kernel"]), g_bias, _nested(back.grad_input)


def update(problem: Problem, param: Any, grad: Any, velocity: Any) -> tuple[Any, Any]:
    """(the parameter after the optimizer's step, the velocity after it: none for plain SGD). A velocity
    of none is a first step, from a zero velocity: the step moves by η·grad, so `grad` may be a direction."""
    out, v_next = network(problem).optimizer.step(_tensor(param), _tensor(grad),
                                                 None if velocity is None else _tensor(velocity))
    return _nested(out), None if v_next is None else _nested(v_next)


def train(problem: Problem) -> tuple[Iteration, ...]:
    """All iterations, each the network model's step (network/model.py) in the flat shapes."""
    from .network.model import train as train_network

    net = network(problem)
    x = padded(problem)
    with precise():
        return tuple(_iteration(problem, x, it) for it in train_network(net))


def _iteration(problem: Problem, x: Tensor3, it: Any) -> Iteration:
    """One NetIteration of [conv, activation?, pooling?] as the flat Iteration."""
    conv, *rest = it.layers
    act = rest[0] if problem.activation != "none" else None
    pooled = rest[-1] if problem.pooling is not None else None
    z, dz = _nested(conv.forward.output), _nested(conv.grad_output)
    a = _nested(act.forward.output) if act is not None else None
    bias, momentum = "bias" in conv.params, problem.momentum is not None
    return Iteration(
        kernel=_nested(conv.params["kernel"]), bias=_vector(conv.params.get("bias")),
        velocity=_nested(conv.velocity_before["kernel"]) if momentum else None,
        velocity_bias=_vector(conv.velocity_before.get("bias")) if momentum else None,
        padded_input=x, feature_map=z, activation=a,
        activation_grad=slopes(problem, z, a) if a is not None else None,
        prediction=_nested(it.prediction), winners=_flat_winners(pooled.forward.aux) if pooled else None,
        loss=it.loss, grad_prediction=_nested(it.layers[-1].grad_output),
        grad_activation=_nested(pooled.backward.grad_input) if pooled else None,
        grad_feature_map=dz, grad_kernel=_nested(conv.backward.grads["kernel"]),
        grad_bias=_vector(conv.backward.grads.get("bias")) if bias else None,
        grad_input=_nested(conv.backward.grad_input),
        velocity_next=_nested(conv.velocity["kernel"]) if momentum else None,
        velocity_bias_next=_vector(conv.velocity.get("bias")) if momentum else None,
        kernel_next=_nested(conv.params_next["kernel"]), bias_next=_vector(conv.params_next.get("bias")),
        loss_next=it.loss_next,
    )


def _activation(problem: Problem) -> Any:
    layer = network(problem).layers[1]
    assert problem.activation != "none", "only a problem with an activation has its layer"
    return layer


def _forward_of(a: Tensor3) -> Any:
    from .network.layers.base import Forward

    return Forward(_tensor(a))


def _flat_winners(aux: Any) -> Winners | None:
    """The pooling layer's winners {(f, i, j): (f, r, c)} as the flat path keys them: {(f, i, j): (r, c)}."""
    return None if aux is None else {cell: (src[1], src[2]) for cell, src in aux.items()}


def _params(kernel: Tensor4, bias: tuple[Num, ...] | None) -> dict[str, Any]:
    params = {"kernel": _tensor(kernel)}
    if bias is not None:
        params["bias"] = _tensor(bias)
    return params


def _new_tensor(shape: tuple[int, ...], data: tuple) -> Any:
    """A network Tensor (its module imported on first use)."""
    from .network.tensor import Tensor

    return Tensor(shape, data)


def _tensor(nested: Any) -> Any:
    """Nested tuples as a network Tensor."""
    shape, probe = [], nested
    while isinstance(probe, tuple):
        shape.append(len(probe))
        probe = probe[0]
    return _new_tensor(tuple(shape), tuple(values(nested)))


def _zeros(shape: tuple[int, ...]) -> Any:
    from .network.tensor import zeros

    return zeros(shape)


def _nested(tensor: Any) -> Any:
    return tensor.nested()


def _vector(tensor: Any) -> tuple[Num, ...] | None:
    return None if tensor is None else tuple(tensor.data)
