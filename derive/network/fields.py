"""The one table of a network's answer fields: name, where it lives, its symbol, its wording, the
fields it is computed from, and how to read it from the solved values. answers.py writes
answers.json from it; check, variants, the LMS exports and problem sheets are to read it too
(see the package docstring). A flat problem's table is derive/fields.py, of the same `Field`."""
from __future__ import annotations

from ..fields import Field
from .model import LayerValues, NetIteration

FIELDS: tuple[Field, ...] = (
    Field("prediction", "iteration", "out", "the network's output", ("output",),
          lambda it: it.prediction),
    Field("loss", "iteration", "L", "the loss", ("prediction",), lambda it: it.loss),
    Field("loss_next", "iteration", "L'", "the loss with the updated parameters", ("{P}_next",),
          lambda it: it.loss_next),
    Field("grad_input", "iteration", "∂L/∂x", "the gradient of the loss with respect to the network's input",
          ("grad_output",), lambda it: it.grad_input),
    Field("output", "layer", "out", "the layer's output", ("{P}",), lambda r: r.forward.output),
    Field("grad_output", "layer", "∂L/∂out", "the gradient of the loss with respect to the layer's output",
          ("loss",), lambda r: r.grad_output),
    Field("{P}", "param", "P", "the parameter before the step", (), lambda r, p: r.params[p]),
    Field("grad_{P}", "param", "∂L/∂P", "the gradient of the loss with respect to the parameter",
          ("grad_output",), lambda r, p: r.backward.grads[p]),
    Field("velocity_{P}", "param", "v'", "the momentum velocity after the step", ("grad_{P}",),
          lambda r, p: r.velocity.get(p)),
    Field("{P}_next", "param", "P'", "the parameter after the step", ("{P}", "grad_{P}", "velocity_{P}"),
          lambda r, p: r.params_next[p]),
)


def iteration_fields() -> list[Field]:
    """The fields answered once per iteration."""
    return [f for f in FIELDS if f.scope == "iteration"]


def layer_fields() -> list[Field]:
    """The fields answered once per layer."""
    return [f for f in FIELDS if f.scope == "layer"]


def param_fields() -> list[Field]:
    """The fields answered once per parameter of a layer."""
    return [f for f in FIELDS if f.scope == "param"]


__all__ = ["FIELDS", "Field", "LayerValues", "NetIteration", "iteration_fields", "layer_fields", "param_fields"]
