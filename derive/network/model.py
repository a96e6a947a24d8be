"""The network's numbers: forward through every layer, the loss, backward from the last layer
to the first, and the optimizer's step; exact rationals until a transcendental layer (exact.py)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..exact import Num, precise
from .layers.base import Backward, Forward
from .spec import Network
from .tensor import Tensor, zeros

Params = tuple[dict[str, Tensor], ...]


@dataclass(frozen=True)
class LayerValues:
    """One layer in one iteration."""

    input: Tensor
    forward: Forward
    params: Mapping[str, Tensor]
    grad_output: Tensor  # ∂L/∂(this layer's output)
    backward: Backward
    velocity: Mapping[str, Tensor]  # after the step (momentum only; none for a fixed parameter)
    params_next: Mapping[str, Tensor]
    velocity_before: Mapping[str, Tensor]  # before the step
    # Adam, RMSprop, …: each parameter's torch.optim state after and before step t (none for a fixed one)
    state: Mapping[str, Mapping[str, Tensor]] = field(default_factory=dict)
    state_before: Mapping[str, Mapping[str, Tensor]] = field(default_factory=dict)
    t: int = 1


@dataclass(frozen=True)
class NetIteration:
    """Every number of one training step."""

    layers: tuple[LayerValues, ...]
    prediction: Tensor
    loss: Num
    grad_input: Tensor
    loss_next: Num


def forward(net: Network, params: Params) -> list[tuple[Tensor, Forward]]:
    """(input, forward result) of every layer."""
    x, out = net.input, []
    for layer, p in zip(net.layers, params):
        fwd = layer.forward(x, p)
        out.append((x, fwd))
        x = fwd.output
    return out


States = tuple[dict[str, dict[str, Tensor]], ...]


def step(net: Network, params: Params, velocities: Params, number: int, states: States | None = None) -> NetIteration:
    """One iteration: forward, loss, backward, update, and the loss after the update."""
    passes = forward(net, params)
    prediction = passes[-1][1].output
    net.loss.check_prediction(prediction, number)
    grad = net.loss.gradient(prediction, net.target)
    backs: list[tuple[Tensor, Backward]] = []
    for k in reversed(range(len(net.layers))):
        layer, (x, fwd) = net.layers[k], passes[k]
        if k == len(net.layers) - 1 and net.fused:
            # Cross-entropy through softmax: ∂L/∂z = p − y exactly (PyTorch's CrossEntropyLoss).
            back = Backward(prediction.map(lambda p, y: p - y, net.target))
        else:
            back = layer.backward(x, fwd, params[k], grad)
        # Terms that cancel exactly leave 256-bit noise; settled to 0 before they feed anything.
        back = Backward(back.grad_input.settled(), {name: g.settled() for name, g in back.grads.items()})
        backs.append((grad, back))
        grad = back.grad_input
    backs.reverse()
    records, nexts, vels = [], [], []
    for k, layer in enumerate(net.layers):
        new, vel, state = {}, {}, {}
        before = states[k] if states else {}
        for name, value in params[k].items():
            g = backs[k][1].grads[name]
            if name in layer.fixed:
                new[name] = value  # the gradient is shown, the parameter is not updated
                continue
            if net.optimizer.stateful:
                new[name], state[name] = net.optimizer.update(value, g, before[name], number)  # type: ignore[attr-defined]
                continue
            new[name], v_next = net.optimizer.step(value, g, velocities[k].get(name))
            if v_next is not None:
                vel[name] = v_next
        x, fwd = passes[k]
        records.append(LayerValues(x, fwd, params[k], backs[k][0], backs[k][1], vel, new, velocities[k],
                                   state, {n: before[n] for n in state}, number))
        nexts.append(new)
        vels.append(vel)
    after = forward(net, tuple(nexts))[-1][1].output
    net.loss.check_prediction(after, number)
    return NetIteration(tuple(records), prediction, net.loss.value(prediction, net.target), grad,
                        net.loss.value(after, net.target))


def train(net: Network) -> tuple[NetIteration, ...]:
    """Every iteration, each from the previous one's updated parameters and velocities."""
    params: Params = tuple(layer.parameters for layer in net.layers)
    velocities: Params = tuple(
        {name: zeros(t.shape) for name, t in p.items()} if net.optimizer.has_velocity else {} for p in params
    )  # PyTorch starts the momentum buffer at zero
    states = initial_states(net, params)
    done = []
    with precise():
        for k in range(net.iterations):
            it = step(net, params, velocities, k + 1, states)
            done.append(it)
            params = tuple(dict(r.params_next) for r in it.layers)
            velocities = tuple({**velocities[j], **r.velocity} for j, r in enumerate(it.layers))
            states = tuple({**states[j], **{n: dict(s) for n, s in r.state.items()}} for j, r in enumerate(it.layers))
    return tuple(done)


def initial_states(net: Network, params: Params) -> States:
    """Every parameter's optimizer state before the first step (torch.optim's zeros; Adagrad's initial value)."""
    if not net.optimizer.stateful:
        return tuple({} for _ in params)
    return tuple({name: net.optimizer.initial_state(t) for name, t in p.items()}  # type: ignore[attr-defined]
                 for p in params)


def work(net: Network) -> int:
    """Multiply-adds of the whole run (forward, backward, the loss after the update), before any work."""
    per_pass = 0
    for layer in net.layers:
        params = layer.parameters
        if "kernel" in params:
            per_pass += params["kernel"].data.__len__() * layer.out_shape[-1] * layer.out_shape[-2]
        elif "weights" in params:
            per_pass += len(params["weights"])
        else:
            per_pass += max(1, _size(layer.in_shape))
    return 4 * per_pass * net.iterations


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n
