"""How far a network's LMS blank may be from the exact answer: the rounding a student carries.

As derive/tolerance.py for the flat path: the exercise is replayed with the network model's own
layers as a student who rounds every value to `precision` decimals before using it (each layer's
output, ∂L/∂out handed to the layer below, each gradient before the update, each updated
parameter and velocity), and each answer cell gets

    half a unit in the last decimal + 1.5 × |the student's value before its last rounding − exact|,

the second term rounded up to a tenth of a unit. Rounding happens between layers, so what one
layer computes in one go (a dense unit's sum, σ'(z)·g) is one step; the factor 1.5 leaves room
for students who round inside it too.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

from ..exact import mpq, precise
from ..tolerance import SAFETY, rounded
from .layers.base import Backward
from .model import LayerValues, NetIteration, Params, States, initial_states, train
from .spec import Network
from .tensor import Tensor, zeros


def _round(t: Tensor, precision: int) -> Tensor:
    return t.map(lambda v: rounded(v, precision))


def _forward(net: Network, params: Params, precision: int) -> list[tuple[Tensor, Any, Tensor]]:
    """(rounded input, forward result, raw output) of every layer, each output rounded before the next layer."""
    x, out = net.input, []
    for layer, p in zip(net.layers, params):
        fwd = layer.forward(x, p)
        out.append((x, fwd, fwd.output))
        x = _round(fwd.output, precision)
    return out


def _step(net: Network, params: Params, velocities: Params, precision: int, states: States,
          t: int) -> tuple[NetIteration, Params, Params, States]:
    """One iteration as the rounding student works it: raw values, and the rounded parameters, velocities and
    optimizer states (Adam's m and v, …) after."""
    r = lambda t: _round(t, precision)  # noqa: E731
    passes = _forward(net, params, precision)
    raw_prediction = passes[-1][2]
    prediction = r(raw_prediction)
    grad = r(net.loss.gradient(prediction, net.target))
    backs: list[tuple[Tensor, Backward]] = []
    for k in reversed(range(len(net.layers))):
        layer, (x, fwd, _) = net.layers[k], passes[k]
        if k == len(net.layers) - 1 and net.fused:
            back = Backward(prediction.map(lambda p, y: p - y, net.target))
        else:
            back = layer.backward(x, fwd, params[k], grad)
        backs.append((grad, back))
        grad = r(back.grad_input)
    backs.reverse()
    records, nexts, vels = [], [], []
    new_states: list[dict[str, dict[str, Tensor]]] = [dict(s) for s in states]
    for k, layer in enumerate(net.layers):
        new_raw: dict[str, Tensor] = {}
        new: dict[str, Tensor] = {}
        vel_raw: dict[str, Tensor] = {}
        vel = dict(velocities[k])
        for name, value in params[k].items():
            g = r(backs[k][1].grads[name])
            if name in layer.fixed:
                new_raw[name] = new[name] = value
                continue
            if net.optimizer.stateful:  # the student rounds each state value too (m', v', …)
                new_raw[name], state = net.optimizer.update(value, g, states[k][name], t)  # type: ignore[attr-defined]
                new_states[k][name] = {key: r(x) for key, x in state.items()}
            elif net.optimizer.has_velocity:
                v_raw = net.optimizer.step(value, g, velocities[k][name])[1]
                assert v_raw is not None  # an optimizer with a velocity returns it
                vel_raw[name], vel[name] = v_raw, r(v_raw)
                # With the velocity rounded, the step is w − η·v (PyTorch's rule, v ← μv + g).
                new_raw[name] = value.map(lambda w, v: w - net.optimizer.learning_rate * v, vel[name])
            else:
                new_raw[name] = net.optimizer.step(value, g, None)[0]
            new[name] = r(new_raw[name])
        x, fwd, raw_out = passes[k]
        records.append(LayerValues(x, replace(fwd, output=raw_out), params[k], backs[k][0], backs[k][1],
                                   vel_raw, new_raw, velocities[k]))
        nexts.append(new)
        vels.append(vel)
    after = r(_forward(net, tuple(nexts), precision)[-1][2])
    it = NetIteration(tuple(records), raw_prediction, net.loss.value(prediction, net.target), backs[0][1].grad_input,
                      net.loss.value(after, net.target))
    return it, tuple(nexts), tuple(vels), tuple(new_states)


def rounding_student(net: Network, precision: int) -> list[NetIteration]:
    """Every iteration's values as the rounding student computes them, each before its own last rounding."""
    params: Params = tuple(layer.parameters for layer in net.layers)
    velocities: Params = tuple(
        {name: zeros(t.shape) for name, t in p.items()} if net.optimizer.has_velocity else {} for p in params)
    states = initial_states(net, params)
    done = []
    with precise():  # the model's 256 bits after a sigmoid, or the margin measures float noise
        for t in range(1, net.iterations + 1):
            it, params, velocities, states = _step(net, params, velocities, precision, states, t)
            done.append(it)
    return done


def tolerances(net: Network, iterations: Sequence[NetIteration], precision: int) -> list[NetIteration]:
    """The iterations with every answer value replaced by its tolerance (exact), so the answer key's
    own shaping (answers.answer_key) lays them out cell by cell."""
    grid = mpq(1, 10 ** (precision + 1))  # a tenth of a unit in the last decimal
    half = 5 * grid

    def tol(student: Any, exact: Any) -> Any:
        margin = SAFETY * mpq(abs(mpq(student) - mpq(exact)))
        return half + grid * -((-margin / grid).__floor__())  # the margin rounded up to the grid

    def each(a: Tensor, b: Tensor) -> Tensor:
        return a.map(tol, b)

    def pairs(a: Any, b: Any) -> dict[str, Tensor]:
        return {name: each(a[name], b[name]) for name in a}

    with precise():
        students = rounding_student(net, precision)
        out = []
        for s, e in zip(students, iterations):
            layers = tuple(
                LayerValues(rs.input, replace(rs.forward, output=each(rs.forward.output, re.forward.output)), rs.params,
                            each(rs.grad_output, re.grad_output),
                            Backward(each(rs.backward.grad_input, re.backward.grad_input),
                                     pairs(rs.backward.grads, re.backward.grads)),
                            pairs(rs.velocity, re.velocity), pairs(rs.params_next, re.params_next), rs.velocity_before)
                for rs, re in zip(s.layers, e.layers))
            out.append(NetIteration(layers, each(s.prediction, e.prediction), tol(s.loss, e.loss),
                                    each(s.grad_input, e.grad_input), tol(s.loss_next, e.loss_next)))
    return out


__all__ = ["rounding_student", "tolerances", "train"]
