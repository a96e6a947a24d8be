"""How far an LMS blank may be from the exact answer: the rounding a student's working carries.

The problem sheet tells students to round every value that does not terminate to `precision`
decimals. A student who does so at every step (the feature map, the activation, the prediction,
∂L/∂Ŷ, ∂L/∂Z, the gradients, …) ends up away from the exact answer by more than the last
rounding: an MSE over 9 cells multiplies each rounded residual by 2/9 and sums nine of them.
This module replays the exercise as that student, with the model's own functions and a rounding
after each of them, and gives each answer cell the tolerance

    half a unit in the last decimal + 1.5 × |the student's value before its last rounding − exact|,

the second term rounded up to a tenth of a unit (so tolerances print cleanly, and an answer
whose working carries no rounding keeps exactly half a unit).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Sequence

from .exact import Num, mpq, precise
from .fields import present
from .model import Iteration, activate, conv_grads, convolve, grad_prediction, loss, pool, slopes, unpool, update
from .problem import Problem, Tensor4

SAFETY = mpq(3, 2)  # the student simulated is one of several ways to round; leave room for the others


def rounded(value: Num, precision: int) -> mpq:
    """`value` rounded to `precision` decimals, halves away from zero (as taught at school)."""
    scaled = mpq(value) * 10**precision
    whole = (abs(scaled) + mpq(1, 2)).__floor__()
    return mpq(whole if scaled >= 0 else -whole, 10**precision)


def _each(tensor: Any, fn: Callable[..., Num], *others: Any) -> Any:
    """`fn` applied cell by cell to nested tuples of the same shape."""
    if isinstance(tensor, tuple):
        return tuple(_each(t, fn, *(o[k] for o in others)) for k, t in enumerate(tensor))
    return fn(tensor, *others)


def _forward(problem: Problem, kernel: Tensor4, bias, r: Callable) -> tuple[dict[str, Any], tuple]:
    """The forward pass as the student writes it, by the model's layers: Z, A and Ŷ each rounded before
    the next step. Returns each field before its own rounding, and the rounded (Z, A, Ŷ, max-pooling winners)."""
    raw: dict[str, Any] = {"feature_map": convolve(problem, kernel, bias)}
    z = a = _each(raw["feature_map"], r)
    if problem.activation != "none":
        raw["activation"] = activate(problem, z)
        a = _each(raw["activation"], r)
    y, winners = pool(problem, a) if problem.pooling else (a, None)
    raw["prediction"] = y
    y = _each(y, r)
    raw["loss"] = loss(problem, y)
    return raw, (z, a if problem.activation != "none" else None, y, winners)


def _backward(problem: Problem, rounded_forward: tuple, r: Callable):
    """∂L/∂Z as the student gets it: ∂L/∂Ŷ, ∂L/∂A (through the pooling), ∂A/∂Z and their
    product, each rounded before the next step."""
    z, a, y, winners = rounded_forward
    dz = _each(grad_prediction(problem, y), r)
    if problem.pooling:
        dz = _each(unpool(problem, dz, winners), r)
    if a is not None:
        fprime = _each(slopes(problem, z, a), r)
        dz = _each(dz, lambda g, d: r(g * d), fprime)
    return dz


def rounding_student(problem: Problem, precision: int) -> list[dict[str, Any]]:
    """Per iteration, every answer field (by the model's attribute name) as computed by the
    student who rounds each intermediate value, taken before that field's own last rounding."""
    r = lambda v: rounded(v, precision)  # noqa: E731
    kernel, bias = problem.kernel, problem.bias  # the given numbers: nothing to round
    momentum = problem.momentum is not None
    velocity = velocity_bias = None  # the optimizer's step from none starts from a zero velocity
    found = []
    for _ in range(problem.iterations):
        raw, forward = _forward(problem, kernel, bias, r)
        dz = _backward(problem, forward, r)
        raw["grad_kernel"], grad_bias, raw["grad_input"] = conv_grads(problem, kernel, bias, dz)
        step_kernel = _each(raw["grad_kernel"], r)
        step_bias = None
        if bias is not None:
            raw["grad_bias"] = grad_bias
            step_bias = _each(grad_bias, r)
        if momentum:
            raw["velocity_next"] = update(problem, kernel, step_kernel, velocity)[1]
            step_kernel = velocity = _each(raw["velocity_next"], r)
            if bias is not None:
                raw["velocity_bias_next"] = update(problem, bias, step_bias, velocity_bias)[1]
                step_bias = velocity_bias = _each(raw["velocity_bias_next"], r)
        # The student steps along the rounded gradient (or velocity): the step from a zero velocity moves by it.
        raw["kernel_next"] = update(problem, kernel, step_kernel, None)[0]
        kernel = _each(raw["kernel_next"], r)
        if bias is not None:
            raw["bias_next"] = update(problem, bias, step_bias, None)[0]
            bias = _each(raw["bias_next"], r)
        raw["loss_next"] = _forward(problem, kernel, bias, r)[0]["loss"]
        found.append(raw)
    return found


def tolerances(problem: Problem, iterations: Sequence[Iteration], precision: int) -> list[dict[str, Any]]:
    """Per iteration, the tolerance of every cell of each answer field this problem has (derive/fields.py),
    by the model.Iteration attribute that holds the field, shaped like the model's values."""
    grid = mpq(1, 10 ** (precision + 1))  # a tenth of a unit in the last decimal
    half = 5 * grid

    def tol(student: Num, exact: Num) -> mpq:
        margin = SAFETY * mpq(abs(student - exact))
        return half + grid * -((-margin / grid).__floor__())  # the margin rounded up to the grid

    with precise():  # the model's 256 bits after a sigmoid or tanh, or the margin measures float noise
        students = rounding_student(problem, precision)
    fields = present(problem)
    return [{f.attribute: _each(student[f.attribute], tol, f.read(it)) for f in fields}
            for student, it in zip(students, iterations)]


def as_iterations(iterations: Sequence[Iteration], tols: Sequence[dict[str, Any]]) -> list[Iteration]:
    """The iterations with each answer field's values replaced by their tolerances, so the
    answer key's own shaping (answers.answer_key) lays them out cell by cell."""
    return [replace(it, **t) for it, t in zip(iterations, tols)]
