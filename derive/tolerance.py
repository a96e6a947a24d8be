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

from . import activation
from .exact import ZERO, Num, mpq, precise
from .model import (LOSSES, Iteration, convolve, grad_bias, grad_input, grad_kernel, loss, padded,
                    pool, unpool)
from .problem import Problem, Tensor3, Tensor4

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


def _forward(problem: Problem, x: Tensor3, kernel: Tensor4, bias, r: Callable) -> tuple[dict[str, Any], tuple]:
    """The forward pass as the student writes it: Z, A and Ŷ each rounded before the next step.
    Returns each field before its own rounding, and the rounded (Z, A, Ŷ, max-pooling winners)."""
    raw: dict[str, Any] = {"feature_map": convolve(problem, x, kernel, bias)}
    z = a = _each(raw["feature_map"], r)
    act = activation.layer(problem)
    if act is not None:
        raw["activation"] = _each(z, act.f)
        a = _each(raw["activation"], r)
    y, winners = pool(problem, a) if problem.pooling else (a, None)
    raw["prediction"] = y
    y = _each(y, r)
    raw["loss"] = loss(problem, y)
    return raw, (z, a if problem.activation != "none" else None, y, winners)


def _backward(problem: Problem, rounded_forward: tuple, r: Callable) -> Tensor3:
    """∂L/∂Z as the student gets it: ∂L/∂Ŷ, ∂L/∂A (through the pooling), ∂A/∂Z and their
    product, each rounded before the next step."""
    z, a, y, winners = rounded_forward
    scale = LOSSES[problem.loss].grad_scale(sum(len(row) for m in y for row in m))
    dz = _each(y, lambda yh, t: r(scale * (yh - t)), problem.target)
    if problem.pooling:
        dz = _each(unpool(problem, dz, winners), r)
    act = activation.layer(problem)
    if a is not None and act is not None:
        fprime = _each(z, lambda zv, av: r(act.derivative(zv, av)), a)
        dz = _each(dz, lambda g, d: r(g * d), fprime)
    return dz


def rounding_student(problem: Problem, precision: int) -> list[dict[str, Any]]:
    """Per iteration, every answer field (by the model's attribute name) as computed by the
    student who rounds each intermediate value, taken before that field's own last rounding."""
    r = lambda v: rounded(v, precision)  # noqa: E731
    x = padded(problem)  # the given numbers: nothing to round
    kernel, bias = problem.kernel, problem.bias
    momentum, eta = problem.momentum, problem.learning_rate
    velocity = _each(kernel, lambda w: ZERO) if momentum is not None else None
    velocity_bias = _each(bias, lambda b: ZERO) if momentum is not None and bias is not None else None
    found = []
    for _ in range(problem.iterations):
        raw, forward = _forward(problem, x, kernel, bias, r)
        dz = _backward(problem, forward, r)
        raw["grad_kernel"] = grad_kernel(problem, x, dz)
        raw["grad_input"] = grad_input(problem, kernel, dz)
        step_kernel = _each(raw["grad_kernel"], r)
        step_bias = None
        if bias is not None:
            raw["grad_bias"] = grad_bias(dz)
            step_bias = _each(raw["grad_bias"], r)
        if momentum is not None:
            raw["velocity_next"] = _each(velocity, lambda v, g: momentum * v + g, step_kernel)
            step_kernel = velocity = _each(raw["velocity_next"], r)
            if bias is not None:
                raw["velocity_bias_next"] = _each(velocity_bias, lambda v, g: momentum * v + g, step_bias)
                step_bias = velocity_bias = _each(raw["velocity_bias_next"], r)
        raw["kernel_next"] = _each(kernel, lambda w, d: w - eta * d, step_kernel)
        kernel = _each(raw["kernel_next"], r)
        if bias is not None:
            raw["bias_next"] = _each(bias, lambda b, d: b - eta * d, step_bias)
            bias = _each(raw["bias_next"], r)
        raw["loss_next"] = _forward(problem, x, kernel, bias, r)[0]["loss"]
        found.append(raw)
    return found


def tolerances(problem: Problem, iterations: Sequence[Iteration], precision: int) -> list[dict[str, Any]]:
    """Per iteration, the tolerance of every answer cell (exact), shaped like the model's values."""
    grid = mpq(1, 10 ** (precision + 1))  # a tenth of a unit in the last decimal
    half = 5 * grid

    def tol(student: Num, exact: Num) -> mpq:
        margin = SAFETY * mpq(abs(student - exact))
        return half + grid * -((-margin / grid).__floor__())  # the margin rounded up to the grid

    with precise():  # the model's 256 bits after a sigmoid or tanh, or the margin measures float noise
        students = rounding_student(problem, precision)
    out = []
    for student, it in zip(students, iterations):
        out.append({name: _each(value, tol, getattr(it, name)) for name, value in student.items()})
    return out


def as_iterations(iterations: Sequence[Iteration], tols: Sequence[dict[str, Any]]) -> list[Iteration]:
    """The iterations with each answer field's values replaced by their tolerances, so the
    answer key's own shaping (answers.answer_key) lays them out cell by cell."""
    return [replace(it, **t) for it, t in zip(iterations, tols)]
